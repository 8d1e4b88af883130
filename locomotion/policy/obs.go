package policy

import (
	"fmt"
	"math"
	"strings"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Bind maps the policy's joints onto a robot's joints (hal order, by
// name): idx[i] is the robot joint of policy joint i, held lists the robot
// joints the policy does not drive. The error names every policy joint the
// robot lacks, and the robot joints left undriven when the config has no
// hold gains for them.
func (c *Config) Bind(robot []string) (idx, held []int, err error) {
	if len(robot) == 0 {
		return nil, nil, fmt.Errorf("policy: the robot has no joints")
	}
	at := make(map[string]int, len(robot))
	for i, n := range robot {
		at[n] = i
	}
	var missing []string
	used := make([]bool, len(robot))
	for _, j := range c.Joints {
		k, ok := at[j.Name]
		if !ok {
			missing = append(missing, fmt.Sprintf("%q (line %d)", j.Name, j.Line))
			continue
		}
		idx = append(idx, k)
		used[k] = true
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("policy: joints of the policy config that the robot does not have: %s; the robot's joints are %s",
			strings.Join(missing, ", "), strings.Join(robot, ", "))
	}
	var free []string
	for i, u := range used {
		if !u {
			held = append(held, i)
			free = append(free, robot[i])
		}
	}
	if len(held) > 0 && !c.HoldSet {
		return nil, nil, fmt.Errorf("policy: the robot's joints %s are not among the policy's; give hold: {kp, kd} to hold them at the home pose", strings.Join(free, ", "))
	}
	return idx, held, nil
}

// Observer assembles the network's input from a tick's input: each term's
// raw value, clipped (Term.Clip) then scaled (Term.Scale), stacked by the
// term's own history, the frame clipped by Config.ClipObs, then the frames
// stacked by Config.History. Observe allocates nothing.
type Observer struct {
	cfg   *Config
	idx   []int     // policy joint → hal joint
	raw   []float64 // one term's raw value
	frame []float64 // the newest frame
	tHist []ring    // per term
	fHist ring      // whole frames
	first bool
	need  needs
}

// ring is a history of fixed-size frames; at is the newest.
type ring struct {
	buf [][]float64
	at  int
}

func newRing(frames, size int) ring {
	r := ring{buf: make([][]float64, frames)}
	for i := range r.buf {
		r.buf[i] = make([]float64, size)
	}
	return r
}

// push stores v as the newest frame; fill sets every frame to v (or to
// zeros, then v the newest).
func (r *ring) push(v []float64, fill, zeros bool) {
	if fill {
		for _, f := range r.buf {
			if zeros {
				clear(f)
			} else {
				copy(f, v)
			}
		}
	}
	r.at = (r.at + 1) % len(r.buf)
	copy(r.buf[r.at], v)
}

// write copies the frames into dst, oldest first unless newestFirst, and
// returns the values written.
func (r *ring) write(dst []float64, newestFirst bool) int {
	o, n := 0, len(r.buf)
	for k := 0; k < n; k++ {
		i := (r.at + 1 + k) % n // oldest first
		if newestFirst {
			i = (r.at - k + n) % n
		}
		o += copy(dst[o:], r.buf[i])
	}
	return o
}

// needs says which parts of the estimate the terms read.
type needs struct{ orientation, velocity, position bool }

// NewObserver makes the observer of cfg for the joint map idx (Bind).
func NewObserver(cfg *Config, idx []int) *Observer {
	n := len(cfg.Joints)
	o := &Observer{cfg: cfg, idx: idx, raw: make([]float64, max(n, 4)), frame: make([]float64, cfg.FrameSize()), first: true}
	for i := range cfg.Terms {
		t := &cfg.Terms[i]
		o.tHist = append(o.tHist, newRing(t.History, t.Size(n)))
		switch t.Kind {
		case TermAngVel, TermGravity, TermQuat, TermEuler:
			o.need.orientation = true
		case TermLinVel:
			o.need.orientation, o.need.velocity = true, true
		case TermHeight:
			o.need.position = true
		}
	}
	o.fHist = newRing(cfg.History.Frames, len(o.frame))
	return o
}

// Check returns an error when the estimate lacks a part the terms read.
func (o *Observer) Check(e *estimator.Estimate) error {
	switch {
	case o.need.orientation && !e.OrientationValid:
		return errOrientation
	case o.need.velocity && !e.VelocityValid:
		return errVelocity
	case o.need.position && !e.PositionValid:
		return errPosition
	}
	return nil
}

var (
	errOrientation = fmt.Errorf("policy: the observation needs the base orientation and the estimate has none")
	errVelocity    = fmt.Errorf("policy: the observation's base_lin_vel needs the estimator's velocity and the estimate has none")
	errPosition    = fmt.Errorf("policy: the observation's base_height needs the estimator's position and the estimate has none")
)

// Reset makes the next Observe the first: it fills the histories.
func (o *Observer) Reset() { o.first = true }

// Frame returns the newest frame (after Observe).
func (o *Observer) Frame() []float64 { return o.frame }

// Observe writes the observation into dst (ObsSize values): in is the
// tick's input, last the previous raw action (policy order), t the time
// since the policy started (s).
func (o *Observer) Observe(dst []float32, in *locomotion.Input, last []float64, t float64) {
	c := o.cfg
	e := in.Estimate
	q := spatial.Quat{W: e.Quat[0], X: e.Quat[1], Y: e.Quat[2], Z: e.Quat[3]}
	if n := q.W*q.W + q.X*q.X + q.Y*q.Y + q.Z*q.Z; n > 0 {
		s := 1 / math.Sqrt(n)
		q = spatial.Quat{W: q.W * s, X: q.X * s, Y: q.Y * s, Z: q.Z * s}
	} else {
		q = spatial.Quat{W: 1}
	}
	pos := 0
	for ti := range c.Terms {
		term := &c.Terms[ti]
		size := term.Size(len(c.Joints))
		r := o.raw[:size]
		o.value(r, term, in, q, last, t)
		for k := range r {
			v := r[k]
			if v > term.Clip {
				v = term.Clip
			} else if v < -term.Clip {
				v = -term.Clip
			}
			s := term.Scale[0]
			if len(term.Scale) > 1 {
				s = term.Scale[k]
			}
			r[k] = v * s
		}
		h := &o.tHist[ti]
		h.push(r, o.first, c.History.FillZeros)
		pos += h.write(o.frame[pos:], c.History.NewestFirst)
	}
	if c.ClipObs > 0 {
		for k, v := range o.frame {
			o.frame[k] = math.Max(-c.ClipObs, math.Min(c.ClipObs, v))
		}
	}
	o.fHist.push(o.frame, o.first, c.History.FillZeros)
	o.first = false
	// Stack the frames into dst through the ring's order.
	n, fs := len(o.fHist.buf), len(o.frame)
	for k := 0; k < n; k++ {
		i := (o.fHist.at + 1 + k) % n
		if c.History.NewestFirst {
			i = (o.fHist.at - k + n) % n
		}
		d := dst[k*fs : (k+1)*fs]
		for j, v := range o.fHist.buf[i] {
			d[j] = float32(v)
		}
	}
}

// value writes a term's raw value.
func (o *Observer) value(r []float64, term *Term, in *locomotion.Input, q spatial.Quat, last []float64, t float64) {
	s, e := in.Sensors, in.Estimate
	toBase := func(v [3]float64) { // Rᵀ·v: a world vector in base axes
		b := q.Conj().Rotate(spatial.Vec3(v))
		r[0], r[1], r[2] = b[0], b[1], b[2]
	}
	switch term.Kind {
	case TermJointPos:
		for i, k := range o.idx {
			r[i] = s.Q[k] - o.cfg.Joints[i].Default
		}
	case TermJointVel:
		for i, k := range o.idx {
			r[i] = s.Qd[k]
		}
	case TermLastAction:
		copy(r, last)
	case TermAngVel:
		toBase(e.AngVel)
	case TermLinVel:
		toBase(e.LinVel)
	case TermGravity:
		toBase([3]float64{0, 0, -1})
	case TermQuat:
		if term.Unique && q.W < 0 {
			q = spatial.Quat{W: -q.W, X: -q.X, Y: -q.Y, Z: -q.Z}
		}
		if o.cfg.Quaternion == "xyzw" {
			r[0], r[1], r[2], r[3] = q.X, q.Y, q.Z, q.W
		} else {
			r[0], r[1], r[2], r[3] = q.W, q.X, q.Y, q.Z
		}
	case TermEuler:
		r[0] = math.Atan2(2*(q.W*q.X+q.Y*q.Z), 1-2*(q.X*q.X+q.Y*q.Y))
		r[1] = math.Asin(math.Max(-1, math.Min(1, 2*(q.W*q.Y-q.Z*q.X))))
		r[2] = math.Atan2(2*(q.W*q.Z+q.X*q.Y), 1-2*(q.Y*q.Y+q.Z*q.Z))
	case TermCommand:
		r[0], r[1], r[2] = in.Command.Vx, in.Command.Vy, in.Command.YawRate
	case TermPhase:
		ph := 2 * math.Pi * t / term.Period
		r[0], r[1] = math.Sin(ph), math.Cos(ph)
		if term.CosFirst {
			r[0], r[1] = r[1], r[0]
		}
	case TermHeight:
		r[0] = e.Pos[2]
	}
}

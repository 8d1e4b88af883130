package canbus

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/imu"
)

// IMUSource is an IMU driver (hal/imu): the newest reading, how many have
// come and when the last one did.
type IMUSource interface {
	Latest(dst *hal.IMU) (count uint64, at time.Time, err error)
	Close() error
}

// HaltDamping is the velocity damping Halt applies (N·m·s/rad, joint side).
const HaltDamping = 2.0

// Robot is hal.Robot over CAN buses. Make it with Open; the control loop
// calls Read, Write and Halt from one goroutine, the bus goroutines do
// the I/O.
type Robot struct {
	file   *File
	info   *hal.Info
	buses  []*bus
	where  [hal.MaxJoints]struct{ bus, motor int }
	imu    IMUSource
	imuTO  time.Duration
	imuRot [3][3]float64 // model IMU frame from sensor frame
	t0     time.Time

	enabled atomic.Bool
	halted  bool
	seq     uint64
	lastIMU uint64

	// Write's scratch, per bus
	mcmd [][]MotorCommand
	last hal.Commands
}

var _ hal.Robot = (*Robot)(nil)

// Options say how Open connects.
type Options struct {
	// BusDir, when set, replaces SocketCAN: bus canN is the Unix
	// SOCK_SEQPACKET socket BusDir/canN and the IMU the Unix stream
	// socket BusDir/imu (what `stride sim --emulate-bus` serves).
	BusDir string
	// NoIMU leaves the file's IMU unopened (`stride robot check`, zero).
	NoIMU bool
}

// Open connects every bus of f and the IMU, and starts the bus
// goroutines. Nothing is sent until Probe, Enable or Write.
func Open(f *File, o Options) (*Robot, error) {
	r := &Robot{file: f, info: f.Info(), t0: time.Now()}
	for _, spec := range f.Buses {
		conn, err := dial(spec.Name, o.BusDir)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.buses = append(r.buses, newBus(spec, conn, f.Period(), f.LostAfter))
	}
	for i, j := range f.Joints {
		for bi, b := range r.buses {
			if b.spec.Name == j.Bus {
				r.where[i] = struct{ bus, motor int }{bi, len(b.motors)}
				b.addMotor(j, i)
			}
		}
	}
	for _, b := range r.buses {
		r.mcmd = append(r.mcmd, make([]MotorCommand, len(b.motors)))
		go b.run(r.enabled.Load)
	}
	r.imuRot = rpyMatrix(0, 0, 0)
	if f.IMU != nil && !o.NoIMU {
		src, err := imu.Open(f.IMU.Port, f.IMU.Baud, o.BusDir)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.imu, r.imuTO = src, f.IMU.Timeout
		d := math.Pi / 180
		r.imuRot = rpyMatrix(f.IMU.MountRPY[0]*d, f.IMU.MountRPY[1]*d, f.IMU.MountRPY[2]*d)
	}
	return r, nil
}

// dial connects bus name: SocketCAN, or the Unix socket dir/name.
func dial(name, dir string) (Conn, error) {
	if dir == "" {
		return dialSocketCAN(name)
	}
	path := filepath.Join(dir, name)
	c, err := net.DialUnix("unixpacket", nil, &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		return nil, fmt.Errorf("canbus: bus %s: %w (is `stride sim --emulate-bus … --bus-dir %s` running?)", name, err, dir)
	}
	return c, nil
}

// Info describes the robot of the file.
func (r *Robot) Info() *hal.Info { return r.info }

// File returns the robot file.
func (r *Robot) File() *File { return r.file }

// Read copies the newest replies and IMU reading into s. Seq advances when
// every bus has finished a cycle since the last Read.
func (r *Robot) Read(s *hal.Sensors) error {
	n := len(r.info.Joints)
	s.N = n
	s.BusFault = 0
	minCycles := uint64(math.MaxUint64)
	var at time.Time
	for bi, b := range r.buses {
		b.mu.Lock()
		for k := range b.motors {
			rep := &b.pub[k]
			i := b.motors[k].joint
			j := &r.file.Joints[i]
			if rep.Have {
				s.Q[i] = j.Direction * (rep.State.P - j.Zero) / j.Gear
				s.Qd[i] = j.Direction * rep.State.V / j.Gear
				s.Tau[i] = j.Direction * rep.State.T * j.Gear
			} else {
				s.Q[i], s.Qd[i], s.Tau[i] = math.NaN(), math.NaN(), math.NaN()
			}
			s.JointFaults[i] = rep.Fault | b.jevents[k]
			b.jevents[k] = 0
		}
		s.BusFault |= b.pubFault | b.events
		b.events = 0
		if b.cycles < minCycles || bi == 0 {
			minCycles = b.cycles
			at = b.at
		}
		b.mu.Unlock()
	}
	if minCycles != r.seq {
		r.seq = minCycles
	}
	s.Seq = r.seq
	if !at.IsZero() {
		s.Time = at.Sub(r.t0).Seconds()
	}
	if r.imu != nil {
		var raw hal.IMU
		count, last, err := r.imu.Latest(&raw)
		if err != nil || count == 0 || time.Since(last) > r.imuTO {
			s.BusFault |= hal.FaultIMU
		}
		if count != r.lastIMU {
			r.lastIMU = count
			r.mount(&raw, &s.IMU)
		}
	}
	return nil
}

// mount turns a reading in the sensor's frame into the model's IMU frame.
func (r *Robot) mount(in, out *hal.IMU) {
	R := &r.imuRot
	rot := func(v [3]float64) (w [3]float64) {
		for i := 0; i < 3; i++ {
			w[i] = R[i][0]*v[0] + R[i][1]*v[1] + R[i][2]*v[2]
		}
		return w
	}
	out.Gyro, out.Accel = rot(in.Gyro), rot(in.Accel)
	// q_world_model = q_world_sensor ⊗ q(Rᵀ)
	qm := matQuat(R)
	qm[1], qm[2], qm[3] = -qm[1], -qm[2], -qm[3]
	out.Quat = quatMul(in.Quat, qm)
}

// Write checks c and hands it to the bus goroutines as motor-side
// set-points; it never waits for the bus.
func (r *Robot) Write(c *hal.Commands) error {
	if err := c.Check(r.info); err != nil {
		return err
	}
	r.send(c)
	r.halted = false
	return nil
}

func (r *Robot) send(c *hal.Commands) {
	for i := 0; i < c.N; i++ {
		j := &r.file.Joints[i]
		w := r.where[i]
		jc := &c.Joint[i]
		g2 := j.Gear * j.Gear
		r.mcmd[w.bus][w.motor] = MotorCommand{P: j.Direction*jc.Q*j.Gear + j.Zero, V: j.Direction * jc.Qd * j.Gear,
			Kp: jc.Kp / g2, Kd: jc.Kd / g2, T: j.Direction * jc.Tau / j.Gear}
	}
	for bi, b := range r.buses {
		b.hand(r.mcmd[bi], OpCommand, 0)
	}
	r.last = *c
}

// Halt sends pure damping (HaltDamping) to every drive.
func (r *Robot) Halt() error {
	d := hal.Damping(len(r.info.Joints), HaltDamping)
	r.send(&d)
	r.halted = true
	return nil
}

// Halted reports whether the last frame set was Halt's.
func (r *Robot) Halted() bool { return r.halted }

// control sends op to the drives in joints (nil: all) and waits up to
// timeout for a cycle of every bus to finish.
func (r *Robot) control(ctx context.Context, op Op, joints []int) error {
	masks := make([]uint64, len(r.buses))
	for i := range r.info.Joints {
		if joints == nil {
			w := r.where[i]
			masks[w.bus] |= 1 << w.motor
		}
	}
	for _, i := range joints {
		w := r.where[i]
		masks[w.bus] |= 1 << w.motor
	}
	start := make([]uint64, len(r.buses))
	for bi, b := range r.buses {
		b.mu.Lock()
		start[bi] = b.cycles
		b.mu.Unlock()
		b.hand(nil, op, masks[bi])
	}
	for bi, b := range r.buses {
		for {
			b.mu.Lock()
			c := b.cycles
			b.mu.Unlock()
			if c > start[bi] {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Microsecond):
			}
		}
	}
	return nil
}

// JointReport is what Probe found of one joint.
type JointReport struct {
	Joint   string
	Bus     string
	ID      uint32
	Answers bool
	Q       float64 // rad, joint side (NaN when the drive did not answer)
	InRange bool
	Temp    float64 // °C; NaN when not reported
	Fault   hal.Fault
	Drops   uint64
	Late    uint64
	Garbled uint64
}

// Probe talks to every drive without enabling it — the disable frame, to
// which an MIT drive replies with its state — at least twice, and again
// until every drive has answered or wait has passed; it reports each
// joint.
func (r *Robot) Probe(ctx context.Context, wait time.Duration) ([]JointReport, error) {
	end := time.Now().Add(wait)
	for i := 0; ; i++ {
		if err := r.control(ctx, OpDisable, nil); err != nil {
			return nil, err
		}
		if i >= 1 && (r.allAnswered() || time.Now().After(end)) {
			break
		}
	}
	time.Sleep(time.Millisecond) // the last cycle's late replies
	var s hal.Sensors
	_ = r.Read(&s)
	out := make([]JointReport, len(r.info.Joints))
	for i, j := range r.file.Joints {
		w := r.where[i]
		b := r.buses[w.bus]
		b.mu.Lock()
		rep := b.pub[w.motor]
		b.mu.Unlock()
		q := s.Q[i]
		out[i] = JointReport{Joint: j.Name, Bus: j.Bus, ID: j.ID, Answers: rep.Have && time.Since(rep.LastReply) < time.Second,
			Q: q, InRange: q >= j.Range[0] && q <= j.Range[1], Temp: rep.State.Temp, Fault: s.JointFaults[i] | s.BusFault&hal.FaultBusOff,
			Drops: rep.Drops, Late: rep.Late, Garbled: rep.Garbled}
		if !out[i].Answers {
			out[i].Q, out[i].InRange = math.NaN(), false
		}
	}
	return out, nil
}

// WaitIMU waits up to d for the IMU's first sample; it fails, naming
// the port, when none comes. A file without an IMU passes at once.
func (r *Robot) WaitIMU(ctx context.Context, d time.Duration) error {
	if r.imu == nil {
		return nil
	}
	end := time.Now().Add(d)
	var s hal.IMU
	for {
		n, _, err := r.imu.Latest(&s)
		if n > 0 {
			return nil
		}
		if err != nil || time.Now().After(end) {
			why := "sends nothing"
			if err != nil {
				why = err.Error()
			}
			return fmt.Errorf("refusing to start: the IMU (%s) %s", r.file.IMU.Port, why)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

func (r *Robot) allEnabled() bool {
	for _, b := range r.buses {
		b.mu.Lock()
		for k := range b.pub {
			if !b.pub[k].State.Enabled || b.pub[k].LastReply.Before(b.at.Add(-b.period)) {
				b.mu.Unlock()
				return false
			}
		}
		b.mu.Unlock()
	}
	return true
}

func (r *Robot) allAnswered() bool {
	for _, b := range r.buses {
		b.mu.Lock()
		for k := range b.pub {
			if !b.pub[k].Have {
				b.mu.Unlock()
				return false
			}
		}
		b.mu.Unlock()
	}
	return true
}

// CheckStart returns an error listing every joint whose drive does not
// answer, lies outside its range or reports a fault: the start guard of
// `stride robot run`.
func CheckStart(reps []JointReport) error {
	var bad []string
	for _, p := range reps {
		switch {
		case !p.Answers:
			bad = append(bad, fmt.Sprintf("  %s (%s id %d): the drive does not answer", p.Joint, p.Bus, p.ID))
		case !p.InRange:
			bad = append(bad, fmt.Sprintf("  %s (%s id %d): at %.3f rad, outside its range", p.Joint, p.Bus, p.ID, p.Q))
		case p.Fault&^hal.FaultDisabled != 0:
			bad = append(bad, fmt.Sprintf("  %s (%s id %d): fault %v", p.Joint, p.Bus, p.ID, p.Fault))
		}
	}
	if bad != nil {
		return fmt.Errorf("refusing to start, %d joint(s) not ready:\n%s", len(bad), strings.Join(bad, "\n"))
	}
	return nil
}

// Enable puts every drive in motor mode, holding damping: the robot is
// halted first so that the drives' first set-point is damping.
func (r *Robot) Enable(ctx context.Context) error {
	// A lost reply leaves the drive's state unknown: enable again until
	// every drive that reports it says enabled (at most 5 times).
	for i := 0; i < 5; i++ {
		if err := r.control(ctx, OpEnable, nil); err != nil {
			return err
		}
		if r.allEnabled() {
			break
		}
	}
	r.enabled.Store(true)
	d := hal.Damping(len(r.info.Joints), HaltDamping)
	r.send(&d)
	r.halted = true
	return nil
}

// Disable takes every drive out of motor mode.
func (r *Robot) Disable(ctx context.Context) error {
	r.enabled.Store(false)
	return r.control(ctx, OpDisable, nil)
}

// Zero sets the current position of the drives of joints as their
// encoder zero. The caller asks for confirmation first.
func (r *Robot) Zero(ctx context.Context, joints []int) error {
	if len(joints) == 0 {
		return errors.New("canbus: zero: no joints named")
	}
	return r.control(ctx, OpZero, joints)
}

// BusStats is one bus's counters.
type BusStats struct {
	Bus     string `json:"bus"`
	Cycles  uint64 `json:"cycles"`
	Drops   uint64 `json:"dropped_replies"`
	Late    uint64 `json:"late_replies"`
	Garbled uint64 `json:"garbled_replies"`
	Unknown uint64 `json:"unexpected_frames"`
	Dead    bool   `json:"bus_off"`
	// SendDelay: from Write handing the set over to the bus goroutine
	// taking it (mean and max); ReplyDelay: from sending a set to its last
	// reply, over the cycles where every reply came in time.
	SendDelayMean  float64 `json:"send_delay_mean_s"`
	SendDelayMax   float64 `json:"send_delay_max_s"`
	ReplyDelayMean float64 `json:"reply_delay_mean_s"`
	ReplyDelayMax  float64 `json:"reply_delay_max_s"`
}

// Stats returns every bus's counters.
func (r *Robot) Stats() []BusStats {
	var out []BusStats
	for _, b := range r.buses {
		b.mu.Lock()
		st := BusStats{Bus: b.spec.Name, Cycles: b.cycles, Dead: b.pubFault&hal.FaultBusOff != 0,
			SendDelayMax: b.sendMax.Seconds(), ReplyDelayMax: b.replyMax.Seconds()}
		if b.sendN > 0 {
			st.SendDelayMean = (b.sendSum / time.Duration(b.sendN)).Seconds()
		}
		if b.replyN > 0 {
			st.ReplyDelayMean = (b.replySum / time.Duration(b.replyN)).Seconds()
		}
		for _, p := range b.pub {
			st.Drops += p.Drops
			st.Late += p.Late
			st.Garbled += p.Garbled
		}
		b.mu.Unlock()
		out = append(out, st)
	}
	return out
}

// Close stops the bus goroutines and closes the sockets and the IMU. It
// does not disable the drives: call Halt and Disable first.
func (r *Robot) Close() error {
	var errs []error
	for _, b := range r.buses {
		errs = append(errs, b.conn.Close())
		b.stop()
	}
	r.buses = nil
	if r.imu != nil {
		errs = append(errs, r.imu.Close())
	}
	return errors.Join(errs...)
}

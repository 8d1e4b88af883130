package simhal

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// HaltDamping is the joint damping Halt applies (N·m·s/rad).
const HaltDamping = 5.0

// Robot is a simulated robot behind the hal.Robot interface.
type Robot struct {
	World   *sim.World
	Sensors *sim.Sensors
	Joints  *rbd.JointMap // hal joint i ↔ the model's coordinates (read only)

	info    hal.Info
	reading *sim.SensorReading
	seq     uint64
	cmd     hal.Commands
	halted  bool
	truth   Truth
	feet    []int // foot sites, for Truth
	td      *rbd.Data

	// Hooks for fault injection in tests: when set, Mutate edits every sample
	// before Read returns it; Freeze makes Read return the previous sample
	// unchanged (a stale sensor stream).
	Mutate func(s *hal.Sensors)
	Freeze bool
	last   hal.Sensors

	push push // the push under way (hal.Disturber)
}

// push is a force on the base for a number of physics steps.
type push struct {
	force spatial.Vec3 // N, world, at the base body's centre of mass
	steps int          // physics steps still to push
}

var (
	_ hal.Robot     = (*Robot)(nil)
	_ hal.Disturber = (*Robot)(nil)
)

// New wraps w. Joints are the model's actuators, in order.
func New(w *sim.World, p sim.SensorParams) (*Robot, error) {
	m := w.Model
	if m.Nu > hal.MaxJoints {
		return nil, fmt.Errorf("simhal: model %q has %d actuators, hal supports %d", m.Name, m.Nu, hal.MaxJoints)
	}
	jm, err := rbd.NewJointMap(m, rbd.ActuatedJointNames(m))
	if err != nil {
		return nil, fmt.Errorf("simhal: its joints are the model's actuators: %w", err)
	}
	r := &Robot{World: w, Sensors: sim.NewSensors(w, p), Joints: jm, reading: sim.NewReading(w), td: rbd.NewData(m)}
	r.info.Name = m.Name
	for i, ji := range jm.Joint {
		j := &m.Joints[ji]
		ji := hal.JointInfo{Name: j.Name, PosMin: math.Inf(-1), PosMax: math.Inf(1),
			VelocityLimit: math.Inf(1), EffortLimit: math.Inf(1)}
		if j.Limited {
			ji.PosMin, ji.PosMax = j.Range[0], j.Range[1]
		}
		if j.VelocityLimit > 0 {
			ji.VelocityLimit = j.VelocityLimit
		}
		if mo := w.Motors[i]; mo.PeakTorque > 0 {
			ji.EffortLimit = mo.PeakTorque
		}
		r.info.Joints = append(r.info.Joints, ji)
	}
	for _, name := range []string{"left_foot", "right_foot"} {
		if i := m.SiteIndex(name); i >= 0 {
			r.feet = append(r.feet, i)
		}
	}
	r.cmd.N = m.Nu
	r.truth.init(m, len(r.feet))
	return r, nil
}

// Info describes the simulated robot.
func (r *Robot) Info() *hal.Info { return &r.info }

// Read samples the sensors at the current simulated state.
func (r *Robot) Read(s *hal.Sensors) error {
	if r.Freeze && r.seq > 0 {
		*s = r.last
		return nil
	}
	r.Sensors.Sample(r.World, r.reading)
	rd := r.reading
	r.seq++
	s.Time, s.Seq, s.N = rd.Time, r.seq, len(rd.Q)
	copy(s.Q[:], rd.Q)
	copy(s.Qd[:], rd.Qd)
	copy(s.Tau[:], rd.Tau)
	q := rd.IMUQuat
	s.IMU.Quat = [4]float64{q.W, q.X, q.Y, q.Z}
	s.IMU.Gyro = rd.Gyro
	s.IMU.Accel = rd.Accel
	s.BusFault = 0
	clear(s.JointFaults[:])
	for i := range r.World.Motors {
		if r.World.Motors[i].Failed {
			s.JointFaults[i] = hal.FaultCommLost
		}
	}
	if r.Mutate != nil {
		r.Mutate(s)
	}
	r.last = *s
	return nil
}

// Write checks c and hands it to the simulated drives. A rejected command
// changes nothing.
func (r *Robot) Write(c *hal.Commands) error {
	if err := c.Check(&r.info); err != nil {
		return err
	}
	r.cmd = *c
	r.halted = false
	r.apply()
	return nil
}

// Halt switches every drive to pure damping.
func (r *Robot) Halt() error {
	r.cmd = hal.Damping(len(r.info.Joints), HaltDamping)
	r.halted = true
	r.apply()
	return nil
}

// Halted reports whether the last command was Halt.
func (r *Robot) Halted() bool { return r.halted }

func (r *Robot) apply() {
	for i := 0; i < r.cmd.N; i++ {
		c := &r.cmd.Joint[i]
		r.World.Drive[i] = sim.DriveCommand{Tau: c.Tau, Q: c.Q, Qd: c.Qd, Kp: c.Kp, Kd: c.Kd}
	}
}

// Advance steps the physics by dt (a whole number of timesteps, at least
// one): the lock-step clock of simulation.
func (r *Robot) Advance(dt float64) error {
	n := max(1, int(math.Round(dt/r.World.Opt.Timestep)))
	for i := 0; i < n; i++ {
		if err := r.step(); err != nil {
			return err
		}
	}
	return nil
}

// step steps the physics once, with the push under way added to the base's
// applied force for the step (then put back as it was, so whatever else a
// tool applies there stays its own).
func (r *Robot) step() error {
	if r.push.steps == 0 {
		return r.World.Step()
	}
	x := &r.World.XfrcApplied[baseBody].Lin
	own := *x
	*x = own.Add(r.push.force)
	err := r.World.Step()
	*x = own
	r.push.steps--
	return err
}

// baseBody is the floating base's body index (body 0 is the world).
const baseBody = 1

// Push applies impulse (N·s, the base's heading frame now: x forward along
// its yaw, y left, z up) to the base body at its centre of mass, as a
// constant force over duration seconds rounded to whole physics steps (at
// least one), scaled so the impulse is exact: hal.Disturber. The heading is
// the true one — this is the simulator pushing, not a controller. A push
// replaces the rest of one under way.
func (r *Robot) Push(impulse [3]float64, duration float64) error {
	for i, v := range impulse {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("simhal: push: impulse[%d] is %v; not pushed", i, v)
		}
	}
	if math.IsNaN(duration) || math.IsInf(duration, 0) || duration <= 0 {
		return fmt.Errorf("simhal: push: duration %v s: want a finite time > 0; not pushed", duration)
	}
	w := r.World
	if len(w.XfrcApplied) <= baseBody {
		return fmt.Errorf("simhal: push: model %q has no floating base body to push", w.Model.Name)
	}
	dt := w.Opt.Timestep
	n := max(1, int(math.Round(duration/dt)))
	rbd.Kinematics(w.Model, r.td, w.Qpos)
	R := &r.td.XBody[baseBody].R
	yaw := math.Atan2(R[3], R[0])
	c, s := math.Cos(yaw), math.Sin(yaw)
	world := spatial.Vec3{c*impulse[0] - s*impulse[1], s*impulse[0] + c*impulse[1], impulse[2]}
	r.push = push{force: world.Scale(1 / (float64(n) * dt)), steps: n}
	return nil
}

// Pushing reports whether a push is under way.
func (r *Robot) Pushing() bool { return r.push.steps > 0 }

// Truth is the simulator's ground truth, for tools, tests and telemetry —
// never for controllers.
type Truth struct {
	Time           float64
	BasePos        spatial.Vec3 // root body origin, world
	BaseQuat       spatial.Quat
	BaseLinVel     spatial.Vec3 // root origin velocity, world
	BaseAngVel     spatial.Vec3 // world
	COM            spatial.Vec3
	Feet           []FootTruth // per foot site ("left_foot", "right_foot")
	MaxPenetration float64     // deepest contact of the last step, m
	Qpos, Qvel     []float64
}

// FootTruth is one foot's true contact state.
type FootTruth struct {
	Site      int
	InContact bool
	Force     spatial.Vec3 // total terrain force on the foot's body, world, N
	Pos       spatial.Vec3 // site position, world
}

func (t *Truth) init(m *rbd.Model, feet int) {
	t.Qpos = make([]float64, m.Nq)
	t.Qvel = make([]float64, m.Nv)
	t.Feet = make([]FootTruth, feet)
}

// Truth returns the ground truth of the current state. The returned value is
// overwritten by the next call.
func (r *Robot) Truth() *Truth {
	w, t := r.World, &r.truth
	m, d := w.Model, r.td
	t.Time = w.Time
	copy(t.Qpos, w.Qpos)
	copy(t.Qvel, w.Qvel)
	rbd.Kinematics(m, d, w.Qpos)
	rbd.Velocities(m, d, w.Qvel)
	t.BasePos = d.XBody[1].P
	t.BaseQuat = spatial.QuatFromMat3(d.XBody[1].R)
	t.BaseAngVel, t.BaseLinVel = rbd.PointVelocity(d, 1, d.XBody[1].P)
	t.COM = rbd.CenterOfMass(m, d)
	t.MaxPenetration = 0
	for _, c := range w.Contacts {
		t.MaxPenetration = math.Max(t.MaxPenetration, -c.Dist)
	}
	for i, s := range r.feet {
		f := &t.Feet[i]
		f.Site, f.InContact, f.Force, f.Pos = s, false, spatial.Vec3{}, d.XSite[s].P
		body := m.Sites[s].Body
		for _, c := range w.Contacts {
			if c.Body == body && c.Force.Dot(c.Normal) > 0 {
				f.InContact = true
				f.Force = f.Force.Add(c.Force)
			}
		}
	}
	return t
}

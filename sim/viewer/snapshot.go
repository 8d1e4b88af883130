package viewer

import (
	"math"
	"sync"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Snapshot is one drawable state of the robot: everything a frame needs,
// copied out of the simulation so that drawing never touches the live world.
// The simulation goroutine fills one (Capture or SetState, then the Status
// and the Plan) and hands it over through an Exchange; the window draws the
// latest. Its slices are reused: after the first fill, filling allocates
// nothing.
type Snapshot struct {
	Time  float64 // s, simulated
	Steps int64   // physics steps since reset

	Bodies []spatial.Transform // (nbody) X_WB
	Geoms  []spatial.Transform // (ngeom) X_WG, every geom (visual ones too)

	COM      spatial.Vec3 // m, world
	COMVel   spatial.Vec3 // m/s, world
	BasePos  spatial.Vec3 // root body origin, world
	BaseVel  spatial.Vec3 // root body origin velocity, world
	Contacts []Contact    // contacts of the last physics step

	JointAnchor []spatial.Vec3 // (njnt) joint anchors, world
	LimitMargin []float64      // (njnt) distance to the nearer limit as a fraction of the range (NaN: unlimited; negative: beyond)

	Plan   Plan   // what the gait controller intends (optional)
	Status Status // run state for the HUD
}

// Contact is one contact as drawn.
type Contact struct {
	Pos    spatial.Vec3 // point on the robot, world
	Normal spatial.Vec3 // unit, from the terrain to the robot
	Force  spatial.Vec3 // force of the terrain on the robot, world, N
	Body   int
}

// Footstep is a planned foot placement.
type Footstep struct {
	Pos  spatial.Vec3 // centre of the sole, world
	Yaw  float64      // heading of the foot, rad
	Foot int          // 0 left, 1 right
}

// Plan is what a gait controller intends, drawn by the plan (footsteps, swing
// trajectories) and capture-point overlays. Every part is optional: a
// controller fills what it has, through Runner.Plan.
type Plan struct {
	Footsteps       []Footstep
	Swing           [][]spatial.Vec3 // swing-foot trajectories, world points in time order
	CapturePoint    spatial.Vec3     // the planner's capture point, world
	HasCapturePoint bool
}

// Reset empties the plan, keeping its storage.
func (p *Plan) Reset() {
	p.Footsteps = p.Footsteps[:0]
	for i := range p.Swing {
		p.Swing[i] = p.Swing[i][:0]
	}
	p.Swing = p.Swing[:0]
	p.CapturePoint, p.HasCapturePoint = spatial.Vec3{}, false
}

// AddSwing appends a swing trajectory, reusing storage.
func (p *Plan) AddSwing(pts []spatial.Vec3) {
	n := len(p.Swing)
	if n < cap(p.Swing) {
		p.Swing = p.Swing[:n+1]
	} else {
		p.Swing = append(p.Swing, nil)
	}
	p.Swing[n] = append(p.Swing[n][:0], pts...)
}

// Velocity is a base velocity command: forward and sideways speed in the
// base's heading frame, and yaw rate.
type Velocity struct {
	Vx, Vy  float64 // m/s
	YawRate float64 // rad/s
}

// Status is the run state shown in the HUD.
type Status struct {
	RealTimeFactor float64  // simulated seconds per wall second, recently
	Slow           float64  // slow-motion factor, 0.1…1
	Fast           bool     // running as fast as possible
	Paused         bool     //
	Mode           string   // controller mode
	Command        Velocity // the velocity command in force
	CommandUnused  bool     // no command input takes the velocity command
	CommandErr     string   // why the command input refused the command
	Pushing        bool     // a push is being applied
	Err            string   // why the simulation stopped, if it did
}

// LimitWarn is the margin (fraction of a joint's range) under which the
// joint-limit overlay marks a joint as near its limit.
const LimitWarn = 0.05

// SetState fills the pose part of s for model m in configuration qpos with
// velocity qvel (nil: at rest), using d as scratch. Contacts are left as
// they are.
func (s *Snapshot) SetState(m *rbd.Model, d *rbd.Data, qpos, qvel []float64) {
	s.size(m)
	rbd.Kinematics(m, d, qpos)
	rbd.GeomPoses(m, d)
	copy(s.Bodies, d.XBody)
	copy(s.Geoms, d.XGeom)
	s.COM = rbd.CenterOfMass(m, d)
	s.COMVel, s.BaseVel = spatial.Vec3{}, spatial.Vec3{}
	if len(m.Bodies) > 1 {
		s.BasePos = d.XBody[1].P
	}
	if qvel != nil {
		rbd.Velocities(m, d, qvel)
		if mass := m.TotalMass(); mass > 0 {
			s.COMVel = rbd.Momentum(m, d).Lin.Scale(1 / mass)
		}
		if len(m.Bodies) > 1 {
			_, s.BaseVel = rbd.PointVelocity(d, 1, d.XBody[1].P)
		}
	}
	for i := range m.Joints {
		j := &m.Joints[i]
		s.JointAnchor[i] = d.JntPoint[i]
		s.LimitMargin[i] = math.NaN()
		if j.Limited && (j.Type == rbd.JointHinge || j.Type == rbd.JointSlide) && j.Range[1] > j.Range[0] {
			q := qpos[j.QAdr]
			s.LimitMargin[i] = math.Min(q-j.Range[0], j.Range[1]-q) / (j.Range[1] - j.Range[0])
		}
	}
}

// Capture fills s from the world: pose, velocities and contacts. d is
// scratch for m (not the world's own Data, whose geom poses cover only
// collision geoms). It runs on the goroutine that steps w.
func (s *Snapshot) Capture(w *sim.World, d *rbd.Data) {
	s.SetState(w.Model, d, w.Qpos, w.Qvel)
	s.Time, s.Steps = w.Time, w.Steps
	s.Contacts = s.Contacts[:0]
	for i := range w.Contacts {
		c := &w.Contacts[i]
		s.Contacts = append(s.Contacts, Contact{Pos: c.Pos, Normal: c.Normal, Force: c.Force, Body: c.Body})
	}
}

func (s *Snapshot) size(m *rbd.Model) {
	if len(s.Bodies) != len(m.Bodies) || len(s.Geoms) != len(m.Geoms) || len(s.JointAnchor) != len(m.Joints) {
		s.Bodies = make([]spatial.Transform, len(m.Bodies))
		s.Geoms = make([]spatial.Transform, len(m.Geoms))
		s.JointAnchor = make([]spatial.Vec3, len(m.Joints))
		s.LimitMargin = make([]float64, len(m.Joints))
	}
}

// CapturePoint returns the instantaneous capture point of the state: the
// ground point ξ = c + ċ/ω, ω = √(g/h), where c and ċ are the horizontal
// position and velocity of the centre of mass and h its height above the
// ground z (linear inverted pendulum; g = 9.81 m/s²).
func (s *Snapshot) CapturePoint(ground float64) (spatial.Vec3, bool) {
	h := s.COM[2] - ground
	if !(h > 0.05) {
		return spatial.Vec3{}, false
	}
	w := math.Sqrt(9.81 / h)
	return spatial.Vec3{s.COM[0] + s.COMVel[0]/w, s.COM[1] + s.COMVel[1]/w, ground}, true
}

// CopyFrom makes s a deep copy of o, reusing s's storage.
func (s *Snapshot) CopyFrom(o *Snapshot) {
	bodies, geoms, anchors, margins, contacts, plan := s.Bodies, s.Geoms, s.JointAnchor, s.LimitMargin, s.Contacts, s.Plan
	*s = *o
	s.Bodies = append(bodies[:0], o.Bodies...)
	s.Geoms = append(geoms[:0], o.Geoms...)
	s.JointAnchor = append(anchors[:0], o.JointAnchor...)
	s.LimitMargin = append(margins[:0], o.LimitMargin...)
	s.Contacts = append(contacts[:0], o.Contacts...)
	s.Plan = plan
	s.Plan.Reset()
	s.Plan.Footsteps = append(s.Plan.Footsteps, o.Plan.Footsteps...)
	for _, sw := range o.Plan.Swing {
		s.Plan.AddSwing(sw)
	}
	s.Plan.CapturePoint, s.Plan.HasCapturePoint = o.Plan.CapturePoint, o.Plan.HasCapturePoint
}

// Exchange hands snapshots from the simulation goroutine to the drawing one
// without either waiting for the other (a triple buffer): the writer fills
// its own snapshot and publishes it, getting another to fill next; the
// reader takes the newest published one in exchange for the one it has
// drawn. Each snapshot is owned by exactly one side at a time.
type Exchange struct {
	mu     sync.Mutex
	latest *Snapshot
	fresh  bool
	seq    uint64
}

// NewExchange returns an exchange holding one empty snapshot; the writer and
// the reader each start with their own (new(Snapshot)).
func NewExchange() *Exchange { return &Exchange{latest: new(Snapshot)} }

// Publish makes s the latest snapshot and returns the snapshot the writer
// fills next.
func (e *Exchange) Publish(s *Snapshot) *Snapshot {
	e.mu.Lock()
	old := e.latest
	e.latest, e.fresh = s, true
	e.seq++
	e.mu.Unlock()
	return old
}

// Take returns the latest snapshot in exchange for r when one was published
// since the last Take, and r itself (with false) otherwise.
func (e *Exchange) Take(r *Snapshot) (*Snapshot, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.fresh {
		return r, false
	}
	s := e.latest
	e.latest, e.fresh = r, false
	return s, true
}

// Published returns the number of snapshots published so far.
func (e *Exchange) Published() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.seq
}

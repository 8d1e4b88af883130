package sim

import (
	"fmt"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// World is one robot on terrain. Make it with NewWorld; Step advances it by
// one timestep. All buffers are allocated by NewWorld: Step allocates nothing.
//
// Inputs, set by the caller before Step: Ctrl, Drive, QfrcApplied,
// XfrcApplied. State: Time, Qpos, Qvel (and the actuator lag/latency state).
// Outputs of the last Step: everything else.
type World struct {
	Model   *rbd.Model
	Data    *rbd.Data
	Terrain *Terrain
	Opt     Options
	Motors  []Motor // (nu) drive model of each actuator

	Time  float64   // s
	Steps int64     // steps taken since Reset
	Qpos  []float64 // (nq)
	Qvel  []float64 // (nv)

	Ctrl        []float64       // (nu) MJCF actuator controls (force law of rbd.Actuator)
	Drive       []DriveCommand  // (nu) motor-side PD commands, run at the physics rate
	QfrcApplied []float64       // (nv) extra generalised forces
	XfrcApplied []spatial.Force // (nbody) extra wrench on each body: moment, and force at the body's centre of mass, world axes

	Qacc           []float64 // (nv) acceleration of the last step, constraints included; Integrate
	ActuatorForce  []float64 // (nu) joint torque or force each actuator delivered; Actuation
	QfrcActuator   []float64 // (nv) actuator forces on the dofs; Actuation
	QfrcPassive    []float64 // (nv) damping and springs; Passive
	QfrcBias       []float64 // (nv) Coriolis, centrifugal and gravity; Dynamics
	QfrcConstraint []float64 // (nv) contacts, limits and friction loss; ConstraintSolve
	Contacts       []Contact // active contacts of the last step (a view into a fixed buffer); Collision

	SolverIterations int     // sweeps used by the last solve; ConstraintSolve
	SolverResidual   float64 // largest relative impulse change in the last sweep; ConstraintSolve

	curQ           []float64 // the configuration forward is evaluating
	dofLimited     []bool    // (nv) the dof's joint is a limited hinge or slide
	hasDamping     bool      // any dof has damping (Euler integrates it implicitly)
	collisionGeoms []int     // robot geoms that collide with terrain
	contactBuf     []Contact
	rows           rowSet
	scratch        scratch
	drive          driveState
}

// scratch holds per-step temporaries.
type scratch struct {
	qaccFree                      []float64    // (nv) unconstrained acceleration; valid when qaccFreeValid
	qaccFreeValid, metricFactored bool         // this step's qaccFree and metric factor are made
	force                         []float64    // (nv)
	vfree                         []float64    // (nv) velocity without constraint impulses
	dv                            []float64    // (nv) velocity change from constraint impulses
	metric                        []float64    // (tree) the solver's metric: M, or M + h·B with implicit damping; Dynamics
	metricLD                      []float64    // (tree) its LᵀDL factor; Dynamics
	metricDinv                    []float64    // (nv) 1/D; Dynamics
	prevQ                         []float64    // (nq) state before the step, restored on divergence
	prevV                         []float64    // (nv)
	pathTmp                       []float64    // (nv) zero outside use
	lamTmp                        [][6]float64 // (nv) rows of L⁻ᵀ·Sᵀ for bodyLambdaInv
	newton                        newtonScratch
	evalV                         []float64 // (nv) the velocity the last forward evaluated
	rk                            rk4State
}

// NewWorld makes a world for model m on terrain t (nil: a flat ground plane at
// z = 0, plus any planes and boxes the model puts on its world body) with
// options opt, and resets it to the model's first keyframe (or qpos0).
func NewWorld(m *rbd.Model, t *Terrain, opt Options) (*World, error) {
	if !m.Finalized() {
		return nil, fmt.Errorf("sim: model %q is not finalized", m.Name)
	}
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if t == nil {
		t = TerrainFromModel(m)
	}
	nv, nu := m.Nv, m.Nu
	w := &World{
		Model: m, Data: rbd.NewData(m), Terrain: t, Opt: opt,
		Motors:         DefaultMotors(m),
		Qpos:           make([]float64, m.Nq),
		Qvel:           make([]float64, nv),
		Ctrl:           make([]float64, nu),
		Drive:          make([]DriveCommand, nu),
		QfrcApplied:    make([]float64, nv),
		XfrcApplied:    make([]spatial.Force, len(m.Bodies)),
		Qacc:           make([]float64, nv),
		ActuatorForce:  make([]float64, nu),
		QfrcActuator:   make([]float64, nv),
		QfrcPassive:    make([]float64, nv),
		QfrcBias:       make([]float64, nv),
		QfrcConstraint: make([]float64, nv),
	}
	w.scratch = scratch{
		qaccFree: make([]float64, nv), force: make([]float64, nv),
		vfree: make([]float64, nv), dv: make([]float64, nv),
		metric: make([]float64, m.TreeSize), metricLD: make([]float64, m.TreeSize), metricDinv: make([]float64, nv),
		prevQ: make([]float64, m.Nq), prevV: make([]float64, nv), evalV: make([]float64, nv),
		pathTmp: make([]float64, nv), lamTmp: make([][6]float64, nv),
	}
	for _, b := range m.DofDamping {
		w.hasDamping = w.hasDamping || b > 0
	}
	w.dofLimited = make([]bool, nv)
	for i := range m.Joints {
		if j := &m.Joints[i]; j.Limited && (j.Type == rbd.JointHinge || j.Type == rbd.JointSlide) {
			w.dofLimited[j.DofAdr] = true
		}
	}
	w.scratch.rk.init(m)
	for i := range m.Geoms {
		g := &m.Geoms[i]
		if g.Body != 0 && g.Collides() && collidable(g.Type) {
			w.collisionGeoms = append(w.collisionGeoms, i)
		}
	}
	w.contactBuf = make([]Contact, 0, maxContactsPerGeom*len(w.collisionGeoms)*max(1, t.NumShapes()))
	w.rows.init(m, cap(w.contactBuf))
	w.scratch.newton.init(nv, m.TreeSize, len(w.rows.kind))
	w.drive.init(nu)
	if err := w.Reset(0); err != nil {
		return nil, err
	}
	return w, nil
}

// Reset sets the state to keyframe key (−1 or no keyframes: qpos0 at rest),
// clears inputs and solver warm starts, and sets Time to the keyframe's.
func (w *World) Reset(key int) error {
	m := w.Model
	copy(w.Qpos, m.Qpos0)
	clear(w.Qvel)
	clear(w.Ctrl)
	w.Time = 0
	if key >= 0 && key < len(m.Keyframes) {
		k := &m.Keyframes[key]
		if k.Qpos != nil {
			copy(w.Qpos, k.Qpos)
		}
		if k.Qvel != nil {
			copy(w.Qvel, k.Qvel)
		}
		if k.Ctrl != nil {
			copy(w.Ctrl, k.Ctrl)
		}
		w.Time = k.Time
	} else if key >= 0 && len(m.Keyframes) > 0 {
		return fmt.Errorf("sim: keyframe %d does not exist (model %q has %d)", key, m.Name, len(m.Keyframes))
	}
	for i := range w.Drive {
		w.Drive[i] = DriveCommand{}
	}
	clear(w.QfrcApplied)
	clear(w.XfrcApplied)
	w.Steps = 0
	w.rows.resetWarmStart()
	w.drive.reset()
	w.drive.push(w.Ctrl, w.Drive)
	w.Contacts = w.contactBuf[:0]
	w.Forward()
	return nil
}

// Forward computes every derived quantity of the current state (kinematics,
// contacts, forces, constraint solution, Qacc) without advancing it.
func (w *World) Forward() {
	w.forward(w.Qpos, w.Qvel, false)
}

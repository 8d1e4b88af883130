package sim

import (
	"fmt"
	"math"
	"strings"

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
	// Actuated maps actuator i to the coordinates of the joint it drives
	// (rbd.ActuatorJointMap): the simulated robot's joint order.
	Actuated *rbd.JointMap

	Time  float64   // s
	Steps int64     // steps taken since Reset
	Qpos  []float64 // (nq)
	Qvel  []float64 // (nv)

	Ctrl        []float64       // (nu) MJCF actuator controls (force law of rbd.Actuator)
	Drive       []DriveCommand  // (nu) motor-side PD commands, run at the physics rate
	QfrcApplied []float64       // (nv) extra generalised forces
	XfrcApplied []spatial.Force // (nbody) extra wrench on each body: moment, and force at the body's centre of mass, world axes

	// Qacc (nv) is the acceleration of the last step, constraints included:
	// written by ConstraintSolve; with RK4, the step then replaces it with the
	// weighted mean of its four stages' accelerations (the one it integrated).
	Qacc []float64
	// ActuatorForce (nu) is the joint torque or force each actuator delivered,
	// and QfrcActuator (nv) the same on the dofs: written by Actuation; with
	// Euler, ConstraintSolve then adds to both the implicit part of the
	// drives' PD (its response to the step's own acceleration); with RK4 they
	// are those of the last stage.
	ActuatorForce  []float64
	QfrcActuator   []float64
	QfrcPassive    []float64 // (nv) damping and springs; Passive
	QfrcBias       []float64 // (nv) Coriolis, centrifugal and gravity; Dynamics
	QfrcConstraint []float64 // (nv) contacts, limits and friction loss; ConstraintSolve
	Contacts       []Contact // active contacts of the last step (a view into a fixed buffer); Collision

	SolverIterations int     // Newton steps (direction and line search, as MuJoCo's solver_iter counts) or PGS sweeps of the last solve; ConstraintSolve
	SolverResidual   float64 // largest relative impulse change in the last sweep; ConstraintSolve
	// SolverLineEvals counts the cost evaluations of the Newton solver's line
	// searches in the last solve, SolverFactorizations its Hessian
	// factorisations (both 0 with PGS or without constraints).
	SolverLineEvals, SolverFactorizations int

	curQ           []float64       // the configuration forward is evaluating
	dofLimited     []bool          // (nv) the dof's joint is a limited hinge or slide
	collisionGeoms []int           // robot geoms that collide with terrain
	meshBoxes      map[int]meshBox // collision meshes, as boxes (by geom index)
	tmpGeom        rbd.Geom        // a mesh's box stand-in (collider)
	tmpX           spatial.Transform

	// Warnings lists what the simulator approximates or ignores in the model
	// (meshes colliding as boxes, geoms that cannot collide).
	Warnings   []string
	contactBuf []Contact
	rows       rowSet
	scratch    scratch
	drive      driveState
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
	driveGain                     []float64 // (nv) h·Kp + Kd of unsaturated drives, integrated implicitly; Actuation
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
		Actuated:       rbd.ActuatorJointMap(m),
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
		prevQ: make([]float64, m.Nq), prevV: make([]float64, nv), evalV: make([]float64, nv), driveGain: make([]float64, nv),
		pathTmp: make([]float64, nv), lamTmp: make([][6]float64, nv),
	}
	w.dofLimited = make([]bool, nv)
	for i := range m.Joints {
		if j := &m.Joints[i]; j.Limited && (j.Type == rbd.JointHinge || j.Type == rbd.JointSlide) {
			w.dofLimited[j.DofAdr] = true
		}
	}
	w.scratch.rk.init(m)
	w.meshBoxes = make(map[int]meshBox)
	var boxed, ignored []string
	for i := range m.Geoms {
		g := &m.Geoms[i]
		if g.Body == 0 || !g.Collides() {
			continue
		}
		switch {
		case collidable(g.Type):
			w.collisionGeoms = append(w.collisionGeoms, i)
		case g.Type == rbd.GeomMesh && len(m.Meshes[g.Mesh].Vertices) >= 9:
			w.meshBoxes[i] = boundingBox(m.Meshes[g.Mesh].Vertices)
			w.collisionGeoms = append(w.collisionGeoms, i)
			boxed = append(boxed, g.Name)
		default:
			ignored = append(ignored, fmt.Sprintf("%s (%s)", g.Name, g.Type))
		}
	}
	if len(boxed) > 0 {
		w.Warnings = append(w.Warnings, fmt.Sprintf("%d collision meshes collide as their bounding boxes: %s", len(boxed), strings.Join(boxed, ", ")))
	}
	if len(ignored) > 0 {
		w.Warnings = append(w.Warnings, fmt.Sprintf("%d collision geoms of kinds Stride cannot collide are ignored for contact: %s", len(ignored), strings.Join(ignored, ", ")))
	}
	maxContacts := maxContactsPerGeom * len(w.collisionGeoms) * max(1, t.NumShapes())
	if err := checkRowWorkspace(m, maxContacts, len(w.collisionGeoms)); err != nil {
		return nil, err
	}
	w.contactBuf = make([]Contact, 0, maxContacts)
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
	w.scratch.newton.resetWarmStart()
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

// meshBox is a collision mesh's stand-in: the box bounding its vertices,
// centred at Center in the geom frame.
type meshBox struct {
	Center, Half spatial.Vec3
}

// boundingBox returns the axis-aligned box of x, y, z vertex triples.
func boundingBox(v []float32) meshBox {
	lo := spatial.Vec3{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi := lo.Neg()
	for i := 0; i+2 < len(v); i += 3 {
		for k := 0; k < 3; k++ {
			x := float64(v[i+k])
			lo[k], hi[k] = math.Min(lo[k], x), math.Max(hi[k], x)
		}
	}
	return meshBox{Center: lo.Add(hi).Scale(0.5), Half: hi.Sub(lo).Scale(0.5)}
}

// collider returns the shape that stands for collision geom gi at its current
// pose: the geom itself, or for a mesh its bounding box.
func (w *World) collider(gi int) (*rbd.Geom, *spatial.Transform) {
	g, x := &w.Model.Geoms[gi], &w.Data.XGeom[gi]
	if g.Type != rbd.GeomMesh {
		return g, x
	}
	mb := w.meshBoxes[gi]
	w.tmpGeom = *g
	w.tmpGeom.Type, w.tmpGeom.Size = rbd.GeomBox, mb.Half
	w.tmpX.SetMul(x, &spatial.Transform{R: spatial.Identity3(), P: mb.Center})
	return &w.tmpGeom, &w.tmpX
}

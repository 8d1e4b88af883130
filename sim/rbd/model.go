package rbd

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/sim/spatial"
)

// JointType is the kind of a joint.
type JointType uint8

// Joint kinds, with their (nq, nv): free (7, 6), ball (4, 3), hinge (1, 1),
// slide (1, 1).
const (
	JointFree JointType = iota
	JointBall
	JointHinge
	JointSlide
)

var jointTypeNames = [...]string{"free", "ball", "hinge", "slide"}

func (t JointType) String() string {
	if int(t) < len(jointTypeNames) {
		return jointTypeNames[t]
	}
	return fmt.Sprintf("JointType(%d)", t)
}

// NQ returns the number of position coordinates of the joint kind.
func (t JointType) NQ() int { return [...]int{7, 4, 1, 1}[t] }

// NV returns the number of degrees of freedom of the joint kind.
func (t JointType) NV() int { return [...]int{6, 3, 1, 1}[t] }

// Body is one rigid link. Its frame at the reference configuration (all joints
// at qpos0) sits at Pos, Quat in its parent's frame.
type Body struct {
	Name   string
	Parent int // parent body index; −1 for the world (body 0)

	Pos  spatial.Vec3 // origin in the parent frame at qpos0
	Quat spatial.Quat // orientation in the parent frame at qpos0

	Mass    float64
	COM     spatial.Vec3 // centre of mass in the body frame
	Inertia spatial.Mat3 // rotational inertia about the COM, body-frame axes

	// Filled by Finalize.
	JntAdr, JntNum int // joints of this body: Joints[JntAdr : JntAdr+JntNum]
	DofAdr, DofNum int // degrees of freedom of this body
	Depth          int // number of ancestors (world: 0)
}

// Joint connects a body to its parent. Several joints of one body compose in
// order.
type Joint struct {
	Name string
	Type JointType
	Body int

	Pos  spatial.Vec3 // anchor in the body frame (ignored for free joints)
	Axis spatial.Vec3 // unit axis in the body frame (hinge, slide)
	Ref  float64      // coordinate value at the reference configuration (hinge, slide)

	Limited bool
	Range   [2]float64 // position limits [lo, hi] (hinge, slide: rad or m; ball: [0, max angle])

	// Per-dof passive properties, applied to each dof of the joint.
	Damping      float64 // viscous damping, N·m·s/rad or N·s/m
	Armature     float64 // reflected rotor inertia added to the mass matrix diagonal
	FrictionLoss float64 // dry friction torque or force
	Stiffness    float64 // spring stiffness about SpringRef
	SpringRef    float64

	// Actuation limits of the joint itself (MJCF actuatorfrcrange, URDF effort
	// and velocity limits). Zero VelocityLimit means none.
	EffortLimited bool
	EffortRange   [2]float64
	VelocityLimit float64

	// Filled by Finalize.
	QAdr, DofAdr int
}

// GeomType is the shape of a geometry.
type GeomType uint8

// Geometry kinds. Sizes follow MJCF: plane (half-x, half-y, grid spacing; zero
// half-size means infinite), sphere (radius), capsule and cylinder (radius,
// half-length along local z), box (half-sizes), ellipsoid (semi-axes), mesh
// (scale comes from the mesh asset).
const (
	GeomPlane GeomType = iota
	GeomSphere
	GeomCapsule
	GeomCylinder
	GeomBox
	GeomEllipsoid
	GeomMesh
	GeomHField
)

var geomTypeNames = [...]string{"plane", "sphere", "capsule", "cylinder", "box", "ellipsoid", "mesh", "hfield"}

func (t GeomType) String() string {
	if int(t) < len(geomTypeNames) {
		return geomTypeNames[t]
	}
	return fmt.Sprintf("GeomType(%d)", t)
}

// Geom is a shape attached to a body, for collision, drawing or both.
type Geom struct {
	Name string
	Body int
	Type GeomType
	Size spatial.Vec3
	Pos  spatial.Vec3 // in the body frame
	Quat spatial.Quat // in the body frame
	Mesh int          // index into Model.Meshes for GeomMesh; −1 otherwise

	// Collision: a pair (a, b) may collide when a.Contype&b.Conaffinity != 0
	// or b.Contype&a.Conaffinity != 0 (MJCF's rule).
	Contype, Conaffinity uint32
	Condim               int
	Friction             [3]float64 // sliding, torsional, rolling (MJCF)
	Group                int
	RGBA                 [4]float32
	Material             string
}

// Collides reports whether the geom takes part in collisions at all.
func (g *Geom) Collides() bool { return g.Contype != 0 || g.Conaffinity != 0 }

// Mesh is a triangle mesh asset. Vertices are already scaled; a mesh whose file
// was missing has no vertices and is drawn as nothing.
type Mesh struct {
	Name     string
	File     string // path as resolved by the loader
	Scale    spatial.Vec3
	Vertices []float32 // x, y, z triples in the mesh frame
	Faces    []int32   // vertex index triples
}

// Site is a named frame on a body (feet, IMU, sensors).
type Site struct {
	Name string
	Body int
	Pos  spatial.Vec3 // in the body frame
	Quat spatial.Quat
}

// ActuatorKind records which MJCF element an actuator came from.
type ActuatorKind uint8

// Actuator kinds; all share the affine force law of Actuator.
const (
	ActMotor ActuatorKind = iota
	ActPosition
	ActVelocity
	ActGeneral
)

var actKindNames = [...]string{"motor", "position", "velocity", "general"}

func (k ActuatorKind) String() string {
	if int(k) < len(actKindNames) {
		return actKindNames[k]
	}
	return fmt.Sprintf("ActuatorKind(%d)", k)
}

// Actuator drives one joint. Its scalar force is
//
//	force = Gain·ctrl + Bias[0] + Bias[1]·q + Bias[2]·q̇
//
// (q, q̇ the joint's coordinate and speed times Gear), clamped to ForceRange when
// ForceLimited, and the joint receives Gear·force. Motor: Gain 1, Bias 0;
// position: Gain kp, Bias (0, −kp, −kv); velocity: Gain kv, Bias (0, 0, −kv).
type Actuator struct {
	Name  string
	Kind  ActuatorKind
	Joint int
	Gear  float64

	CtrlLimited  bool
	CtrlRange    [2]float64
	ForceLimited bool
	ForceRange   [2]float64

	Gain float64
	Bias [3]float64
}

// Keyframe is a named state.
type Keyframe struct {
	Name string
	Time float64
	Qpos []float64 // nq, or nil for qpos0
	Qvel []float64 // nv, or nil for zero
	Ctrl []float64 // nu, or nil for zero
}

// Model is a robot description. Loaders fill the exported slices and call
// Finalize; afterwards the model is read-only.
type Model struct {
	Name     string
	Gravity  spatial.Vec3 // m/s², world frame (default (0, 0, −9.81))
	Timestep float64      // s, the file's suggested step (0 if none)

	Bodies    []Body // topological order, Bodies[0] the world
	Joints    []Joint
	Geoms     []Geom
	Meshes    []Mesh
	Sites     []Site
	Actuators []Actuator
	Keyframes []Keyframe

	// Custom numeric data (MJCF <custom><numeric>), by name.
	Numeric map[string][]float64

	// Warnings collected by the loader (unsupported elements, missing meshes).
	Warnings []string

	// Filled by Finalize.
	Nq, Nv, Nu      int
	Qpos0           []float64           // (nq) reference configuration
	DofBody         []int               // (nv) body of each dof
	DofJoint        []int               // (nv) joint of each dof
	DofParent       []int               // (nv) previous dof on the path to the root, −1 at the root
	DofAncestors    [][]int             // (nv) the dofs on the path from each dof's parent to the root, nearest first
	TreeAdr         []int               // (nv) start of each dof's row in a tree matrix (see PackTree)
	TreeSize        int                 // entries of a tree matrix
	DofArmature     []float64           // (nv)
	DofDamping      []float64           // (nv)
	DofFriction     []float64           // (nv) friction loss
	BodySubtreeMass []float64           // (nbody) mass of each body's subtree
	BodyLastDof     []int               // (nbody) last dof on the path from the root to the body, −1 if none
	BodyX0          []spatial.Transform // (nbody) X_PB at the reference configuration
	BodyInertia     []spatial.Inertia   // (nbody) inertia in the body frame, about the body origin
	GeomX0          []spatial.Transform // (ngeom) geom pose in its body frame
	SiteX0          []spatial.Transform // (nsite) site pose in its body frame
	finalized       bool
}

// NewModel returns an empty model holding only the world body.
func NewModel(name string) *Model {
	return &Model{
		Name:    name,
		Gravity: spatial.Vec3{0, 0, -9.81},
		Bodies:  []Body{{Name: "world", Parent: -1, Quat: spatial.IdentityQuat()}},
		Numeric: map[string][]float64{},
	}
}

// NBody returns the number of bodies, the world included.
func (m *Model) NBody() int { return len(m.Bodies) }

// BodyIndex returns the index of the named body, or −1.
func (m *Model) BodyIndex(name string) int {
	for i := range m.Bodies {
		if m.Bodies[i].Name == name {
			return i
		}
	}
	return -1
}

// JointIndex returns the index of the named joint, or −1.
func (m *Model) JointIndex(name string) int {
	for i := range m.Joints {
		if m.Joints[i].Name == name {
			return i
		}
	}
	return -1
}

// SiteIndex returns the index of the named site, or −1.
func (m *Model) SiteIndex(name string) int {
	for i := range m.Sites {
		if m.Sites[i].Name == name {
			return i
		}
	}
	return -1
}

// ActuatorIndex returns the index of the named actuator, or −1.
func (m *Model) ActuatorIndex(name string) int {
	for i := range m.Actuators {
		if m.Actuators[i].Name == name {
			return i
		}
	}
	return -1
}

// TotalMass returns the mass of all bodies.
func (m *Model) TotalMass() float64 {
	s := 0.0
	for i := range m.Bodies {
		s += m.Bodies[i].Mass
	}
	return s
}

// Finalized reports whether Finalize accepted the model.
func (m *Model) Finalized() bool { return m.finalized }

// Finalize checks the model, normalises axes and quaternions, orders joints by
// body, and computes addresses and per-dof tables. Its errors name the body,
// joint or actuator at fault and what is wrong.
func (m *Model) Finalize() error {
	if len(m.Bodies) == 0 || m.Bodies[0].Parent != -1 {
		return fmt.Errorf("model %q: body 0 must be the world (parent −1)", m.Name)
	}
	for i := 1; i < len(m.Bodies); i++ {
		b := &m.Bodies[i]
		if b.Parent < 0 || b.Parent >= i {
			return fmt.Errorf("body %q: parent index %d must come before it (topological order)", b.Name, b.Parent)
		}
		if err := checkInertia(b); err != nil {
			return err
		}
		if !b.Pos.IsFinite() || !b.Quat.IsFinite() {
			return fmt.Errorf("body %q: position or orientation is not finite", b.Name)
		}
		if b.Quat.Norm() == 0 {
			return fmt.Errorf("body %q: zero quaternion", b.Name)
		}
		b.Quat = b.Quat.Normalize()
	}
	// Joints must be grouped by body in body order (a stable sort keeps each
	// body's joint order).
	for i := 1; i < len(m.Joints); i++ {
		for k := i; k > 0 && m.Joints[k-1].Body > m.Joints[k].Body; k-- {
			m.Joints[k-1], m.Joints[k] = m.Joints[k], m.Joints[k-1]
		}
	}
	for i := range m.Bodies {
		m.Bodies[i].JntAdr, m.Bodies[i].JntNum = 0, 0
		m.Bodies[i].DofAdr, m.Bodies[i].DofNum = 0, 0
	}
	nq, nv := 0, 0
	m.DofBody, m.DofJoint, m.DofParent = nil, nil, nil
	m.DofArmature, m.DofDamping, m.DofFriction = nil, nil, nil
	m.Qpos0 = m.Qpos0[:0]
	lastDof := make([]int, len(m.Bodies)) // last dof on the path from the root to each body
	lastDof[0] = -1
	ji := 0
	for bi := 1; bi < len(m.Bodies); bi++ {
		b := &m.Bodies[bi]
		b.Depth = m.Bodies[b.Parent].Depth + 1
		b.JntAdr = ji
		b.DofAdr = nv
		prev := lastDof[b.Parent]
		for ; ji < len(m.Joints) && m.Joints[ji].Body == bi; ji++ {
			j := &m.Joints[ji]
			if err := checkJoint(m, j, b); err != nil {
				return err
			}
			j.QAdr, j.DofAdr = nq, nv
			switch j.Type {
			case JointFree, JointBall:
				if j.Type == JointFree {
					m.Qpos0 = append(m.Qpos0, b.Pos[0], b.Pos[1], b.Pos[2])
				}
				m.Qpos0 = append(m.Qpos0, b.Quat.W, b.Quat.X, b.Quat.Y, b.Quat.Z)
				if j.Type == JointBall {
					m.Qpos0[len(m.Qpos0)-4] = 1
					m.Qpos0[len(m.Qpos0)-3] = 0
					m.Qpos0[len(m.Qpos0)-2] = 0
					m.Qpos0[len(m.Qpos0)-1] = 0
				}
			default:
				m.Qpos0 = append(m.Qpos0, j.Ref)
			}
			for k := 0; k < j.Type.NV(); k++ {
				m.DofBody = append(m.DofBody, bi)
				m.DofJoint = append(m.DofJoint, ji)
				m.DofParent = append(m.DofParent, prev)
				m.DofArmature = append(m.DofArmature, j.Armature)
				m.DofDamping = append(m.DofDamping, j.Damping)
				m.DofFriction = append(m.DofFriction, j.FrictionLoss)
				prev = nv
				nv++
			}
			nq += j.Type.NQ()
		}
		b.JntNum = ji - b.JntAdr
		for k := b.JntAdr; k < ji; k++ {
			if m.Joints[k].Type == JointFree && b.JntNum > 1 {
				return fmt.Errorf("joint %q: a free joint must be its body's only joint (body %q has %d)", m.Joints[k].Name, b.Name, b.JntNum)
			}
		}
		b.DofNum = nv - b.DofAdr
		lastDof[bi] = prev
	}
	m.BodyLastDof = lastDof
	m.DofAncestors = make([][]int, nv)
	flat := make([]int, 0, nv*8)
	for k := 0; k < nv; k++ {
		start := len(flat)
		for p := m.DofParent[k]; p >= 0; p = m.DofParent[p] {
			flat = append(flat, p)
		}
		m.DofAncestors[k] = flat[start:len(flat):len(flat)]
	}
	m.TreeAdr = make([]int, nv)
	m.TreeSize = 0
	for k := 0; k < nv; k++ {
		m.TreeAdr[k] = m.TreeSize
		m.TreeSize += 1 + len(m.DofAncestors[k])
	}
	m.BodyX0 = make([]spatial.Transform, len(m.Bodies))
	m.BodyInertia = make([]spatial.Inertia, len(m.Bodies))
	for i := range m.Bodies {
		b := &m.Bodies[i]
		if i == 0 {
			m.BodyX0[0] = spatial.IdentityTransform()
		} else {
			m.BodyX0[i] = spatial.TransformFromQuat(b.Quat, b.Pos)
		}
		m.BodyInertia[i] = spatial.InertiaFromCOM(b.Mass, b.COM, b.Inertia)
	}
	if ji != len(m.Joints) {
		j := &m.Joints[ji]
		return fmt.Errorf("joint %q: body index %d does not exist", j.Name, j.Body)
	}
	m.Nq, m.Nv, m.Nu = nq, nv, len(m.Actuators)

	m.BodySubtreeMass = make([]float64, len(m.Bodies))
	for i := len(m.Bodies) - 1; i >= 0; i-- {
		m.BodySubtreeMass[i] += m.Bodies[i].Mass
		if p := m.Bodies[i].Parent; p >= 0 {
			m.BodySubtreeMass[p] += m.BodySubtreeMass[i]
		}
	}
	for i := range m.Geoms {
		g := &m.Geoms[i]
		if g.Body < 0 || g.Body >= len(m.Bodies) {
			return fmt.Errorf("geom %q: body index %d does not exist", g.Name, g.Body)
		}
		if g.Quat.Norm() == 0 {
			return fmt.Errorf("geom %q: zero quaternion", g.Name)
		}
		g.Quat = g.Quat.Normalize()
		if !g.Size.IsFinite() || g.Size[0] < 0 || g.Size[1] < 0 || g.Size[2] < 0 {
			return fmt.Errorf("geom %q: size %v must be finite and non-negative", g.Name, g.Size)
		}
		if g.Type == GeomMesh && (g.Mesh < 0 || g.Mesh >= len(m.Meshes)) {
			return fmt.Errorf("geom %q: mesh index %d does not exist", g.Name, g.Mesh)
		}
	}
	for i := range m.Sites {
		s := &m.Sites[i]
		if s.Body < 0 || s.Body >= len(m.Bodies) {
			return fmt.Errorf("site %q: body index %d does not exist", s.Name, s.Body)
		}
		if s.Quat.Norm() == 0 {
			return fmt.Errorf("site %q: zero quaternion", s.Name)
		}
		s.Quat = s.Quat.Normalize()
	}
	m.GeomX0 = make([]spatial.Transform, len(m.Geoms))
	for i := range m.Geoms {
		m.GeomX0[i] = spatial.TransformFromQuat(m.Geoms[i].Quat, m.Geoms[i].Pos)
	}
	m.SiteX0 = make([]spatial.Transform, len(m.Sites))
	for i := range m.Sites {
		m.SiteX0[i] = spatial.TransformFromQuat(m.Sites[i].Quat, m.Sites[i].Pos)
	}
	for i := range m.Actuators {
		a := &m.Actuators[i]
		if a.Joint < 0 || a.Joint >= len(m.Joints) {
			return fmt.Errorf("actuator %q: joint index %d does not exist", a.Name, a.Joint)
		}
		if t := m.Joints[a.Joint].Type; t != JointHinge && t != JointSlide {
			return fmt.Errorf("actuator %q: drives %s joint %q; only hinge and slide joints can be actuated", a.Name, t, m.Joints[a.Joint].Name)
		}
		if a.CtrlLimited && !(a.CtrlRange[0] < a.CtrlRange[1]) {
			return fmt.Errorf("actuator %q: ctrlrange %v must have lo < hi", a.Name, a.CtrlRange)
		}
		if a.ForceLimited && !(a.ForceRange[0] <= a.ForceRange[1]) {
			return fmt.Errorf("actuator %q: forcerange %v must have lo <= hi", a.Name, a.ForceRange)
		}
	}
	for i := range m.Keyframes {
		k := &m.Keyframes[i]
		if k.Qpos != nil && len(k.Qpos) != nq {
			return fmt.Errorf("keyframe %q: qpos has %d values, the model has nq = %d", k.Name, len(k.Qpos), nq)
		}
		if k.Qvel != nil && len(k.Qvel) != nv {
			return fmt.Errorf("keyframe %q: qvel has %d values, the model has nv = %d", k.Name, len(k.Qvel), nv)
		}
		if k.Ctrl != nil && len(k.Ctrl) != m.Nu {
			return fmt.Errorf("keyframe %q: ctrl has %d values, the model has nu = %d", k.Name, len(k.Ctrl), m.Nu)
		}
	}
	m.finalized = true
	return nil
}

func checkInertia(b *Body) error {
	if math.IsNaN(b.Mass) || math.IsInf(b.Mass, 0) || b.Mass < 0 {
		return fmt.Errorf("body %q: mass %g must be finite and non-negative", b.Name, b.Mass)
	}
	if !b.COM.IsFinite() || !b.Inertia.IsFinite() {
		return fmt.Errorf("body %q: centre of mass or inertia is not finite", b.Name)
	}
	I := b.Inertia
	if math.Abs(I[1]-I[3]) > 1e-9*(1+math.Abs(I[1])) || math.Abs(I[2]-I[6]) > 1e-9*(1+math.Abs(I[2])) ||
		math.Abs(I[5]-I[7]) > 1e-9*(1+math.Abs(I[5])) {
		return fmt.Errorf("body %q: inertia matrix is not symmetric", b.Name)
	}
	// Positive semi-definite, by Sylvester's criterion on the leading minors
	// (with a tolerance for rounding), and the triangle inequality of principal
	// moments is implied for physical bodies; check the diagonal against it.
	d1 := I[0]
	d2 := I[0]*I[4] - I[1]*I[3]
	d3 := I.Det()
	scale := math.Max(math.Abs(I[0]), math.Max(math.Abs(I[4]), math.Abs(I[8])))
	tol := 1e-12 * (scale + 1e-300)
	if b.Mass > 0 && (d1 < -tol || I[4] < -tol || I[8] < -tol || d2 < -tol*scale || d3 < -tol*scale*scale) {
		return fmt.Errorf("body %q: inertia matrix is not positive semi-definite (diagonal %g %g %g)", b.Name, I[0], I[4], I[8])
	}
	if b.Mass == 0 && scale > 0 {
		return fmt.Errorf("body %q: zero mass with non-zero rotational inertia", b.Name)
	}
	if b.Mass > 0 {
		t := 1e-9 * scale
		if I[0]+I[4] < I[8]-t || I[4]+I[8] < I[0]-t || I[0]+I[8] < I[4]-t {
			return fmt.Errorf("body %q: inertia %g %g %g violates the triangle inequality of a physical body", b.Name, I[0], I[4], I[8])
		}
	}
	return nil
}

func checkJoint(m *Model, j *Joint, b *Body) error {
	if j.Type > JointSlide {
		return fmt.Errorf("joint %q: unknown joint type %d", j.Name, j.Type)
	}
	if j.Type == JointFree {
		if b.Parent != 0 {
			return fmt.Errorf("joint %q: a free joint must belong to a child of the world; body %q is not", j.Name, b.Name)
		}
	}
	if j.Type == JointHinge || j.Type == JointSlide {
		n := j.Axis.Norm()
		if !(n > 1e-12) || !j.Axis.IsFinite() {
			return fmt.Errorf("joint %q: axis %v has zero length", j.Name, j.Axis)
		}
		j.Axis = j.Axis.Scale(1 / n)
	}
	if !j.Pos.IsFinite() {
		return fmt.Errorf("joint %q: anchor is not finite", j.Name)
	}
	if j.Limited && !(j.Range[0] < j.Range[1]) && j.Type != JointBall {
		return fmt.Errorf("joint %q: range [%g, %g] must have lo < hi", j.Name, j.Range[0], j.Range[1])
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"damping", j.Damping}, {"armature", j.Armature}, {"frictionloss", j.FrictionLoss}, {"stiffness", j.Stiffness}, {"velocity limit", j.VelocityLimit}} {
		if math.IsNaN(p.v) || math.IsInf(p.v, 0) || p.v < 0 {
			return fmt.Errorf("joint %q: %s %g must be finite and non-negative", j.Name, p.name, p.v)
		}
	}
	if j.EffortLimited && !(j.EffortRange[0] <= j.EffortRange[1]) {
		return fmt.Errorf("joint %q: effort range %v must have lo <= hi", j.Name, j.EffortRange)
	}
	return nil
}

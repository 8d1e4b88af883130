package rbd

import "github.com/stride-robotics/stride/sim/spatial"

// Data is the scratch space of the algorithms for one Model. Make it once with
// NewData; the algorithms then allocate nothing. Each field says its shape and
// which algorithm writes it. Spatial vectors are in world coordinates at the
// world origin.
type Data struct {
	XBody    []spatial.Transform // (nbody) X_WB, body poses; Kinematics
	XSite    []spatial.Transform // (nsite) site poses; Kinematics
	XGeom    []spatial.Transform // (ngeom) geom poses; Kinematics
	JntAxis  []spatial.Vec3      // (njnt) hinge/slide axis in world; Kinematics
	JntPoint []spatial.Vec3      // (njnt) joint anchor in world; Kinematics
	Cdof     []spatial.Motion    // (nv) motion subspace of each dof; Kinematics
	CInert   []spatial.Inertia   // (nbody) body inertias in world; Kinematics

	BodyVel []spatial.Motion // (nbody) body twists; Velocities
	qvel    []float64        // (nv) the velocity given to Velocities
	CdofDot []spatial.Motion // (nv) Ṡ of each dof such that Σ CdofDot·q̇ is exact; Velocities

	FExt []spatial.Force // (nbody) external wrenches on bodies, world coordinates at the world origin; set by the caller

	BodyAcc   []spatial.Motion  // (nbody) body spatial accelerations (gravity as a base acceleration); RNEA, ABA
	BodyForce []spatial.Force   // (nbody) net joint wrenches; RNEA
	Crb       []spatial.Inertia // (nbody) composite (subtree) inertias; CRBA, CentroidalMomentumMatrix
	M         []float64         // (nv×nv) joint-space inertia matrix, row-major, armature included; CRBA

	// ABA scratch.
	IA   []spatial.Mat6  // (nbody) articulated inertias
	PA   []spatial.Force // (nbody) articulated bias forces
	U    []spatial.Force // (nv) IA·S
	Dinv []float64       // (nv) 1/(Sᵀ IA S + armature)
	Uu   []float64       // (nv) τ − Sᵀ pA

	// Factorisation of M (LDLᵀ along the tree); FactorM.
	QLD    []float64 // (tree) packed LᵀDL factor of M (see PackTree)
	QLDinv []float64 // (nv) 1/D
}

// NewData allocates the scratch space for m.
func NewData(m *Model) *Data {
	nb, nv := len(m.Bodies), m.Nv
	d := &Data{
		XBody:     make([]spatial.Transform, nb),
		XSite:     make([]spatial.Transform, len(m.Sites)),
		XGeom:     make([]spatial.Transform, len(m.Geoms)),
		JntAxis:   make([]spatial.Vec3, len(m.Joints)),
		JntPoint:  make([]spatial.Vec3, len(m.Joints)),
		Cdof:      make([]spatial.Motion, nv),
		CInert:    make([]spatial.Inertia, nb),
		BodyVel:   make([]spatial.Motion, nb),
		CdofDot:   make([]spatial.Motion, nv),
		qvel:      make([]float64, nv),
		FExt:      make([]spatial.Force, nb),
		BodyAcc:   make([]spatial.Motion, nb),
		BodyForce: make([]spatial.Force, nb),
		Crb:       make([]spatial.Inertia, nb),
		M:         make([]float64, nv*nv),
		IA:        make([]spatial.Mat6, nb),
		PA:        make([]spatial.Force, nb),
		U:         make([]spatial.Force, nv),
		Dinv:      make([]float64, nv),
		Uu:        make([]float64, nv),
		QLD:       make([]float64, m.TreeSize),
		QLDinv:    make([]float64, nv),
	}
	d.XBody[0] = spatial.IdentityTransform()
	return d
}

func gravityAcc(m *Model) spatial.Motion {
	return spatial.Motion{Lin: m.Gravity.Neg()}
}

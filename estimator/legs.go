package estimator

import (
	"fmt"
	"math"
	"strings"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// maxLegDofs bounds the joints between the base and a foot.
const maxLegDofs = 8

// Legs computes what the estimator needs from the leg joints: each foot's
// contact point relative to the IMU, in the IMU's axes, its Jacobian with
// respect to the leg's joint angles, and the wrench the ground exerts on the
// foot as the measured joint torques imply it (a static Jᵀ solve after
// removing the legs' own weight). Kinematics run with the base fixed at the
// world origin, so nothing here depends on the base's pose.
//
// The feet are found in the model: in each branch leaving the floating base,
// the body with the lowest collision geometry in the home pose; the two
// lowest such branches are the legs, left the one with the larger y. A foot's
// contact point is a site on the foot body whose name holds "foot" (else any
// site on it), else the bottom of its lowest collision geom.
type Legs struct {
	m  *rbd.Model
	d  *rbd.Data
	jm *rbd.JointMap

	qpos []float64 // nq, base at the origin
	qvel []float64 // nv, zero
	jac  []float64 // 6×nv

	root    int               // floating base body
	imuBody int               // body holding the IMU
	imuX    spatial.Transform // IMU frame in its body
	foot    [2]footModel
	// BaseFromIMU is the IMU frame in the base frame for the last joint
	// sample (constant when the IMU is on the base body).
	BaseFromIMU spatial.Transform

	// Rolling makes the contact point follow a box sole's lowest edge or
	// corner when the foot is tilted against gravity (heel strike, toe-off),
	// the point the foot then pivots about; flat, it is the sole's centre.
	// Set says which corners make the point (bit i: corner i; 0: centre).
	Rolling bool
	Set     [2]uint8
	corners [2][4]spatial.Vec3 // corners relative to the IMU, IMU axes
	center  [2]spatial.Vec3

	// Results of the last Compute, per foot (0 left, 1 right).
	Pos   [2]spatial.Vec3            // contact point relative to the IMU, IMU axes, m
	FootR [2]spatial.Mat3            // the foot body's orientation in the IMU's axes
	J     [2][3 * maxLegDofs]float64 // ∂Pos/∂q of the leg's joints (3×n row-major)
	Force [2]spatial.Vec3            // ground force on the foot, IMU axes, N (from Jᵀ)
	gBase spatial.Vec3               // gravity in the base frame used by Compute
	jw    [2][6 * maxLegDofs]float64 // scratch: foot wrench Jacobian rows (ang, lin) in base axes
	grav  [2][maxLegDofs]float64     // scratch: leg gravity torques
	sys   [36]float64                // scratch: 6×6 system
	rhs   [6]float64                 // scratch
}

// footModel is one leg: the foot body, its contact point, the leg's joints.
type footModel struct {
	body   int
	point  spatial.Vec3 // contact point in the foot body's frame (flat)
	corner [4]spatial.Vec3
	nc     int   // corners of a box sole (0: a point foot)
	leaves []int // leaf bodies of the leg's subtree (kinematics run to each)
	bodies []int // every body of the leg's subtree (its weight)
	n      int   // leg joints
	dof    [maxLegDofs]int
	hal    [maxLegDofs]int   // hal joint index of each leg dof
	mass   []int             // bodies of the leg with mass
	below  [maxLegDofs][]int // indices into mass of the bodies dof j carries
	com    []spatial.Vec3    // scratch: their centres of mass, base frame
}

// NewLegs prepares the leg kinematics of model m for a robot whose joints,
// in hal order, are named joints. The model must have a floating base and
// two legs whose every joint is among joints.
func NewLegs(m *rbd.Model, joints []string) (*Legs, error) {
	if m == nil || !m.Finalized() {
		return nil, fmt.Errorf("estimator: legs: no finalized model")
	}
	jm, err := rbd.NewJointMap(m, joints)
	if err != nil {
		return nil, fmt.Errorf("estimator: legs: %w", err)
	}
	l := &Legs{m: m, d: rbd.NewData(m), jm: jm, qpos: make([]float64, m.Nq), qvel: make([]float64, m.Nv),
		jac: make([]float64, 6*m.Nv)}
	l.root = -1
	for b := 1; b < len(m.Bodies); b++ {
		bd := &m.Bodies[b]
		if bd.Parent == 0 && bd.JntNum == 1 && m.Joints[bd.JntAdr].Type == rbd.JointFree {
			l.root = b
			break
		}
	}
	if l.root < 0 {
		return nil, fmt.Errorf("estimator: legs: model %q has no floating base (a body with a free joint on the world)", m.Name)
	}
	l.imuBody = l.root
	l.imuX = spatial.IdentityTransform()
	if i := m.SiteIndex("imu"); i >= 0 {
		l.imuBody, l.imuX = m.Sites[i].Body, m.SiteX0[i]
	}
	if !l.descends(l.imuBody, l.root) {
		return nil, fmt.Errorf("estimator: legs: model %q: the imu site is not on the robot", m.Name)
	}
	if err := l.findFeet(); err != nil {
		return nil, err
	}
	dofHal := make([]int, m.Nv)
	for i := range dofHal {
		dofHal[i] = -1
	}
	for i, a := range jm.DofAdr {
		dofHal[a] = i
	}
	for k := range l.foot {
		f := &l.foot[k]
		var dofs []int
		for d := m.BodyLastDof[f.body]; d >= 0; d = m.DofParent[d] {
			if m.DofJoint[d] == m.Bodies[l.root].JntAdr {
				continue
			}
			dofs = append(dofs, d)
		}
		if len(dofs) == 0 || len(dofs) > maxLegDofs {
			return nil, fmt.Errorf("estimator: legs: foot %q has %d joints to the base (1..%d supported)", m.Bodies[f.body].Name, len(dofs), maxLegDofs)
		}
		f.n = len(dofs)
		for i, d := range dofs {
			j := len(dofs) - 1 - i // hip first
			f.dof[j] = d
			f.hal[j] = dofHal[d]
			for bi, b := range f.mass {
				if l.descends(b, m.DofBody[d]) {
					f.below[j] = append(f.below[j], bi)
				}
			}
			if dofHal[d] < 0 {
				return nil, fmt.Errorf("estimator: legs: joint %q of foot %q is not among the robot's joints", m.Joints[m.DofJoint[d]].Name, m.Bodies[f.body].Name)
			}
		}
	}
	// Reference pose: home, base at the origin.
	copy(l.qpos, m.HomeQpos())
	l.setBase()
	l.gBase = m.Gravity
	return l, nil
}

// descends reports whether body b is a or below it.
func (l *Legs) descends(b, a int) bool {
	for ; b > 0; b = l.m.Bodies[b].Parent {
		if b == a {
			return true
		}
	}
	return false
}

func (l *Legs) setBase() {
	qa := l.m.Joints[l.m.Bodies[l.root].JntAdr].QAdr
	l.qpos[qa], l.qpos[qa+1], l.qpos[qa+2] = 0, 0, 0
	l.qpos[qa+3], l.qpos[qa+4], l.qpos[qa+5], l.qpos[qa+6] = 1, 0, 0, 0
}

// findFeet identifies the two feet and their contact points.
func (l *Legs) findFeet() error {
	m := l.m
	copy(l.qpos, m.HomeQpos())
	l.setBase()
	rbd.Kinematics(m, l.d, l.qpos)
	rbd.GeomPoses(m, l.d)
	type cand struct {
		body   int
		low    float64
		branch int
		bottom spatial.Vec3 // body frame
		corner [4]spatial.Vec3
		nc     int
	}
	best := map[int]*cand{}
	for gi := range m.Geoms {
		g := &m.Geoms[gi]
		if !g.Collides() || g.Body == 0 || !l.descends(g.Body, l.root) || g.Body == l.root || g.Type == rbd.GeomPlane {
			continue
		}
		X := &l.d.XGeom[gi]
		ext := geomExtentZ(g, &X.R)
		low := X.P[2] - ext
		branch := g.Body
		for m.Bodies[branch].Parent != l.root {
			branch = m.Bodies[branch].Parent
		}
		if c := best[branch]; c == nil || low < c.low {
			wb := l.d.XBody[g.Body].InvPoint(X.P.Sub(spatial.Vec3{0, 0, ext}))
			c := &cand{body: g.Body, low: low, branch: branch, bottom: wb}
			if g.Type == rbd.GeomBox && math.Abs(X.R[8]) > 0.99 { // a sole: the bottom face's corners
				sz := g.Size[2]
				if X.R[8] < 0 {
					sz = -sz
				}
				for i, sg := range [4][2]float64{{1, 1}, {1, -1}, {-1, -1}, {-1, 1}} {
					cg := m.GeomX0[gi].Point(spatial.Vec3{sg[0] * g.Size[0], sg[1] * g.Size[1], -sz})
					c.corner[i] = cg
				}
				c.nc = 4
			}
			best[branch] = c
		}
	}
	var feet []*cand
	for _, c := range best {
		feet = append(feet, c)
	}
	// the two lowest branches, deterministic order
	for i := 0; i < len(feet); i++ {
		for j := i + 1; j < len(feet); j++ {
			if feet[j].low < feet[i].low || (feet[j].low == feet[i].low && feet[j].body < feet[i].body) {
				feet[i], feet[j] = feet[j], feet[i]
			}
		}
	}
	if len(feet) < 2 {
		return fmt.Errorf("estimator: legs: model %q: found %d leg branches with collision geometry below the base, need 2", m.Name, len(feet))
	}
	a, b := feet[0], feet[1]
	if l.d.XBody[a.body].P[1] < l.d.XBody[b.body].P[1] {
		a, b = b, a
	}
	for k, c := range []*cand{a, b} {
		f := &l.foot[k]
		f.body, f.point = c.body, c.bottom
		f.corner, f.nc = c.corner, c.nc
		site := -1
		for si := range m.Sites {
			if m.Sites[si].Body != c.body {
				continue
			}
			if site < 0 || strings.Contains(strings.ToLower(m.Sites[si].Name), "foot") {
				site = si
			}
		}
		if site >= 0 {
			f.point = m.SiteX0[site].P
		}
		for bi := 1; bi < len(m.Bodies); bi++ {
			if l.descends(bi, c.branch) {
				f.bodies = append(f.bodies, bi)
			}
		}
		for _, bi := range f.bodies {
			if m.Bodies[bi].Mass > 0 {
				f.mass = append(f.mass, bi)
			}
		}
		f.com = make([]spatial.Vec3, len(f.mass))
		for _, bi := range f.bodies {
			leaf := true
			for _, bj := range f.bodies {
				if m.Bodies[bj].Parent == bi {
					leaf = false
				}
			}
			if leaf {
				f.leaves = append(f.leaves, bi)
			}
		}
	}
	return nil
}

// geomExtentZ returns how far geom g reaches below its centre along world z
// for orientation R.
func geomExtentZ(g *rbd.Geom, R *spatial.Mat3) float64 {
	s := g.Size
	switch g.Type {
	case rbd.GeomSphere:
		return s[0]
	case rbd.GeomCapsule:
		return s[0] + s[1]*math.Abs(R[8])
	case rbd.GeomCylinder:
		return s[0]*math.Sqrt(math.Max(0, 1-R[8]*R[8])) + s[1]*math.Abs(R[8])
	case rbd.GeomBox, rbd.GeomEllipsoid:
		return s[0]*math.Abs(R[6]) + s[1]*math.Abs(R[7]) + s[2]*math.Abs(R[8])
	}
	return 0
}

// rollBand is how much lower (m) than the rest a sole's corners must be to
// carry the contact alone.
const rollBand = 0.003

// PointOf returns foot k's contact point of corner set set (0: the centre)
// relative to the IMU, IMU axes, for the last Compute's joint angles.
func (l *Legs) PointOf(k int, set uint8) spatial.Vec3 {
	if set == 0 {
		return l.center[k]
	}
	var sum spatial.Vec3
	n := 0
	for i := 0; i < 4; i++ {
		if set&(1<<i) != 0 {
			sum = sum.Add(l.corners[k][i])
			n++
		}
	}
	return sum.Scale(1 / float64(n))
}

// BodyPointOf returns foot k's contact point of corner set set (0: the
// centre) in the foot body's frame: the sole's own geometry, whatever the
// joints.
func (l *Legs) BodyPointOf(k int, set uint8) spatial.Vec3 {
	f := &l.foot[k]
	if set == 0 || f.nc != 4 {
		return f.point
	}
	var sum spatial.Vec3
	n := 0
	for i := 0; i < 4; i++ {
		if set&(1<<i) != 0 {
			sum = sum.Add(f.corner[i])
			n++
		}
	}
	return sum.Scale(1 / float64(n))
}

// FootRate returns foot k's angular velocity relative to the IMU, IMU axes,
// for joint velocities s.Qd and the last Compute's joint angles.
func (l *Legs) FootRate(k int, s *hal.Sensors) spatial.Vec3 {
	f := &l.foot[k]
	n := f.n
	jw := &l.jw[k]
	var w spatial.Vec3
	for j := 0; j < n; j++ {
		qd := s.Qd[f.hal[j]]
		w[0] += jw[j] * qd
		w[1] += jw[n+j] * qd
		w[2] += jw[2*n+j] * qd
	}
	return l.BaseFromIMU.R.MulTVec(w)
}

// FootBody returns the body index of foot k (0 left, 1 right).
func (l *Legs) FootBody(k int) int { return l.foot[k].body }

// FootPoint returns foot k's contact point in its body frame.
func (l *Legs) FootPoint(k int) spatial.Vec3 { return l.foot[k].point }

// LegJoints returns the hal indices of foot k's leg joints, hip first.
func (l *Legs) LegJoints(k int) []int { return l.foot[k].hal[:l.foot[k].n] }

// Compute evaluates the feet's positions, Jacobians and ground forces for the
// joint sample s. gravityIMU is gravity in the IMU's axes (for removing the
// legs' weight from the torques); pass the zero vector to skip that.
func (l *Legs) Compute(s *hal.Sensors, gravityIMU spatial.Vec3) {
	m, d := l.m, l.d
	for i, a := range l.jm.QAdr {
		l.qpos[a] = s.Q[i]
	}
	l.kinematics()
	// IMU frame in the base frame.
	var Xi spatial.Transform
	Xi.SetMul(&d.XBody[l.imuBody], &l.imuX)
	l.BaseFromIMU = Xi
	pi := Xi.P
	l.gBase = Xi.R.MulVec(gravityIMU)
	for k := range l.foot {
		f := &l.foot[k]
		pf := d.XBody[f.body].Point(f.point)
		l.center[k] = Xi.R.MulTVec(pf.Sub(pi))
		l.Set[k] = 0
		if f.nc == 4 {
			var cb [4]spatial.Vec3
			for i := range cb {
				cb[i] = d.XBody[f.body].Point(f.corner[i])
				l.corners[k][i] = Xi.R.MulTVec(cb[i].Sub(pi))
			}
			if down := l.gBase.Norm(); l.Rolling && down > 0 {
				low := math.Inf(-1)
				var h [4]float64
				for i := range cb {
					h[i] = cb[i].Dot(l.gBase) / down
					low = math.Max(low, h[i])
				}
				var set uint8
				var sum spatial.Vec3
				n := 0
				for i := range cb {
					if h[i] > low-rollBand {
						set |= 1 << i
						sum = sum.Add(cb[i])
						n++
					}
				}
				if n < 4 {
					l.Set[k] = set
					pf = sum.Scale(1 / float64(n))
				}
			}
		}
		for i, b := range f.mass {
			f.com[i] = d.XBody[b].Point(m.Bodies[b].COM)
		}
		l.Pos[k] = Xi.R.MulTVec(pf.Sub(pi))
		l.FootR[k] = Xi.R.TMul(&d.XBody[f.body].R)
		// Jacobian columns of the leg's dofs at the contact point, base axes.
		for j := 0; j < f.n; j++ {
			c := d.Cdof[f.dof[j]]
			lin := c.At(pf)
			if l.imuBody != l.root { // the IMU moves with some joint: subtract its point's motion
				if l.descends(l.imuBody, m.DofBody[f.dof[j]]) {
					lin = lin.Sub(c.At(pi))
				}
			}
			r := Xi.R.MulTVec(lin)
			l.J[k][j], l.J[k][f.n+j], l.J[k][2*f.n+j] = r[0], r[1], r[2]
			// wrench Jacobian (ang; lin) at the contact point, base axes
			l.jw[k][j], l.jw[k][f.n+j], l.jw[k][2*f.n+j] = c.Ang[0], c.Ang[1], c.Ang[2]
			l.jw[k][3*f.n+j], l.jw[k][4*f.n+j], l.jw[k][5*f.n+j] = lin[0], lin[1], lin[2]
			// torque holding the leg's weight below this joint
			g := 0.0
			if l.gBase != (spatial.Vec3{}) {
				var ms float64
				var mc spatial.Vec3
				for _, i := range f.below[j] {
					bm := m.Bodies[f.mass[i]].Mass
					ms += bm
					mc = mc.AddScaled(bm, f.com[i])
				}
				g = c.Lin.Scale(ms).Add(c.Ang.Cross(mc)).Dot(l.gBase)
			}
			l.grav[k][j] = g
		}
		l.Force[k] = Xi.R.MulTVec(l.footForce(k, s))
	}
}

// kinematics runs the chains from the base to each leg leaf and to the IMU.
func (l *Legs) kinematics() {
	for k := range l.foot {
		for _, b := range l.foot[k].leaves {
			rbd.ChainKinematics(l.m, l.d, l.qpos, l.qvel, b)
		}
	}
	if l.imuBody != l.root {
		rbd.ChainKinematics(l.m, l.d, l.qpos, l.qvel, l.imuBody)
	}
}

// footForce solves Jᵀ w = −(τ + τ_g) for the wrench w (moment, force) the
// ground exerts on foot k at its contact point, in base axes, in the least
// squares sense with a little damping (J J ᵀ + λ I) w = J r, so a straight
// knee does not blow it up. It returns the force.
func (l *Legs) footForce(k int, s *hal.Sensors) spatial.Vec3 {
	f := &l.foot[k]
	n := f.n
	jw := &l.jw[k]
	var r [maxLegDofs]float64
	for j := 0; j < n; j++ {
		r[j] = -(s.Tau[f.hal[j]] + l.grav[k][j])
	}
	A := &l.sys
	for a := 0; a < 6; a++ {
		for b := 0; b <= a; b++ {
			sum := 0.0
			for j := 0; j < n; j++ {
				sum += jw[a*n+j] * jw[b*n+j]
			}
			A[a*6+b], A[b*6+a] = sum, sum
		}
		A[a*6+a] += 1e-4
		sum := 0.0
		for j := 0; j < n; j++ {
			sum += jw[a*n+j] * r[j]
		}
		l.rhs[a] = sum
	}
	if !cholSolve6(A, &l.rhs) {
		return spatial.Vec3{}
	}
	return spatial.Vec3{l.rhs[3], l.rhs[4], l.rhs[5]}
}

// cholSolve6 solves A x = b for symmetric positive definite 6×6 A in place
// (A is overwritten by its factor, b by x). It reports false when A is not
// positive definite.
func cholSolve6(A *[36]float64, b *[6]float64) bool {
	const n = 6
	if !cholesky(A[:], n) {
		return false
	}
	for i := 0; i < n; i++ {
		t := b[i]
		for k := 0; k < i; k++ {
			t -= A[i*n+k] * b[k]
		}
		b[i] = t / A[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		t := b[i]
		for k := i + 1; k < n; k++ {
			t -= A[k*n+i] * b[k]
		}
		b[i] = t / A[i*n+i]
	}
	return true
}

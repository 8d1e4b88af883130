package sim

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Constraint rows are solved at the velocity level, for impulses p over the
// step. Each row i has a Jacobian Jᵢ (1×nv), its velocity after the step
// uᵢ⁺ = Jᵢ·v⁺, and a law
//
//	uᵢ⁺ + Rᵢ·pᵢ = targetᵢ,  pᵢ within its bounds,
//
// with uᵢ⁺ the velocity after the impulses. Contact normals and joint limits
// are implicit spring–dampers evaluated at the end of the step, which push
// only (ContactParams, softUnilateral); a contact's friction rows target zero
// slip within the Coulomb cone |p_t| ≤ μ·p_n; friction loss rows target zero
// joint speed within |p| ≤ h·frictionloss. The Newton solver
// (solver_newton.go, the default) or projected Gauss–Seidel (solver_pgs.go)
// solves them, warm-started from the previous step.

type rowKind uint8

const (
	rowNormal rowKind = iota // followed by two friction rows of the same contact
	rowFriction
	rowLimit
	rowFrictionLoss
)

// rowSet holds the constraint rows of one step (fixed capacity).
type rowSet struct {
	nv, n  int
	kind   []rowKind
	path   [][]int   // dofs with non-zero Jacobian entries
	j      []float64 // (cap×nv) Jacobians
	minvJT []float64 // (cap×nv) M⁻¹·Jᵀ
	a      []float64 // Jᵢ·M⁻¹·Jᵢᵀ
	r      []float64 // regularisation
	target []float64
	bound  []float64 // friction coefficient (normal rows) or impulse bound (friction loss)
	p      []float64 // impulses
	key    []int64   // warm-start identity
	ref    []int     // contact index, or dof

	// warm start: the previous step's impulses by key
	prevKey  []int64
	prevP    []float64
	tan      [][2]spatial.Vec3 // (contacts) the friction rows' directions of each contact
	dofA     []float64         // (nv) cached Jᵢ·M⁻¹·Jᵢᵀ of a joint row on each dof (diag of M⁻¹)
	lam      []float64         // (nbody×36) Λ⁻¹ of each body this step (bodyLambdaInv)
	lamStamp []int64           // (nbody) the stamp lam[b] was computed at
	stamp    int64             // increments per constraint solve
	dofAAge  int               // steps since dofA was computed; −1: never
	bodyPath [][]int           // dofs on the path from each body to the root, leaf first
	dofPath  [][]int           // each dof alone
	dofAnc   [][]int           // each dof and its ancestors, leaf first
}

// rowCapacity is the most constraint rows a world of m with room for
// maxContacts contacts can have: three per contact, one per limited joint,
// one per dof (friction loss).
func rowCapacity(m *rbd.Model, maxContacts int) int {
	limited := 0
	for i := range m.Joints {
		if m.Joints[i].Limited && (m.Joints[i].Type == rbd.JointHinge || m.Joints[i].Type == rbd.JointSlide) {
			limited++
		}
	}
	return 3*maxContacts + limited + m.Nv
}

// maxRowWorkspace bounds the dense row workspace (the rows' Jacobian and
// M⁻¹Jᵀ, rows × nv each) a world may allocate: a model far beyond a robot
// (thousands of free bodies) is refused by name instead of running the
// process out of memory.
const maxRowWorkspace = 1 << 30

// checkRowWorkspace refuses a model whose row workspace would exceed
// maxRowWorkspace.
func checkRowWorkspace(m *rbd.Model, maxContacts, collisionGeoms int) error {
	c := rowCapacity(m, maxContacts)
	if need := 2 * 8 * float64(c) * float64(m.Nv); need > maxRowWorkspace {
		return fmt.Errorf("sim: model %q is too large for the simulator: %d degrees of freedom and up to %d constraint rows (%d collision geoms) need %.1f GiB of solver workspace; the limit is %d GiB",
			m.Name, m.Nv, c, collisionGeoms, need/(1<<30), maxRowWorkspace>>30)
	}
	return nil
}

func (s *rowSet) init(m *rbd.Model, maxContacts int) {
	nv := m.Nv
	c := rowCapacity(m, maxContacts)
	s.nv = nv
	s.kind = make([]rowKind, c)
	s.path = make([][]int, c)
	s.j = make([]float64, c*nv)
	s.minvJT = make([]float64, c*nv)
	s.a = make([]float64, c)
	s.r = make([]float64, c)
	s.target = make([]float64, c)
	s.bound = make([]float64, c)
	s.p = make([]float64, c)
	s.key = make([]int64, c)
	s.ref = make([]int, c)
	s.prevKey = make([]int64, 0, c)
	s.prevP = make([]float64, 0, c)
	s.bodyPath = make([][]int, len(m.Bodies))
	for b := range m.Bodies {
		for k := m.BodyLastDof[b]; k >= 0; k = m.DofParent[k] {
			s.bodyPath[b] = append(s.bodyPath[b], k)
		}
	}
	s.dofPath = make([][]int, nv)
	s.dofAnc = make([][]int, nv)
	for k := 0; k < nv; k++ {
		s.dofPath[k] = []int{k}
		for p := k; p >= 0; p = m.DofParent[p] {
			s.dofAnc[k] = append(s.dofAnc[k], p)
		}
	}
	s.tan = make([][2]spatial.Vec3, maxContacts)
	s.dofA = make([]float64, nv)
	s.lam = make([]float64, 36*len(m.Bodies))
	s.lamStamp = make([]int64, len(m.Bodies))
	s.dofAAge = -1
}

func (s *rowSet) resetWarmStart() {
	s.prevKey = s.prevKey[:0]
	s.prevP = s.prevP[:0]
	s.n = 0
	s.dofAAge = -1
	clear(s.lamStamp)
}

// lambdaRefresh is how many constraint solves a body's Λ⁻¹ is reused for.
const lambdaRefresh = 4

// dofRowRefresh is how many steps the effective masses of joint rows (limits
// and friction loss, which only set those rows' softness) are reused before
// they are recomputed: they change with the posture, slowly.
const dofRowRefresh = 16

// add appends a row whose Jacobian will be non-zero on path and returns its
// index; its Jacobian is zero.
func (s *rowSet) add(kind rowKind, path []int, key int64, ref int) int {
	i := s.n
	s.n++
	s.kind[i], s.path[i], s.key[i], s.ref[i] = kind, path, key, ref
	clear(s.j[i*s.nv : (i+1)*s.nv])
	s.p[i] = 0
	// warm start: the row of the same identity last step, most often at the
	// same index
	if i < len(s.prevKey) && s.prevKey[i] == key {
		s.p[i] = s.prevP[i]
		return i
	}
	for k, pk := range s.prevKey {
		if pk == key {
			s.p[i] = s.prevP[k]
			break
		}
	}
	return i
}

func (s *rowSet) jrow(i int) []float64 { return s.j[i*s.nv : (i+1)*s.nv] }
func (s *rowSet) mrow(i int) []float64 { return s.minvJT[i*s.nv : (i+1)*s.nv] }

// dot returns Jᵢ·x over the row's non-zeros.
func (s *rowSet) dot(i int, x []float64) float64 {
	j := s.jrow(i)
	sum := 0.0
	for _, k := range s.path[i] {
		sum += j[k] * x[k]
	}
	return sum
}

// constraintSolve builds the rows of the current contacts, limits and
// friction losses and solves them, writing QfrcConstraint, Qacc and each
// contact's Force.
func (w *World) constraintSolve(v []float64) {
	m, d, s, sc := w.Model, w.Data, &w.rows, &w.scratch
	h := w.Opt.Timestep
	nv := m.Nv
	clear(w.QfrcConstraint)
	s.n = 0
	w.SolverIterations, w.SolverResidual = 0, 0
	w.SolverLineEvals, w.SolverFactorizations = 0, 0
	if w.Opt.DisableConstraints {
		w.freeAcceleration()
		copy(w.Qacc, sc.qaccFree)
		return
	}
	cp := &w.Opt.Contact
	s.stamp++
	if s.dofAAge < 0 || s.dofAAge >= dofRowRefresh {
		w.refreshDofA()
	}
	s.dofAAge++
	// Contacts: a normal row and two friction rows each.
	var t1, t2 spatial.Vec3
	for ci := range w.Contacts {
		c := &w.Contacts[ci]
		path := s.bodyPath[c.Body]
		key := (int64(c.Geom)*4096+int64(c.Shape))*64 + int64(c.Feature)
		// contacts with the ground mostly share their normal: the tangents
		// of the last one are reused
		if ci == 0 || c.Normal != w.Contacts[ci-1].Normal {
			t1, t2 = tangents(c.Normal)
		}
		s.tan[ci] = [2]spatial.Vec3{t1, t2}
		in := s.add(rowNormal, path, key*4, ci)
		i1 := s.add(rowFriction, path, key*4+1, ci)
		i2 := s.add(rowFriction, path, key*4+2, ci)
		jn, j1, j2 := s.jrow(in), s.jrow(i1), s.jrow(i2)
		// the point's velocity along e from dof k is e·(lin + ang × p) =
		// e·lin + (p × e)·ang
		n := c.Normal
		pn, p1, p2 := c.Pos.Cross(n), c.Pos.Cross(t1), c.Pos.Cross(t2)
		cdof := d.Cdof
		for _, k := range path {
			cd := &cdof[k]
			a0, a1, a2 := cd.Ang[0], cd.Ang[1], cd.Ang[2]
			l0, l1, l2 := cd.Lin[0], cd.Lin[1], cd.Lin[2]
			vn := n[0]*l0 + n[1]*l1 + n[2]*l2 + pn[0]*a0 + pn[1]*a1 + pn[2]*a2
			v1 := t1[0]*l0 + t1[1]*l1 + t1[2]*l2 + p1[0]*a0 + p1[1]*a1 + p1[2]*a2
			v2 := t2[0]*l0 + t2[1]*l1 + t2[2]*l2 + p2[0]*a0 + p2[1]*a1 + p2[2]*a2
			jn[k], j1[k], j2[k] = vn, v1, v2
		}
		s.bound[in] = c.Friction
		lam := w.bodyLambdaInv(c.Body)
		for r, dir := range [3]spatial.Vec3{c.Normal, t1, t2} {
			// row = (p × dir, dir)·S: A = wᵀ·Λ⁻¹·w
			wv := [6]float64{}
			pd := c.Pos.Cross(dir)
			wv[0], wv[1], wv[2], wv[3], wv[4], wv[5] = pd[0], pd[1], pd[2], dir[0], dir[1], dir[2]
			a := 0.0
			for e := 0; e < 6; e++ {
				le := lam[6*e : 6*e+6]
				a += wv[e] * (le[0]*wv[0] + le[1]*wv[1] + le[2]*wv[2] + le[3]*wv[3] + le[4]*wv[4] + le[5]*wv[5])
			}
			s.a[in+r], s.target[in+r], s.r[in+r] = a, 0, 0
		}
		s.softUnilateral(in, c.Dist, h, cp.TimeConst, cp.DampRatio)
		s.target[i1], s.r[i1] = 0, cp.FrictionSoftness*s.a[i1]
		s.target[i2], s.r[i2] = 0, cp.FrictionSoftness*s.a[i2]
	}
	// Joint limits, when within the margin of a bound.
	for ji := range m.Joints {
		jt := &m.Joints[ji]
		if !jt.Limited || (jt.Type != rbd.JointHinge && jt.Type != rbd.JointSlide) {
			continue
		}
		q := w.curQ[jt.QAdr]
		for side := 0; side < 2; side++ {
			dist, sign := q-jt.Range[0], 1.0
			if side == 1 {
				dist, sign = jt.Range[1]-q, -1
			}
			if dist >= cp.Margin {
				continue
			}
			i := s.add(rowLimit, s.dofPath[jt.DofAdr], -int64(2*jt.DofAdr+side+1), jt.DofAdr)
			s.jrow(i)[jt.DofAdr] = sign
			s.a[i], s.target[i], s.r[i] = s.dofA[jt.DofAdr], 0, 0
			s.softUnilateral(i, dist, h, cp.LimitTimeConst, cp.DampRatio)
		}
	}
	// Dry friction in the joints.
	for k := 0; k < nv; k++ {
		if f := m.DofFriction[k]; f > 0 {
			i := s.add(rowFrictionLoss, s.dofPath[k], -int64(4*nv+k+1), k)
			s.jrow(i)[k] = 1
			s.a[i] = s.dofA[k]
			s.target[i], s.r[i], s.bound[i] = 0, cp.JointFrictionSoftness*s.a[i], h*f
		}
	}
	switch {
	case s.n == 0:
		w.freeAcceleration()
		copy(w.Qacc, sc.qaccFree)
		clear(sc.newton.xPrev)
	case w.Opt.Solver == SolverPGS:
		w.freeAcceleration()
		for k := 0; k < nv; k++ {
			sc.vfree[k] = v[k] + h*sc.qaccFree[k]
		}
		w.solvePGS()
		for k := 0; k < nv; k++ {
			w.Qacc[k] = sc.qaccFree[k] + sc.dv[k]/h
		}
	default:
		w.solveNewton(v) // sets Qacc
	}

	// The implicit part of the drives' PD: what they delivered over the step.
	if w.Opt.Integrator == Euler {
		for i, k := range w.Actuated.DofAdr {
			if g := sc.driveGain[k]; g != 0 {
				dt := -g * h * w.Qacc[k]
				w.ActuatorForce[i] += dt
				w.QfrcActuator[k] += dt
			}
		}
	}

	// Results.
	s.addJT(w.QfrcConstraint, s.p, 1/h)
	for ci := range w.Contacts { // contact rows come first, three each
		c := &w.Contacts[ci]
		t1, t2 := s.tan[ci][0], s.tan[ci][1]
		i := 3 * ci
		c.Force = c.Normal.Scale(s.p[i]/h).AddScaled(s.p[i+1]/h, t1).AddScaled(s.p[i+2]/h, t2)
	}
	// Keep impulses for the next step's warm start.
	s.prevKey = s.prevKey[:s.n]
	s.prevP = s.prevP[:s.n]
	copy(s.prevKey, s.key[:s.n])
	copy(s.prevP, s.p[:s.n])
}

// bodyLambdaInv returns the 6×6 inverse operational-space inertia of a body
// at the world origin, Λ⁻¹ = S·M⁻¹·Sᵀ with S the motion subspaces of the dofs
// on its path (row-major, angular then linear): every contact row on the body
// is (p × d, d)·S, so its effective mass follows from Λ⁻¹ in 36 operations.
// Λ⁻¹ = Σ_k D_k⁻¹·y_k·y_kᵀ, y = L⁻ᵀ·Sᵀ. It is recomputed every lambdaRefresh
// solves: the effective masses only set the contact springs' stiffness and
// change with the posture, slowly.
//
// (Λ⁻¹ is expressed at the world origin, so it moves with the body; within
// lambdaRefresh steps a foot moves a few millimetres, which changes the
// effective mass by far less than the spring's own tolerance.)
func (w *World) bodyLambdaInv(body int) []float64 {
	s, sc := &w.rows, &w.scratch
	if st := s.lamStamp[body]; st > 0 && s.stamp-st < lambdaRefresh {
		return s.lam[36*body : 36*body+36]
	}
	w.factorMetric()
	m, d := w.Model, w.Data
	y := sc.lamTmp
	path := s.bodyPath[body]
	for _, k := range path {
		c := &d.Cdof[k]
		y[k] = [6]float64{c.Ang[0], c.Ang[1], c.Ang[2], c.Lin[0], c.Lin[1], c.Lin[2]}
	}
	for a, k := range path { // leaf to root; path[a+1:] are k's ancestors
		yk := y[k]
		up := path[a+1:]
		row := sc.metricLD[m.TreeAdr[k]+1 : m.TreeAdr[k]+1+len(up)]
		for q, p := range up {
			l := row[q]
			yp := &y[p]
			yp[0] -= l * yk[0]
			yp[1] -= l * yk[1]
			yp[2] -= l * yk[2]
			yp[3] -= l * yk[3]
			yp[4] -= l * yk[4]
			yp[5] -= l * yk[5]
		}
	}
	lam := s.lam[36*body : 36*body+36]
	clear(lam)
	for _, k := range path {
		yk, dk := &y[k], sc.metricDinv[k]
		for e := 0; e < 6; e++ {
			ye := dk * yk[e]
			for f := e; f < 6; f++ {
				lam[6*e+f] += ye * yk[f]
			}
		}
	}
	for e := 0; e < 6; e++ {
		for f := 0; f < e; f++ {
			lam[6*e+f] = lam[6*f+e]
		}
	}
	s.lamStamp[body] = s.stamp
	return lam
}

// refreshDofA recomputes the diagonal of M⁻¹ (the metric's) for the joint
// rows: for each dof k, |D^(−½)·L⁻ᵀ·e_k|².
func (w *World) refreshDofA() {
	w.factorMetric()
	m, s, sc := w.Model, &w.rows, &w.scratch
	nv := m.Nv
	y := sc.pathTmp
	for k := 0; k < nv; k++ {
		if m.DofFriction[k] == 0 && !w.dofLimited[k] {
			continue
		}
		y[k] = 1
		anc := s.dofAnc[k]
		for _, i := range anc {
			if yi := y[i]; yi != 0 {
				up := m.DofAncestors[i]
				row := sc.metricLD[m.TreeAdr[i]+1 : m.TreeAdr[i]+1+len(up)]
				for q, p := range up {
					y[p] -= row[q] * yi
				}
			}
		}
		a := 0.0
		for _, i := range anc {
			a += y[i] * y[i] * sc.metricDinv[i]
			y[i] = 0
		}
		s.dofA[k] = a
	}
	s.dofAAge = 0
}

// softUnilateral sets the law of a unilateral row at signed distance dist: an
// implicit spring–damper of time constant tc and damping ratio zeta on the
// row's effective mass. Its force −k·(dist + h·u⁺) − c·u⁺ is evaluated at the
// end of the step and only pushes: a point still apart (dist > 0) feels it
// only if it would pass the surface within the step, so a fast foot is caught
// at the step it arrives, and the spring–damper, not an impulse, stops it.
func (s *rowSet) softUnilateral(i int, dist, h, tc, zeta float64) {
	meff := 1 / s.a[i]
	omega := 1 / tc
	k := meff * omega * omega
	c := 2 * zeta * meff * omega
	den := springTheta*h*k + c
	s.target[i] = -k * dist / den
	s.r[i] = 1 / (h * den)
}

// tangents returns two unit vectors orthogonal to n and to each other.
func tangents(n spatial.Vec3) (spatial.Vec3, spatial.Vec3) {
	a := spatial.Vec3{1, 0, 0}
	if math.Abs(n[0]) > 0.6 {
		a = spatial.Vec3{0, 1, 0}
	}
	t1 := a.Sub(n.Scale(n.Dot(a))).Normalize()
	return t1, n.Cross(t1)
}

// springTheta weighs the end-of-step position in the contact spring:
// force −k·(dist + θ·h·u⁺) − c·u⁺. θ = 1 is backward Euler (robust, but its
// numerical damping eats rebounds); θ = ½ is the trapezoidal rule, which
// keeps a spring's energy and so lets DampRatio alone set the restitution.
const springTheta = 0.5

package locomotion

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/stride-robotics/stride/locomotion/qp"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// WBC is the whole-body controller: one weighted QP per tick over the
// generalised accelerations q̈ (nv) and a 6-D wrench per foot w = (n, f)
// (moment about the sole centre and force, world axes):
//
//	minimise   Σ_tasks ‖A_k x − b_k‖²_{W_k} + regularisation
//	subject to M_b q̈ + h_b = J_bᵀ w            (floating-base rows of the EOM)
//	           f_z ≥ f_min, |f_t| ≤ μ f_z, CoP inside the sole, |n_z| ≤ μ_t f_z
//	           −τ_max ≤ M_j q̈ + h_j − J_jᵀ w ≤ τ_max (joint torque limits)
//	           w = 0 for a swing foot
//
// Tasks: stance feet fixed (J_c q̈ + J̇_c v = −K_c v_c, with the highest
// weight: a soft constraint, so a stretched leg cannot make the QP
// infeasible), swing-foot pose (PD on position and orientation plus the
// trajectory's feed-forward acceleration), base orientation (pelvis angular
// acceleration), the centroidal force (Σ f = m(c̈_des + g): the centre of
// mass follows from Newton's law, so no CoM Jacobian derivative is needed),
// the wrench references (the MPC's or a force distribution's), and a posture
// task pulling the joints to the home pose. The joint torques are then
// τ = M_j q̈ + h_j − J_jᵀ w, plus the model's viscous joint damping.
//
// Update takes the state and computes the model terms; Solve poses and
// solves the QP from the goals in the exported fields. Nothing allocates
// after NewWBC.
type WBC struct {
	P    *Profile
	m    *rbd.Model
	d    *rbd.Data
	nv   int
	n    int // variables: nv + 12
	nj   int // hal joints
	halD []int

	// Goals, set by the caller before Solve.
	Stance       [2]bool
	SwingPos     [2]spatial.Vec3 // desired sole centre, world
	SwingVel     [2]spatial.Vec3
	SwingAcc     [2]spatial.Vec3
	FootYaw      [2]float64   // desired foot heading (swing)
	BaseQuat     spatial.Quat // desired base orientation
	BaseAngVel   spatial.Vec3 // desired base angular velocity, world
	Force        spatial.Vec3 // desired total contact force, world, N
	WrenchRef    [2][6]float64
	PostureQ     []float64  // (hal) posture targets
	ContactTrust [2]float64 // 0..1: scales the normal-force bound of a stance foot (ramps at touchdown and lift-off)

	// Weights and gains.
	Weights WBCWeights

	// State of the last Update.
	Q, V      []float64 // (nq), (nv)
	h         []float64 // (nv) bias
	jac       [3][]float64
	bias      [3]spatial.Motion // J̇v per frame (0 left foot, 1 right foot, 2 base)
	soleW     [2]spatial.Vec3   // sole centres, world
	soleV     [2]spatial.Vec3   // sole centre velocities
	soleR     [2]spatial.Mat3   // foot orientations
	soleOmega [2]spatial.Vec3
	baseR     spatial.Mat3
	baseOmega spatial.Vec3
	com       spatial.Vec3
	comVel    spatial.Vec3

	// QP.
	solver *qp.Solver
	prob   qp.Problem
	x      []float64
	Tau    []float64 // (hal) joint torques of the last good solve
	Qdd    []float64 // (nv) accelerations of the last good solve
	W      [2][6]float64
	Status qp.Status
	Iter   int
	// SolveTime is how long the last Solve took (posing and solving the
	// QP), for the run's wbc_solve_us statistics.
	SolveTime time.Duration
}

// WBCWeights are the task weights, gains and contact parameters.
type WBCWeights struct {
	Swing, SwingKp, SwingKd       float64
	SwingRotKp, SwingRotKd        float64
	Base, BaseKp, BaseKd          float64
	Force                         float64
	Wrench                        float64
	Posture, PostureKp, PostureKd float64
	Regularize                    float64
	Contact                       float64 // weight of the stance-foot rows
	ContactKd                     float64 // 1/s, stance-foot velocity damping
	Mu, MuTorsion                 float64
	MinForce, MaxForce            float64 // N, per stance foot
	CoPMargin                     float64 // fraction of the sole half-size usable
	LimitHorizon                  float64 // s, joint-range look-ahead (0: no joint-range bounds)
	LimitMargin                   float64 // rad, kept from each joint's range
}

// DefaultWBCWeights are weights that balance the PM01-class robot.
func DefaultWBCWeights() WBCWeights {
	return WBCWeights{
		Swing: 100, SwingKp: 400, SwingKd: 40, SwingRotKp: 200, SwingRotKd: 25,
		Base: 50, BaseKp: 300, BaseKd: 35,
		Force:   0.5,
		Wrench:  1e-5,
		Posture: 0.05, PostureKp: 100, PostureKd: 20,
		Regularize: 1e-4,
		Contact:    1e4,
		ContactKd:  20,
		Mu:         0.6, MuTorsion: 0.02,
		MinForce: 10, MaxForce: 1500,
		CoPMargin:    0.8,
		LimitHorizon: 0.05, LimitMargin: 0.03,
	}
}

const (
	wbcEq   = 6  // floating base
	wbcIneq = 20 // 10 per foot; torque rows added per joint
)

// NewWBC makes the controller for profile p. Every degree of freedom after
// the floating base must be a hal joint.
func NewWBC(p *Profile) (*WBC, error) {
	m := p.Model
	nv := m.Nv
	if nv-6 != len(p.Joints) {
		return nil, fmt.Errorf("locomotion: model %q has %d joint dofs besides the base but %d hal joints; the whole-body QP needs every dof actuated", m.Name, nv-6, len(p.Joints))
	}
	w := &WBC{P: p, m: m, d: rbd.NewData(m), nv: nv, n: nv + 12, nj: len(p.Joints), Weights: DefaultWBCWeights()}
	w.halD = p.Dof
	w.Q, w.V, w.h = make([]float64, m.Nq), make([]float64, nv), make([]float64, nv)
	for k := range w.jac {
		w.jac[k] = make([]float64, 6*nv)
	}
	n := w.n
	mi := wbcIneq + w.nj
	w.solver = qp.NewSolver(n, wbcEq, mi)
	w.prob = qp.Problem{
		N: n, H: make([]float64, n*n), G: make([]float64, n),
		A: make([]float64, wbcEq*n), B: make([]float64, wbcEq),
		C: make([]float64, mi*n), L: make([]float64, mi), U: make([]float64, mi),
		LX: make([]float64, n), UX: make([]float64, n),
	}
	w.x = make([]float64, n)
	w.Tau = make([]float64, w.nj)
	w.Qdd = make([]float64, nv)
	w.PostureQ = append([]float64(nil), p.Home...)
	w.ContactTrust = [2]float64{1, 1}
	w.Stance = [2]bool{true, true}
	w.BaseQuat = spatial.IdentityQuat()
	return w, nil
}

// Update computes the model terms at the state (q, v) (MuJoCo coordinates:
// the free joint's angular velocity in the base frame).
func (w *WBC) Update(q, v []float64) {
	copy(w.Q, q)
	copy(w.V, v)
	m, d := w.m, w.d
	rbd.Kinematics(m, d, q)
	rbd.Velocities(m, d, v)
	rbd.CRBA(m, d)
	rbd.Bias(m, d, w.h)
	for k := 0; k < 2; k++ {
		f := &w.P.Feet[k]
		x := &d.XBody[f.Body]
		p := x.Point(f.Center)
		w.soleW[k] = p
		w.soleR[k] = x.R
		rbd.PointJacobian(m, d, w.jac[k], f.Body, p)
		a, l := rbd.PointAccelerationBias(m, d, f.Body, p)
		w.bias[k] = spatial.Motion{Ang: a, Lin: l}
		w.soleOmega[k], w.soleV[k] = rbd.PointVelocity(d, f.Body, p)
	}
	bp := d.XBody[1].P
	rbd.PointJacobian(m, d, w.jac[2], 1, bp)
	a, l := rbd.PointAccelerationBias(m, d, 1, bp)
	w.bias[2] = spatial.Motion{Ang: a, Lin: l}
	w.baseR = d.XBody[1].R
	w.baseOmega, _ = rbd.PointVelocity(d, 1, bp)
	w.com = rbd.CenterOfMass(m, d)
	w.comVel = rbd.Momentum(m, d).Lin.Scale(1 / w.P.Mass)
}

// Sole returns foot k's sole centre, its velocity and orientation, from the
// last Update.
func (w *WBC) Sole(k int) (p, v spatial.Vec3, r spatial.Mat3) {
	return w.soleW[k], w.soleV[k], w.soleR[k]
}

// COM returns the centre of mass and its velocity of the last Update.
func (w *WBC) COM() (c, v spatial.Vec3) { return w.com, w.comVel }

// CoP returns the centre of pressure of the last good solution's contact
// wrenches (world) and the total normal force; ok is false without one.
func (w *WBC) CoP() (c spatial.Vec3, fz float64, ok bool) {
	for k := 0; k < 2; k++ {
		f := w.W[k][5]
		if f <= 0 {
			continue
		}
		r := spatial.Vec3{-w.W[k][1] / f, w.W[k][0] / f, 0}
		c = c.Add(w.soleW[k].Add(r).Scale(f))
		fz += f
	}
	if fz <= 1 {
		return spatial.Vec3{}, 0, false
	}
	return c.Scale(1 / fz), fz, true
}

// ErrWBC is wrapped by Solve's errors when the QP fails.
var ErrWBC = errors.New("whole-body QP failed")

// Solve's errors, made once so a failing tick allocates nothing.
var (
	errWBCMalformed  = fmt.Errorf("%w: malformed problem (non-finite state or goals, or crossed bounds)", ErrWBC)
	errWBCInfeasible = fmt.Errorf("%w: infeasible", ErrWBC)
	errWBCMaxIter    = fmt.Errorf("%w: iteration limit reached", ErrWBC)
)

// addTask adds weight·‖J x_q − b‖² over the q̈ part (rows r0..r0+nr of a 6×nv
// Jacobian) to H and g.
func (w *WBC) addTask(jac []float64, r0, nr int, b []float64, weight float64) {
	nv, n := w.nv, w.n
	H, g := w.prob.H, w.prob.G
	for r := 0; r < nr; r++ {
		row := jac[(r0+r)*nv : (r0+r+1)*nv]
		for i := 0; i < nv; i++ {
			ri := row[i]
			if ri == 0 {
				continue
			}
			wi := weight * ri
			g[i] -= wi * b[r]
			hi := H[i*n : i*n+nv]
			for j := 0; j <= i; j++ {
				hi[j] += wi * row[j]
			}
		}
	}
}

// Solve poses and solves the QP for the goals. On failure it keeps the last
// good torques in Tau and returns an error wrapping ErrWBC.
func (w *WBC) Solve() error {
	start := time.Now()
	defer func() { w.SolveTime = time.Since(start) }()
	nv, n := w.nv, w.n
	W := &w.Weights
	p := &w.prob
	clear(p.H)
	clear(p.G)
	clear(p.A)
	clear(p.C)

	// Regularisation of q̈ and the wrenches.
	for i := 0; i < n; i++ {
		p.H[i*n+i] = W.Regularize
	}
	var b6 [6]float64
	// Swing feet.
	for k := 0; k < 2; k++ {
		if w.Stance[k] {
			continue
		}
		ep := w.SwingPos[k].Sub(w.soleW[k])
		ev := w.SwingVel[k].Sub(w.soleV[k])
		Rd := spatial.QuatFromAxisAngle(spatial.Vec3{0, 0, 1}, w.FootYaw[k]).Mat3()
		er := rotError(&Rd, &w.soleR[k])
		for i := 0; i < 3; i++ {
			b6[i] = W.SwingRotKp*er[i] - W.SwingRotKd*w.soleOmega[k][i] - w.bias[k].Ang[i]
			b6[3+i] = w.SwingAcc[k][i] + W.SwingKp*ep[i] + W.SwingKd*ev[i] - w.bias[k].Lin[i]
		}
		w.addTask(w.jac[k], 0, 6, b6[:], W.Swing)
	}
	// Base orientation.
	Rd := w.BaseQuat.Mat3()
	er := rotError(&Rd, &w.baseR)
	for i := 0; i < 3; i++ {
		b6[i] = W.BaseKp*er[i] + W.BaseKd*(w.BaseAngVel[i]-w.baseOmega[i]) - w.bias[2].Ang[i]
	}
	w.addTask(w.jac[2], 0, 3, b6[:3], W.Base)
	// Posture: q̈_j = Kp (q_d − q) − Kd q̇.
	for i := 0; i < w.nj; i++ {
		dof := w.halD[i]
		qa := w.P.QAdr[i]
		b := W.PostureKp*(w.PostureQ[i]-w.Q[qa]) - W.PostureKd*w.V[dof]
		p.H[dof*n+dof] += W.Posture
		p.G[dof] -= W.Posture * b
	}
	// Centroidal force Σ f = Force, and wrench references.
	for c := 0; c < 3; c++ {
		// (f_L,c + f_R,c − F_c)²
		for _, k := range [2]int{0, 1} {
			i := nv + 6*k + 3 + c
			p.G[i] -= W.Force * w.Force[c]
			for _, l := range [2]int{0, 1} {
				j := nv + 6*l + 3 + c
				if j <= i {
					p.H[i*n+j] += W.Force
				}
			}
		}
	}
	for k := 0; k < 2; k++ {
		for c := 0; c < 6; c++ {
			i := nv + 6*k + c
			p.H[i*n+i] += W.Wrench
			p.G[i] -= W.Wrench * w.WrenchRef[k][c]
		}
	}

	// Equalities: floating-base rows M_b q̈ − Σ J_bᵀ w = −h_b.
	M := w.d.M
	for r := 0; r < 6; r++ {
		row := p.A[r*n : (r+1)*n]
		copy(row[:nv], M[r*nv:(r+1)*nv])
		for k := 0; k < 2; k++ {
			for c := 0; c < 6; c++ {
				row[nv+6*k+c] = -w.jac[k][c*nv+r]
			}
		}
		p.B[r] = -w.h[r]
	}
	// Stance feet: J q̈ = −J̇v − K v (angular and linear), a task of high
	// weight rather than an equality, so a leg near its singularity at a
	// long step cannot make the problem infeasible.
	for k := 0; k < 2; k++ {
		if !w.Stance[k] {
			continue
		}
		for c := 0; c < 3; c++ {
			b6[c] = -w.bias[k].Ang[c] - W.ContactKd*w.soleOmega[k][c]
			b6[3+c] = -w.bias[k].Lin[c] - W.ContactKd*w.soleV[k][c]
		}
		w.addTask(w.jac[k], 0, 6, b6[:], W.Contact)
	}
	// Bounds: wrench of a swing foot zero, of a stance foot's normal force
	// within [MinForce, trust·MaxForce].
	for i := 0; i < n; i++ {
		p.LX[i], p.UX[i] = math.Inf(-1), math.Inf(1)
	}
	// Joint range: the acceleration bounds that stop each joint short of
	// its limit (with a margin) within LimitHorizon, q + q̇h + ½q̈h² inside
	// the range.
	if hz := W.LimitHorizon; hz > 0 {
		for i := 0; i < w.nj; i++ {
			j := &w.m.Joints[w.P.Joint[i]]
			if !j.Limited {
				continue
			}
			dof := w.halD[i]
			q, qd := w.Q[w.P.QAdr[i]], w.V[dof]
			lo, hi := j.Range[0]+W.LimitMargin, j.Range[1]-W.LimitMargin
			if hi < lo {
				lo, hi = (j.Range[0]+j.Range[1])/2, (j.Range[0]+j.Range[1])/2
			}
			amin := 2 * (lo - q - qd*hz) / (hz * hz)
			amax := 2 * (hi - q - qd*hz) / (hz * hz)
			if amin > amax { // already past: push back
				amin, amax = math.Min(amin, amax), math.Max(amin, amax)
			}
			p.LX[dof], p.UX[dof] = amin, amax
		}
	}
	inf := math.Inf(1)
	for k := 0; k < 2; k++ {
		o := nv + 6*k
		if !w.Stance[k] {
			for c := 0; c < 6; c++ {
				p.LX[o+c], p.UX[o+c] = 0, 0
			}
			continue
		}
		tr := math.Max(0.02, math.Min(1, w.ContactTrust[k]))
		p.LX[o+5], p.UX[o+5] = math.Min(W.MinForce, tr*W.MaxForce), tr*W.MaxForce
	}
	// Inequalities: friction, CoP, torsion (10 per foot; zero rows for a swing foot).
	for k := 0; k < 2; k++ {
		o := nv + 6*k
		base := 10 * k
		for r := 0; r < 10; r++ {
			p.L[base+r], p.U[base+r] = -inf, inf
		}
		if !w.Stance[k] {
			continue
		}
		f := &w.P.Feet[k]
		// Foot axes in world (horizontal): heading of the foot.
		R := &w.soleR[k]
		ax := spatial.Vec3{R[0], R[3], 0}.Normalize()
		ay := spatial.Vec3{-ax[1], ax[0], 0}
		hx, hy := W.CoPMargin*f.Length/2, W.CoPMargin*f.Width/2
		row := func(r int) []float64 { return p.C[(base+r)*n : (base+r+1)*n] }
		// friction: f·ax ± μ fz, f·ay ± μ fz
		for s, a := range [2]spatial.Vec3{ax, ay} {
			r0, r1 := row(2*s), row(2*s+1)
			for c := 0; c < 2; c++ {
				r0[o+3+c], r1[o+3+c] = a[c], a[c]
			}
			r0[o+5], r1[o+5] = -W.Mu, W.Mu
			p.U[base+2*s] = 0   // f·a − μ fz ≤ 0
			p.L[base+2*s+1] = 0 // f·a + μ fz ≥ 0
		}
		// CoP: moment about the sole centre n; n·ax ∈ [−hy fz, hy fz], n·ay ∈ [−hx fz, hx fz].
		for s, a := range [2]spatial.Vec3{ax, ay} {
			h := hy
			if s == 1 {
				h = hx
			}
			r0, r1 := row(4+2*s), row(4+2*s+1)
			for c := 0; c < 2; c++ {
				r0[o+c], r1[o+c] = a[c], a[c]
			}
			r0[o+5], r1[o+5] = -h, h
			p.U[base+4+2*s] = 0
			p.L[base+4+2*s+1] = 0
		}
		r0, r1 := row(8), row(9)
		r0[o+2], r1[o+2] = 1, 1
		r0[o+5], r1[o+5] = -W.MuTorsion, W.MuTorsion
		p.U[base+8] = 0
		p.L[base+9] = 0
	}
	// Torque limits: τ_i = M_i q̈ + h_i − Σ J_iᵀ w.
	for i := 0; i < w.nj; i++ {
		dof := w.halD[i]
		r := wbcIneq + i
		row := p.C[r*n : (r+1)*n]
		copy(row[:nv], M[dof*nv:(dof+1)*nv])
		for k := 0; k < 2; k++ {
			for c := 0; c < 6; c++ {
				row[nv+6*k+c] = -w.jac[k][c*nv+dof]
			}
		}
		lim := w.P.EffortLimit[i]
		p.L[r], p.U[r] = -lim-w.h[dof], lim-w.h[dof]
	}

	res, err := w.solver.Solve(p, w.x)
	w.Status, w.Iter = res.Status, res.Iterations
	switch {
	case err != nil:
		return errWBCMalformed
	case res.Status == qp.Infeasible:
		return errWBCInfeasible
	case res.Status != qp.Optimal:
		return errWBCMaxIter
	}
	copy(w.Qdd, w.x[:nv])
	for k := 0; k < 2; k++ {
		copy(w.W[k][:], w.x[nv+6*k:nv+6*k+6])
	}
	for i := 0; i < w.nj; i++ {
		dof := w.halD[i]
		row := p.C[(wbcIneq+i)*n : (wbcIneq+i+1)*n]
		t := w.h[dof] + w.m.DofDamping[dof]*w.V[dof]
		for j := 0; j < n; j++ {
			t += row[j] * w.x[j]
		}
		w.Tau[i] = t
	}
	return nil
}

// rotError returns the rotation vector taking R to Rd, world axes:
// log(Rd·Rᵀ).
func rotError(Rd, R *spatial.Mat3) spatial.Vec3 {
	E := Rd.MulT(R)
	return spatial.QuatFromMat3(E).AxisAngle()
}

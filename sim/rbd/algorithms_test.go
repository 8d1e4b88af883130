package rbd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stride-robotics/stride/sim/spatial"
)

// CRBA must equal the mass matrix built column by column from RNEA:
// M e_k = RNEA(a = e_k) − RNEA(a = 0).
func TestCRBAMatchesRNEAColumns(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		m := randomModel(t, rng, 12, seed%2 == 1)
		d := NewData(m)
		q, v := randomState(m, rng)
		Kinematics(m, d, q)
		Velocities(m, d, v)
		CRBA(m, d)
		nv := m.Nv
		bias := make([]float64, nv)
		col := make([]float64, nv)
		e := make([]float64, nv)
		Bias(m, d, bias)
		for k := 0; k < nv; k++ {
			clear(e)
			e[k] = 1
			RNEA(m, d, col, e)
			for r := 0; r < nv; r++ {
				approx(t, fmt.Sprintf("seed %d M[%d,%d]", seed, r, k), d.M[r*nv+k], col[r]-bias[r], 1e-12)
			}
		}
	}
}

// ABA must equal M⁻¹(τ − bias), and RNEA of ABA's answer must give τ back.
func TestABAMatchesCRBASolve(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		m := randomModel(t, rng, 15, seed%2 == 1)
		d := NewData(m)
		q, v := randomState(m, rng)
		nv := m.Nv
		tau := make([]float64, nv)
		for k := range tau {
			tau[k] = 10 * (2*rng.Float64() - 1)
		}
		d.FExt[3] = spatial.Force{Ang: spatial.Vec3{1, -2, 0.5}, Lin: spatial.Vec3{3, 0, -4}}
		qacc := make([]float64, nv)
		ForwardDynamics(m, d, qacc, q, v, tau)
		back := make([]float64, nv)
		RNEA(m, d, back, qacc)
		for k := range tau {
			approx(t, fmt.Sprintf("seed %d RNEA(ABA(τ))[%d]", seed, k), back[k], tau[k], 1e-10)
		}
		// Dense solve of M qacc = τ − bias.
		CRBA(m, d)
		bias := make([]float64, nv)
		Bias(m, d, bias)
		rhs := make([]float64, nv)
		for k := range rhs {
			rhs[k] = tau[k] - bias[k]
		}
		x := denseSolve(d.M, rhs, nv)
		for k := range x {
			approx(t, fmt.Sprintf("seed %d ABA vs CRBA solve [%d]", seed, k), qacc[k], x[k], 1e-9)
		}
	}
}

// denseSolve solves A x = b by Gaussian elimination with partial pivoting.
func denseSolve(A, b []float64, n int) []float64 {
	a := append([]float64(nil), A...)
	x := append([]float64(nil), b...)
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r*n+c]) > math.Abs(a[p*n+c]) {
				p = r
			}
		}
		for k := 0; k < n; k++ {
			a[c*n+k], a[p*n+k] = a[p*n+k], a[c*n+k]
		}
		x[c], x[p] = x[p], x[c]
		for r := c + 1; r < n; r++ {
			f := a[r*n+c] / a[c*n+c]
			for k := c; k < n; k++ {
				a[r*n+k] -= f * a[c*n+k]
			}
			x[r] -= f * x[c]
		}
	}
	for r := n - 1; r >= 0; r-- {
		s := x[r]
		for k := r + 1; k < n; k++ {
			s -= a[r*n+k] * x[k]
		}
		x[r] = s / a[r*n+r]
	}
	return x
}

// The kinetic energy ½ vᵀ M v must equal the sum of the bodies' kinetic
// energies, and its rate must equal the power of the non-gravity forces.
func TestKineticEnergyAndPower(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	m := randomModel(t, rng, 10, true)
	m.Gravity = spatial.Vec3{}
	d := NewData(m)
	q, v := randomState(m, rng)
	Kinematics(m, d, q)
	Velocities(m, d, v)
	CRBA(m, d)
	nv := m.Nv
	T := 0.0
	for r := 0; r < nv; r++ {
		for c := 0; c < nv; c++ {
			T += 0.5 * v[r] * d.M[r*nv+c] * v[c]
		}
	}
	Tb := 0.0
	for b := 1; b < len(m.Bodies); b++ {
		Tb += d.CInert[b].KineticEnergy(d.BodyVel[b])
	}
	// armature energy is not in the bodies
	for k := 0; k < nv; k++ {
		Tb += 0.5 * m.DofArmature[k] * v[k] * v[k]
	}
	approx(t, "kinetic energy", T, Tb, 1e-12)
}

// Jacobians must equal finite differences of kinematics, and the
// velocity-product term J̇·v must equal the finite difference of J·v.
func TestJacobianFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	m := randomModel(t, rng, 12, true)
	m.Sites = append(m.Sites, Site{Name: "tip", Body: len(m.Bodies) - 1, Pos: spatial.Vec3{0.1, -0.05, 0.2}, Quat: spatial.IdentityQuat()})
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	d := NewData(m)
	q, v := randomState(m, rng)
	nv := m.Nv
	J := make([]float64, 6*nv)
	Kinematics(m, d, q)
	Velocities(m, d, v)
	SiteJacobian(m, d, J, 0)
	biasAng, biasLin := SiteAccelerationBias(m, d, 0)
	x0 := d.XSite[0]
	const h = 1e-6
	// Column check: moving along dof k changes position by J_lin[:,k]·h and
	// orientation by J_ang[:,k]·h (world-frame rotation vector).
	for k := 0; k < nv; k++ {
		e := make([]float64, nv)
		e[k] = 1
		qp := integrateQ(m, q, e, h)
		qm := integrateQ(m, q, e, -h)
		Kinematics(m, d, qp)
		xp := d.XSite[0]
		Kinematics(m, d, qm)
		xm := d.XSite[0]
		dp := xp.P.Sub(xm.P).Scale(1 / (2 * h))
		dR := xp.R.MulT(&xm.R)
		w := spatial.QuatFromMat3(dR).AxisAngle().Scale(1 / (2 * h))
		for r := 0; r < 3; r++ {
			approx(t, fmt.Sprintf("J_lin[%d,%d]", r, k), J[(3+r)*nv+k], dp[r], 1e-7)
			approx(t, fmt.Sprintf("J_ang[%d,%d]", r, k), J[r*nv+k], w[r], 1e-7)
		}
	}
	// J̇v: d/dt (J(q(t)) v) at constant v, along q̇ = v.
	jv := func(qq []float64) (spatial.Vec3, spatial.Vec3) {
		Kinematics(m, d, qq)
		Jt := make([]float64, 6*nv)
		SiteJacobian(m, d, Jt, 0)
		var a, l spatial.Vec3
		for r := 0; r < 3; r++ {
			for k := 0; k < nv; k++ {
				a[r] += Jt[r*nv+k] * v[k]
				l[r] += Jt[(3+r)*nv+k] * v[k]
			}
		}
		return a, l
	}
	ap, lp := jv(integrateQ(m, q, v, h))
	am, lm := jv(integrateQ(m, q, v, -h))
	for r := 0; r < 3; r++ {
		approx(t, fmt.Sprintf("J̇v ang[%d]", r), biasAng[r], (ap[r]-am[r])/(2*h), 1e-6)
		approx(t, fmt.Sprintf("J̇v lin[%d]", r), biasLin[r], (lp[r]-lm[r])/(2*h), 1e-6)
	}
	_ = x0
}

// The centroidal momentum matrix times v must equal the summed link momenta
// about the centre of mass, and the CoM Jacobian its linear part over mass.
func TestCentroidalMomentum(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2))
	m := randomModel(t, rng, 14, true)
	d := NewData(m)
	q, v := randomState(m, rng)
	nv := m.Nv
	Kinematics(m, d, q)
	Velocities(m, d, v)
	A := make([]float64, 6*nv)
	CentroidalMomentumMatrix(m, d, A)
	com := CenterOfMass(m, d)
	var h spatial.Force
	for b := 1; b < len(m.Bodies); b++ {
		h = h.Add(d.CInert[b].MulMotion(d.BodyVel[b]))
	}
	hG := h.AtPoint(com)
	var got [6]float64
	for r := 0; r < 6; r++ {
		for k := 0; k < nv; k++ {
			got[r] += A[r*nv+k] * v[k]
		}
	}
	want := [6]float64{hG.Ang[0], hG.Ang[1], hG.Ang[2], hG.Lin[0], hG.Lin[1], hG.Lin[2]}
	for r := 0; r < 6; r++ {
		approx(t, fmt.Sprintf("A_G v [%d]", r), got[r], want[r], 1e-12)
	}
	// CoM velocity by finite differences.
	const eps = 1e-6
	Kinematics(m, d, integrateQ(m, q, v, eps))
	cp := CenterOfMass(m, d)
	Kinematics(m, d, integrateQ(m, q, v, -eps))
	cm := CenterOfMass(m, d)
	M := m.TotalMass()
	for r := 0; r < 3; r++ {
		approx(t, fmt.Sprintf("ċ[%d]", r), got[3+r]/M, (cp[r]-cm[r])/(2*eps), 1e-7)
	}
}

// A single pendulum about a horizontal hinge: ABA's acceleration must be
// −(m g l / (I_c + m l²)) sin θ.
func TestPendulumAnalytic(t *testing.T) {
	m := NewModel("pendulum")
	const mass, l, ic = 2.0, 0.7, 0.03
	m.Bodies = append(m.Bodies, Body{Name: "bob", Parent: 0, Quat: spatial.IdentityQuat(), Mass: mass,
		COM: spatial.Vec3{0, 0, -l}, Inertia: spatial.Diag3(spatial.Vec3{ic, ic, ic})})
	m.Joints = append(m.Joints, Joint{Name: "hinge", Type: JointHinge, Body: 1, Axis: spatial.Vec3{0, 1, 0}})
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	d := NewData(m)
	for _, th := range []float64{-2, -0.3, 0, 0.5, 1.4, 3} {
		qacc := []float64{0}
		ForwardDynamics(m, d, qacc, []float64{th}, []float64{1.7}, []float64{0})
		want := -mass * 9.81 * l * math.Sin(th) / (ic + mass*l*l)
		approx(t, fmt.Sprintf("θ̈ at θ=%g", th), qacc[0], want, 1e-13)
	}
}

// The sparse LᵀDL factor must solve M x = b like a dense solver.
func TestFactorSolve(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewPCG(seed, 21))
		m := randomModel(t, rng, 16, seed%2 == 0)
		d := NewData(m)
		q, _ := randomState(m, rng)
		Kinematics(m, d, q)
		CRBA(m, d)
		FactorM(m, d)
		b := make([]float64, m.Nv)
		for k := range b {
			b[k] = rng.NormFloat64()
		}
		want := denseSolve(d.M, b, m.Nv)
		x := append([]float64(nil), b...)
		SolveM(m, d, x)
		for k := range x {
			approx(t, fmt.Sprintf("seed %d x[%d]", seed, k), x[k], want[k], 1e-10)
		}
	}
}

// The packed tree routines must agree with dense linear algebra: the product
// with M, and M⁻¹ through the packed factor.
func TestPackedTree(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	m := randomModel(t, rng, 18, true)
	d := NewData(m)
	q, _ := randomState(m, rng)
	Kinematics(m, d, q)
	CRBA(m, d)
	nv := m.Nv
	h := make([]float64, m.TreeSize)
	dinv := make([]float64, nv)
	PackTree(m, h, d.M)
	x := make([]float64, nv)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	y := make([]float64, nv)
	MulTreePacked(m, y, h, x)
	for r := 0; r < nv; r++ {
		want := 0.0
		for c := 0; c < nv; c++ {
			want += d.M[r*nv+c] * x[c]
		}
		approx(t, fmt.Sprintf("(M·x)[%d]", r), y[r], want, 1e-12)
	}
	FactorTreePacked(m, h, dinv)
	SolveTreePacked(m, y, h, dinv)
	for i := range x {
		approx(t, fmt.Sprintf("M⁻¹·(M·x)[%d]", i), y[i], x[i], 1e-9)
	}
}

// ForwardDynamicsCRBA and ForwardDynamics (ABA) agree.
func TestForwardDynamicsRoutesAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 3))
	m := randomModel(t, rng, 14, true)
	d := NewData(m)
	q, v := randomState(m, rng)
	tau := make([]float64, m.Nv)
	for k := range tau {
		tau[k] = 5 * rng.NormFloat64()
	}
	a1 := make([]float64, m.Nv)
	a2 := make([]float64, m.Nv)
	ForwardDynamics(m, d, a1, q, v, tau)
	ForwardDynamicsCRBA(m, d, a2, q, v, tau)
	for k := range a1 {
		approx(t, fmt.Sprintf("qacc[%d]", k), a2[k], a1[k], 1e-9)
	}
}

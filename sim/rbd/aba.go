package rbd

import "github.com/stride-robotics/stride/sim/spatial"

// ABA computes forward dynamics with Featherstone's articulated-body algorithm:
// the acceleration qacc (nv) produced by the generalised force tau (nv) at the
// state last given to Kinematics and Velocities, under gravity and d.FExt:
//
//	M(q)·qacc = tau − C(q, v)·v − g(q) + Σ Jᵀ f_ext
//
// with the armature in M. Each dof is one step of the recursion (a body with
// several dofs is a chain of massless frames), so free and ball joints need no
// 6×6 or 3×3 inverses. It also leaves body accelerations in d.BodyAcc.
func ABA(m *Model, d *Data, qacc, tau []float64) {
	nb := len(m.Bodies)
	var iv, U, t spatial.Force
	var c spatial.Motion
	for b := 1; b < nb; b++ {
		I := &d.CInert[b]
		d.IA[b].SetInertia(I)
		vel := &d.BodyVel[b]
		iv.SetMul(I, vel)
		pa := &d.PA[b]
		*pa = spatial.Force{}
		pa.AddCrossForce(vel, &iv)
		pa.AddScaledIn(-1, &d.FExt[b])
	}
	for b := nb - 1; b > 0; b-- {
		body := &m.Bodies[b]
		IA := &d.IA[b]
		pa := &d.PA[b]
		for k := body.DofAdr + body.DofNum - 1; k >= body.DofAdr; k-- {
			S := &d.Cdof[k]
			IA.MulMotionTo(&U, S)
			D := S.DotP(&U) + m.DofArmature[k]
			u := tau[k] - S.DotP(pa)
			dinv := 1 / D
			d.U[k], d.Dinv[k], d.Uu[k] = U, dinv, u
			IA.SubOuter(dinv, U)
			c = d.CdofDot[k]
			vk := d.qvel[k]
			c.Ang = c.Ang.Scale(vk)
			c.Lin = c.Lin.Scale(vk)
			IA.MulMotionTo(&t, &c)
			pa.AddIn(&t)
			pa.AddScaledIn(u*dinv, &U)
		}
		if p := body.Parent; p > 0 {
			d.IA[p].Add(IA)
			d.PA[p].AddIn(pa)
		}
	}
	d.BodyAcc[0] = gravityAcc(m)
	for b := 1; b < nb; b++ {
		body := &m.Bodies[b]
		acc := &d.BodyAcc[b]
		*acc = d.BodyAcc[body.Parent]
		for k := body.DofAdr; k < body.DofAdr+body.DofNum; k++ {
			acc.AddScaledIn(d.qvel[k], &d.CdofDot[k])
			qa := (d.Uu[k] - acc.DotP(&d.U[k])) * d.Dinv[k]
			qacc[k] = qa
			acc.AddScaledIn(qa, &d.Cdof[k])
		}
	}
}

// ForwardDynamics runs Kinematics, Velocities and ABA for (q, v, tau) and
// writes qacc (nv). d.FExt applies; passive forces are the caller's (add
// Passive to tau).
func ForwardDynamics(m *Model, d *Data, qacc, q, v, tau []float64) {
	Kinematics(m, d, q)
	Velocities(m, d, v)
	ABA(m, d, qacc, tau)
}

// ForwardDynamicsCRBA computes the same qacc as ForwardDynamics by the other
// route — Kinematics, Velocities, CRBA, its LᵀDL factor, RNEA for the bias and
// a solve: qacc = M⁻¹·(tau − bias) — leaving M and its factor in d.
func ForwardDynamicsCRBA(m *Model, d *Data, qacc, q, v, tau []float64) {
	Kinematics(m, d, q)
	Velocities(m, d, v)
	CRBA(m, d)
	FactorM(m, d)
	Bias(m, d, qacc)
	for k := range qacc[:m.Nv] {
		qacc[k] = tau[k] - qacc[k]
	}
	SolveM(m, d, qacc)
}

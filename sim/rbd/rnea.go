package rbd

import "github.com/stride-robotics/stride/sim/spatial"

// RNEA computes inverse dynamics with the recursive Newton–Euler algorithm:
// the generalised force tau (nv) that gives acceleration a (nv) at the state
// last given to Kinematics and Velocities, under gravity and the external
// wrenches d.FExt:
//
//	tau = M(q)·a + C(q, v)·v + g(q) − Σ Jᵀ f_ext
//
// M includes the armature (as in CRBA). Passive joint forces (damping,
// springs) are not included; see Passive. A nil a means zero acceleration.
func RNEA(m *Model, d *Data, tau, a []float64) {
	d.BodyAcc[0] = gravityAcc(m)
	var iv spatial.Force
	for b := 1; b < len(m.Bodies); b++ {
		body := &m.Bodies[b]
		acc := &d.BodyAcc[b]
		*acc = d.BodyAcc[body.Parent]
		for k := body.DofAdr; k < body.DofAdr+body.DofNum; k++ {
			acc.AddScaledIn(d.qvel[k], &d.CdofDot[k])
			if a != nil {
				acc.AddScaledIn(a[k], &d.Cdof[k])
			}
		}
		I := &d.CInert[b]
		vel := &d.BodyVel[b]
		f := &d.BodyForce[b]
		f.SetMul(I, acc)
		iv.SetMul(I, vel)
		f.AddCrossForce(vel, &iv)
		f.AddScaledIn(-1, &d.FExt[b])
	}
	for b := len(m.Bodies) - 1; b > 0; b-- {
		body := &m.Bodies[b]
		f := &d.BodyForce[b]
		for k := body.DofAdr; k < body.DofAdr+body.DofNum; k++ {
			tau[k] = d.Cdof[k].DotP(f)
			if a != nil {
				tau[k] += m.DofArmature[k] * a[k]
			}
		}
		if p := body.Parent; p > 0 {
			d.BodyForce[p].AddIn(f)
		}
	}
}

// Bias computes the generalised bias force C(q, v)·v + g(q) − Σ Jᵀ f_ext: RNEA
// at zero acceleration.
func Bias(m *Model, d *Data, bias []float64) { RNEA(m, d, bias, nil) }

// InverseDynamics runs Kinematics, Velocities and RNEA for (q, v, a) and writes
// tau (nv). d.FExt applies.
func InverseDynamics(m *Model, d *Data, tau, q, v, a []float64) {
	Kinematics(m, d, q)
	Velocities(m, d, v)
	RNEA(m, d, tau, a)
}

// Passive writes the passive joint forces at (q, v) into dst (nv): viscous
// damping −b·q̇ and springs −k·(q − springref) on hinge and slide joints. Dry
// friction (frictionloss) is a constraint, handled by the simulator.
func Passive(m *Model, dst, q, v []float64) {
	for k := 0; k < m.Nv; k++ {
		dst[k] = -m.DofDamping[k] * v[k]
	}
	for ji := range m.Joints {
		j := &m.Joints[ji]
		if j.Stiffness != 0 && (j.Type == JointHinge || j.Type == JointSlide) {
			dst[j.DofAdr] -= j.Stiffness * (q[j.QAdr] - j.SpringRef)
		}
	}
}

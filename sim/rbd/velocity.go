package rbd

import "github.com/stride-robotics/stride/sim/spatial"

// Velocities computes, for the velocity v (nv) and the configuration last given
// to Kinematics, every body's twist and the time derivative CdofDot of every
// motion subspace column. Hinge and slide axes move with the frame before their
// joint; ball and free-rotation axes move with the body. CdofDot is computed
// with the twist before the joint, which changes individual columns of a
// multi-dof joint but leaves Σ CdofDot·q̇ (the only use of it) exact.
func Velocities(m *Model, d *Data, v []float64) {
	copy(d.qvel, v)
	d.BodyVel[0] = spatial.Motion{}
	for b := 1; b < len(m.Bodies); b++ {
		bodyVelocity(m, d, v, b)
	}
}

// bodyVelocity computes body b's twist and its dofs' CdofDot from its
// parent's twist.
func bodyVelocity(m *Model, d *Data, v []float64, b int) {
	body := &m.Bodies[b]
	vel := &d.BodyVel[b]
	*vel = d.BodyVel[body.Parent]
	for ji := body.JntAdr; ji < body.JntAdr+body.JntNum; ji++ {
		j := &m.Joints[ji]
		da := j.DofAdr
		switch j.Type {
		case JointFree:
			for k := 0; k < 3; k++ {
				d.CdofDot[da+k] = spatial.Motion{}
				vel.AddScaledIn(v[da+k], &d.Cdof[da+k])
			}
			for k := 3; k < 6; k++ {
				d.CdofDot[da+k].SetCross(vel, &d.Cdof[da+k])
			}
			for k := 3; k < 6; k++ {
				vel.AddScaledIn(v[da+k], &d.Cdof[da+k])
			}
		case JointBall:
			for k := 0; k < 3; k++ {
				d.CdofDot[da+k].SetCross(vel, &d.Cdof[da+k])
			}
			for k := 0; k < 3; k++ {
				vel.AddScaledIn(v[da+k], &d.Cdof[da+k])
			}
		default:
			d.CdofDot[da].SetCross(vel, &d.Cdof[da])
			vel.AddScaledIn(v[da], &d.Cdof[da])
		}
	}
}

package rbd

import "github.com/stride-robotics/stride/sim/spatial"

// Integrate advances the configuration q (nq) in place by the velocity v (nv)
// over time h on the configuration manifold: hinge and slide coordinates add
// h·v; free-joint positions add h·(world linear velocity); free and ball
// quaternions rotate by exp(h·ω/2) with ω in the body frame (q ← q ⊗ exp),
// and are renormalised.
func Integrate(m *Model, q, v []float64, h float64) {
	for ji := range m.Joints {
		j := &m.Joints[ji]
		qa, da := j.QAdr, j.DofAdr
		switch j.Type {
		case JointFree:
			q[qa] += h * v[da]
			q[qa+1] += h * v[da+1]
			q[qa+2] += h * v[da+2]
			qa += 3
			da += 3
			fallthrough
		case JointBall:
			r := spatial.Quat{W: q[qa], X: q[qa+1], Y: q[qa+2], Z: q[qa+3]}.Normalize()
			r = r.Integrate(spatial.Vec3{v[da], v[da+1], v[da+2]}, h)
			q[qa], q[qa+1], q[qa+2], q[qa+3] = r.W, r.X, r.Y, r.Z
		default:
			q[qa] += h * v[da]
		}
	}
}

package sim

import "github.com/stride-robotics/stride/sim/rbd"

// kinematics computes body and site poses, the collision geoms' poses,
// motion subspaces and body twists for (q, v).
func (w *World) kinematics(q, v []float64) {
	rbd.BodyKinematics(w.Model, w.Data, q)
	for _, g := range w.collisionGeoms {
		rbd.GeomPose(w.Model, w.Data, g)
	}
	rbd.Velocities(w.Model, w.Data, v)
}

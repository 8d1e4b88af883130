package sim

import "github.com/stride-robotics/stride/sim/rbd"

// kinematics computes body, site and geom poses, motion subspaces and body
// twists for (q, v).
func (w *World) kinematics(q, v []float64) {
	rbd.Kinematics(w.Model, w.Data, q)
	rbd.Velocities(w.Model, w.Data, v)
}

package sim

import "github.com/stride-robotics/stride/sim/rbd"

// passive computes joint damping −b·q̇ and springs −k·(q − q_ref) into
// QfrcPassive. (With the Euler integrator the damping is also integrated
// implicitly; see integrateEuler.)
func (w *World) passive(q, v []float64) {
	rbd.Passive(w.Model, w.QfrcPassive, q, v)
}

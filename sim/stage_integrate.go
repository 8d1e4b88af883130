package sim

import (
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// integrateEuler advances the state with semi-implicit Euler:
// v⁺ = v + h·Qacc, q⁺ = q ⊕ h·v⁺. Joint damping is already implicit in Qacc
// (see dynamics): v⁺ = v + h·(M + h·B)⁻¹·(f + f_c), MuJoCo's Euler.
func (w *World) integrateEuler() {
	s := &w.scratch
	h := w.Opt.Timestep
	copy(s.prevQ, w.Qpos)
	copy(s.prevV, w.Qvel)
	for k := range w.Qvel {
		w.Qvel[k] += h * w.Qacc[k]
	}
	rbd.Integrate(w.Model, w.Qpos, w.Qvel, h)
}

// rk4State holds the stage states of the RK4 integrator.
type rk4State struct {
	q  []float64    // (nq) stage configuration
	v  [4][]float64 // (nv) stage velocities
	a  [4][]float64 // (nv) stage accelerations
	k  [4][]float64 // (nv) stage increments of the coordinates (see stepRK4)
	dq []float64    // (nv) weighted increment
}

func (r *rk4State) init(m *rbd.Model) {
	r.q = make([]float64, m.Nq)
	r.dq = make([]float64, m.Nv)
	for i := range r.v {
		r.v[i] = make([]float64, m.Nv)
		r.a[i] = make([]float64, m.Nv)
		r.k[i] = make([]float64, m.Nv)
	}
}

// stepRK4 advances the state with the classical Runge–Kutta method; each stage
// runs the full forward dynamics (contacts and constraints included) at its
// state. Rotations of free and ball joints are integrated as a Lie-group
// method (Munthe-Kaas): a stage's orientation is q ⊗ exp(Θ), and the rate of
// Θ is not ω but dexp⁻¹ of it, Θ̇ = ω + ½·Θ×ω + (1/12)·Θ×(Θ×ω), which keeps
// the method fourth-order. Qacc is the step's effective acceleration
// Σ bᵢ·aᵢ; the other outputs (Contacts, forces) are those of the last stage.
func (w *World) stepRK4() {
	m, s := w.Model, &w.scratch
	r := &s.rk
	h := w.Opt.Timestep
	copy(s.prevQ, w.Qpos)
	copy(s.prevV, w.Qvel)
	c := [4]float64{0, h / 2, h / 2, h}
	b := [4]float64{h / 6, h / 3, h / 3, h / 6}
	for i := 0; i < 4; i++ {
		copy(r.q, w.Qpos)
		copy(r.v[i], w.Qvel)
		if i > 0 {
			rbd.Integrate(m, r.q, r.k[i-1], c[i])
			for k := range r.v[i] {
				r.v[i][k] += c[i] * r.a[i-1][k]
			}
		}
		w.forward(r.q, r.v[i], i == 0)
		copy(r.a[i], w.Qacc)
		// increments: velocities, with the dexp⁻¹ correction on rotations
		copy(r.k[i], r.v[i])
		if i > 0 {
			for ji := range m.Joints {
				j := &m.Joints[ji]
				da := j.DofAdr
				switch j.Type {
				case rbd.JointFree:
					da += 3
				case rbd.JointBall:
				default:
					continue
				}
				th := spatial.Vec3{r.k[i-1][da], r.k[i-1][da+1], r.k[i-1][da+2]}.Scale(c[i])
				om := spatial.Vec3{r.v[i][da], r.v[i][da+1], r.v[i][da+2]}
				t1 := th.Cross(om)
				kk := om.AddScaled(0.5, t1).AddScaled(1.0/12, th.Cross(t1))
				r.k[i][da], r.k[i][da+1], r.k[i][da+2] = kk[0], kk[1], kk[2]
			}
		}
	}
	clear(r.dq)
	clear(w.Qacc)
	for i := 0; i < 4; i++ {
		for k := range r.dq {
			r.dq[k] += b[i] * r.k[i][k]
			w.Qacc[k] += b[i] / h * r.a[i][k]
		}
	}
	for k := range w.Qvel {
		w.Qvel[k] += h * w.Qacc[k]
	}
	rbd.Integrate(m, w.Qpos, r.dq, 1)
}

package sim

import (
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// dynamics computes the mass matrix, the bias forces (with the applied body
// wrenches), the solver's metric and its factor, and the unconstrained
// acceleration qaccFree = metric⁻¹·(actuator + passive + applied − bias).
//
// The metric is M, or with the Euler integrator and joint damping
// M + h·diag(damping): damping is then integrated implicitly (MuJoCo's
// Euler), and the constraint solve works in the same metric, so contact and
// damping forces are consistent within the step.
func (w *World) dynamics() {
	m, d := w.Model, w.Data
	for b := range d.FExt {
		f := w.XfrcApplied[b]
		if f == (spatial.Force{}) {
			d.FExt[b] = spatial.Force{}
			continue
		}
		// moment as given, force applied at the body's centre of mass
		c := d.CInert[b].COM()
		d.FExt[b] = spatial.Force{Ang: f.Ang.Add(c.Cross(f.Lin)), Lin: f.Lin}
	}
	rbd.CRBA(m, d)
	sc := &w.scratch
	rbd.PackTree(m, d.M, sc.metric)
	if w.hasDamping && w.Opt.Integrator == Euler {
		h := w.Opt.Timestep
		for k := 0; k < m.Nv; k++ {
			sc.metric[m.TreeAdr[k]] += h * m.DofDamping[k]
		}
	}
	copy(sc.metricLD, sc.metric)
	rbd.FactorTreePacked(m, sc.metricLD, sc.metricDinv)
	rbd.Bias(m, d, w.QfrcBias)
	f := sc.force
	for i := range f {
		f[i] = w.QfrcActuator[i] + w.QfrcPassive[i] + w.QfrcApplied[i] - w.QfrcBias[i]
	}
	copy(sc.qaccFree, f)
	rbd.SolveTreePacked(m, sc.metricLD, sc.metricDinv, sc.qaccFree)
}

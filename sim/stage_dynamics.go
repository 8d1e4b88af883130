package sim

import (
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// dynamics computes the mass matrix, the bias forces (with the applied body
// wrenches), the solver's metric and the smooth force
// f = actuator + passive + applied − bias. The metric's factor and the
// unconstrained acceleration qaccFree = metric⁻¹·f are made only when needed
// (factorMetric, freeAcceleration): the Newton solver works without them.
//
// The metric is M, or with the Euler integrator M + h·diag(damping + g),
// g = h·Kp + Kd of each drive's PD (when not saturated): joint damping is
// then integrated implicitly (MuJoCo's Euler), and so are the drives' PD
// laws, evaluated at the end-of-step position and velocity — stable for any
// gains, however light the link. The constraint solve works in the same
// metric, so contact, damping and drive forces are consistent within the
// step.
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
	rbd.PackTree(m, sc.metric, d.M)
	if w.Opt.Integrator == Euler {
		h := w.Opt.Timestep
		for k := 0; k < m.Nv; k++ {
			sc.metric[m.TreeAdr[k]] += h * (m.DofDamping[k] + sc.driveGain[k])
		}
	}
	sc.metricFactored, sc.qaccFreeValid = false, false
	rbd.Bias(m, d, w.QfrcBias)
	f := sc.force
	for i := range f {
		f[i] = w.QfrcActuator[i] + w.QfrcPassive[i] + w.QfrcApplied[i] - w.QfrcBias[i]
	}
}

// factorMetric makes the metric's LᵀDL factor for this step, once.
func (w *World) factorMetric() {
	sc := &w.scratch
	if sc.metricFactored {
		return
	}
	copy(sc.metricLD, sc.metric)
	rbd.FactorTreePacked(w.Model, sc.metricLD, sc.metricDinv)
	sc.metricFactored = true
}

// freeAcceleration makes qaccFree = metric⁻¹·f for this step, once.
func (w *World) freeAcceleration() {
	sc := &w.scratch
	if sc.qaccFreeValid {
		return
	}
	w.factorMetric()
	copy(sc.qaccFree, sc.force)
	rbd.SolveTreePacked(w.Model, sc.qaccFree, sc.metricLD, sc.metricDinv)
	sc.qaccFreeValid = true
}

package sim

import (
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// dynamics computes the mass matrix and its factor, the bias forces (with the
// applied body wrenches), and the unconstrained acceleration
// qaccFree = M⁻¹·(actuator + passive + applied − bias).
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
	rbd.FactorM(m, d)
	rbd.Bias(m, d, w.QfrcBias)
	f := w.scratch.force
	for i := range f {
		f[i] = w.QfrcActuator[i] + w.QfrcPassive[i] + w.QfrcApplied[i] - w.QfrcBias[i]
	}
	copy(w.scratch.qaccFree, f)
	rbd.SolveM(m, d, w.scratch.qaccFree)
}

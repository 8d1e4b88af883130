package sim

import (
	"math/rand/v2"
	"testing"

	"github.com/stride-robotics/stride/sim/models"
)

// The Newton solver's velocity minimises its convex cost: no random
// perturbation lowers it.
func TestNewtonSolutionIsOptimal(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, m, nil, DefaultOptions())
	for i := range m.Actuators {
		j := &m.Joints[m.Actuators[i].Joint]
		w.Drive[i] = DriveCommand{Q: w.Qpos[j.QAdr] + 0.1, Kp: 300, Kd: 8} // pull off the pose: sliding and loads change
	}
	stepN(t, w, 300)
	w.Forward()
	ns := &w.scratch.newton
	v := append([]float64(nil), ns.v...)
	best := w.newtonCost(v)
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, len(v))
	for trial := 0; trial < 200; trial++ {
		scale := 1e-6 * float64(1+trial%5*10)
		for k := range x {
			x[k] = v[k] + scale*rng.NormFloat64()
		}
		if c := w.newtonCost(x); c < best-1e-15*abs(best) {
			t.Fatalf("a perturbation of %.0e lowers the cost: %.17g < %.17g", scale, c, best)
		}
	}
	if len(w.Contacts) == 0 || w.rows.n == 0 {
		t.Fatal("no constraints were active: the test checks nothing")
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

package sim_test

import (
	"testing"

	"github.com/stride-robotics/stride/sim"
)

// BenchmarkStepStand times one physics step of the built-in robot standing
// under joint PD (kp 300, kd 8) at 1 ms: the scenario `stride bench sim` and
// the MuJoCo peer run.
func BenchmarkStepStand(b *testing.B) {
	w := builtin(b, sim.DefaultOptions(), 300, 8)
	for i := 0; i < 500; i++ {
		_ = w.Step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.Step(); err != nil {
			b.Fatal(err)
		}
	}
}

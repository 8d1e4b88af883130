package locomotion_test

import (
	"flag"
	"testing"

	"github.com/stride-robotics/stride/locomotion"
)

var (
	runSpeed   = flag.Float64("run.speed", 2, "m/s TestRunDev runs at")
	runSeconds = flag.Float64("run.seconds", 6, "s TestRunDev runs")
	runGait    = flag.String("run.gait", "run", "gait TestRunDev commands")
	runDev     = flag.Bool("run.dev", false, "run TestRunDev (development log)")
)

// TestRunDev is the development harness: -args -run.dev -run.speed=2.
func TestRunDev(t *testing.T) {
	if !*runDev {
		t.Skip("development harness: -args -run.dev")
	}
	r := newWalkRig(t)
	r.run(t, 300)
	g, err := locomotion.ParseGait(*runGait)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Gait, r.cmd.Vx = g, *runSpeed
	n := int(*runSeconds * 1000)
	var air, strides int
	for i := 0; i < n; i += 100 {
		ok := r.run(t, 100)
		tr := r.robot.Truth()
		if !tr.Feet[0].InContact && !tr.Feet[1].InContact {
			air++
		}
		strides++
		gt, ph := r.walker.Gait()
		t.Logf("t %.2f x %.2f vx %.2f z %.3f c %v%v gait %v ph %.2f duty %.2f flights %d fails %d", r.w.Time, tr.COM[0], tr.BaseLinVel[0], tr.COM[2],
			b2i(tr.Feet[0].InContact), b2i(tr.Feet[1].InContact), gt, ph, r.walker.Scheduler().Duty(), r.walker.Flights(), r.walker.Failures())
		if !ok {
			t.Fatalf("fell at %.2f", r.w.Time)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

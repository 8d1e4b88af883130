package locomotion_test

import (
	"testing"

	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

var _ runtime.Tuner = (*locomotion.Walker)(nil)

// Tune applies the gait timing, swing and gains, and refuses an invalid
// timing or an MPC change, leaving the walker as it was; it allocates
// nothing.
func TestWalkerTune(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var joints []string
	jm := rbd.ActuatorJointMap(m)
	for i := 0; i < jm.Len(); i++ {
		joints = append(joints, m.Joints[jm.Joint[i]].Name)
	}
	wk, err := locomotion.NewWalkerForModel(m, joints, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := wk.Tuning()
	c.Timing.Period0, c.Timing.PeriodMin, c.Swing.Apex, c.StepGain = 0.7, 0.5, 0.1, 1.2
	if err := wk.Tune(c); err != nil {
		t.Fatal(err)
	}
	if wk.Scheduler().Timing.Period0 != 0.7 || wk.Tuning().Swing.Apex != 0.1 || wk.Cfg.StepGain != 1.2 {
		t.Fatalf("after Tune: timing %+v, cfg %+v", wk.Scheduler().Timing, wk.Cfg)
	}
	bad := c
	bad.Timing.PeriodMin = 0.9 // above period0
	if err := wk.Tune(bad); err == nil || wk.Scheduler().Timing.PeriodMin != 0.5 {
		t.Fatalf("an invalid timing: err %v, period_min %g", err, wk.Scheduler().Timing.PeriodMin)
	}
	bad = c
	bad.MPCEvery++
	if err := wk.Tune(bad); err == nil || wk.Cfg.MPCEvery != c.MPCEvery {
		t.Fatalf("an MPC period change: err %v", err)
	}
	if n := testing.AllocsPerRun(10, func() { _ = wk.Tune(c) }); n != 0 {
		t.Fatalf("Tune allocates %.0f times", n)
	}
}

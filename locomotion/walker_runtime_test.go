package locomotion_test

import (
	"context"
	"math"
	"testing"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
)

var (
	_ runtime.Controller        = (*locomotion.Walker)(nil)
	_ runtime.GaitReporter      = (*locomotion.Walker)(nil)
	_ runtime.SchedulePublisher = (*locomotion.Walker)(nil)
)

// The Walker through the runtime's loop (lock-step with the simulator, the
// SIMULATION-ONLY truth estimator): standup, stand, locomotion; stand gait
// for 1 s, then walk at 0.4 m/s for 4 s, then stand again. No fault, no
// fall, forward progress, and the loop's tick (controller included)
// allocates nothing.
func TestWalkerInRuntimeLoop(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(m, nil, sim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	robot, err := simhal.New(w, sim.SensorParams{})
	if err != nil {
		t.Fatal(err)
	}
	wk, err := locomotion.NewWalkerForModel(m, robot.Info().JointNames(), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := wk.P
	cfg := runtime.Defaults()
	cfg.Standup.Duration, cfg.Standup.GainRamp = 1, 0.1
	cfg.Commands.Timeout = 0 // the test sends each set-point once
	l, err := runtime.New(robot, runtime.Options{Config: cfg, Clock: &runtime.LockStep{Stepper: robot}, Home: p.Home,
		Controller: wk, Estimator: &truthEstimator{robot: robot}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	run := func(sec float64) {
		t.Helper()
		if err := l.Run(ctx, int64(math.Round(sec/cfg.Period()))); err != nil {
			t.Fatal(err)
		}
		if f := l.Faults(); f != 0 {
			t.Fatalf("t = %.3f s: faults %v (mode %v)", l.Time(), f, l.Mode())
		}
	}
	run(0.01)
	if err := l.Request(runtime.ModeStandup); err != nil {
		t.Fatal(err)
	}
	run(1.3)
	if err := l.Request(runtime.ModeLocomotion); err != nil {
		t.Fatal(err)
	}
	run(1)
	x0 := robot.Truth().COM
	send := func(c runtime.Command) {
		t.Helper()
		if err := l.Commands().Send(runtime.SourceAPI, c); err != nil {
			t.Fatal(err)
		}
	}
	send(runtime.Command{Set: runtime.SetGait | runtime.SetVelocity, Gait: locomotion.GaitWalk, Vx: 0.4})
	run(4)
	if l.Mode() != runtime.ModeLocomotion {
		t.Fatalf("mode %v while walking", l.Mode())
	}
	d := robot.Truth().COM.Sub(x0)
	send(runtime.Command{Set: runtime.SetGait | runtime.SetVelocity, Gait: locomotion.GaitStand})
	run(2)
	tr := robot.Truth()
	t.Logf("through the loop: walked %.2f m forward (%.2f sideways) in 4 s at 0.4 m/s commanded; base %.3f m high 2 s after stopping", d[0], d[1], tr.BasePos[2])
	if d[0] < 0.8 || math.Abs(d[1]) > 0.3 {
		t.Errorf("moved (%.2f, %.2f) m in 4 s, want ≥ 0.8 m forward", d[0], d[1])
	}
	if tr.BasePos[2] < 0.65 {
		t.Errorf("base at %.3f m after stopping", tr.BasePos[2])
	}
	if g, _ := wk.Gait(); g != locomotion.GaitStand {
		t.Errorf("gait %v 2 s after the stand command", g)
	}
	send(runtime.Command{Set: runtime.SetGait | runtime.SetVelocity, Gait: locomotion.GaitWalk, Vx: 0.3})
	run(1)
	if n := testing.AllocsPerRun(200, func() { _ = l.Run(ctx, 1) }); n != 0 {
		t.Errorf("%.1f allocations per tick with the walker", n)
	}
}

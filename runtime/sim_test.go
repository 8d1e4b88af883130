package runtime_test

// Tests and benchmarks of the loop against the simulator. They live in the
// external test package: runtime itself must not import sim.

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
)

// simRig is the built-in robot on flat ground behind the loop, lock-step.
type simRig struct {
	l     *runtime.Loop
	robot *simhal.Robot
	w     *sim.World
	home  []float64
}

func newRig(t testing.TB, cfg *runtime.Config, ctrl runtime.Controller) *simRig {
	t.Helper()
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
	home := make([]float64, m.Nu)
	robot.Joints.Positions(home, w.Qpos) // keyframe 0, "home"
	l, err := runtime.New(robot, runtime.Options{Config: cfg, Clock: &runtime.LockStep{Stepper: robot}, Home: home, Controller: ctrl})
	if err != nil {
		t.Fatal(err)
	}
	return &simRig{l: l, robot: robot, w: w, home: home}
}

func (r *simRig) run(t testing.TB, ticks int) {
	t.Helper()
	if err := r.l.Run(context.Background(), int64(ticks)); err != nil {
		t.Fatal(err)
	}
}

func (r *simRig) request(t testing.TB, m runtime.Mode) {
	t.Helper()
	if err := r.l.Request(m); err != nil {
		t.Fatal(err)
	}
}

// standing brings the robot up: standup, then stand.
func (r *simRig) standing(t testing.TB) {
	t.Helper()
	r.run(t, 1)
	r.request(t, runtime.ModeStandup)
	r.run(t, int(math.Round((r.l.Config().Standup.Duration+0.3)/r.l.Config().Period())))
	if r.l.Mode() != runtime.ModeStand {
		t.Fatalf("mode %v after standup, want stand", r.l.Mode())
	}
}

// drivesDamped checks that the simulated drives got a damping command.
func (r *simRig) drivesDamped(t testing.TB) {
	t.Helper()
	for i, d := range r.w.Drive {
		if d.Kp != 0 || d.Tau != 0 || d.Kd <= 0 {
			t.Fatalf("drive %d got %+v, want pure damping", i, d)
		}
	}
}

func simConfig() *runtime.Config {
	c := runtime.Defaults()
	c.Standup.Duration = 1
	c.Standup.GainRamp = 0.1
	return c
}

func jointIndex(t testing.TB, r *simRig, name string) int {
	for i, j := range r.robot.Info().Joints {
		if j.Name == name {
			return i
		}
	}
	t.Fatalf("no joint %q", name)
	return -1
}

// switchWindow is how many ticks after a switch count as the switch: longer
// than the transition blend (0.1 s).
const switchWindow = 150

// torqueWatch runs ticks and records the largest tick-to-tick change of any
// joint's delivered torque (the simulated drives' output) at each mode switch.
type torqueWatch struct {
	prev     []float64
	mode     runtime.Mode
	switches []string
	jumps    []float64
	settle   int // ticks since the last switch
}

func (tw *torqueWatch) step(t *testing.T, r *simRig, ticks int) {
	t.Helper()
	for k := 0; k < ticks; k++ {
		r.run(t, 1)
		tau := r.w.ActuatorForce // the drives' output over the physics step just taken
		if tw.prev == nil {
			tw.prev = append([]float64(nil), tau...)
			tw.mode = r.l.Mode()
			tw.settle = switchWindow
			continue
		}
		jump := 0.0
		for i := range tau {
			jump = math.Max(jump, math.Abs(tau[i]-tw.prev[i]))
		}
		copy(tw.prev, tau)
		if m := r.l.Mode(); m != tw.mode {
			tw.switches = append(tw.switches, tw.mode.String()+"→"+m.String())
			tw.jumps = append(tw.jumps, jump)
			tw.mode, tw.settle = m, 0
		} else if tw.settle < switchWindow && len(tw.jumps) > 0 {
			// the hand-over: the blend and the new mode's first moves
			tw.jumps[len(tw.jumps)-1] = math.Max(tw.jumps[len(tw.jumps)-1], jump)
			tw.settle++
		}
	}
}

type hold struct {
	mode runtime.Mode // requested (ModeNone: a reset)
	for_ float64      // s to run after the request
}

// walkModes walks every requested transition, in two runs from rest: the
// first goes up and down without standing (standup ↔ damping), then stands,
// walks the standing modes and lets go (locomotion → damping, estop, reset);
// the second stands and lets go from stand. Damping lets the robot slump and
// the joint-PD stand has no balance feedback, so standup lifts the robot
// only from a brief spell of damping near rest: it is not a fall recovery.
func walkModes(t *testing.T, cfg *runtime.Config) *torqueWatch {
	tw := &torqueWatch{}
	up := cfg.Standup.Duration + 0.3 // → stand by itself
	for _, seq := range [][]hold{
		{{runtime.ModeStandup, 0.2}, {runtime.ModeDamping, 0.04}, {runtime.ModeStandup, up},
			{runtime.ModeLocomotion, 0.5}, {runtime.ModeStand, 0.5}, {runtime.ModeLocomotion, 0.5},
			{runtime.ModeDamping, 0.1}, {runtime.ModeEStop, 0.1}, {runtime.ModeNone, 0.1}},
		{{runtime.ModeStandup, up}, {runtime.ModeDamping, 0.1}},
	} {
		r := newRig(t, cfg, nil)
		tw.prev = nil
		sec := func(s float64) int { return int(math.Round(s / cfg.Period())) }
		tw.step(t, r, sec(0.05))
		for _, h := range seq {
			if h.mode == runtime.ModeNone {
				_ = r.l.Commands().Send(runtime.SourceAPI, runtime.Command{Reset: true})
			} else {
				r.request(t, h.mode)
			}
			tw.step(t, r, sec(h.for_))
		}
		if r.l.Faults() != 0 {
			t.Fatalf("faults %v during the walk", r.l.Faults())
		}
	}
	return tw
}

// Every requested mode transition, in simulation: the delivered joint
// torque never changes by more than 2 N·m from one 1 ms tick to the next at
// a switch or in the 150 ms after it (the effort limits are 61 and 164 N·m). Without the transition
// blend the same walk jumps by far more, so the bound means something.
func TestTransitionsTorqueContinuity(t *testing.T) {
	const bound = 2.0 // N·m per tick
	tw := walkModes(t, simConfig())
	want := "damping→standup standup→damping damping→standup standup→stand stand→locomotion locomotion→stand " +
		"stand→locomotion locomotion→damping damping→estop estop→damping damping→standup standup→stand stand→damping"
	if got := strings.Join(tw.switches, " "); got != want {
		t.Fatalf("switches\n%s\nwant\n%s", got, want)
	}
	for i, s := range tw.switches {
		t.Logf("%-22s max torque change %6.2f N·m/tick", s, tw.jumps[i])
		if tw.jumps[i] > bound {
			t.Errorf("%s: torque jumped %.2f N·m in one tick, bound %g", s, tw.jumps[i], bound)
		}
	}

	noBlend := simConfig()
	noBlend.Transition.Blend = 0
	tw = walkModes(t, noBlend)
	worst := 0.0
	for _, j := range tw.jumps {
		worst = math.Max(worst, j)
	}
	t.Logf("without the blend: worst jump %.1f N·m/tick", worst)
	if worst < 3*bound {
		t.Errorf("without the blend the worst jump is only %.1f N·m: the bound tests nothing", worst)
	}
}

// faultCase checks that a fault injected in simulation ends in want on the
// tick it is first visible, with a fault event naming the cause.
func expectSimTrip(t *testing.T, r *simRig, want runtime.Mode, fault runtime.Fault, text ...string) {
	t.Helper()
	n0 := r.l.EventCount()
	r.run(t, 1)
	if r.l.Mode() != want {
		t.Fatalf("mode %v on the fault's tick, want %v (faults %v)", r.l.Mode(), want, r.l.Faults())
	}
	r.drivesDamped(t)
	ev := r.l.Events()
	for _, e := range ev[len(ev)-int(r.l.EventCount()-n0):] {
		if e.Kind == telemetry.EventFault && runtime.Fault(e.Code) == fault {
			for _, s := range text {
				if !strings.Contains(e.Text(), s) {
					t.Errorf("fault event %q lacks %q", e.Text(), s)
				}
			}
			t.Logf("%.3f s: %s", e.Time, e.Text())
			return
		}
	}
	t.Fatalf("no %v event on the fault's tick", fault)
}

func TestSimFaultNaNSensor(t *testing.T) {
	r := newRig(t, simConfig(), nil)
	r.standing(t)
	knee := jointIndex(t, r, "left_knee_pitch")
	r.robot.Mutate = func(s *hal.Sensors) { s.Q[knee] = math.NaN() }
	expectSimTrip(t, r, runtime.ModeDamping, runtime.FaultSensorNaN, "sensor q is NaN", "left_knee_pitch")
}

// A drive that dies (delivers no torque and stops answering) trips to
// damping on the tick the HAL reports it, naming the joint.
func TestSimFaultDeadActuator(t *testing.T) {
	r := newRig(t, simConfig(), nil)
	r.standing(t)
	knee := jointIndex(t, r, "left_knee_pitch")
	r.w.Motors[knee].Failed = true
	expectSimTrip(t, r, runtime.ModeDamping, runtime.FaultBus, "drive fault", "left_knee_pitch", "comm-lost")
}

func TestSimFaultStaleSensors(t *testing.T) {
	r := newRig(t, simConfig(), nil)
	r.standing(t)
	r.robot.Freeze = true
	bound := int(math.Round(r.l.Config().Safety.Watchdog / r.l.Config().Period()))
	r.run(t, bound)
	if r.l.Mode() != runtime.ModeStand {
		t.Fatalf("tripped within the watchdog bound")
	}
	expectSimTrip(t, r, runtime.ModeDamping, runtime.FaultStale, "stale sensors")
}

// A joint pushed past its range by an external torque trips at the tick its
// measured position passes range + position_hard_margin.
func TestSimFaultJointPastLimit(t *testing.T) {
	cfg := simConfig()
	cfg.Safety.PositionMargin = 0
	cfg.Safety.PositionHardMargin = 0.005
	// Isolate the position check: the push also makes the joint fast and
	// its PD torque large, which would trip those checks first.
	cfg.Safety.VelocityFactor, cfg.Safety.VelocityHardFactor = 10, 10
	cfg.Safety.TorqueFactor, cfg.Safety.TorqueHardFactor = 10, 100
	r := newRig(t, cfg, nil)
	r.standing(t)
	i := jointIndex(t, r, "left_shoulder_roll") // range [-0.3, 2.8]
	j := &r.robot.Info().Joints[i]
	dof := r.robot.Joints.DofAdr[i]
	r.w.QfrcApplied[dof] = -2000 // drive it down, past -0.3
	for k := 0; k < 500; k++ {
		r.run(t, 1)
		q := r.l.Sensors().Q[i]
		if q < j.PosMin-cfg.Safety.PositionHardMargin {
			if r.l.Mode() != runtime.ModeDamping {
				t.Fatalf("q = %g past the range and margin, mode %v", q, r.l.Mode())
			}
			r.drivesDamped(t)
			e, _ := lastFault(r.l, runtime.FaultPosition)
			if !strings.Contains(e.Text(), "left_shoulder_roll") || !strings.Contains(e.Text(), "past its range") {
				t.Errorf("event %q", e.Text())
			}
			t.Logf("%.3f s: %s", e.Time, e.Text())
			return
		}
		if r.l.Mode() != runtime.ModeStand {
			t.Fatalf("mode %v at q = %g (faults %v), before the joint passed its range", r.l.Mode(), q, r.l.Faults())
		}
	}
	t.Fatal("the push did not drive the joint past its range")
}

func lastFault(l *runtime.Loop, f runtime.Fault) (telemetry.Event, bool) {
	ev := l.Events()
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Kind == telemetry.EventFault && runtime.Fault(ev[i].Code) == f {
			return ev[i], true
		}
	}
	return telemetry.Event{}, false
}

// ctrlFunc is a test controller for locomotion mode: hold home, then f.
type ctrlFunc struct {
	f func(c *locomotion.Input, out *hal.Commands)
}

func (c *ctrlFunc) Name() string                  { return "test controller" }
func (c *ctrlFunc) Start(*locomotion.Input) error { return nil }
func (c *ctrlFunc) Stop()                         {}
func (c *ctrlFunc) Err() error                    { return nil }
func (c *ctrlFunc) Step(in *locomotion.Input, out *hal.Commands) {
	out.N = len(in.Home)
	for i, q := range in.Home {
		out.Joint[i] = hal.JointCommand{Q: q, Kp: 300, Kd: 8}
	}
	if c.f != nil {
		c.f(in, out)
	}
}

func TestSimFaultOverLimitCommand(t *testing.T) {
	var tau float64
	ctrl := &ctrlFunc{f: func(_ *locomotion.Input, out *hal.Commands) { out.Joint[3].Tau = tau }}
	r := newRig(t, simConfig(), ctrl)
	r.standing(t)
	r.request(t, runtime.ModeLocomotion)
	r.run(t, 200)
	tau = 1000 // knee, limit 164 N·m
	expectSimTrip(t, r, runtime.ModeDamping, runtime.FaultTorque, "left_knee_pitch", "commanded 1000 N·m")
}

// A push on the torso topples the robot; the tick the base tilt passes
// safety.max_tilt is in damping, with a fall event.
func TestSimFaultPushTopples(t *testing.T) {
	r := newRig(t, simConfig(), nil)
	r.standing(t)
	torso := r.w.Model.BodyIndex("torso")
	maxTilt := r.l.Config().Safety.MaxTilt
	for k := 0; k < 3000; k++ {
		if k < 300 {
			r.w.XfrcApplied[torso].Lin = [3]float64{250, 0, 0} // N forward, 0.3 s
		} else {
			r.w.XfrcApplied[torso].Lin = [3]float64{}
		}
		r.run(t, 1)
		q := r.l.Sensors().IMU.Quat
		tilt := math.Acos(1 - 2*(q[1]*q[1]+q[2]*q[2]))
		if tilt > maxTilt {
			if r.l.Mode() != runtime.ModeDamping {
				t.Fatalf("tilt %.3f rad past %.3f, mode %v", tilt, maxTilt, r.l.Mode())
			}
			r.drivesDamped(t)
			e, ok := lastFault(r.l, runtime.FaultFall)
			if !ok || e.Tick != uint64(r.l.Time()/r.l.Config().Period()+0.5) || !strings.Contains(e.Text(), "fall: base tilt") {
				t.Fatalf("fall event %+v (%q) not on this tick", e.Tick, e.Text())
			}
			t.Logf("%.3f s: %s", e.Time, e.Text())
			return
		}
	}
	t.Fatal("the push did not topple the robot")
}

func TestSimSoftwareEStop(t *testing.T) {
	r := newRig(t, simConfig(), nil)
	r.standing(t)
	_ = r.l.Commands().Send(runtime.SourceUDP, runtime.Command{EStop: true})
	expectSimTrip(t, r, runtime.ModeEStop, runtime.FaultEStop, "software e-stop from udp")
}

// The tick allocates nothing — here even with the simulator's step.
func TestSimTickAllocs(t *testing.T) {
	r := newRig(t, simConfig(), nil)
	r.standing(t)
	ctx := context.Background()
	if n := testing.AllocsPerRun(200, func() { _ = r.l.Run(ctx, 1) }); n != 0 {
		t.Errorf("%.1f allocations per tick (simulator included)", n)
	}
}

// Lock-step stand: how many times faster than real time the loop runs the
// simulated robot (the goal is ≥ 50×; the physics step dominates).
func BenchmarkLockStepStand(b *testing.B) {
	r := newRig(b, simConfig(), nil)
	r.standing(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if err := r.l.Run(ctx, int64(b.N)); err != nil {
		b.Fatal(err)
	}
	el := time.Since(start).Seconds()
	b.ReportMetric(float64(b.N)*r.l.Config().Period()/el, "x_realtime")
	b.ReportMetric(r.l.Health().Compute.Quantile(0.5).Seconds()*1e6, "us_tick_p50")
}

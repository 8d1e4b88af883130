package runtime

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

func TestStartsInDamping(t *testing.T) {
	r := newFakeRobot(4)
	l := newFakeLoop(t, r, testConfig(), nil)
	run(t, l, 3)
	if l.Mode() != ModeDamping {
		t.Fatalf("mode %v, want damping", l.Mode())
	}
	want := hal.Damping(4, l.Config().Damping.Kd)
	if r.written != want {
		t.Errorf("written %+v, want damping %+v", r.written.Joint[0], want.Joint[0])
	}
}

// The modes' transition table: allowed switches happen, refused ones say why
// and change nothing.
func TestTransitionTable(t *testing.T) {
	allowed := map[[2]Mode]bool{
		{ModeDamping, ModeStandup}: true, {ModeDamping, ModeEStop}: true,
		{ModeStandup, ModeDamping}: true, {ModeStandup, ModeEStop}: true,
		{ModeStand, ModeDamping}: true, {ModeStand, ModeLocomotion}: true, {ModeStand, ModeEStop}: true,
		{ModeLocomotion, ModeDamping}: true, {ModeLocomotion, ModeStand}: true, {ModeLocomotion, ModeEStop}: true,
	}
	for from := ModeDamping; from < numModes; from++ {
		for to := ModeDamping; to < numModes; to++ {
			why := refusal(from, to)
			if from == to {
				if why != "" {
					t.Errorf("%v → itself refused: %s", from, why)
				}
				continue
			}
			if allowed[[2]Mode{from, to}] != (why == "") {
				t.Errorf("%v → %v: refusal %q, allowed %v", from, to, why, allowed[[2]Mode{from, to}])
			}
		}
	}
	if refusal(ModeDamping, ModeNone) == "" || refusal(ModeDamping, numModes) == "" {
		t.Error("unknown modes are not refused")
	}
}

// Walk every mode with the fake robot: damping → standup → stand (by itself)
// → locomotion → stand → damping → standup → … → estop → reset → damping.
func TestModeWalk(t *testing.T) {
	r := newFakeRobot(3)
	rec := &memRecorder{}
	l := newFakeLoop(t, r, testConfig(), rec)
	run(t, l, 1)
	if err := l.Request(ModeStand); err == nil || !strings.Contains(err.Error(), "standup first") {
		t.Fatalf("damping → stand: %v", err)
	}
	if err := l.Request(ModeStandup); err != nil {
		t.Fatal(err)
	}
	run(t, l, 100) // 0.1 s of a 0.2 s standup
	if l.Mode() != ModeStandup {
		t.Fatalf("mode %v mid-standup", l.Mode())
	}
	if err := l.Request(ModeStand); err == nil {
		t.Fatal("standup → stand by request accepted")
	}
	run(t, l, 150)
	if l.Mode() != ModeStand {
		t.Fatalf("mode %v after standup's duration, want stand", l.Mode())
	}
	for i := 0; i < 3; i++ {
		approx(t, "joint at home", r.q[i], l.home[i], 1e-9)
	}
	if err := l.Request(ModeLocomotion); err != nil {
		t.Fatal(err)
	}
	run(t, l, 10)
	if e, ok := lastEvent(l, telemetry.EventNote); !ok || !strings.Contains(e.Text(), "placeholder") {
		t.Errorf("entering locomotion with the placeholder did not say so: %q", e.Text())
	}
	for _, m := range []Mode{ModeStand, ModeDamping, ModeStandup} {
		if err := l.Request(m); err != nil {
			t.Fatal(err)
		}
		run(t, l, 10)
	}
	if err := l.Request(ModeEStop); err != nil {
		t.Fatal(err)
	}
	run(t, l, 1)
	if l.Mode() != ModeEStop || r.written != hal.Damping(3, l.Config().EStop.Kd) {
		t.Fatalf("mode %v, written %+v", l.Mode(), r.written.Joint[0])
	}
	for _, m := range []Mode{ModeDamping, ModeStandup, ModeStand} {
		if err := l.Request(m); err == nil || !strings.Contains(err.Error(), "latched") {
			t.Errorf("estop → %v: %v", m, err)
		}
	}
	// A reset from a command source releases it, to damping.
	_ = l.Commands().Send(SourceAPI, Command{Reset: true})
	run(t, l, 1)
	if l.Mode() != ModeDamping {
		t.Fatalf("mode %v after reset", l.Mode())
	}
	var modes []string
	for _, e := range rec.events {
		if e.Kind == telemetry.EventModeChange {
			modes = append(modes, Mode(e.Code).String())
		}
	}
	want := "standup stand locomotion stand damping standup estop damping"
	if strings.Join(modes, " ") != want {
		t.Errorf("mode changes %q, want %q", strings.Join(modes, " "), want)
	}
}

// Standup starts with exactly damping's command (no jump) and ends with
// exactly stand's.
func TestStandupContinuity(t *testing.T) {
	r := newFakeRobot(3)
	r.q = [hal.MaxJoints]float64{0.5, -0.5, 0.9}
	cfg := testConfig()
	cfg.Transition.Blend = 0 // the profile alone must be continuous
	l := newFakeLoop(t, r, cfg, nil)
	run(t, l, 1)
	if err := l.Request(ModeStandup); err != nil {
		t.Fatal(err)
	}
	run(t, l, 1)
	for i := 0; i < 3; i++ {
		c := r.written.Joint[i]
		approx(t, "kp at standup start", c.Kp, 0, 1e-12)
		approx(t, "kd at standup start", c.Kd, cfg.Damping.Kd, 1e-12)
		approx(t, "qd at standup start", c.Qd, 0, 1e-12)
		approx(t, "tau at standup start", c.Tau, 0, 1e-12)
	}
	run(t, l, 199)
	end := r.written
	run(t, l, 2)
	if l.Mode() != ModeStand {
		t.Fatalf("mode %v", l.Mode())
	}
	for i := 0; i < 3; i++ {
		a, b := end.Joint[i], r.written.Joint[i]
		approx(t, "q at standup end", a.Q, b.Q, 1e-5)
		approx(t, "kp at standup end", a.Kp, b.Kp, 1e-9)
		approx(t, "kd at standup end", a.Kd, b.Kd, 1e-9)
		approx(t, "qd at standup end", a.Qd, 0, 0.01) // the profile at t = T − 1 ms
	}
}

// The blend is exact in torque: at any state, the blended command's torque
// is the weighted mean of the two commands' torques.
func TestBlendCommandsTorque(t *testing.T) {
	a := hal.Commands{N: 3, Joint: [hal.MaxJoints]hal.JointCommand{
		{Tau: 3, Q: 0.2, Qd: 1, Kp: 300, Kd: 8}, {Kd: 4}, {Tau: -5, Q: -1, Kp: 50, Kd: 0}}}
	b := hal.Commands{N: 3, Joint: [hal.MaxJoints]hal.JointCommand{
		{Q: -0.3, Kp: 100, Kd: 2}, {Tau: 2, Q: 0.7, Qd: -2, Kp: 200, Kd: 6}, {Kd: 3}}}
	tau := func(c hal.JointCommand, q, qd float64) float64 { return c.Tau + c.Kp*(c.Q-q) + c.Kd*(c.Qd-qd) }
	for _, w := range []float64{0, 0.1, 0.5, 0.93, 1} {
		var d hal.Commands
		blendCommands(&d, &a, &b, w)
		for i := 0; i < 3; i++ {
			for _, s := range [][2]float64{{0, 0}, {0.4, -3}, {-1.2, 7}} {
				want := (1-w)*tau(a.Joint[i], s[0], s[1]) + w*tau(b.Joint[i], s[0], s[1])
				approx(t, "blended torque", tau(d.Joint[i], s[0], s[1]), want, 1e-9)
			}
		}
	}
}

// A refused request from a command source is an event, and changes nothing.
func TestRefusedRequestEvent(t *testing.T) {
	r := newFakeRobot(2)
	l := newFakeLoop(t, r, testConfig(), nil)
	_ = l.Commands().Send(SourceUDP, Command{Mode: ModeLocomotion})
	run(t, l, 1)
	e, ok := lastEvent(l, telemetry.EventNote)
	if l.Mode() != ModeDamping || !ok || !strings.Contains(e.Text(), "refused damping → locomotion (from udp): locomotion starts from stand") {
		t.Fatalf("mode %v, event %q", l.Mode(), e.Text())
	}
}

// Loop health in lock-step: no lateness, compute time measured every tick.
func TestHealthLockStep(t *testing.T) {
	r := newFakeRobot(2)
	l := newFakeLoop(t, r, testConfig(), nil)
	run(t, l, 500)
	h := l.Health()
	if h.Ticks != 500 || h.Deadlines != 500 || h.Missed != 0 || h.Compute.Count() != 500 || h.Lateness.Max() != 0 {
		t.Errorf("health %+v", h.Report())
	}
	if h.Compute.Quantile(0.5) <= 0 {
		t.Error("compute time not measured")
	}
}

// The tick allocates nothing: every stage, with a recorder, a script, the
// UDP source open and commands arriving.
func TestTickAllocs(t *testing.T) {
	r := newFakeRobot(24)
	cfg := testConfig()
	cfg.Commands.UDP.Listen = "127.0.0.1:0"
	scr := &Script{Steps: []ScriptStep{{T: 0.01, Cmd: Command{Mode: ModeStandup}}, {T: 1, Cmd: Command{Set: SetVelocity, Vx: 0.2}}}}
	home := make([]float64, 24)
	l, err := New(r, Options{Config: cfg, Clock: &LockStep{Stepper: r}, Home: home, Recorder: &nopRecorder{}, Script: scr})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.OpenSources(); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	run(t, l, 10)
	for _, phase := range []struct {
		name string
		prep func()
	}{
		{"damping/standup", func() {}},
		{"stand", func() { run(t, l, 300) }},
		{"locomotion", func() { _ = l.Request(ModeLocomotion); run(t, l, 10) }},
		{"commands", func() {
			_ = l.Commands().Send(SourceKeyboard, Command{Set: SetVelocity, Vx: 0.1, Mode: ModeLocomotion})
		}},
	} {
		phase.prep()
		allocs := testing.AllocsPerRun(200, func() {
			_ = l.Commands().Send(SourceAPI, Command{Set: SetVelocity, Vx: 0.1})
			if err := l.Run(ctx, 1); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per tick, want 0", phase.name, allocs)
		}
	}
	if l.Mode() != ModeLocomotion {
		t.Errorf("mode %v, want locomotion", l.Mode())
	}
	// Faults (first tick of a trip builds its message) do not allocate either.
	r.mutate = func(s *hal.Sensors) { s.Q[5] = math.NaN() }
	allocs := testing.AllocsPerRun(50, func() { _ = l.Run(ctx, 1) })
	if allocs != 0 || l.Mode() != ModeDamping {
		t.Errorf("fault: %.1f allocations per tick, mode %v", allocs, l.Mode())
	}
}

// A reloaded config applies at the next tick with an event per change;
// restart-only keys keep their value; a bad file changes nothing.
func TestHotReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("stand:\n  kp: 300\nreload:\n  poll: 0.05\n")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	r := newFakeRobot(2)
	rec := &memRecorder{}
	home := []float64{0, 0}
	var logs []string
	l, err := New(r, Options{Config: cfg, Clock: &LockStep{Stepper: r}, Home: home, Recorder: rec,
		Logf: func(f string, a ...any) { logs = append(logs, f) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.WatchConfig(ctx, path)
	waitPending := func() {
		t.Helper()
		for i := 0; i < 400 && l.pending.Load() == nil; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		if l.pending.Load() == nil {
			t.Fatal("reload not picked up within 4 s")
		}
	}
	write("stand:\n  kp: 350\n  kd: 9\nloop:\n  rate: 500\nreload:\n  poll: 0.05\n")
	waitPending()
	run(t, l, 1)
	if l.Config().Stand.Kp != 350 || l.stand.Kp[1] != 350 || l.stand.Kd[0] != 9 || l.Config().Loop.Rate != 1000 {
		t.Errorf("after reload: stand %+v, stand.Kp %v, rate %g", l.Config().Stand, l.stand.Kp, l.Config().Loop.Rate)
	}
	texts := ""
	for _, e := range l.Events() {
		texts += e.Text() + "\n"
	}
	for _, want := range []string{"stand.kp: 300 → 350", "stand.kd: 8 → 9", "loop.rate changed to 500: needs a restart"} {
		if !strings.Contains(texts, want) {
			t.Errorf("events lack %q:\n%s", want, texts)
		}
	}
	e, _ := lastEvent(l, telemetry.EventParamChange)
	if e.Values[0] != 300 && e.Values[1] != 350 && e.Values[0] != 8 {
		t.Errorf("param event values %v", e.Values)
	}
	// A bad file: nothing changes, an event and a log line say why.
	write("stand:\n  kp: -1\nreload:\n  poll: 0.05\n")
	time.Sleep(5 * time.Millisecond) // a distinct mtime on coarse clocks
	waitPending()
	run(t, l, 1)
	if l.Config().Stand.Kp != 350 {
		t.Errorf("a rejected reload changed stand.kp to %g", l.Config().Stand.Kp)
	}
	if e, _ := lastEvent(l, telemetry.EventNote); !strings.Contains(e.Text(), "rejected") || !strings.Contains(e.Text(), "stand.kp") {
		t.Errorf("event %q", e.Text())
	}
}

func TestNewValidates(t *testing.T) {
	r := newFakeRobot(2)
	_, err := New(r, Options{Clock: &LockStep{Stepper: r}, Home: []float64{0}})
	wantErrContains(t, err, "home pose has 1 values", "2 joints")
	_, err = New(r, Options{Clock: &LockStep{Stepper: r}, Home: []float64{0, 3}})
	wantErrContains(t, err, "joint 1 (jb) = 3 rad, outside its range")
	_, err = New(r, Options{Home: []float64{0, 0}})
	wantErrContains(t, err, "clock")
	bad := Defaults()
	bad.Loop.Rate = 0
	_, err = New(r, Options{Config: bad, Clock: &LockStep{Stepper: r}, Home: []float64{0, 0}})
	wantErrContains(t, err, "loop.rate")
}

// The runtime's own cost per tick (24 joints, stand, a recorder copying the
// tick), without a simulator: a fake robot that servos perfectly.
func BenchmarkTick(b *testing.B) {
	r := newFakeRobot(24)
	l := newFakeLoop(b, r, testConfig(), &nopRecorder{})
	run(b, l, 1)
	_ = l.Request(ModeStandup)
	run(b, l, 300)
	b.ReportAllocs()
	b.ResetTimer()
	run(b, l, int64(b.N))
}

package simrun

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/scene"
)

func TestConfig(t *testing.T) {
	kp, rate := 250.0, 500.0
	cfg, err := Config("", Overrides{Kp: &kp, Rate: &rate}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Stand.Kp != 250 || cfg.Loop.Rate != 500 || cfg.Stand.Kd != runtime.Defaults().Stand.Kd {
		t.Errorf("kp %g rate %g kd %g", cfg.Stand.Kp, cfg.Loop.Rate, cfg.Stand.Kd)
	}
	bad := 333.0
	if _, err := Config("", Overrides{Rate: &bad}, time.Millisecond); err == nil ||
		!strings.Contains(err.Error(), "loop.rate 333 Hz: the control period (0.003003003003003003 s) must be a whole number of physics timesteps (--dt 1ms)") {
		t.Errorf("333 Hz on 1 ms steps: %v", err)
	}
	neg := -5.0
	if _, err := Config("", Overrides{Kp: &neg}, time.Millisecond); err == nil || !strings.Contains(err.Error(), "after the command-line overrides") ||
		!strings.Contains(err.Error(), "stand.kp") {
		t.Errorf("kp -5: %v", err)
	}
}

// The start-up sequence: standup at 0, locomotion after standup, merged in
// time order with the user's script.
func TestScript(t *testing.T) {
	cfg := runtime.Defaults()
	p := filepath.Join(t.TempDir(), "s.yaml")
	writeFile(t, p, "steps:\n  - {t: 0.5, vx: 0.1}\n  - {t: 9, estop: true}\n")
	s, err := Script(cfg, p, "locomotion")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range s.Steps {
		got = append(got, strings.TrimSpace(strings.Join([]string{ftoa(st.T), st.Cmd.Mode.String()}, " ")))
	}
	want := []string{"0 standup", "0.5 none", ftoa(cfg.Standup.Duration+0.1) + " locomotion", "9 none"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("steps %q, want %q", got, want)
	}
	if s, err := Script(cfg, "", "none"); s != nil || err != nil {
		t.Errorf("none without a script: %v, %v; want nothing", s, err)
	}
	if s, err := Script(cfg, "", "stand"); err != nil || len(s.Steps) != 1 || s.Steps[0].Cmd.Mode != runtime.ModeStandup {
		t.Errorf("stand: %+v, %v", s, err)
	}
	if _, err := Script(cfg, "", "walk"); err == nil || !strings.Contains(err.Error(), `--controller "walk"`) {
		t.Errorf("unknown controller: %v", err)
	}
}

func TestHomePose(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	h := HomePose(m)
	k := m.Keyframes[0].Qpos
	for i := range m.Actuators {
		if h[i] != k[m.Joints[m.Actuators[i].Joint].QAdr] {
			t.Fatalf("home %v differs from keyframe %q", h, m.Keyframes[0].Name)
		}
	}
	// without keyframes: the reference pose, clamped into each joint's range
	j := &m.Joints[m.Actuators[3].Joint]
	m.Keyframes = nil
	m.Qpos0[j.QAdr] = j.Range[1] + 1
	if h := HomePose(m); h[3] != j.Range[1] {
		t.Errorf("home of a joint beyond its range: %g, want its upper limit %g", h[3], j.Range[1])
	}
}

// A lock-step run of the stand start-up: 2.5 s, standing at the end, every
// tick logged with truth.
func TestSimulate(t *testing.T) {
	cfg, err := Config("", Overrides{}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	robot, notes, err := Robot(scene.Spec{Timestep: 0.001}, true, 3)
	if err != nil || len(notes) != 0 {
		t.Fatalf("%v, notes %q", err, notes)
	}
	script, err := Script(cfg, "", "stand")
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "run.tlm")
	var progress []int64
	run := &Run{Config: cfg, Script: script, Controller: "stand", Duration: 2500 * time.Millisecond, LogPath: log,
		Progress: func(tick int64) { progress = append(progress, tick) }}
	sum, err := run.Simulate(context.Background(), robot)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Steps != 2500 || math.Abs(sum.SimTime-2.5) > 1e-9 || sum.Fell || sum.FinalMode != "stand" || sum.Loop.Ticks != 2500 || sum.Clock != "lock-step" {
		t.Errorf("summary %+v", sum)
	}
	if sum.FinalBaseHeight < 0.7 || sum.MaxPenetration <= 0 || sum.MaxPenetration > 0.005 {
		t.Errorf("height %g, penetration %g", sum.FinalBaseHeight, sum.MaxPenetration)
	}
	if len(sum.Events) != 2 || !strings.Contains(sum.Events[0], "damping → standup") || !strings.Contains(sum.Events[1], "standup → stand") {
		t.Errorf("events %q", sum.Events)
	}
	if len(progress) != 25 || progress[24] != 2400 {
		t.Errorf("progress calls %v", progress)
	}
	if sum.Log == nil || sum.Log.Ticks != 2500 || sum.Log.DroppedTicks != 0 {
		t.Fatalf("log %+v", sum.Log)
	}
	r, err := telemetry.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := &r.Header
	if h.Source != "sim" || !h.Truth || h.ModelHash != telemetry.HashModel(models.BuiltinMJCF()) || h.Meta["runtime.config"] == "" || h.ModeNames[3] != "stand" {
		t.Errorf("header %+v", h)
	}
	var last telemetry.Tick
	for tk, err := range r.Ticks(2.4, 3) {
		if err != nil {
			t.Fatal(err)
		}
		last = *tk
	}
	if !last.HasTruth || math.Abs(last.Truth.Pos[2]-sum.FinalBaseHeight) > 0.01 {
		t.Errorf("last logged truth %+v, final height %g", last.Truth.Pos, sum.FinalBaseHeight)
	}
}

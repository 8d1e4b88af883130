package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// parse fills the command tree from args as the binary would.
func parse(t *testing.T, args ...string) *cli {
	t.Helper()
	var c cli
	p, err := kong.New(&c, kong.Name("stride"), kong.Exit(func(int) { t.Fatalf("kong exited on %q", args) }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Parse(args); err != nil {
		t.Fatal(err)
	}
	return &c
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// `stride sim --headless --duration 2s --controller stand --json` runs
// through the runtime and keeps the summary's fields.
func TestSimThroughRuntime(t *testing.T) {
	c := parse(t, "sim", "--headless", "--duration", "2500ms", "--controller", "stand", "--json")
	sum, err := c.Sim.simulate()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(sum)
	var fields map[string]any
	_ = json.Unmarshal(b, &fields)
	for _, k := range []string{"model", "controller", "sim_time_s", "wall_time_s", "real_time_factor", "steps",
		"steps_per_s", "final_base_height_m", "max_penetration_m", "fell", "final_mode", "loop"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("summary lacks %q: %s", k, b)
		}
	}
	if sum.Steps != 2500 || math.Abs(sum.SimTime-2.5) > 1e-9 || sum.Fell || sum.FinalMode != "stand" || sum.Loop.Ticks != 2500 {
		t.Errorf("summary %s", b)
	}
	if sum.FinalBaseHeight < 0.7 || sum.MaxPenetration > 0.005 || sum.MaxPenetration <= 0 {
		t.Errorf("height %g, penetration %g", sum.FinalBaseHeight, sum.MaxPenetration)
	}
	if len(sum.Events) != 2 || !strings.Contains(sum.Events[1], "standup → stand") {
		t.Errorf("events %q", sum.Events)
	}
}

// A command script drives the modes; --log writes every tick and event; a
// config file sets the gains.
func TestSimScriptConfigLog(t *testing.T) {
	script := writeFile(t, "s.yaml", "steps:\n  - {t: 0, mode: standup}\n  - {t: 1.2, mode: locomotion, vx: 0.2}\n  - {t: 1.5, estop: true}\n")
	cfg := writeFile(t, "c.yaml", "standup:\n  duration: 1\n  gain_ramp: 0.2\nstand:\n  kp: 280\n")
	log := filepath.Join(t.TempDir(), "run.stl")
	c := parse(t, "sim", "--headless", "--duration", "2s", "--controller", "none", "--commands", script, "--config", cfg, "--log", log)
	sum, err := c.Sim.simulate()
	if err != nil {
		t.Fatal(err)
	}
	if sum.FinalMode != "estop" || len(sum.Faults) != 1 || !strings.Contains(sum.Faults[0], "software e-stop from script") {
		t.Fatalf("final mode %s, faults %q, events %q", sum.FinalMode, sum.Faults, sum.Events)
	}
	if sum.Log == nil || sum.Log.Ticks != 2000 || sum.Log.DroppedTicks != 0 {
		t.Fatalf("log %+v", sum.Log)
	}
	r, err := telemetry.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Header.Source != "sim" || !r.Header.Truth || r.Header.ModeNames[3] != "stand" || r.Header.Meta["runtime.config"] == "" {
		t.Errorf("header %+v", r.Header)
	}
	modes := map[uint8]bool{}
	var last telemetry.Tick
	for tk, err := range r.Ticks(0, 10) {
		if err != nil {
			t.Fatal(err)
		}
		modes[tk.Mode] = true
		last = *tk
	}
	if !modes[2] || !modes[4] || !modes[5] || !last.HasTruth || last.Faults == 0 {
		t.Errorf("modes seen %v, last tick %+v", modes, last.Faults)
	}
	var texts []string
	for e, err := range r.Events(0, 10) {
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, e.Text())
	}
	if j := strings.Join(texts, "\n"); !strings.Contains(j, "walker: phase-clock gait") || !strings.Contains(j, "software e-stop") {
		t.Errorf("logged events:\n%s", j)
	}
}

// Bad config values, scripts and flags give errors that name the key and
// run nothing.
func TestSimBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", writeFile(t, "c.yaml", "safety:\n  watchdog: -1\n")}, "c.yaml:2: config: safety.watchdog"},
		{[]string{"--commands", writeFile(t, "s.yaml", "steps:\n  - {t: 1, vx: 30}\n")}, "s.yaml:2: commands: step 1: vx = 30 m/s"},
		{[]string{"--rate", "333"}, "whole number of physics timesteps"},
		{[]string{"--kp=-5"}, "stand.kp"},
	} {
		c := parse(t, append([]string{"sim", "--headless", "--duration", "1s"}, tc.args...)...)
		sum, err := c.Sim.simulate()
		if sum != nil || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: summary %v, error %v; want one containing %q", tc.args, sum != nil, err, tc.want)
		}
	}
}

func TestConfigPrint(t *testing.T) {
	c := parse(t, "config", "print", "--config", writeFile(t, "c.yaml", "loop:\n  rate: 4000\n"))
	if err := c.Config.Print.Run(); err == nil || !strings.Contains(err.Error(), "loop.late_tolerance") {
		// 4 kHz: the default late tolerance (250 µs) is not below the period
		t.Errorf("error %v", err)
	}
}

// The vendor's PM01 stands through the runtime from both of its files: the
// MJCF (its keyframe) and the URDF (no keyframe: set on the ground; collision
// meshes as boxes; no armature, so its drives' PD must be implicit).
func TestSimVendorModels(t *testing.T) {
	for _, f := range []string{
		"../../../shared/models/pm01/resource/pm_v2.xml",
		"../../../shared/models/pm01/resource/robot/pm_v2/urdf/serial_pm_v2.urdf",
	} {
		if _, err := os.Stat(f); err != nil {
			t.Skip("../shared not present: skipping the vendor models")
		}
		c := parse(t, "sim", "--headless", "--duration", "4s", "--model", f)
		sum, err := c.Sim.simulate()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if sum.Fell || sum.FinalMode != "stand" || sum.FinalBaseHeight < 0.7 || sum.MaxPenetration > 0.005 {
			t.Errorf("%s: fell %v, mode %s, base %.3f m, penetration %.2f mm, faults %v",
				filepath.Base(f), sum.Fell, sum.FinalMode, sum.FinalBaseHeight, sum.MaxPenetration*1e3, sum.Faults)
		}
	}
}

// On sloped and rough ground the start pose is lifted out of the terrain
// rather than starting inside it.
func TestSimLiftsOutOfTerrain(t *testing.T) {
	for _, terrain := range []string{"slope:5", "rough:2"} {
		c := parse(t, "sim", "--headless", "--duration", "50ms", "--terrain", terrain)
		sum, err := c.Sim.simulate()
		if err != nil {
			t.Fatal(err)
		}
		if sum.MaxPenetration > 0.003 {
			t.Errorf("%s: penetration %.2f mm in the first 50 ms", terrain, sum.MaxPenetration*1e3)
		}
	}
}

package rerun

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/telemetrytest"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/scene"
	"github.com/stride-robotics/stride/tools/esteval"
	"github.com/stride-robotics/stride/tools/simrun"
)

// simLog runs the built-in robot through the runtime (standup 0.5 s, then
// stand) for 1 s and logs it.
func simLog(t *testing.T) (string, *simhal.Robot) {
	t.Helper()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfgPath, []byte("standup:\n  duration: 0.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := simrun.Config(cfgPath, simrun.Overrides{}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	robot, _, err := simrun.Robot(scene.Spec{Timestep: 0.001}, true, 5)
	if err != nil {
		t.Fatal(err)
	}
	script, err := simrun.Script(cfg, "", "stand")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "run.tlm")
	run := &simrun.Run{Config: cfg, Script: script, Duration: time.Second, LogPath: p}
	if _, err := run.Simulate(context.Background(), robot); err != nil {
		t.Fatal(err)
	}
	return p, robot
}

func open(t *testing.T, p string) *telemetry.Reader {
	t.Helper()
	r, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func rerunOf(t *testing.T, p string, robot *simhal.Robot, kp *float64) (*Report, error) {
	t.Helper()
	r := open(t, p)
	cfg, gains, err := Config(&r.Header, p, "", kp, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Info: robot.Info(), Home: simrun.HomePose(robot.World.Model), Config: cfg, Gains: gains, Tol: 1e-9, File: p}
	if name, ok := r.Header.Meta[esteval.MetaKey]; ok {
		if o.Estimator, o.EstimatorName, err = esteval.ForModel(name, robot.World.Model, rbd.ActuatedJointNames(robot.World.Model)); err != nil {
			t.Fatal(err)
		}
	}
	return Run(r, o)
}

// The same loop on the same sensors computes the same bits.
func TestRerunMatches(t *testing.T) {
	p, robot := simLog(t)
	rep, err := rerunOf(t, p, robot, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Differs || rep.LoopTicks != 1000 || rep.WarmupTicks != 0 || rep.ModeDiffers != 0 || rep.AllModes.MaxDiff != 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.Rerun != 500 || rep.SkippedModes["standup"] != 500 || rep.EstimateTicks != 1000 {
		t.Errorf("compared %d stand ticks, skipped %v, estimate ticks %d", rep.Rerun, rep.SkippedModes, rep.EstimateTicks)
	}
	for _, f := range append(rep.Fields, rep.EstimateFields...) {
		if f.MaxDiff != 0 {
			t.Errorf("%s differs by %g", f.Field, f.MaxDiff)
		}
	}
	if !strings.Contains(rep.Gains, "kp 300, kd 8 (joint left_hip_pitch) from the log's runtime.config") {
		t.Errorf("gains %q", rep.Gains)
	}
}

// A what-if: stiffer stand gains show in kp, from the first stand tick.
func TestRerunWhatIf(t *testing.T) {
	p, robot := simLog(t)
	kp := 350.0
	rep, err := rerunOf(t, p, robot, &kp)
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Fields[3]
	// (the blend into stand rounds: 1e-9 relative)
	if !rep.Differs || f.Field != "kp" || math.Abs(f.MaxDiff-50) > 5e-8 || math.Abs(f.RMS-50) > 5e-8 {
		t.Errorf("kp field %+v, differs %v; want 50 on every stand tick within 5e-8", f, rep.Differs)
	}
	if rep.ModeDiffers != 0 {
		t.Errorf("modes differ on %d ticks: gains do not change the modes", rep.ModeDiffers)
	}
}

// copyLog writes the log's ticks from `from` seconds on through edit into a
// new log with the same header.
func copyLog(t *testing.T, p string, from float64, edit func(*telemetry.Tick)) string {
	t.Helper()
	r := open(t, p)
	q := filepath.Join(t.TempDir(), "copy.tlm")
	w, err := telemetry.CreateWith(q, r.Header, telemetry.Options{Block: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for tk, err := range r.Ticks(from, 1e9) {
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(tk)
		}
		w.Record(tk)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return q
}

// A log that starts standing is preceded by warm-up ticks, and matches.
func TestRerunWarmUp(t *testing.T) {
	p, robot := simLog(t)
	q := copyLog(t, p, 0.7, nil)
	rep, err := rerunOf(t, q, robot, nil)
	if err != nil {
		t.Fatal(err)
	}
	// standup 0.5 s and the 0.1 s blend, each rounded up a tick
	if rep.WarmupTicks != 501+101 || rep.Differs || rep.Rerun != 300 {
		t.Errorf("warm-up %d ticks, differs %v, compared %d", rep.WarmupTicks, rep.Differs, rep.Rerun)
	}
	// telemetrytest's logs are the runtime loop's own (standup 0.1 s, then
	// stand), with its config: reproduced exactly.
	tl := filepath.Join(t.TempDir(), "tt.tlm")
	if _, err := telemetrytest.Log(tl, telemetrytest.Run{Duration: 0.3}); err != nil {
		t.Fatal(err)
	}
	rep, err = rerunOf(t, tl, robot, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Differs || rep.Rerun != 200 || rep.SkippedModes["standup"] != 100 || rep.ModeDiffers != 0 || !strings.Contains(rep.Gains, "runtime.config") {
		t.Errorf("telemetrytest log: %+v", rep)
	}
}

// A logged mode the input does not explain is a difference; so is a logged
// command the loop would not have sent.
func TestRerunDiffers(t *testing.T) {
	p, robot := simLog(t)
	q := copyLog(t, p, 0, func(tk *telemetry.Tick) {
		if tk.Tick == 800 {
			tk.Mode = 4 // locomotion, never requested
		}
		if tk.Tick == 900 {
			tk.Command.Joint[2].Tau += 1e-6
		}
	})
	rep, err := rerunOf(t, q, robot, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Differs || rep.ModeDiffers != 1 || rep.FirstModeOff != 0.8 || rep.Fields[0].MaxDiff < 0.99e-6 || rep.Fields[0].Time != 0.9 {
		t.Errorf("mode differs %d at %g, tau %+v", rep.ModeDiffers, rep.FirstModeOff, rep.Fields[0])
	}
}

func TestRerunWrongRobot(t *testing.T) {
	p, robot := simLog(t)
	info := *robot.Info()
	info.Joints = append(info.Joints[:0:0], info.Joints...)
	info.Joints[3].Name = "knee"
	r := open(t, p)
	cfg, _, _ := Config(&r.Header, p, "", nil, nil)
	if _, err := Run(r, Options{Info: &info, Config: cfg}); err == nil || !strings.Contains(err.Error(), `log joint 3 is "left_knee_pitch", robot "stride-pm01" has "knee" there`) {
		t.Errorf("wrong joint: %v", err)
	}
	cfg.Loop.Rate = 500
	if _, err := Run(r, Options{Info: robot.Info(), Config: cfg}); err == nil || !strings.Contains(err.Error(), "loop.rate 500 Hz is not the log's 1000 Hz") {
		t.Errorf("wrong rate: %v", err)
	}
}

func TestConfig(t *testing.T) {
	h := &telemetry.Header{Rate: 1000, Joints: []string{"a"}, Meta: map[string]string{}}
	if _, _, err := Config(h, "x.tlm", "", nil, nil); err == nil || !strings.Contains(err.Error(), "give --config FILE or --kp and --kd") {
		t.Errorf("no gains anywhere: %v", err)
	}
	kp, kd := 100.0, 3.0
	cfg, how, err := Config(h, "x.tlm", "", &kp, &kd)
	if err != nil || cfg.Stand.Kp != 100 || cfg.Stand.Kd != 3 || how != "kp 100, kd 3 (joint a) , kp 100 on every joint (--kp), kd 3 on every joint (--kd)" {
		t.Errorf("flags only: %v %q", err, how)
	}
	h.Meta["stand.kp"], h.Meta["stand.kd"] = "x", "1"
	if _, _, err := Config(h, "x.tlm", "", nil, nil); err == nil || !strings.Contains(err.Error(), "are not numbers") {
		t.Errorf("bad metadata: %v", err)
	}
	h.Meta["runtime.config"] = "stand:\n  kp: 120\n  joints:\n    a: {kp: 50, kd: 2}\n"
	cfg, how, err = Config(h, "x.tlm", "", nil, &kd)
	if err != nil || cfg.Stand.Kp != 120 || cfg.Stand.Joints["a"].Kd != 3 || how != "kp 50, kd 3 (joint a) from the log's runtime.config, kd 3 on every joint (--kd)" {
		t.Errorf("runtime.config with a joint override and --kd: %v %q", err, how)
	}
	h.Meta["runtime.config"] = "stand:\n  kp: -1\n"
	if _, _, err := Config(h, "x.tlm", "", nil, nil); err == nil || !strings.Contains(err.Error(), "x.tlm (its runtime.config metadata)") {
		t.Errorf("bad runtime.config: %v", err)
	}
}

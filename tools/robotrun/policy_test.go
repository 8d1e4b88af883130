package robotrun

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stride-robotics/stride/tools/policyrun"
	"github.com/stride-robotics/stride/tools/simrun"
)

// A learned policy through the real driver and the emulated buses: the
// built-in robot stands up, hands over to the zero-action policy of
// tools/policyrun/testdata and holds its pose, in real time.
func TestPolicyOverEmulatedBus(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time run")
	}
	b := newBench(t, nil)
	dir := filepath.Join("..", "policyrun", "testdata")
	ctl, err := policyrun.Controller(filepath.Join(dir, "builtin_stand.onnx"), filepath.Join(dir, "builtin_stand.yaml"), b.file.Info().JointNames())
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	script, err := simrun.Script(cfg, "", "policy")
	if err != nil {
		t.Fatal(err)
	}
	r := &Run{File: b.file, BusDir: b.dir, Config: cfg, Script: script, Controller: "policy", Duration: 3500 * time.Millisecond,
		Estimator: "inekf", Logf: t.Logf, Locomotion: ctl}
	sum, err := r.Execute(context.Background())
	if err != nil {
		t.Fatalf("run: %v (summary %+v)", err, sum)
	}
	h, tilt := b.truth()
	t.Logf("final mode %s, %d policy steps, base height %.3f m, tilt %.3f rad, lateness p99 %.0f µs", sum.FinalMode, ctl.Steps(), h, tilt, sum.Loop.Lateness.P99*1e6)
	if sum.FinalMode != "locomotion" || len(sum.Faults) != 0 {
		t.Fatalf("final mode %s, faults %v", sum.FinalMode, sum.Faults)
	}
	if ctl.Steps() < 50 || h < 0.9*b.h0 || tilt > 0.2 {
		t.Errorf("%d policy steps, base height %.3f m (start %.3f), tilt %.2f rad", ctl.Steps(), h, b.h0, tilt)
	}
}

package policyrun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/locomotion/policy/onnxtest"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/scene"
	"github.com/stride-robotics/stride/tools/simrun"
)

// vendorPM01 is the PM01's vendor MJCF in the shared test data, beside the
// repository.
const vendorPM01 = "../../../shared/models/pm01/resource/pm_v2.xml"

// The example config of docs/policy.md (an Isaac Lab PM01 policy: 87
// observations, 24 actions in the policy's own joint order, 50 Hz) with a
// zero-action network of that shape: `stride policy check` accepts it
// against the vendor's model, and in simulation the robot stands up, hands
// over and holds the config's default pose without a fault.
func TestPM01ExampleConfig(t *testing.T) {
	if _, err := os.Stat(vendorPM01); err != nil {
		t.Skipf("the vendor's PM01 model is not here (%v)", err)
	}
	dir := t.TempDir()
	net := filepath.Join(dir, "pm01.onnx")
	if err := os.WriteFile(net, onnxtest.Linear(make([]float32, 87*24), make([]float32, 24), 87), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := "../../locomotion/policy/testdata/pm01_isaaclab.yaml"
	m, err := models.Load(vendorPM01)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Check(net, cfgPath, m)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, rep)
	}
	if !strings.Contains(rep, "observation (87 values)") || !strings.Contains(rep, "J12_WAIST_YAW") {
		t.Errorf("report:\n%s", rep)
	}
	if testing.Short() {
		return
	}
	cfg, err := simrun.Config("", simrun.Overrides{}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	script, err := simrun.Script(cfg, "", "policy")
	if err != nil {
		t.Fatal(err)
	}
	robot, _, err := simrun.Robot(scene.Spec{Model: vendorPM01, Timestep: 0.001}, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := Controller(net, cfgPath, robot.Info().JointNames())
	if err != nil {
		t.Fatal(err)
	}
	run := &simrun.Run{Config: cfg, Script: script, Controller: "policy", Duration: 4 * time.Second, Locomotion: ctl}
	sum, err := run.Simulate(context.Background(), robot)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Faults) > 0 || sum.Fell || sum.FinalMode != "locomotion" || ctl.Steps() < 90 {
		t.Errorf("faults %v, fell %v, final mode %s, %d policy steps", sum.Faults, sum.Fell, sum.FinalMode, ctl.Steps())
	}
	t.Logf("final base height %.3f m, %d policy steps", sum.FinalBaseHeight, ctl.Steps())
}

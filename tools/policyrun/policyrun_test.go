package policyrun

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/models"
)

func TestInfoAndCheck(t *testing.T) {
	p := writePolicy(t, 0.01, func(string) float64 { return 0 })
	s, err := Info(p.net)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"input  obs", "[1 83]", "output actions", "[1 24]", "Gemm", "parameters: 2016"} {
		if !strings.Contains(s, w) {
			t.Errorf("Info lacks %q:\n%s", w, s)
		}
	}
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	s, err = Check(p.net, p.cfg, m)
	if err != nil {
		t.Fatalf("Check: %v\n%s", err, s)
	}
	for _, w := range []string{"observation (83 values): joint_pos 0:24, joint_vel 24:48", "gait_phase", "period 0.6 s",
		"head_yaw", "ok: the policy, its config and the robot agree"} {
		if !strings.Contains(s, w) {
			t.Errorf("Check report lacks %q:\n%s", w, s)
		}
	}
	// A default outside its joint's range is named with its line.
	y, _ := os.ReadFile(p.cfg)
	bad := strings.Replace(string(y), "{name: head_yaw, default: 0,", "{name: head_yaw, default: 1.5,", 1)
	if bad == string(y) {
		t.Fatal("the test's config has no head_yaw line to change")
	}
	if err := os.WriteFile(p.cfg, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(p.net, p.cfg, m); err == nil || !strings.Contains(err.Error(), `joint "head_yaw" (line 7): default 1.5 is outside its range [-1, 1]`) {
		t.Errorf("Check with a default out of range: %v", err)
	}
	// The pair against a robot without the policy's joints.
	if err := os.WriteFile(p.cfg, y, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Controller(p.net, p.cfg, []string{"J00_HIP_PITCH_L"}); err == nil || !strings.Contains(err.Error(), `"head_yaw" (line 7)`) {
		t.Errorf("Controller for another robot: %v", err)
	}
	if _, err := Controller("", p.cfg, nil); err == nil || !strings.Contains(err.Error(), "needs --policy") {
		t.Errorf("no --policy: %v", err)
	}
	if _, err := LoadConfig(p.net); err == nil || !strings.Contains(err.Error(), "p.onnx:") {
		t.Errorf("an ONNX file as config: %v", err)
	}
	if _, err := LoadNet(p.cfg); err == nil || !strings.Contains(err.Error(), "p.yaml: onnx:") {
		t.Errorf("a YAML file as network: %v", err)
	}
}

var update = flag.Bool("update", false, "rewrite testdata/builtin_stand.{onnx,yaml}")

// testdata/builtin_stand.onnx and .yaml are a zero-action policy for the
// built-in robot (it holds the home pose through the PD), for trying the
// command line:
//
//	stride policy info tools/policyrun/testdata/builtin_stand.onnx
//	stride sim --headless --controller policy --policy tools/policyrun/testdata/builtin_stand.onnx \
//	    --policy-config tools/policyrun/testdata/builtin_stand.yaml
//
// They are what writePolicy makes; go test -run Fixture -update rewrites
// them.
func TestFixture(t *testing.T) {
	p := writePolicy(t, 0, func(string) float64 { return 0 })
	for _, f := range [][2]string{{p.net, "testdata/builtin_stand.onnx"}, {p.cfg, "testdata/builtin_stand.yaml"}} {
		want, err := os.ReadFile(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(f[1], want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(f[1])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what writePolicy makes: run go test -run Fixture -update", f[1])
		}
	}
}

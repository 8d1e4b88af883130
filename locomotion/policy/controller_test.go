package policy

import (
	ot "github.com/stride-robotics/stride/locomotion/policy/onnxtest"
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/hal"
)

func newTestController(t *testing.T, w, b []float32, doc string, robot []string) *Controller {
	t.Helper()
	c, err := ParseConfig("t.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	net, err := Load(ot.Linear(w, b, c.ObsSize()))
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := New(net, c, robot)
	if err != nil {
		t.Fatal(err)
	}
	return ctl
}

func TestControllerSteps(t *testing.T) {
	// Policy joints a, b (a's action clipped at 0.5 before scale 0.5), the
	// robot's c held at home; observation joint_pos (a, b) and command.
	doc := "decimation: 3\nhold: {kp: 50, kd: 1}\njoints:\n" +
		"  - {name: a, default: 0.1, scale: 0.5, clip: 0.5, kp: 30, kd: 2}\n" +
		"  - {name: b, default: -0.2, scale: 2, kp: 40, kd: 3}\n" +
		"observations:\n  - {term: joint_pos}\n  - {term: command}\n  - {term: last_action}\n"
	// 2 actions × 7 observations.
	w := []float32{
		1, 0, 2, 0, 0, 0.5, 0,
		0, 1, 0, 0, 0, 0, -1,
	}
	b := []float32{0.05, -0.01}
	ctl := newTestController(t, w, b, doc, []string{"c", "b", "a"})
	f := newObsFixture()
	f.in.Home = []float64{0.7, 0, 0}
	f.sens.Q[2], f.sens.Q[1] = 0.3, -0.1 // a, b
	f.cmd.Vx = 0.4
	if err := ctl.Start(&f.in); err != nil {
		t.Fatal(err)
	}
	var out hal.Commands
	last := [2]float64{}
	for tick := 0; tick < 7; tick++ {
		f.sens.Q[2] += 0.01
		ctl.Step(&f.in, &out)
		if tick%3 == 0 { // a policy step: recompute by hand
			o := []float64{f.sens.Q[2] - 0.1, f.sens.Q[1] + 0.2, 0.4, 0, 0, last[0], last[1]}
			for j := 0; j < 2; j++ {
				s := float64(b[j])
				for k, v := range o {
					s += float64(w[j*7+k]) * v
				}
				last[j] = s
			}
			last[0] = math.Max(-0.5, math.Min(0.5, last[0]))
		}
		wantA, wantB := 0.1+0.5*last[0], -0.2+2*last[1]
		ja, jb, jc := out.Joint[2], out.Joint[1], out.Joint[0]
		if out.N != 3 || math.Abs(ja.Q-wantA) > 1e-6 || math.Abs(jb.Q-wantB) > 1e-6 || ja.Kp != 30 || ja.Kd != 2 || jb.Kp != 40 || jb.Kd != 3 ||
			ja.Tau != 0 || ja.Qd != 0 || jc != (hal.JointCommand{Q: 0.7, Kp: 50, Kd: 1}) {
			t.Fatalf("tick %d: commands a %+v b %+v c %+v; want targets a %.6f b %.6f", tick, ja, jb, jc, wantA, wantB)
		}
	}
	if ctl.Steps() != 3 {
		t.Errorf("%d policy steps in 7 ticks at decimation 3, want 3", ctl.Steps())
	}
	if a := testing.AllocsPerRun(50, func() { ctl.Step(&f.in, &out) }); a != 0 {
		t.Errorf("Step allocates %v times", a)
	}
}

func TestControllerNaNAction(t *testing.T) {
	doc := "decimation: 1\njoints:\n  - {name: a, default: 0, scale: 1, kp: 1, kd: 0}\nobservations:\n  - {term: joint_vel}\n"
	ctl := newTestController(t, []float32{1}, []float32{0}, doc, []string{"a"})
	f := newObsFixture()
	f.sens.N = 1
	f.sens.Qd[0] = math.Inf(1) // Inf·1 passes; Inf − Inf would be NaN
	if err := ctl.Start(&f.in); err != nil {
		t.Fatal(err)
	}
	var out hal.Commands
	ctl.Step(&f.in, &out)
	if err := ctl.Err(); err == nil || !strings.Contains(err.Error(), "joint a is not finite") {
		t.Errorf("Err after an infinite action: %v", err)
	}
}

func TestControllerChecksPair(t *testing.T) {
	doc := "decimation: 1\njoints:\n  - {name: a, default: 0, scale: 1, kp: 1, kd: 0}\nobservations:\n  - {term: joint_vel}\n  - {term: command}\n"
	c, err := ParseConfig("t.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	net, err := Load(ot.Linear(make([]float32, 5), []float32{0}, 5))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(net, c, []string{"a"}); err == nil || !strings.Contains(err.Error(), `input "obs" has shape [1 5] (5 values); the config's observation has 4 (joint_vel 0:1, command 1:4)`) {
		t.Errorf("size mismatch: %v", err)
	}
	c.Input = "observations"
	if _, err := New(net, c, []string{"a"}); err == nil || !strings.Contains(err.Error(), `no input "observations"; its inputs are ["obs" [1 5]]`) {
		t.Errorf("name mismatch: %v", err)
	}
	net, _ = Load(ot.Linear(make([]float32, 8), []float32{0, 0}, 4))
	c.Input = ""
	if _, err := New(net, c, []string{"a"}); err == nil || !strings.Contains(err.Error(), `output "actions" has shape [1 2] (2 values); the config lists 1 joints`) {
		t.Errorf("action count mismatch: %v", err)
	}
	net, _ = Load(ot.Linear(make([]float32, 4), []float32{0}, 4))
	if _, err := New(net, c, []string{"x"}); err == nil || !strings.Contains(err.Error(), `"a" (line 3)`) {
		t.Errorf("missing joint: %v", err)
	}
}

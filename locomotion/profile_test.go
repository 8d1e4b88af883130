package locomotion_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

func actuatedJoints(m *rbd.Model) []string {
	var names []string
	for _, a := range m.Actuators {
		names = append(names, m.Joints[a.Joint].Name)
	}
	if len(names) == 0 { // URDF without actuators: every hinge
		for _, j := range m.Joints {
			if j.Type == rbd.JointHinge {
				names = append(names, j.Name)
			}
		}
	}
	return names
}

// The built-in robot's profile matches its documented figures: feet boxes
// 0.22 × 0.10 m, 0.18 m apart, base 0.7407 m above the soles at "home", hip
// pitch/roll and knee 164 N·m.
func TestProfileBuiltin(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	p, err := locomotion.DeriveProfile(m, actuatedJoints(m), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Feet[locomotion.Left].Name != "left_foot" || p.Feet[locomotion.Right].Name != "right_foot" {
		t.Errorf("feet %q %q", p.Feet[0].Name, p.Feet[1].Name)
	}
	f := p.Feet[locomotion.Left]
	if math.Abs(f.Length-0.22) > 1e-9 || math.Abs(f.Width-0.10) > 1e-9 {
		t.Errorf("sole %g × %g, want 0.22 × 0.10", f.Length, f.Width)
	}
	if c := f.Center; math.Abs(c[0]-0.03) > 1e-9 || math.Abs(c[1]) > 1e-9 || math.Abs(c[2]+0.06) > 1e-9 {
		t.Errorf("sole centre %v, want the left_foot site (0.03, 0, -0.06)", c)
	}
	if math.Abs(p.Width-0.18) > 1e-9 {
		t.Errorf("width %g, want 0.18", p.Width)
	}
	if math.Abs(p.Height-0.7407257) > 1e-6 {
		t.Errorf("height %g, want 0.7407257", p.Height)
	}
	for k, leg := range p.Legs {
		if len(leg) != 6 {
			t.Fatalf("leg %d has %d joints, want 6", k, len(leg))
		}
		if !strings.Contains(p.Joints[leg[0]], "hip_pitch") || !strings.Contains(p.Joints[leg[5]], "ankle_roll") {
			t.Errorf("leg %d: %s … %s", k, p.Joints[leg[0]], p.Joints[leg[5]])
		}
	}
	knee := -1
	for i, n := range p.Joints {
		if n == "left_knee_pitch" {
			knee = i
		}
	}
	if p.EffortLimit[knee] != 164 || p.Kp[knee] != 328 || math.Abs(p.Kd[knee]-328.0/25) > 1e-12 {
		t.Errorf("knee limit %g, gains %g %g", p.EffortLimit[knee], p.Kp[knee], p.Kd[knee])
	}
	if math.Abs(p.Home[knee]-0.5) > 1e-12 {
		t.Errorf("knee home %g, want 0.5", p.Home[knee])
	}
	if p.Crouch != 0 || math.Abs(p.LegLength-0.68) > 1e-9 || p.HipHeight > 0.99*p.LegLength {
		t.Errorf("leg %.4f m, hip %.4f m at home, crouch %g: want 0.68 m (hip pitch axis to sole), bent, no crouch", p.LegLength, p.HipHeight, p.Crouch)
	}
	if p.COMHeight < 0.6 || p.COMHeight > 0.95 {
		t.Errorf("COM height %g outside the plausible 0.6–0.95 m", p.COMHeight)
	}
}

func TestProfileFileOverrides(t *testing.T) {
	m, _ := models.Builtin()
	f, err := locomotion.ParseProfile("p.yaml", []byte(`
left_foot: left_foot
right_foot: right_foot
home: {left_knee_pitch: 0.7}
gains:
  default: {kp: 50, kd: 2}
  right_knee_pitch: {kp: 400, kd: 9}
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := locomotion.DeriveProfile(m, actuatedJoints(m), f)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range p.Joints {
		switch n {
		case "left_knee_pitch":
			if p.Home[i] != 0.7 || p.Kp[i] != 50 {
				t.Errorf("%s: home %g kp %g", n, p.Home[i], p.Kp[i])
			}
		case "right_knee_pitch":
			if p.Kp[i] != 400 || p.Kd[i] != 9 {
				t.Errorf("%s: kp %g kd %g", n, p.Kp[i], p.Kd[i])
			}
		}
	}
	for _, c := range []struct{ yaml, want string }{
		{"hieght: 3", "field hieght not found"},
		{"gains: {default: {kp: -1, kd: 0}}", `joint "default": kp -1`},
		{"home: {knee: .nan}", "not finite"},
	} {
		if _, err := locomotion.ParseProfile("p.yaml", []byte(c.yaml)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "p.yaml") {
			t.Errorf("%q: error %v, want one naming p.yaml and %q", c.yaml, err, c.want)
		}
	}
	for _, c := range []struct{ yaml, want string }{
		{"home: {no_such_joint: 1}", `no hal joint "no_such_joint"`},
		{"left_foot: torso", "give both"},
		{"left_foot: nope\nright_foot: right_foot", `no body "nope"`},
		{"keyframe: crouch", `no keyframe "crouch"`},
	} {
		f, err := locomotion.ParseProfile("p.yaml", []byte(c.yaml))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := locomotion.DeriveProfile(m, actuatedJoints(m), f); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
}

// The vendor's PM01 MJCF and URDF (test data outside the repo) derive a
// profile too: two feet with soles, six-joint legs, a plausible height.
func TestProfileVendorPM01(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "models", "pm01", "resource")
	for _, file := range []string{"pm_v2.xml", "robot/pm_v2/urdf/serial_pm_v2.urdf"} {
		path := filepath.Join(dir, file)
		if _, err := os.Stat(path); err != nil {
			t.Skipf("vendor model not present: %v", err)
		}
		m, err := models.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := locomotion.DeriveProfile(m, actuatedJoints(m), nil)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		t.Logf("%s: feet %s %s, sole %.3f × %.3f m, width %.3f m, base height %.3f m, COM %.3f m, legs %d+%d joints, hip %.3f of %.3f m (crouch %.3f m)",
			file, p.Feet[0].Name, p.Feet[1].Name, p.Feet[0].Length, p.Feet[0].Width, p.Width, p.Height, p.COMHeight, len(p.Legs[0]), len(p.Legs[1]), p.HipHeight, p.LegLength, p.Crouch)
		if len(p.Legs[0]) != 6 || len(p.Legs[1]) != 6 {
			t.Errorf("%s: legs of %d and %d joints, want 6", file, len(p.Legs[0]), len(p.Legs[1]))
		}
		if p.Height < 0.5 || p.Height > 1.2 || p.Width < 0.1 || p.Width > 0.4 || p.Feet[0].Length < 0.1 {
			t.Errorf("%s: implausible profile", file)
		}
	}
}

// Joint names the model lacks, or an actuated joint left out, are errors
// naming the joint.
func TestProfileJointErrors(t *testing.T) {
	m, _ := models.Builtin()
	names := actuatedJoints(m)
	bad := append([]string{"no_such_joint"}, names[1:]...)
	if _, err := locomotion.DeriveProfile(m, bad, nil); err == nil || !strings.Contains(err.Error(), "no_such_joint") || !strings.Contains(err.Error(), names[0]) {
		t.Errorf("error %v, want one naming no_such_joint and the left-out %s", err, names[0])
	}
}

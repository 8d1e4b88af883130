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
		{"hieght: 3", `p.yaml:1:1: profile: "hieght" is not a key at the top level; the keys are left_foot, right_foot, keyframe, home, gains`},
		{"gains: {default: {kp: -1, kd: 0}}", `p.yaml:1:18: profile: gains.default: kp -1, kd 0: want 0 ≤ kp < 1e5`},
		{"home: {knee: .nan}", "p.yaml:1:14: profile: home.knee: want a finite angle (rad), found NaN"},
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

// Profile errors are for people: file, the real line and column, the key,
// what was expected and what was found; no Go type names or library
// prefixes.
func TestProfileMessagesForPeople(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"left_foot: [a, b]\n", `p.yaml:1:12: profile: left_foot: want a single value, found a list`},
		{"home:\n  knee: abc\n", `p.yaml:2:9: profile: home.knee: want a number, found the text "abc"`},
		{"home:\n  knee: \"0.5\"\n", `p.yaml:2:9: profile: home.knee: want a number, found the quoted text "0.5" (write numbers without quotes)`},
		{"home:\n  knee: 1e999\n", `p.yaml:2:9: profile: home.knee: 1e999 is out of the range of a number`},
		{"gains:\n  knee: {kp: 1, kq: 2}\n", `p.yaml:2:17: profile: gains.knee: "kq" is not a key; the keys are kp, kd`},
		{"gains:\n  knee: 5\n", `p.yaml:2:9: profile: gains.knee: want a mapping with the keys kp, kd, found the number 5`},
		{"home: 5\n", `p.yaml:1:7: profile: home: want a mapping of names to sections, found the number 5`},
		{"keyframe: a\nkeyframe: b\n", `p.yaml:2:1: profile: keyframe: set twice (first on line 1)`},
		{"home:\n  a: 1\n   b: 2\n", `p.yaml:3:`},
		{"home:\n\tknee: 1\n", `p.yaml:2:2: profile: not valid YAML: found character that cannot start any token`},
		{"[1, 2]\n", `p.yaml:1:1: profile: want a mapping with the keys left_foot, right_foot, keyframe, home, gains, found a list`},
		{"home:\n  a: 0.1\n  knee: .inf\n", `p.yaml:3:9: profile: home.knee: want a finite angle (rad), found +Inf`},
		{"gains:\n  knee: {kp: 1e6}\n", `p.yaml:2:9: profile: gains.knee: kp 1e+06, kd 0: want 0 ≤ kp < 1e5, 0 ≤ kd < 1e4`},
	} {
		_, err := locomotion.ParseProfile("p.yaml", []byte(c.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s…", c.yaml, err, c.want)
			continue
		}
		_, msg, _ := strings.Cut(err.Error(), "profile: ")
		for _, bad := range []string{"yaml:", "unmarshal", "float64", "map[", "locomotion.", "!!", "field "} {
			if strings.Contains(msg, bad) {
				t.Errorf("%q: message %q contains %q", c.yaml, err, bad)
			}
		}
	}
	if f, err := locomotion.ParseProfile("p.yaml", []byte("# nothing\n")); err != nil || f == nil {
		t.Errorf("a profile of comments only: %v", err)
	}
}

// A profile either parses with finite values or is an error naming the
// file; never a panic.
func FuzzParseProfile(f *testing.F) {
	f.Add("left_foot: a\nhome: {knee: 0.5}\ngains: {default: {kp: 200, kd: 6}}\n")
	f.Add("home: &a {x: *a}\n")
	f.Add("gains:\n  knee: {kp: 1e6}\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := locomotion.ParseProfile("f.yaml", []byte(s))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for j, q := range p.Home {
			if math.IsNaN(q) || math.IsInf(q, 0) {
				t.Fatalf("home %s = %v accepted", j, q)
			}
		}
	})
}

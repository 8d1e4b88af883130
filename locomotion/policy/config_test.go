package policy

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestParsePM01Example(t *testing.T) {
	data, err := os.ReadFile("testdata/pm01_isaaclab.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig("pm01_isaaclab.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if c.ObsSize() != 87 || len(c.Joints) != 24 || c.Decimation != 20 || c.Quaternion != "wxyz" {
		t.Fatalf("obs %d, joints %d, decimation %d, quaternion %s; want 87, 24, 20, wxyz", c.ObsSize(), len(c.Joints), c.Decimation, c.Quaternion)
	}
	j := c.Joints[2] // waist: the action: defaults
	if j.Name != "J12_WAIST_YAW" || j.Scale != 0.5 || j.Kp != 80 || j.Kd != 2 || !math.IsInf(j.Clip, 1) {
		t.Errorf("joint 2: %+v", j)
	}
	if j := c.Joints[12]; j.Name != "J03_KNEE_PITCH_L" || j.Default != 0.24 || j.Kp != 150 || j.Line != 26 {
		t.Errorf("joint 12: %+v", j)
	}
	want := "joint_pos 0:24, joint_vel 24:48, last_action 48:72, base_ang_vel 72:75, base_quat 75:79, command 79:82, projected_gravity 82:85, gait_phase 85:87"
	if got := c.Layout(); got != want {
		t.Errorf("Layout\n got %s\nwant %s", got, want)
	}
	if p := c.Terms[7]; p.Kind != TermPhase || p.Period != 0.6 || p.CosFirst {
		t.Errorf("gait_phase term %+v", p)
	}
}

func TestPresets(t *testing.T) {
	base := "decimation: 4\njoints:\n  - {name: a, default: 0.1, scale: 0.25, kp: 20, kd: 0.5}\nobservations:\n  - {term: base_ang_vel}\n  - {term: joint_vel}\n  - {term: command}\n  - {term: base_quat}\n"
	c, err := ParseConfig("lg.yaml", []byte("preset: legged_gym\n"+base))
	if err != nil {
		t.Fatal(err)
	}
	if c.Quaternion != "xyzw" || c.ClipObs != 100 || c.Joints[0].Clip != 100 ||
		!slices.Equal(c.Terms[0].Scale, []float64{0.25}) || !slices.Equal(c.Terms[1].Scale, []float64{0.05}) ||
		!slices.Equal(c.Terms[2].Scale, []float64{2, 2, 0.25}) || c.History.Frames != 1 {
		t.Errorf("legged_gym: %+v", c)
	}
	c, err = ParseConfig("hg.yaml", []byte("preset: humanoid_gym\n"+base))
	if err != nil {
		t.Fatal(err)
	}
	if c.Quaternion != "xyzw" || c.ClipObs != 18 || c.Joints[0].Clip != 18 || c.History.Frames != 15 || !c.History.FillZeros ||
		c.History.NewestFirst || !slices.Equal(c.Terms[0].Scale, []float64{1}) || c.ObsSize() != 15*(3+1+3+4) {
		t.Errorf("humanoid_gym: %+v", c)
	}
	c, err = ParseConfig("il.yaml", []byte("preset: isaaclab\nhistory: {frames: 3, order: newest_first}\n"+base))
	if err != nil {
		t.Fatal(err)
	}
	if c.Quaternion != "wxyz" || c.ClipObs != 0 || !math.IsInf(c.Joints[0].Clip, 1) || c.History.Frames != 3 || !c.History.NewestFirst || c.History.FillZeros {
		t.Errorf("isaaclab: %+v", c)
	}
}

func TestConfigErrors(t *testing.T) {
	j := "joints:\n  - {name: a, default: 0, scale: 1, kp: 1, kd: 0}\n"
	o := "observations:\n  - {term: joint_pos}\n"
	cases := []struct{ doc, want string }{
		{"decimation: 20\n" + j + o + "bogus: 1\n", `p.yaml:6:1: "bogus" is not a key here`},
		{j + o, "p.yaml:1:1: decimation is required"},
		{"decimation: 0\n" + j + o, "p.yaml:1:13: decimation: 0 is out of range: want 1 to 1000"},
		{"decimation: 2.5\n" + j + o, "p.yaml:1:13: decimation: want a whole number"},
		{"decimation: 20\nquaternion: wxzy\n" + j + o, `p.yaml:2:13: quaternion: "wxzy": want wxyz, xyzw`},
		{"decimation: 20\njoints:\n  - {name: a, default: 0, scale: 1, kp: 1}\n" + o, `p.yaml:3:5: joints[0]: joint "a": kd is required`},
		{"decimation: 20\njoints:\n  - {name: a, scale: 1, kp: 1, kd: 1}\n" + o, `p.yaml:3:5: joints[0]: joint "a": default is required`},
		{"decimation: 20\njoints:\n  - {name: a, default: x, scale: 1, kp: 1, kd: 1}\n" + o, `p.yaml:3:24: joints[0].default: want a finite number, found "x"`},
		{"decimation: 20\n" + j + "  - {name: a, default: 0, scale: 1, kp: 1, kd: 0}\n" + o, `p.yaml:4:5: joints[1]: joint "a" is listed twice (first on line 3)`},
		{"decimation: 20\n" + j + "observations:\n  - {term: joint_speed}\n", `p.yaml:5:12: observations[0].term: "joint_speed": want joint_pos, joint_vel`},
		{"decimation: 20\n" + j + "observations:\n  - {term: gait_phase}\n", "p.yaml:5:5: observations[0]: gait_phase needs period"},
		{"decimation: 20\n" + j + "observations:\n  - {term: command, scale: [1, 2]}\n", "p.yaml:5:28: observations[0].scale: 2 values: want one, or one per component (command has 3)"},
		{"decimation: 20\n" + j + "observations:\n  - {term: joint_pos, clip: -1}\n", "p.yaml:5:29: observations[0].clip: -1: want a positive bound"},
		{"decimation: 20\n" + j + "observations:\n  - {term: joint_pos, period: 1}\n", "p.yaml:5:5: observations[0]: period and cos_first belong to gait_phase only"},
		{"decimation: 20\n" + j + "observations:\n  - {term: base_quat}\n", "quaternion is required with a base_quat term"},
		{"decimation: 20\n" + j + "observations:\n  - {term: joint_pos, unique: true}\n", "p.yaml:5:5: observations[0]: unique belongs to base_quat only"},
		{"decimation: 20\n" + j + "observations: {term: joint_pos}\n", "p.yaml:4:15: observations: want a list of terms"},
		{"decimation: 20\n" + j + o + "hold: {kp: -3, kd: 1}\n", "p.yaml:6:12: hold.kp: -3 is out of range"},
		{"decimation: [\n", "p.yaml:"},
		{"", "p.yaml:1:1: empty config"},
		{"a: &x 1\nb: *x\n", "p.yaml:1:1:"},
		{"decimation: 20\ndecimation: 20\n", "p.yaml:2:1: decimation: set twice (first on line 1)"},
	}
	for _, c := range cases {
		_, err := ParseConfig("p.yaml", []byte(c.doc))
		if err == nil {
			t.Errorf("%q: parsed", c.doc)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n error %q\n lacks %q", c.doc, err, c.want)
		}
	}
}

func TestBindJoints(t *testing.T) {
	doc := "decimation: 1\njoints:\n  - {name: b, default: 0.2, scale: 1, kp: 1, kd: 0}\n  - {name: zz, default: 0, scale: 1, kp: 1, kd: 0}\n  - {name: yy, default: 0, scale: 1, kp: 1, kd: 0}\nobservations:\n  - {term: joint_pos}\n"
	c, err := ParseConfig("p.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Bind([]string{"a", "b", "c"})
	for _, w := range []string{`"zz" (line 4)`, `"yy" (line 5)`, "a, b, c"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Bind error %v lacks %q", err, w)
		}
	}
	doc = strings.ReplaceAll(strings.ReplaceAll(doc, "zz", "c"), "yy", "a")
	if c, err = ParseConfig("p.yaml", []byte(doc)); err != nil {
		t.Fatal(err)
	}
	if _, _, err = c.Bind([]string{"a", "b", "c", "d"}); err == nil || !strings.Contains(err.Error(), "joints d are not among the policy's; give hold") {
		t.Errorf("undriven joint: %v", err)
	}
	idx, held, err := c.Bind([]string{"c", "a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	// Round trip by name: policy joint i is robot joint idx[i] of the
	// same name, and back.
	robot := []string{"c", "a", "b"}
	for i, k := range idx {
		if robot[k] != c.Joints[i].Name {
			t.Errorf("policy joint %d (%s) → robot joint %d (%s)", i, c.Joints[i].Name, k, robot[k])
		}
	}
	back := make([]int, len(robot))
	for i, k := range idx {
		back[k] = i
	}
	for k := range robot {
		if c.Joints[back[k]].Name != robot[k] {
			t.Errorf("robot joint %d (%s) ← policy joint %d", k, robot[k], back[k])
		}
	}
	if !slices.Equal(idx, []int{2, 0, 1}) || len(held) != 0 {
		t.Errorf("idx %v held %v", idx, held)
	}
}

// FuzzParseConfig: any bytes give a config or an error with a location,
// never a panic.
func FuzzParseConfig(f *testing.F) {
	if data, err := os.ReadFile("testdata/pm01_isaaclab.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("preset: humanoid_gym\ndecimation: 10\njoints:\n  - {name: a, default: 0, scale: 1, kp: 1, kd: 0}\nobservations:\n  - {term: gait_phase, period: 0.64, cos_first: true}\n  - {term: command, scale: [2, 2, 1]}\nhistory: {frames: 3, fill: zeros}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig("f.yaml", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml:") {
				t.Fatalf("error without a location: %v", err)
			}
			return
		}
		if c.Decimation < 1 || len(c.Joints) == 0 || len(c.Terms) == 0 || c.ObsSize() < 1 {
			t.Fatalf("accepted an unusable config: %+v", c)
		}
	})
}

package inspect

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim/mjcf"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

// slider is a 2 kg ball on a vertical slide joint with damping 0.5: its
// dynamics are known in closed form.
func slider(t testing.TB) *rbd.Model {
	t.Helper()
	fs := fstest.MapFS{"s.xml": {Data: []byte(`<mujoco model="slider"><option gravity="0 0 -9.81"/><worldbody><body>
		<joint name="z" type="slide" axis="0 0 1" damping="0.5"/><geom type="sphere" size="0.1" mass="2"/></body></worldbody></mujoco>`)}}
	m, err := mjcf.Load(fs, "s.xml")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFD(t *testing.T) {
	m := slider(t)
	// qpos, qvel, tau: qacc = (tau − 0.5·qvel − 2·9.81) / 2, bias = 2·9.81
	in := "qpos0,qvel0,tau0\n0,0,5\n\n0.3,2,0,extra\n"
	var out bytes.Buffer
	if err := FD(m, strings.NewReader(in), &out, false, 1e-8, 1e-9); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[0] != "qacc0,bias0" {
		t.Fatalf("output:\n%s", out.String())
	}
	for i, want := range [][2]float64{{(5 - 19.62) / 2, 19.62}, {(-1 - 19.62) / 2, 19.62}} {
		f := strings.Split(lines[i+1], ",")
		a, _ := strconv.ParseFloat(f[0], 64)
		b, _ := strconv.ParseFloat(f[1], 64)
		if relErr(a, want[0], 1e-12, 1e-12) > 1e-12 || relErr(b, want[1], 1e-12, 1e-12) > 1e-12 {
			t.Errorf("row %d: qacc %v bias %v, want %v", i+1, a, b, want)
		}
	}
	// --check: a reference that agrees passes and says so; one off by 1e-6
	// relative fails, naming the row.
	ok := "0,0,5,-7.31,19.62\n0,0,0,-9.81,19.62\n"
	out.Reset()
	if err := FD(m, strings.NewReader(ok), &out, true, 1e-8, 1e-9); err != nil || !strings.HasPrefix(out.String(), "rows 2: worst qacc error") {
		t.Errorf("check of agreeing rows: %v\n%s", err, out.String())
	}
	off := "0,0,5,-7.31,19.62\n0,0,0,-9.81001,19.62\n"
	out.Reset()
	if err := FD(m, strings.NewReader(off), &out, true, 1e-8, 1e-9); err == nil || !strings.Contains(out.String(), "(row 2)") {
		t.Errorf("check of a differing row: %v\n%s", err, out.String())
	}
	for _, tc := range []struct{ in, want string }{
		{"1,2\n", "stdin:1: 2 comma-separated columns, want at least 3"},
		{"0,0,0\n0,x,0\n", `stdin:2: column 2: "x" is not a finite number`},
		// Nothing is skipped: a first row that is not a header is data.
		{"0 0 0\n0,0,0\n", "stdin:1: 1 comma-separated columns, want at least 3"},
		{"x,0,0\n0,0,0\n", `stdin:1: column 1: "x" is not a finite number`},
		{"0,\x000,0\n", `stdin:1: column 2: "\x000" is not a finite number`},
		{"NaN,0,0\n", `stdin:1: column 1: "NaN" is not a finite number`},
		{"0,0,inf\n", `stdin:1: column 3: "inf" is not a finite number`},
		{"", "stdin: no rows"},
		{"qpos0,qvel0,tau0\n", "stdin: no rows"},
		{"1e999,0,0\n", `"1e999" is not a finite number`},
	} {
		if err := FD(m, strings.NewReader(tc.in), &out, false, 1e-8, 1e-9); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
	// A check needs rows, and tolerances that can fail.
	for _, tc := range []struct {
		in         string
		rtol, atol float64
		want       string
	}{
		{"", 1e-8, 1e-9, "stdin: no rows"},
		{ok, math.NaN(), 1e-9, "rtol NaN: want a finite tolerance > 0"},
		{ok, 0, 1e-9, "rtol 0: want a finite tolerance > 0"},
		{ok, math.Inf(1), 1e-9, "rtol +Inf"},
		{ok, 1e-8, math.NaN(), "atol NaN: want a finite tolerance ≥ 0"},
		{ok, 1e-8, -1, "atol -1"},
	} {
		if err := FD(m, strings.NewReader(tc.in), &out, true, tc.rtol, tc.atol); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("check %q rtol %g atol %g: %v, want %q", tc.in, tc.rtol, tc.atol, err, tc.want)
		}
	}
}

func TestRelErr(t *testing.T) {
	if e := relErr(1+1e-9, 1, 1e-8, 1e-9); e > 1.01e-9 || e < 0.99e-9 {
		t.Errorf("relative: %g", e)
	}
	if e := relErr(1e-10, 0, 1e-8, 1e-9); e != 1e-10/0.1 {
		t.Errorf("near zero the absolute tolerance counts: %g", e)
	}
	if e := relErr(1, 2, 1, 1); e != 0.5 {
		t.Errorf("%g", e)
	}
}

func TestDescribe(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	info := Describe(m)
	if info.Nq != 31 || info.Nv != 30 || info.Nu != 24 || len(info.Joints) != 25 || len(info.Bodies) != len(m.Bodies)-1 || len(info.Keyframes) != 1 {
		t.Fatalf("info: nq %d nv %d nu %d joints %d bodies %d", info.Nq, info.Nv, info.Nu, len(info.Joints), len(info.Bodies))
	}
	var knee *JointInfo
	for i := range info.Joints {
		if info.Joints[i].Name == "left_knee_pitch" {
			knee = &info.Joints[i]
		}
	}
	if knee == nil || knee.EffortLimit != 164 || knee.VelocityLimit != 26.3 || !knee.Limited {
		t.Errorf("left knee %+v", knee)
	}
	var buf bytes.Buffer
	if err := Print(&buf, &info); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`model "stride-pm01": nq 31, nv 30, nu 24`, "total mass 40.0000 kg", "JOINT", "ACTUATOR", "keyframes: home"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

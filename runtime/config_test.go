package runtime

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultsValid(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := Load("")
	if err != nil || !reflect.DeepEqual(c, Defaults()) {
		t.Fatalf("Load(\"\") = %v, %v; want the defaults", c, err)
	}
}

func TestLoadKeepsUnsetDefaults(t *testing.T) {
	c, err := Parse("tune.yaml", []byte("stand:\n  kp: 250\n  joints:\n    left_knee: {kp: 400, kd: 10}\nsafety:\n  max_tilt: 0.6\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := Defaults()
	if c.Stand.Kp != 250 || c.Stand.Kd != d.Stand.Kd || c.Safety.MaxTilt != 0.6 || c.Loop.Rate != d.Loop.Rate {
		t.Errorf("got stand %+v safety.max_tilt %g loop.rate %g", c.Stand, c.Safety.MaxTilt, c.Loop.Rate)
	}
	if g := c.Stand.Joints["left_knee"]; g.Kp != 400 || g.Kd != 10 {
		t.Errorf("joint gains %+v", g)
	}
	if c, err := Parse("empty.yaml", nil); err != nil || !reflect.DeepEqual(c, Defaults()) {
		t.Errorf("empty file: %v", err)
	}
}

// Every bad value gives an error naming the file, the line, the key and what
// is allowed.
func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"rate too high", "loop:\n  rate: 20000\n", []string{"bad.yaml:2", "loop.rate", "allowed range [10, 10000] Hz"}},
		{"negative kd", "damping:\n  kd: -1\n", []string{"bad.yaml:2", "damping.kd", "[0, 100]"}},
		{"tilt", "safety:\n  watchdog: 0.01\n  max_tilt: 4\n", []string{"bad.yaml:3", "safety.max_tilt", "3.1416"}},
		{"nan", "stand:\n  kp: .nan\n", []string{"bad.yaml:2", "stand.kp", "not a finite number"}},
		{"enum", "loop:\n  overrun: retry\n", []string{"bad.yaml:2", "loop.overrun", "skip, catchup, fault"}},
		{"joint gains", "stand:\n  joints:\n    knee:\n      kp: 9000\n", []string{"bad.yaml:4", "stand.joints.knee.kp"}},
		{"unknown key", "stand:\n  kpp: 3\n", []string{`bad.yaml:2:3: config: stand: "kpp" is not a key; the keys are kp, kd, joints`, "stride config print"}},
		{"unknown section", "walk:\n  speed: 3\n", []string{"walk"}},
		{"wrong type", "loop:\n  rate: fast\n", []string{`bad.yaml:2:9: config: loop.rate: want a number, found the text "fast"`}},
		{"cross-field", "loop:\n  rate: 2000\n  late_tolerance: 0.001\n", []string{"loop.late_tolerance", "not below the period"}},
		{"hard below soft", "safety:\n  velocity_factor: 2\n  velocity_hard_factor: 1.5\n", []string{"safety.velocity_hard_factor", "below safety.velocity_factor"}},
		{"udp address", "commands:\n  udp:\n    listen: localhost\n", []string{"bad.yaml:3", "commands.udp.listen", "HOST:PORT"}},
		{"not a mapping", "- 1\n- 2\n", []string{"mapping of sections"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tc.yaml))
			wantErrContains(t, err, tc.want...)
		})
	}
	// All problems are reported at once.
	_, err := Parse("bad.yaml", []byte("loop:\n  rate: 1\nstand:\n  kp: -3\n"))
	wantErrContains(t, err, "loop.rate", "stand.kp")
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Errorf("error %T is not a *ConfigError", err)
	}
}

// Print writes the effective config with its ranges; loading the printout
// gives the same config back.
func TestPrintRoundTrip(t *testing.T) {
	c := Defaults()
	c.Stand.Kp = 123.5
	c.Stand.Joints["left_knee_pitch"] = JointGains{Kp: 400, Kd: 9}
	out, err := c.Print()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rate: 1000", "[10, 10000] Hz", "kp: 123.5", "left_knee_pitch:", "(restart to change)", "overrun: skip"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("printout lacks %q:\n%s", want, out)
		}
	}
	back, err := Parse("printed.yaml", out)
	if err != nil {
		t.Fatalf("printout does not load: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip changed the config:\n%+v\n%+v", back, c)
	}
	d, _ := Defaults().Print()
	if _, err := Parse("defaults.yaml", d); err != nil {
		t.Errorf("default printout: %v", err)
	}
}

func TestResolveJointNames(t *testing.T) {
	r := newFakeRobot(3)
	c := Defaults()
	c.Stand.Joints["jb"] = JointGains{Kp: 50, Kd: 2}
	p, err := resolve(c, &r.info)
	if err != nil {
		t.Fatal(err)
	}
	if p.kp[0] != c.Stand.Kp || p.kp[1] != 50 || p.kd[1] != 2 || p.kp[2] != c.Stand.Kp {
		t.Errorf("gains %v %v", p.kp[:3], p.kd[:3])
	}
	c.Stand.Joints["knee"] = JointGains{}
	_, err = resolve(c, &r.info)
	wantErrContains(t, err, "stand.joints.knee", `no joint "knee"`, "ja, jb, jc")
	_, err = New(r, Options{Config: c, Clock: &LockStep{Stepper: r}, Home: make([]float64, 3)})
	wantErrContains(t, err, "stand.joints.knee")
}

func TestDiff(t *testing.T) {
	a, b := Defaults(), Defaults()
	b.Stand.Kp = 350
	b.Loop.Rate = 500
	b.Stand.Joints["x"] = JointGains{Kp: 1}
	ch := b.Diff(a)
	keys := []string{}
	for _, c := range ch {
		keys = append(keys, c.Key)
	}
	want := []string{"loop.rate", "stand.joints.x.kd", "stand.joints.x.kp", "stand.kp"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("changed keys %v, want %v", keys, want)
	}
	if !ch[0].Restart || ch[3].Restart || ch[3].OldF != 300 || ch[3].NewF != 350 {
		t.Errorf("changes %+v", ch)
	}
	b.keepRestartKeys(a)
	if b.Loop.Rate != 1000 || b.Stand.Kp != 350 {
		t.Errorf("keepRestartKeys: rate %g kp %g", b.Loop.Rate, b.Stand.Kp)
	}
}

func TestLoadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte("estop:\n  kd: 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil || c.EStop.Kd != 7 {
		t.Fatalf("Load: %v, %+v", err, c.EStop)
	}
	_, err = Load(filepath.Join(t.TempDir(), "missing.yaml"))
	wantErrContains(t, err, "missing.yaml")
}

package runtime

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/locomotion"
)

// The walker section mirrors every tunable field of locomotion.WalkerConfig:
// applying the defaults' section to a zeroed config gives the defaults back
// (only the MPC mode is not in the section).
func TestWalkerSectionRoundTrip(t *testing.T) {
	def := locomotion.DefaultWalkerConfig()
	c := Defaults()
	got := locomotion.WalkerConfig{MPC: def.MPC}
	c.Walker.Apply(&got)
	if !reflect.DeepEqual(got, def) {
		t.Fatalf("section applied = %+v, want the defaults %+v", got, def)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestConfigSet(t *testing.T) {
	c := Defaults()
	if err := c.Set("walker.timing.period0", "0.9"); err != nil {
		t.Fatal(err)
	}
	if c.Walker.Timing.Period0 != 0.9 {
		t.Fatalf("period0 = %g, want 0.9", c.Walker.Timing.Period0)
	}
	if v, ok := c.Get("walker.timing.period0"); !ok || v != "0.9" {
		t.Fatalf("Get = %q %v", v, ok)
	}
	if err := c.Set("stand.joints.knee.kp", "50"); err != nil || c.Stand.Joints["knee"].Kp != 50 {
		t.Fatalf("per-joint gain: %v %+v", err, c.Stand.Joints)
	}
	for _, tc := range []struct{ key, val, want string }{
		{"walker.timing.period9", "1", `"period9" is not a key`},
		{"walker.swing.apex", "0.9", "out of range; allowed range [0, 0.5] m"},
		{"loop.overrun", "sometimes", "not allowed"},
		{"walker.fail_ticks", "1.5", "whole number"},
		{"walker.timing", "1", "want a mapping"},
		{"walker", "{}", "a section"},
	} {
		err := Defaults().Set(tc.key, tc.val)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Set(%s, %s) = %v, want an error with %q", tc.key, tc.val, err, tc.want)
		}
	}
	c = Defaults()
	if err := c.Set("walker.timing.period_min", "1.2"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "walker.timing.period_min: 1.2 s is above walker.timing.period0") {
		t.Fatalf("Validate = %v, want the period cross-check", err)
	}
}

// tunerController is a Tuner that records what it was tuned to.
type tunerController struct {
	fnController
	cfg   locomotion.WalkerConfig
	tunes int
}

func (c *tunerController) Tuning() locomotion.WalkerConfig { return c.cfg }
func (c *tunerController) Tune(w locomotion.WalkerConfig) error {
	c.cfg = w
	c.tunes++
	return nil
}

// New puts the config's walker section in force on a Tuner; a reload that
// changes it retunes the controller at the next tick, with an event per key.
func TestHotReloadWalker(t *testing.T) {
	path := t.TempDir() + "/c.yaml"
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("walker:\n  swing:\n    apex: 0.1\n")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	r := newFakeRobot(2)
	ctrl := &tunerController{cfg: locomotion.DefaultWalkerConfig()}
	l, err := New(r, Options{Config: cfg, Clock: &LockStep{Stepper: r}, Home: []float64{0, 0}, Controller: ctrl})
	if err != nil {
		t.Fatal(err)
	}
	if ctrl.tunes != 1 || ctrl.cfg.Swing.Apex != 0.1 {
		t.Fatalf("at New: %d tunes, apex %g; want 1, 0.1", ctrl.tunes, ctrl.cfg.Swing.Apex)
	}
	write("walker:\n  swing:\n    apex: 0.12\n  timing:\n    period0: 0.9\n")
	if l.prepareReload(path, l.Config().Clone()) == nil {
		t.Fatal("reload rejected")
	}
	if ctrl.tunes != 1 {
		t.Fatal("tuned before the loop's next tick")
	}
	run(t, l, 1)
	if ctrl.tunes != 2 || ctrl.cfg.Swing.Apex != 0.12 || ctrl.cfg.Timing.Period0 != 0.9 {
		t.Fatalf("after the reload: %d tunes, %+v", ctrl.tunes, ctrl.cfg)
	}
	texts := ""
	for _, e := range l.Events() {
		texts += e.Text() + "\n"
	}
	for _, want := range []string{"walker.swing.apex: 0.1 → 0.12", "walker.timing.period0: 0.8 → 0.9"} {
		if !strings.Contains(texts, want) {
			t.Errorf("events lack %q:\n%s", want, texts)
		}
	}
	// An inconsistent timing is rejected whole: the controller keeps its own.
	write("walker:\n  timing:\n    period_min: 2\n")
	if l.prepareReload(path, l.Config().Clone()) != nil {
		t.Fatal("an inconsistent timing was accepted")
	}
	run(t, l, 1)
	if ctrl.tunes != 2 {
		t.Fatalf("a rejected reload retuned the controller")
	}
}

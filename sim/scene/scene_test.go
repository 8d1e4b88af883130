package scene

import (
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
)

func TestParseTerrain(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	height := func(tr *sim.Terrain, x, y float64) float64 {
		t.Helper()
		h, ok := tr.HeightAt(x, y)
		if !ok {
			t.Fatalf("no ground at (%g, %g)", x, y)
		}
		return h
	}
	for _, tc := range []struct {
		spec string
		x    float64
		want float64 // ground height at (x, 0), m
		tol  float64
	}{
		{"", 1, 0, 0},
		{"flat", 3, 0, 0},
		{"slope:10", 1, math.Tan(10 * math.Pi / 180), 1e-12}, // the ground rises along +x
		{"slope", 1, math.Tan(5 * math.Pi / 180), 1e-12},     // default 5°
		{"stairs:15", 0.6, 0.15, 1e-12},                      // the first step, from x = 0.5
		{"stairs", 0.9, 0.20, 1e-12},                         // the second step of the default 10 cm rise
	} {
		tr, err := ParseTerrain(tc.spec, m)
		if err != nil {
			t.Fatalf("%q: %v", tc.spec, err)
		}
		if h := height(tr, tc.x, 0); math.Abs(h-tc.want) > tc.tol {
			t.Errorf("%q: ground at x = %g is %g m, want %g", tc.spec, tc.x, h, tc.want)
		}
	}
	// rough ground stays within its amplitude
	tr, err := ParseTerrain("rough:3", m)
	if err != nil {
		t.Fatal(err)
	}
	hi := 0.0
	for x := -3.0; x <= 3; x += 0.05 {
		hi = math.Max(hi, math.Abs(height(tr, x, 0.3)))
	}
	if hi > 0.03+1e-12 || hi < 0.005 {
		t.Errorf("rough:3: largest |height| %g m, want in (0.005, 0.03]", hi)
	}
	for _, tc := range []struct{ spec, want string }{
		{"slope:50", "--terrain slope:50: slope must be within ±45 degrees"},
		{"slope:x", "--terrain slope:x: slope must be within ±45 degrees"},
		{"stairs:0", "rise must be in (0, 40] cm"},
		{"rough:NaN", "amplitude must be in [0, 20] cm"},
		{"hills", `--terrain "hills": want flat, slope:DEG, stairs:RISE_CM, rough:AMP_CM or model`},
	} {
		if _, err := ParseTerrain(tc.spec, m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.spec, err, tc.want)
		}
	}
}

// The built-in robot starts in its keyframe with the soles on the ground; on
// a slope it is lifted out of the ground and says so.
func TestNew(t *testing.T) {
	w, notes, err := New(Spec{Timestep: 0.0005, Integrator: "rk4"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Opt.Timestep != 0.0005 || w.Opt.Integrator != sim.RK4 || len(notes) != 0 {
		t.Errorf("timestep %g, integrator %v, notes %q", w.Opt.Timestep, w.Opt.Integrator, notes)
	}
	if c := w.GroundClearance(); math.Abs(c) > 1e-4 {
		t.Errorf("keyframe start: ground clearance %g m, want 0 within 0.1 mm", c)
	}
	w, notes, err = New(Spec{Terrain: "slope:10"})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || notes[0] != LiftedNote {
		t.Errorf("slope: notes %q, want the lift note", notes)
	}
	if c := w.GroundClearance(); math.Abs(c-0.001) > 1e-9 {
		t.Errorf("slope: clearance %g m after lifting, want 1 mm", c)
	}
	// Key −1: the reference pose set on the ground, 1 mm above it.
	w, _, err = New(Spec{Key: -1})
	if err != nil {
		t.Fatal(err)
	}
	if c := w.GroundClearance(); math.Abs(c-0.001) > 1e-9 {
		t.Errorf("key -1: clearance %g m, want 1 mm", c)
	}
	for _, tc := range []struct {
		s    Spec
		want string
	}{
		{Spec{Key: 5}, `--key 5: model "stride-pm01" has 1 keyframes`},
		{Spec{Integrator: "verlet"}, `--integrator "verlet"`},
		{Spec{Terrain: "slope:90"}, "--terrain slope:90"},
		{Spec{Model: "robot.obj"}, "robot.obj"},
	} {
		if _, _, err := New(tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.s, err, tc.want)
		}
	}
}

func TestStartKey(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if k, err := StartKey(m, 0); k != 0 || err != nil {
		t.Errorf("key 0 of a model with a keyframe: %d, %v", k, err)
	}
	m.Keyframes = nil
	if k, err := StartKey(m, 0); k != -1 || err != nil {
		t.Errorf("key 0 of a model without keyframes: %d, %v; want -1", k, err)
	}
}

package scene

import (
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/models"
)

// Terrain settings and keyframes are validated before use: no value is
// accepted and ignored, none non-finite or out of range.
func TestBadTerrainAndKeyRefused(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ s, want string }{
		{"flat:3", `--terrain flat:3: flat takes no value (want "flat")`},
		{"model:x", `--terrain model:x: model takes no value`},
		{"slope:", "--terrain slope:: slope must be within ±45 degrees"},
		{"stairs:", "--terrain stairs:: rise must be in (0, 40] cm"},
		{"slope:NaN", "slope must be within ±45 degrees"},
		{"slope:inf", "slope must be within ±45 degrees"},
		{"slope:46", "slope must be within ±45 degrees"},
		{"stairs:0", "rise must be in (0, 40] cm"},
		{"stairs:1e999", "rise must be in (0, 40] cm"},
		{"rough:-1", "amplitude must be in [0, 20] cm"},
		{"rough:nan", "amplitude must be in [0, 20] cm"},
		{"ice", `want flat, slope:DEG, stairs:RISE_CM, rough:AMP_CM or model`},
	} {
		if _, err := ParseTerrain(tc.s, m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.s, err, tc.want)
		}
	}
	for _, s := range []string{"", "flat", "model", "slope", "slope:-10", "stairs:5", "rough:0"} {
		if _, err := ParseTerrain(s, m); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, k := range []int{-5, -2, len(m.Keyframes), 1 << 30} {
		if _, err := StartKey(m, k); err == nil || !strings.Contains(err.Error(), "--key") {
			t.Errorf("--key %d: %v", k, err)
		}
	}
	if k, err := StartKey(m, -1); k != -1 || err != nil {
		t.Errorf("--key -1: %d %v", k, err)
	}
}

// FuzzParseTerrain: any --terrain string is a terrain or an error naming the
// flag, never a panic.
func FuzzParseTerrain(f *testing.F) {
	for _, s := range []string{"flat", "slope:5", "stairs:10", "rough:2", "model", "flat:3", "slope:", ":", "rough:1e308"} {
		f.Add(s)
	}
	m, err := models.Builtin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tr, err := ParseTerrain(s, m)
		if err != nil {
			if !strings.Contains(err.Error(), "--terrain") {
				t.Fatalf("error without the flag: %v", err)
			}
			return
		}
		if tr == nil {
			t.Fatal("nil terrain without an error")
		}
	})
}

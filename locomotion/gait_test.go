package locomotion

import "testing"

// Gait names round-trip; unknown names and numbers are reported.
func TestGaitNames(t *testing.T) {
	for i, n := range GaitNames() {
		g, err := ParseGait(n)
		if err != nil || g != Gait(i) || g.String() != n || !g.Valid() {
			t.Errorf("%q: %v, %v", n, g, err)
		}
	}
	if len(GaitNames()) != 3 {
		t.Errorf("gaits %v, want stand, walk, run", GaitNames())
	}
	if _, err := ParseGait("trot"); err == nil {
		t.Error("ParseGait(trot) accepted")
	}
	if g := Gait(7); g.Valid() || g.String() != "Gait(7)" {
		t.Errorf("Gait(7): valid %v, %q", g.Valid(), g.String())
	}
}

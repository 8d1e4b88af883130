package locomotion

import (
	"testing"

	"github.com/stride-robotics/stride/hal"
)

// Stand commands every joint to its posture with the given gains and no
// feed-forward torque, and does not alias the caller's slice.
func TestStand(t *testing.T) {
	q := []float64{0.1, -0.2, 0.3}
	s := NewStand(q, 300, 8)
	q[0] = 9 // the controller keeps its own copy
	var out hal.Commands
	s.Step(&hal.Sensors{}, &out)
	if out.N != 3 {
		t.Fatalf("N = %d, want 3", out.N)
	}
	want := []float64{0.1, -0.2, 0.3}
	for i, w := range want {
		c := out.Joint[i]
		if c.Q != w || c.Kp != 300 || c.Kd != 8 || c.Tau != 0 || c.Qd != 0 {
			t.Errorf("joint %d: %+v, want Q %g, Kp 300, Kd 8", i, c, w)
		}
	}
}

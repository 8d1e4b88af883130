package locomotion

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/hal"
)

// Standup starts at pure damping from the clamped measured pose, ends at the
// Stand's command, follows the minimum-jerk profile in between with its
// derivative as the velocity target, and reports done at Duration.
func TestStandup(t *testing.T) {
	stand := &Stand{Q: []float64{0.5, -1, 0}, Kp: []float64{300, 200, 100}, Kd: []float64{8, 6, 4}}
	info := &hal.Info{Joints: []hal.JointInfo{{PosMin: -1, PosMax: 1}, {PosMin: -2, PosMax: 2}, {PosMin: -0.5, PosMax: 0.5}}}
	var sens hal.Sensors
	sens.Q[0], sens.Q[1], sens.Q[2] = 0.1, 0.3, 0.9 // joint 2 past its range: starts from 0.5
	s := &Standup{Stand: stand, Duration: 2, GainRamp: 1, Kd0: 1.5}
	s.Start(10, &sens, info)
	var out hal.Commands
	s.Step(10, &out)
	q0 := []float64{0.1, 0.3, 0.5}
	for i := 0; i < 3; i++ {
		if c := out.Joint[i]; c != (hal.JointCommand{Q: q0[i], Kd: 1.5}) {
			t.Errorf("t = 0, joint %d: %+v, want damping at q0 %g", i, c, q0[i])
		}
	}
	if out.N != 3 || s.Done(11.999) || !s.Done(12) {
		t.Errorf("N %d, done at 1.999 s %v, at 2 s %v", out.N, s.Done(11.999), s.Done(12))
	}
	// Midway: p(½) = ½, p'(½) = 30/16/T; gains at r = smoothstep(1) = 1.
	s.Step(11, &out)
	for i := 0; i < 3; i++ {
		d := stand.Q[i] - q0[i]
		c := out.Joint[i]
		if math.Abs(c.Q-(q0[i]+d/2)) > 1e-12 || math.Abs(c.Qd-30.0/16/2*d) > 1e-12 || c.Kp != stand.Kp[i] || c.Kd != stand.Kd[i] {
			t.Errorf("t = 1, joint %d: %+v", i, c)
		}
	}
	// A quarter into the gain ramp: r = smoothstep(¼) = 5/32.
	s.Step(10.25, &out)
	if r := 5.0 / 32; math.Abs(out.Joint[0].Kp-r*300) > 1e-12 || math.Abs(out.Joint[0].Kd-(1.5+r*(8-1.5))) > 1e-12 {
		t.Errorf("t = 0.25: kp %g kd %g", out.Joint[0].Kp, out.Joint[0].Kd)
	}
	s.Step(12, &out)
	var want hal.Commands
	stand.Step(&sens, &want)
	for i := 0; i < 3; i++ {
		if c, w := out.Joint[i], want.Joint[i]; math.Abs(c.Q-w.Q) > 1e-15 || c.Qd != 0 || c.Kp != w.Kp || c.Kd != w.Kd || c.Tau != 0 {
			t.Errorf("t = T, joint %d: %+v, want the stand's %+v", i, c, w)
		}
	}
	if a := testing.AllocsPerRun(100, func() { s.Step(11, &out) }); a != 0 {
		t.Errorf("Step allocates %g times", a)
	}
}

func TestSmoothstep(t *testing.T) {
	for _, c := range [][2]float64{{-1, 0}, {0, 0}, {0.25, 5.0 / 32}, {0.5, 0.5}, {1, 1}, {2, 1}} {
		if got := Smoothstep(c[0]); math.Abs(got-c[1]) > 1e-15 {
			t.Errorf("Smoothstep(%g) = %g, want %g", c[0], got, c[1])
		}
	}
}

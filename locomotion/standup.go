package locomotion

import (
	"math"

	"github.com/stride-robotics/stride/hal"
)

// Standup moves each joint from where it was at Start to a Stand's posture
// along a minimum-jerk profile p(s) = 10s³ − 15s⁴ + 6s⁵, s = t/Duration,
// while the stiffness rises from zero to the Stand's Kp and the damping from
// Kd0 to the Stand's Kd over GainRamp (smoothstep; GainRamp 0: full gains at
// once). At t = 0 the command equals pure damping with Kd0 (Kp = 0, Qd = 0),
// at t = Duration the Stand's: the torque is continuous at both ends. The
// target and gains are read from Stand on every Step, so a change of the
// stand gains takes effect at once. Step allocates nothing.
type Standup struct {
	Stand    *Stand  // target posture and final gains
	Duration float64 // s, time to reach the posture (> 0)
	GainRamp float64 // s, time over which the gains rise
	Kd0      float64 // N·m·s/rad, damping at the start

	t0 float64
	q0 [hal.MaxJoints]float64
}

// Start begins the motion at time t from the measured positions in s, each
// clamped to its joint's range in info.
func (s *Standup) Start(t float64, sens *hal.Sensors, info *hal.Info) {
	s.t0 = t
	for i := range s.Stand.Q {
		j := &info.Joints[i]
		s.q0[i] = math.Min(math.Max(sens.Q[i], j.PosMin), j.PosMax)
	}
}

// Done reports whether the profile has reached the posture at time t.
func (s *Standup) Done(t float64) bool { return t-s.t0 >= s.Duration-1e-9 }

// Step writes the command for time t.
func (s *Standup) Step(t float64, out *hal.Commands) {
	t -= s.t0
	u := math.Min(1, math.Max(0, t/s.Duration))
	p := u * u * u * (10 - 15*u + 6*u*u)
	dp := 30 * u * u * (1 - u) * (1 - u) / s.Duration
	r := 1.0
	if s.GainRamp > 0 {
		r = Smoothstep(t / s.GainRamp)
	}
	st, kd0 := s.Stand, s.Kd0
	out.N = len(st.Q)
	for i := range st.Q {
		d := st.Q[i] - s.q0[i]
		out.Joint[i] = hal.JointCommand{
			Q: s.q0[i] + p*d, Qd: dp * d,
			Kp: r * st.Kp[i], Kd: kd0 + r*(st.Kd[i]-kd0),
		}
	}
}

// Smoothstep is 3x² − 2x³ on [0, 1], 0 below and 1 above: a ramp with zero
// slope at both ends.
func Smoothstep(x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	return x * x * (3 - 2*x)
}

package locomotion

import "github.com/stride-robotics/stride/hal"

// Stand holds a posture with joint PD run by the drives: every joint gets the
// target Q, gains Kp and Kd, and zero feed-forward torque.
type Stand struct {
	Q      []float64 // target joint positions, in hal joint order
	Kp, Kd []float64 // per-joint gains
}

// NewStand returns a Stand for the posture q with the same gains on every
// joint.
func NewStand(q []float64, kp, kd float64) *Stand {
	s := &Stand{Q: append([]float64(nil), q...), Kp: make([]float64, len(q)), Kd: make([]float64, len(q))}
	for i := range q {
		s.Kp[i], s.Kd[i] = kp, kd
	}
	return s
}

// Step writes the command for one tick.
func (s *Stand) Step(_ *hal.Sensors, out *hal.Commands) {
	out.N = len(s.Q)
	for i := range s.Q {
		out.Joint[i] = hal.JointCommand{Q: s.Q[i], Kp: s.Kp[i], Kd: s.Kd[i]}
	}
}

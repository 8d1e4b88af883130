package sim

import (
	"math"

	"github.com/stride-robotics/stride/sim/rbd"
)

// DriveCommand is the command form real joint drives take ("MIT mode"): a
// feed-forward torque plus a PD law that the drive evaluates itself, here at
// the physics rate:
//
//	τ = Tau + Kp·(Q − q) + Kd·(Qd − q̇)
//
// A zero command yields no torque.
type DriveCommand struct {
	Tau    float64 // N·m (N for slide joints)
	Q, Qd  float64 // position and velocity targets
	Kp, Kd float64 // gains, N·m/rad and N·m·s/rad
}

// Motor is the drive model of one actuator: what the drive and motor can
// deliver at the joint.
type Motor struct {
	// PeakTorque (N·m) bounds |τ|; 0 means no bound. Defaults to the joint's
	// effort limit.
	PeakTorque float64
	// MaxSpeed (rad/s) is the no-load speed: torque in the direction of motion
	// falls linearly from PeakTorque at KneeSpeed to zero at MaxSpeed (a DC
	// motor's torque–speed line; braking torque stays available). 0 means no
	// limit. Defaults to the joint's velocity limit.
	MaxSpeed float64
	// KneeSpeed (rad/s) is where the torque–speed line starts; default
	// 0.6·MaxSpeed.
	KneeSpeed float64
	// LagTimeConst (s) is a first-order lag between commanded and delivered
	// torque (current-loop bandwidth 1/(2π·T)); 0 means none.
	LagTimeConst float64
	// LatencySteps delays the commands (Ctrl and Drive) by whole physics steps,
	// as a bus does; at most MaxLatencySteps.
	LatencySteps int
	// Failed makes a dead drive: it delivers no torque whatever it is told
	// (fault-injection; simhal reports it as a lost drive).
	Failed bool
}

// MaxLatencySteps bounds Motor.LatencySteps.
const MaxLatencySteps = 64

// DefaultMotors returns one Motor per actuator from the joints' effort and
// velocity limits, without lag or latency.
func DefaultMotors(m *rbd.Model) []Motor {
	ms := make([]Motor, m.Nu)
	for i := range m.Actuators {
		j := &m.Joints[m.Actuators[i].Joint]
		if j.EffortLimited {
			ms[i].PeakTorque = math.Max(-j.EffortRange[0], j.EffortRange[1])
		}
		ms[i].MaxSpeed = j.VelocityLimit
		ms[i].KneeSpeed = 0.6 * j.VelocityLimit
	}
	return ms
}

// limit returns the torque the motor delivers for a commanded τ at speed qd.
func (mo *Motor) limit(tau, qd float64) float64 {
	peak := mo.PeakTorque
	if peak > 0 {
		tau = clamp(tau, -peak, peak)
	}
	if mo.MaxSpeed > 0 && tau*qd > 0 {
		s := math.Abs(qd)
		if s > mo.KneeSpeed {
			avail := 0.0
			if s < mo.MaxSpeed {
				p := peak
				if p == 0 {
					p = math.Abs(tau)
				}
				avail = p * (mo.MaxSpeed - s) / (mo.MaxSpeed - mo.KneeSpeed)
			}
			if math.Abs(tau) > avail {
				tau = math.Copysign(avail, tau)
			}
		}
	}
	return tau
}

// driveState holds the latency line and lag filter of every actuator.
type driveState struct {
	ctrl   [MaxLatencySteps + 1][]float64
	cmd    [MaxLatencySteps + 1][]DriveCommand
	head   int
	lagged []float64
}

func (s *driveState) init(nu int) {
	for i := range s.ctrl {
		s.ctrl[i] = make([]float64, nu)
		s.cmd[i] = make([]DriveCommand, nu)
	}
	s.lagged = make([]float64, nu)
}

// push records this step's commands in the latency line (only needed when
// some motor has latency).
func (s *driveState) push(ctrl []float64, cmd []DriveCommand) {
	s.head = (s.head + 1) % len(s.ctrl)
	copy(s.ctrl[s.head], ctrl)
	copy(s.cmd[s.head], cmd)
}

func (s *driveState) reset() {
	for i := range s.ctrl {
		clear(s.ctrl[i])
		clear(s.cmd[i])
	}
	clear(s.lagged)
	s.head = 0
}

package hal

import (
	"fmt"
	"math"
)

// MaxJoints bounds the joints a robot may have; Sensors and Commands are
// fixed-size so the control loop copies them without allocating.
const MaxJoints = 32

// Robot is a robot the control loop can drive: real (an actuator bus) or
// simulated. Implementations are used from one goroutine.
type Robot interface {
	// Info describes the robot; it does not change while the robot exists.
	Info() *Info
	// Read fills s with the newest measurements. It does not block for long:
	// if nothing new has arrived, s.Seq stays as it was and the watchdog in the
	// runtime notices.
	Read(s *Sensors) error
	// Write sends commands to the drives. A command with a NaN or infinite
	// value, a negative gain or the wrong joint count is rejected whole with an
	// error naming the joint and field, and nothing is sent.
	Write(c *Commands) error
	// Halt puts the robot in an inert, safe state: every drive holds no
	// position and applies pure velocity damping (or is disabled where the
	// hardware cannot damp). It is always safe to call.
	Halt() error
}

// Disturber is implemented by robots that can be pushed on purpose: a
// simulated robot (hal/simhal). A real robot does not implement it, and the
// runtime refuses a command script with a push step for one.
type Disturber interface {
	// Push applies impulse (N·s) to the base, given in the base's heading
	// frame at the time of the call (x forward along its yaw, y left, z up),
	// as a constant force over the next duration seconds of the robot's
	// time (rounded to whole physics steps, the force scaled so the impulse
	// is exact). A push while another is under way replaces the rest of
	// it. A non-finite impulse or a duration that is not finite and > 0 is
	// refused with an error, and nothing is pushed.
	Push(impulse [3]float64, duration float64) error
}

// Info describes a robot's joints, in the order of Sensors and Commands.
type Info struct {
	Name   string
	Joints []JointInfo
}

// JointInfo gives a joint's name and limits.
type JointInfo struct {
	Name          string
	PosMin        float64 // rad (m); −Inf when unlimited
	PosMax        float64 // rad (m); +Inf when unlimited
	VelocityLimit float64 // rad/s; +Inf when unknown
	EffortLimit   float64 // N·m; +Inf when unknown
}

// NumJoints returns len(Joints).
func (i *Info) NumJoints() int { return len(i.Joints) }

// JointNames returns the joints' names in hal order: what rbd.NewJointMap
// takes to map this robot's joints onto its model.
func (i *Info) JointNames() []string {
	names := make([]string, len(i.Joints))
	for k := range i.Joints {
		names[k] = i.Joints[k].Name
	}
	return names
}

// IMU holds an inertial measurement unit's readings in its own frame.
type IMU struct {
	Quat  [4]float64 // orientation of the IMU frame in a gravity-aligned world frame (w, x, y, z)
	Gyro  [3]float64 // angular velocity, rad/s, IMU frame
	Accel [3]float64 // specific force (acceleration minus gravity), m/s², IMU frame; ≈ (0, 0, 9.81) at rest
}

// Fault flags for a joint's drive or the bus.
type Fault uint32

// Fault bits.
const (
	FaultCommLost    Fault = 1 << iota // no reply from the drive
	FaultOverTemp                      // drive or motor too hot
	FaultOverCurrent                   // current limit tripped
	FaultEncoder                       // encoder error
	FaultUnderVolt                     // bus voltage low
	FaultDisabled                      // drive not enabled
	FaultLate                          // replies keep arriving after their deadline
	FaultProtocol                      // a garbled or unexpected frame on the bus
	FaultBusOff                        // the bus went bus-off, or its socket closed
	FaultIMU                           // the IMU went silent or sends garbage
	FaultDrive                         // another error code from the drive (over-voltage, stall, …)
)

func (f Fault) String() string {
	if f == 0 {
		return "ok"
	}
	names := []string{"comm-lost", "over-temperature", "over-current", "encoder", "under-voltage", "disabled",
		"late", "protocol", "bus-off", "imu", "drive-error"}
	s := ""
	for i, n := range names {
		if f&(1<<i) != 0 {
			if s != "" {
				s += "|"
			}
			s += n
		}
	}
	return s
}

// Sensors is one sample of everything the robot measures. Only the first N
// joints are in use.
type Sensors struct {
	Time float64 // s, the robot's clock at sampling
	Seq  uint64  // increments with every new sample
	N    int

	Q   [MaxJoints]float64 // joint positions, rad (m)
	Qd  [MaxJoints]float64 // joint velocities, rad/s (m/s)
	Tau [MaxJoints]float64 // measured joint torques, N·m (N)

	IMU IMU

	JointFaults [MaxJoints]Fault
	BusFault    Fault
}

// JointCommand is what a drive takes: τ = Tau + Kp·(Q − q) + Kd·(Qd − q̇),
// evaluated by the drive itself.
type JointCommand struct {
	Tau    float64 // feed-forward torque, N·m
	Q, Qd  float64 // position and velocity targets
	Kp, Kd float64 // gains, N·m/rad, N·m·s/rad; non-negative
}

// Commands is one command frame for the first N joints.
type Commands struct {
	N     int
	Joint [MaxJoints]JointCommand
}

// Check validates a command frame for a robot: N must match the robot's joint
// count; every value must be finite and every gain non-negative. The error
// names the joint and field.
func (c *Commands) Check(info *Info) error {
	if c.N != len(info.Joints) {
		return fmt.Errorf("hal: command for %d joints, robot %q has %d", c.N, info.Name, len(info.Joints))
	}
	for i := 0; i < c.N; i++ {
		j := &c.Joint[i]
		for _, f := range [...]struct {
			name string
			v    float64
		}{{"tau", j.Tau}, {"q", j.Q}, {"qd", j.Qd}, {"kp", j.Kp}, {"kd", j.Kd}} {
			if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
				return fmt.Errorf("hal: joint %d (%s): %s is %v; command rejected", i, info.Joints[i].Name, f.name, f.v)
			}
		}
		if j.Kp < 0 || j.Kd < 0 {
			return fmt.Errorf("hal: joint %d (%s): negative gain (kp %g, kd %g); command rejected", i, info.Joints[i].Name, j.Kp, j.Kd)
		}
	}
	return nil
}

// Damping returns the frame Halt means: zero torque and pure velocity damping
// kd on every joint.
func Damping(n int, kd float64) Commands {
	c := Commands{N: n}
	for i := 0; i < n; i++ {
		c.Joint[i] = JointCommand{Kd: kd}
	}
	return c
}

package runtime

import (
	"math"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
)

// Fault is a kind of fault the safety layer detects. Active faults are the
// bits of telemetry.Tick.Faults; a fault event carries its bit in Code.
type Fault uint32

// Fault kinds. A fault trips (forces damping, or estop for FaultEStop) at
// once, or — for the limit flags — after it has persisted for safety.persist.
const (
	FaultSensorNaN  Fault = 1 << iota // a sensor value is NaN or infinite
	FaultCommandNaN                   // a command value is NaN or infinite, or a gain negative
	FaultStale                        // the sensors' sequence number stopped advancing (watchdog)
	FaultBus                          // the HAL reports a bus or drive fault
	FaultFall                         // base tilt or height beyond bounds
	FaultPosition                     // joint position past its range (measured), or a target clamped to it
	FaultVelocity                     // joint speed above its limit (measured), or a target clamped to it
	FaultTorque                       // commanded torque above the joint's effort limit
	FaultEStop                        // software e-stop from a command source
	FaultOverrun                      // the overrun policy's fault: too many overruns in a row
	FaultRead                         // hal.Robot.Read returned an error
	FaultWrite                        // hal.Robot.Write returned an error
	FaultController                   // the locomotion controller failed to start or reported a failure (Controller.Err)
	numFaults       = iota
)

var faultNames = [numFaults]string{"sensor-nan", "command-nan", "stale-sensors", "bus", "fall",
	"position-limit", "velocity-limit", "torque-limit", "estop", "overrun", "read-error", "write-error",
	"controller"}

func (f Fault) String() string {
	if f == 0 {
		return "none"
	}
	s := ""
	for i := 0; i < numFaults; i++ {
		if f&(1<<i) != 0 {
			if s != "" {
				s += "|"
			}
			s += faultNames[i]
		}
	}
	return s
}

// FaultNames returns the fault kinds' names by bit number (for a log's
// header).
func FaultNames() []string { return append([]string(nil), faultNames[:]...) }

// refuseFault[i] is why a mode may not be left while fault bit i is active.
var refuseFault = func() (r [numFaults]string) {
	for i := range r {
		r[i] = "fault " + faultNames[i] + " is active"
	}
	return
}()

// halFaultNames names hal.Fault bits without allocating (hal.Fault.String
// builds a string).
var halFaultNames = [...]string{"comm-lost", "over-temperature", "over-current", "encoder", "under-voltage", "disabled",
	"late", "protocol", "bus-off", "imu", "drive-error"}

// safetyLimits are the settings the safety check reads: the safety section
// of the config with what resolve derived from it for the robot.
type safetyLimits struct {
	SafetyConfig
	n            int  // joints
	persistTicks int  // Persist in ticks (at least 1)
	overrunFault bool // the overrun policy is fault …
	faultAfter   int  // … after this many overruns in a row (loop.fault_after)
}

// safetyInput is what the safety check reads on a tick besides the command:
// the sample, the estimate, and what the rest of the loop reports.
type safetyInput struct {
	now      float64 // s, loop time
	sens     *hal.Sensors
	est      *estimator.Estimate
	latched  bool   // the machine is in estop
	estop    bool   // a software e-stop was requested this tick
	estopSrc Source // … by this source
	readErr  error  // this tick's read
	writeErr error  // the last write (the robot was halted)
	overrun  uint64 // current streak of overruns
	ctrlErr  error  // the locomotion controller's failure
	ctrlName string // … and its name
}

// safety is the safety layer: its state between ticks, and check, the
// function of (limits, robot info, input, command, state) that runs it.
type safety struct {
	lastSeq     uint64
	lastSeqTime float64
	haveSeq     bool

	active    Fault // faults seen this tick: trips and limit flags
	trips     Fault // faults that trip this tick
	prevTrips Fault // trips of the previous tick (events go out on rising edges)
	trip      [numFaults]trip
	persist   [numFaults]int
	lastEv    [numFaults]float64 // loop time of the last flag event of each kind

	// flags are this tick's limit-flag events (rising edges, at most one a
	// second per kind), in the order found, for the loop to record before
	// the trips'.
	flags  [3]trip
	nflags int
}

// trip is a fault found this tick, with the values that tripped it.
type trip struct {
	fault  Fault
	joint  int
	values [4]float64
	msg    msgBuf
}

// check runs every check on this tick's input and command, clamping the
// command where a limit allows it. It returns the faults that trip this tick
// (each kind's details in s.trip); every fault seen, trips and flags, is in
// s.active; flag events are in s.flags. A trip's text is built only on its
// rising edge. It does not allocate.
func (s *safety) check(lim *safetyLimits, info *hal.Info, in *safetyInput, out *hal.Commands) Fault {
	cfg, sens := &lim.SafetyConfig, in.sens
	s.active, s.trips, s.nflags = 0, 0, 0
	fire := func(f Fault, joint int, v0, v1, v2, v3 float64, fill func(m *msgBuf)) {
		s.active |= f
		if s.trips&f != 0 {
			return
		}
		s.trips |= f
		if s.prevTrips&f != 0 {
			return // still tripped: reported already
		}
		t := &s.trip[faultIndex(f)]
		t.fault, t.joint, t.values = f, joint, [4]float64{v0, v1, v2, v3}
		t.msg.reset()
		fill(&t.msg)
	}
	tripped := func() bool { return s.trips&^(FaultPosition|FaultVelocity|FaultTorque) != 0 }
	n := lim.n

	// Software e-stop (while latched it stays among the active faults).
	if in.latched {
		s.active |= FaultEStop
	}
	if in.estop {
		fire(FaultEStop, -1, float64(in.estopSrc), 0, 0, 0, func(m *msgBuf) { m.s("software e-stop from ").s(in.estopSrc.String()) })
	}
	// The read itself.
	if in.readErr != nil {
		fire(FaultRead, -1, 0, 0, 0, 0, func(m *msgBuf) { m.s("sensor read failed: ").s(in.readErr.Error()) })
	}
	// The last write, and the loop's own timing.
	if in.writeErr != nil {
		fire(FaultWrite, -1, 0, 0, 0, 0, func(m *msgBuf) { m.s("command write failed (robot halted): ").s(in.writeErr.Error()) })
	}
	if lim.overrunFault && in.overrun >= uint64(lim.faultAfter) {
		fire(FaultOverrun, -1, float64(in.overrun), float64(lim.faultAfter), 0, 0, func(m *msgBuf) {
			m.s("overrun: ").u(in.overrun).s(" ticks in a row ran past their deadline (fault_after ").i(lim.faultAfter).s(")")
		})
	}
	// The controller's own failure.
	if in.ctrlErr != nil {
		fire(FaultController, -1, 0, 0, 0, 0, func(m *msgBuf) {
			m.s("controller failed (").s(in.ctrlName).s("): ").s(in.ctrlErr.Error())
		})
	}
	// Watchdog: the sample's sequence number must advance.
	if !s.haveSeq || sens.Seq != s.lastSeq {
		s.lastSeq, s.lastSeqTime, s.haveSeq = sens.Seq, in.now, true
	} else if age := in.now - s.lastSeqTime; age > cfg.Watchdog+1e-9 {
		fire(FaultStale, -1, age, cfg.Watchdog, float64(sens.Seq), 0, func(m *msgBuf) {
			m.s("stale sensors: seq ").u(sens.Seq).s(" unchanged for ").f(age * 1e3).s(" ms (watchdog ").f(cfg.Watchdog * 1e3).s(" ms)")
		})
	}
	// Sensor values must be finite.
	if j, field, v := sensorNaN(sens, n); field != "" {
		fire(FaultSensorNaN, j, v, 0, 0, 0, func(m *msgBuf) {
			m.s("sensor ").s(field).s(" is ").f(v)
			if j >= 0 {
				m.s(" on joint ").i(j).s(" (").s(info.Joints[j].Name).s(")")
			}
		})
	}
	// Bus and drive faults reported by the HAL.
	if sens.BusFault != 0 {
		fire(FaultBus, -1, float64(sens.BusFault), 0, 0, 0, func(m *msgBuf) { m.s("bus fault: ").hal(sens.BusFault) })
	}
	for i := 0; i < n; i++ {
		if f := sens.JointFaults[i]; f != 0 {
			fire(FaultBus, i, float64(f), 0, 0, 0, func(m *msgBuf) {
				m.s("drive fault on joint ").i(i).s(" (").s(info.Joints[i].Name).s("): ").hal(f)
			})
			break
		}
	}
	// Fall: tilt from the orientation estimate; height only if known.
	if e := in.est; e.OrientationValid {
		if a := tilt(e.Quat); a > cfg.MaxTilt {
			fire(FaultFall, -1, a, cfg.MaxTilt, e.Pos[2], cfg.MinHeight, func(m *msgBuf) {
				m.s("fall: base tilt ").f(a).s(" rad beyond ").f(cfg.MaxTilt).s(" rad")
			})
		}
	}
	if e := in.est; e.PositionValid && e.Pos[2] < cfg.MinHeight {
		fire(FaultFall, -1, 0, cfg.MaxTilt, e.Pos[2], cfg.MinHeight, func(m *msgBuf) {
			m.s("fall: base height ").f(e.Pos[2]).s(" m below ").f(cfg.MinHeight).s(" m")
		})
	}
	// Measured joint position and velocity against the limits.
	posFlag, velFlag := -1, -1
	for i := 0; i < n; i++ {
		j := &info.Joints[i]
		q, qd := sens.Q[i], sens.Qd[i]
		if over := math.Max(j.PosMin-q, q-j.PosMax); over > cfg.PositionHardMargin {
			fire(FaultPosition, i, q, j.PosMin, j.PosMax, cfg.PositionHardMargin, func(m *msgBuf) {
				m.s("joint ").i(i).s(" (").s(j.Name).s(") at ").f(q).s(" rad, past its range [").f(j.PosMin).s(", ").f(j.PosMax).s("] by more than ").f(cfg.PositionHardMargin)
			})
		} else if over > cfg.PositionMargin && posFlag < 0 {
			posFlag = i
		}
		if lim := j.VelocityLimit; math.Abs(qd) > cfg.VelocityHardFactor*lim {
			fire(FaultVelocity, i, qd, lim, cfg.VelocityHardFactor, 0, func(m *msgBuf) {
				m.s("joint ").i(i).s(" (").s(j.Name).s(") moving at ").f(qd).s(" rad/s, over ").f(cfg.VelocityHardFactor).s("× its limit ").f(lim)
			})
		} else if math.Abs(qd) > cfg.VelocityFactor*lim && velFlag < 0 {
			velFlag = i
		}
	}
	// The command: finite, gains non-negative, targets and torque in limits.
	if j, field, v := commandNaN(out); field != "" {
		fire(FaultCommandNaN, j, v, 0, 0, 0, func(m *msgBuf) {
			m.s("command ").s(field).s(" is ").f(v).s(" on joint ").i(j).s(" (").s(info.Joints[j].Name).s(")")
		})
	} else if out.N != n {
		fire(FaultCommandNaN, -1, float64(out.N), float64(n), 0, 0, func(m *msgBuf) {
			m.s("command for ").i(out.N).s(" joints, robot has ").i(n)
		})
	}
	tauFlag := -1
	for i := 0; i < n && !tripped(); i++ {
		j, c := &info.Joints[i], &out.Joint[i]
		// Targets matter only with a gain on them (damping's Q = 0 is no target).
		if c.Kp > 0 && (c.Q < j.PosMin || c.Q > j.PosMax) {
			c.Q = math.Min(math.Max(c.Q, j.PosMin), j.PosMax)
			if posFlag < 0 {
				posFlag = i
			}
		}
		if lim := j.VelocityLimit; c.Kd > 0 && math.Abs(c.Qd) > lim {
			c.Qd = math.Copysign(lim, c.Qd)
			if velFlag < 0 {
				velFlag = i
			}
		}
		lim := j.EffortLimit
		if math.Abs(c.Tau) > cfg.TorqueHardFactor*lim {
			tau := c.Tau
			fire(FaultTorque, i, tau, lim, cfg.TorqueHardFactor, 0, func(m *msgBuf) {
				m.s("joint ").i(i).s(" (").s(j.Name).s(") commanded ").f(tau).s(" N·m, over ").f(cfg.TorqueHardFactor).s("× its limit ").f(lim)
			})
			break
		}
		if math.Abs(c.Tau) > lim {
			c.Tau = math.Copysign(lim, c.Tau)
			if tauFlag < 0 {
				tauFlag = i
			}
		}
		if tau := c.Tau + c.Kp*(c.Q-sens.Q[i]) + c.Kd*(c.Qd-sens.Qd[i]); math.Abs(tau) > cfg.TorqueFactor*lim && tauFlag < 0 {
			tauFlag = i
		}
	}
	// Limit flags trip when they persist.
	s.flag(lim, in.now, FaultPosition, posFlag, func(i int, m *msgBuf) {
		m.s("joint ").i(i).s(" (").s(info.Joints[i].Name).s(") at ").f(sens.Q[i]).s(" rad: outside its range for ").f(cfg.Persist).s(" s")
	}, func(i int) [4]float64 {
		return [4]float64{sens.Q[i], info.Joints[i].PosMin, info.Joints[i].PosMax, out.Joint[i].Q}
	})
	s.flag(lim, in.now, FaultVelocity, velFlag, func(i int, m *msgBuf) {
		m.s("joint ").i(i).s(" (").s(info.Joints[i].Name).s(") at ").f(sens.Qd[i]).s(" rad/s: over its limit for ").f(cfg.Persist).s(" s")
	}, func(i int) [4]float64 {
		return [4]float64{sens.Qd[i], info.Joints[i].VelocityLimit, out.Joint[i].Qd, 0}
	})
	s.flag(lim, in.now, FaultTorque, tauFlag, func(i int, m *msgBuf) {
		m.s("joint ").i(i).s(" (").s(info.Joints[i].Name).s("): torque command over its limit ").f(info.Joints[i].EffortLimit).s(" N·m for ").f(cfg.Persist).s(" s")
	}, func(i int) [4]float64 {
		c := &out.Joint[i]
		return [4]float64{c.Tau + c.Kp*(c.Q-sens.Q[i]) + c.Kd*(c.Qd-sens.Qd[i]), info.Joints[i].EffortLimit, c.Tau, 0}
	})
	return s.trips
}

// flag handles a limit flag: joint i (or −1 for none) is over the limit this
// tick. A flag's rising edge is an event in s.flags (at most one a second per
// kind); a flag that persists for safety.persist trips.
func (s *safety) flag(lim *safetyLimits, now float64, f Fault, i int, text func(int, *msgBuf), values func(int) [4]float64) {
	k := faultIndex(f)
	if i < 0 {
		s.persist[k] = 0
		return
	}
	s.active |= f
	s.persist[k]++
	if s.persist[k] >= lim.persistTicks {
		if s.trips&f == 0 {
			s.trips |= f
			if s.prevTrips&f == 0 {
				t := &s.trip[k]
				t.fault, t.joint, t.values = f, i, values(i)
				t.msg.reset()
				text(i, &t.msg)
			}
		}
		return
	}
	if s.persist[k] == 1 && (s.lastEv[k] == 0 || now-s.lastEv[k] >= 1) {
		s.lastEv[k] = now
		t := &s.flags[s.nflags]
		s.nflags++
		t.fault, t.joint, t.values = f, i, values(i)
		t.msg.reset()
		t.msg.s("flag: ")
		text(i, &t.msg)
		t.msg.s(" (clamped; trips if it persists)")
	}
}

func faultIndex(f Fault) int {
	for i := 0; i < numFaults; i++ {
		if f == 1<<i {
			return i
		}
	}
	return 0
}

func bad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// sensorNaN finds the first non-finite sensor value: joint (−1 for the IMU),
// field name and value.
func sensorNaN(s *hal.Sensors, n int) (int, string, float64) {
	for i := 0; i < n; i++ {
		switch {
		case bad(s.Q[i]):
			return i, "q", s.Q[i]
		case bad(s.Qd[i]):
			return i, "qd", s.Qd[i]
		case bad(s.Tau[i]):
			return i, "tau", s.Tau[i]
		}
	}
	for k := 0; k < 4; k++ {
		if bad(s.IMU.Quat[k]) {
			return -1, "imu quaternion", s.IMU.Quat[k]
		}
	}
	for k := 0; k < 3; k++ {
		if bad(s.IMU.Gyro[k]) {
			return -1, "imu gyro", s.IMU.Gyro[k]
		}
		if bad(s.IMU.Accel[k]) {
			return -1, "imu accelerometer", s.IMU.Accel[k]
		}
	}
	return -1, "", 0
}

// commandNaN finds the first non-finite value or negative gain of a command.
func commandNaN(c *hal.Commands) (int, string, float64) {
	for i := 0; i < c.N && i < hal.MaxJoints; i++ {
		j := &c.Joint[i]
		switch {
		case bad(j.Tau):
			return i, "tau", j.Tau
		case bad(j.Q):
			return i, "q", j.Q
		case bad(j.Qd):
			return i, "qd", j.Qd
		case bad(j.Kp) || j.Kp < 0:
			return i, "kp", j.Kp
		case bad(j.Kd) || j.Kd < 0:
			return i, "kd", j.Kd
		}
	}
	return -1, "", 0
}

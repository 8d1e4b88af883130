package runtime

import (
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// fnController runs f in locomotion mode (fault injection).
// startErr is what Start returns; err what Err returns; starts and stops
// count the calls.
type fnController struct {
	f                    func(c *locomotion.Input, out *hal.Commands)
	startErr, err        error
	starts, stops, steps int
}

func (f *fnController) Name() string { return "test controller" }
func (f *fnController) Start(*locomotion.Input) error {
	f.starts++
	return f.startErr
}
func (f *fnController) Stop()      { f.stops++ }
func (f *fnController) Err() error { return f.err }
func (f *fnController) Step(c *locomotion.Input, out *hal.Commands) {
	f.steps++
	out.N = len(c.Home)
	for i := range c.Home {
		out.Joint[i] = hal.JointCommand{Q: c.Home[i], Kp: 100, Kd: 2}
	}
	if f.f != nil {
		f.f(c, out)
	}
}

// posEstimator is IMUOnly plus a known base height.
type posEstimator struct{ z float64 }

func (p *posEstimator) Reset(*hal.Sensors) {}
func (p *posEstimator) Update(s *hal.Sensors, e *estimator.Estimate) {
	estimator.IMUOnly{}.Update(s, e)
	e.Pos[2], e.PositionValid = p.z, true
}

// standingLoop returns a loop in locomotion mode running ctrl, on a fake
// robot of 4 joints.
func standingLoop(t *testing.T, ctrl *fnController, est Estimator) (*Loop, *fakeRobot) {
	t.Helper()
	r := newFakeRobot(4)
	l, err := New(r, Options{Config: testConfig(), Clock: &LockStep{Stepper: r}, Home: []float64{0, 0.1, 0.2, 0.3},
		Controller: ctrl, Estimator: est})
	if err != nil {
		t.Fatal(err)
	}
	run(t, l, 1)
	must(t, l.Request(ModeStandup))
	run(t, l, 250)
	must(t, l.Request(ModeLocomotion))
	run(t, l, 30) // past the transition blend
	if l.Mode() != ModeLocomotion {
		t.Fatalf("mode %v, want locomotion", l.Mode())
	}
	return l, r
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// expectTrip runs one tick after a fault is injected and checks that the
// loop is in want on that very tick, that the robot got that mode's command,
// and that a fault event names the cause.
func expectTrip(t *testing.T, l *Loop, r *fakeRobot, want Mode, fault Fault, text ...string) telemetry.Event {
	t.Helper()
	n0 := l.EventCount()
	run(t, l, 1)
	if l.Mode() != want {
		t.Fatalf("mode %v after the fault's tick, want %v", l.Mode(), want)
	}
	kd := l.Config().Damping.Kd
	if want == ModeEStop {
		kd = l.Config().EStop.Kd
	}
	if r.written != hal.Damping(4, kd) && r.halts == 0 {
		t.Errorf("written %+v, want damping", r.written.Joint[0])
	}
	if l.Faults()&fault == 0 {
		t.Errorf("faults %v lack %v", l.Faults(), fault)
	}
	for _, e := range l.Events()[len(l.Events())-int(l.EventCount()-n0):] {
		if e.Kind == telemetry.EventFault && Fault(e.Code) == fault {
			for _, s := range text {
				if !strings.Contains(e.Text(), s) {
					t.Errorf("fault event %q lacks %q", e.Text(), s)
				}
			}
			return e
		}
	}
	t.Fatalf("no %v fault event on the tick", fault)
	return telemetry.Event{}
}

func TestFaultSensorNaN(t *testing.T) {
	l, r := standingLoop(t, &fnController{}, nil)
	r.mutate = func(s *hal.Sensors) { s.Qd[2] = math.Inf(1) }
	e := expectTrip(t, l, r, ModeDamping, FaultSensorNaN, "sensor qd", "joint 2 (jc)")
	if e.Joint != 2 || !math.IsInf(e.Values[0], 1) {
		t.Errorf("event joint %d values %v", e.Joint, e.Values)
	}
	// Leaving damping is refused while the fault lasts …
	run(t, l, 1)
	_ = l.Commands().Send(SourceAPI, Command{Mode: ModeStandup})
	run(t, l, 1)
	if l.Mode() != ModeDamping {
		t.Fatal("left damping with a NaN sensor")
	}
	if e, _ := lastEvent(l, telemetry.EventNote); !strings.Contains(e.Text(), "fault sensor-nan is active") {
		t.Errorf("refusal %q", e.Text())
	}
	// … and allowed once it is gone.
	r.mutate = nil
	run(t, l, 1)
	must(t, l.Request(ModeStandup))
}

func TestFaultIMUNaN(t *testing.T) {
	l, r := standingLoop(t, &fnController{}, nil)
	r.mutate = func(s *hal.Sensors) { s.IMU.Gyro[1] = math.NaN() }
	expectTrip(t, l, r, ModeDamping, FaultSensorNaN, "imu gyro")
}

func TestFaultStaleSensors(t *testing.T) {
	l, r := standingLoop(t, &fnController{}, nil)
	r.frozen = true
	bound := int(math.Round(l.Config().Safety.Watchdog / l.Config().Period()))
	run(t, l, int64(bound)) // within the bound: no trip
	if l.Mode() != ModeLocomotion {
		t.Fatalf("tripped after %d stale ticks, within the %g s watchdog", bound, l.Config().Safety.Watchdog)
	}
	e := expectTrip(t, l, r, ModeDamping, FaultStale, "stale sensors", "unchanged")
	approx(t, "stale age", e.Values[0], float64(bound+1)*l.Config().Period(), 1e-9)
}

func TestFaultBus(t *testing.T) {
	l, r := standingLoop(t, &fnController{}, nil)
	r.mutate = func(s *hal.Sensors) { s.JointFaults[3] = hal.FaultOverTemp | hal.FaultEncoder }
	expectTrip(t, l, r, ModeDamping, FaultBus, "joint 3 (jd)", "over-temperature|encoder")
	r.mutate = func(s *hal.Sensors) { s.BusFault = hal.FaultUnderVolt }
	l2, r2 := standingLoop(t, &fnController{}, nil)
	r2.mutate = r.mutate
	expectTrip(t, l2, r2, ModeDamping, FaultBus, "bus fault: under-voltage")
}

func TestFaultReadError(t *testing.T) {
	l, r := standingLoop(t, &fnController{}, nil)
	r.readErr = errTest
	expectTrip(t, l, r, ModeDamping, FaultRead, "sensor read failed: test failure")
}

// A write the robot refuses halts it at once; the next tick trips damping.
func TestFaultWriteError(t *testing.T) {
	l, r := standingLoop(t, &fnController{}, nil)
	r.wrErr = errTest
	run(t, l, 1)
	if r.halts != 1 {
		t.Fatalf("robot halted %d times on a refused write, want 1", r.halts)
	}
	expectTrip(t, l, r, ModeDamping, FaultWrite, "write failed", "test failure")
}

func TestFaultCommandNaN(t *testing.T) {
	l, r := standingLoop(t, &fnController{f: func(c *locomotion.Input, out *hal.Commands) {
		if c.Time > 0.3 {
			out.Joint[1].Kd = math.NaN()
		}
	}}, nil)
	for l.Time() < 0.2995 {
		run(t, l, 1)
	}
	e := expectTrip(t, l, r, ModeDamping, FaultCommandNaN, "command kd is NaN on joint 1 (jb)")
	if e.Joint != 1 {
		t.Errorf("event joint %d", e.Joint)
	}
}

// An absurd feed-forward torque trips at once; a target outside the range is
// clamped and flagged, and trips only if it persists.
func TestFaultTorqueAndClamps(t *testing.T) {
	var tau, q float64
	l, r := standingLoop(t, &fnController{f: func(c *locomotion.Input, out *hal.Commands) {
		out.Joint[0].Tau = tau
		if q != 0 {
			out.Joint[3].Q = q
		}
	}}, nil)
	// Over the limit (100 N·m) but under the hard factor: clamped, flagged.
	tau = 150
	run(t, l, 1)
	if l.Mode() != ModeLocomotion || r.written.Joint[0].Tau != 100 || l.Faults()&FaultTorque == 0 {
		t.Fatalf("mode %v, written tau %g, faults %v", l.Mode(), r.written.Joint[0].Tau, l.Faults())
	}
	if e, _ := lastEvent(l, telemetry.EventFault); !strings.Contains(e.Text(), "flag") {
		t.Errorf("no flag event: %q", e.Text())
	}
	// Persisting: trips after safety.persist.
	persist := int(math.Ceil(l.Config().Safety.Persist / l.Config().Period()))
	run(t, l, int64(persist-2))
	if l.Mode() != ModeLocomotion {
		t.Fatalf("tripped before safety.persist")
	}
	expectTrip(t, l, r, ModeDamping, FaultTorque, "torque command over its limit")

	// Over the hard factor: at once.
	tau = 0
	l, r = standingLoop(t, &fnController{f: func(c *locomotion.Input, out *hal.Commands) { out.Joint[0].Tau = tau }}, nil)
	tau = -1000
	e := expectTrip(t, l, r, ModeDamping, FaultTorque, "joint 0 (ja) commanded -1000 N·m", "2× its limit 100")
	if e.Values[0] != -1000 || e.Values[1] != 100 {
		t.Errorf("values %v", e.Values)
	}

	// A target outside the joint's range is clamped to it.
	tau = 0
	l, r = standingLoop(t, &fnController{f: func(c *locomotion.Input, out *hal.Commands) {
		if q != 0 {
			out.Joint[3].Q = q
		}
	}}, nil)
	q = 1.7
	run(t, l, 1)
	if r.written.Joint[3].Q != 1 || l.Faults()&FaultPosition == 0 || l.Mode() != ModeLocomotion {
		t.Errorf("target %g written, faults %v, mode %v", r.written.Joint[3].Q, l.Faults(), l.Mode())
	}
}

// A joint driven past its range: a little is flagged (trips if it
// persists), far past trips at once.
func TestFaultJointPastLimit(t *testing.T) {
	l, r := standingLoop(t, &fnController{}, nil)
	cfg := l.Config()
	r.mutate = func(s *hal.Sensors) { s.Q[1] = 1 + cfg.Safety.PositionMargin + 0.01 }
	run(t, l, 1)
	if l.Mode() != ModeLocomotion || l.Faults()&FaultPosition == 0 {
		t.Fatalf("soft overshoot: mode %v faults %v", l.Mode(), l.Faults())
	}
	r.mutate = func(s *hal.Sensors) { s.Q[1] = -1 - cfg.Safety.PositionHardMargin - 0.01 }
	e := expectTrip(t, l, r, ModeDamping, FaultPosition, "joint 1 (jb) at -1.21 rad, past its range [-1, 1]")
	approx(t, "event q", e.Values[0], -1.21, 1e-12)
}

func TestFaultVelocity(t *testing.T) {
	l, r := standingLoop(t, &fnController{}, nil)
	r.mutate = func(s *hal.Sensors) { s.Qd[0] = -16 } // limit 10, hard factor 1.5
	expectTrip(t, l, r, ModeDamping, FaultVelocity, "joint 0 (ja) moving at -16 rad/s")
}

func TestFaultFall(t *testing.T) {
	l, r := standingLoop(t, &fnController{}, nil)
	a := l.Config().Safety.MaxTilt + 0.05
	r.quat = [4]float64{math.Cos(a / 2), 0, math.Sin(a / 2), 0} // pitched forward
	e := expectTrip(t, l, r, ModeDamping, FaultFall, "fall: base tilt")
	approx(t, "tilt in event", e.Values[0], a, 1e-9)

	est := &posEstimator{z: 0.7}
	l, r = standingLoop(t, &fnController{}, est)
	est.z = 0.2
	expectTrip(t, l, r, ModeDamping, FaultFall, "base height 0.2 m below 0.35 m")
}

// The software e-stop works from any command source and any mode, and is
// latched.
func TestSoftwareEStop(t *testing.T) {
	l, r := standingLoop(t, &fnController{}, nil)
	_ = l.Commands().Send(SourceGamepad, Command{EStop: true})
	expectTrip(t, l, r, ModeEStop, FaultEStop, "software e-stop from gamepad")
	run(t, l, 10)
	_ = l.Commands().Send(SourceUDP, Command{Mode: ModeStandup})
	run(t, l, 1)
	if l.Mode() != ModeEStop {
		t.Fatal("e-stop not latched")
	}
	// From damping too.
	_ = l.Commands().Send(SourceUDP, Command{Reset: true})
	run(t, l, 1)
	if l.Mode() != ModeDamping {
		t.Fatalf("mode %v after reset", l.Mode())
	}
	_ = l.Commands().Send(SourceKeyboard, Command{EStop: true})
	expectTrip(t, l, r, ModeEStop, FaultEStop, "keyboard")
}

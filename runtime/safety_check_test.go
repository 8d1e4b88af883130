package runtime

import (
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
)

// checkRig drives the safety check by itself: limits resolved from
// testConfig (1 kHz, persist 10 ms) for the fake robot's 4 joints (range
// [−1, 1] rad, 10 rad/s, 100 N·m), one tick at a time.
type checkRig struct {
	lim  safetyLimits
	info *hal.Info
	s    safety
	in   safetyInput
	sens hal.Sensors
	est  estimator.Estimate
	out  hal.Commands
}

func newCheckRig(t *testing.T) *checkRig {
	t.Helper()
	r := newFakeRobot(4)
	p, err := resolve(testConfig(), &r.info)
	if err != nil {
		t.Fatal(err)
	}
	c := &checkRig{lim: p.safety, info: &r.info}
	c.in = safetyInput{sens: &c.sens, est: &c.est}
	c.sens.N = 4
	c.est = estimator.Estimate{Quat: [4]float64{1, 0, 0, 0}, OrientationValid: true}
	return c
}

// tick runs the check at time now on a fresh sample (seq advancing unless
// frozen) and a stand-like command toward q = 0.1; it returns the trips.
func (c *checkRig) tick(now float64, frozen bool) Fault {
	c.in.now = now
	if !frozen {
		c.sens.Seq++
	}
	c.out = hal.Commands{N: 4}
	for i := 0; i < 4; i++ {
		c.out.Joint[i] = hal.JointCommand{Q: 0.1, Kp: 100, Kd: 2}
	}
	trips := c.s.check(&c.lim, c.info, &c.in, &c.out)
	c.s.prevTrips = trips
	return trips
}

func (c *checkRig) text(f Fault) string { t := &c.s.trip[faultIndex(f)]; return string(t.msg.bytes()) }

// A healthy tick trips nothing, flags nothing and leaves the command alone.
func TestCheckHealthy(t *testing.T) {
	c := newCheckRig(t)
	for k := 0; k < 100; k++ {
		if trips := c.tick(float64(k)*1e-3, false); trips != 0 || c.s.active != 0 || c.s.nflags != 0 {
			t.Fatalf("tick %d: trips %v, active %v, %d flags", k, trips, c.s.active, c.s.nflags)
		}
	}
	if c.out.Joint[2] != (hal.JointCommand{Q: 0.1, Kp: 100, Kd: 2}) {
		t.Errorf("command changed: %+v", c.out.Joint[2])
	}
}

// Each input the check reads trips its own fault, with a text that names
// the cause.
func TestCheckInputs(t *testing.T) {
	cases := []struct {
		name  string
		set   func(c *checkRig)
		fault Fault
		text  string
	}{
		{"sensor NaN", func(c *checkRig) { c.sens.Tau[3] = math.NaN() }, FaultSensorNaN, "sensor tau is NaN on joint 3 (jd)"},
		{"e-stop", func(c *checkRig) { c.in.estop, c.in.estopSrc = true, SourceGamepad }, FaultEStop, "software e-stop from gamepad"},
		{"read", func(c *checkRig) { c.in.readErr = errTest }, FaultRead, "sensor read failed: test failure"},
		{"write", func(c *checkRig) { c.in.writeErr = errTest }, FaultWrite, "command write failed (robot halted): test failure"},
		{"overrun", func(c *checkRig) { c.lim.overrunFault, c.in.overrun = true, uint64(c.lim.faultAfter) }, FaultOverrun, "ticks in a row ran past their deadline"},
		{"controller", func(c *checkRig) { c.in.ctrlErr, c.in.ctrlName = errTest, "mpc" }, FaultController, "controller failed (mpc): test failure"},
		{"bus", func(c *checkRig) { c.sens.JointFaults[1] = hal.FaultOverTemp }, FaultBus, "drive fault on joint 1 (jb): over-temperature"},
		{"tilt", func(c *checkRig) {
			a := c.lim.MaxTilt + 0.01 // about x
			c.est.Quat = [4]float64{math.Cos(a / 2), math.Sin(a / 2), 0, 0}
		}, FaultFall, "fall: base tilt"},
		{"height", func(c *checkRig) { c.est.Pos[2], c.est.PositionValid = c.lim.MinHeight-0.01, true }, FaultFall, "fall: base height"},
		{"position", func(c *checkRig) { c.sens.Q[0] = 1 + c.lim.PositionHardMargin + 0.01 }, FaultPosition, "joint 0 (ja) at"},
		{"velocity", func(c *checkRig) { c.sens.Qd[2] = -10*c.lim.VelocityHardFactor - 1 }, FaultVelocity, "joint 2 (jc) moving at"},
		{"command NaN", func(c *checkRig) {}, FaultCommandNaN, "command kp is NaN on joint 1 (jb)"},
		{"torque", func(c *checkRig) {}, FaultTorque, "joint 3 (jd) commanded"},
	}
	for _, tc := range cases {
		c := newCheckRig(t)
		c.tick(0, false)
		tc.set(c)
		c.in.now = 1e-3
		c.sens.Seq++
		switch tc.name { // command faults: edit the command the check sees
		case "command NaN":
			c.out.Joint[1].Kp = math.NaN()
		case "torque":
			c.out.Joint[3].Tau = 100*c.lim.TorqueHardFactor + 1
		}
		trips := c.s.check(&c.lim, c.info, &c.in, &c.out)
		if trips&tc.fault == 0 || trips&^tc.fault != 0 {
			t.Errorf("%s: trips %v, want %v alone", tc.name, trips, tc.fault)
			continue
		}
		if got := c.text(tc.fault); !strings.Contains(got, tc.text) {
			t.Errorf("%s: text %q lacks %q", tc.name, got, tc.text)
		}
	}
}

// The watchdog trips once the sequence number has stood still for longer
// than safety.watchdog, not before.
func TestCheckWatchdog(t *testing.T) {
	c := newCheckRig(t)
	c.tick(0, false)
	wd := c.lim.Watchdog
	for now := 1e-3; now <= wd+1e-12; now += 1e-3 {
		if trips := c.tick(now, true); trips != 0 {
			t.Fatalf("tripped %v after %g s frozen, watchdog %g s", trips, now, wd)
		}
	}
	if trips := c.tick(wd+2e-3, true); trips != FaultStale || !strings.Contains(c.text(FaultStale), "stale sensors") {
		t.Errorf("after %g s frozen: trips %v, text %q", wd+2e-3, trips, c.text(FaultStale))
	}
	if trips := c.tick(wd+3e-3, false); trips != 0 {
		t.Errorf("advancing again: trips %v", trips)
	}
}

// Without a valid orientation there is no tilt check; a target outside its
// range is clamped and flagged (one event), and trips once the flag has
// persisted for safety.persist.
func TestCheckClampFlagPersist(t *testing.T) {
	c := newCheckRig(t)
	c.est = estimator.Estimate{Quat: [4]float64{0, 1, 0, 0}} // upside down, but not valid
	for k := 0; k < c.lim.persistTicks-1; k++ {
		c.in.now = float64(k) * 1e-3
		c.sens.Seq++
		c.out = hal.Commands{N: 4}
		c.out.Joint[2] = hal.JointCommand{Q: 1.5, Kp: 100}
		trips := c.s.check(&c.lim, c.info, &c.in, &c.out)
		c.s.prevTrips = trips
		if trips != 0 || c.s.active != FaultPosition || c.out.Joint[2].Q != 1 {
			t.Fatalf("tick %d: trips %v active %v q %g; want a clamped, flagged target", k, trips, c.s.active, c.out.Joint[2].Q)
		}
		wantFlags := 0
		if k == 0 {
			wantFlags = 1
		}
		if c.s.nflags != wantFlags {
			t.Fatalf("tick %d: %d flag events, want %d", k, c.s.nflags, wantFlags)
		}
		if k == 0 {
			f := &c.s.flags[0]
			if f.fault != FaultPosition || f.joint != 2 || !strings.HasPrefix(string(f.msg.bytes()), "flag: joint 2 (jc)") {
				t.Errorf("flag event %v joint %d %q", f.fault, f.joint, f.msg.bytes())
			}
		}
	}
	c.in.now += 1e-3
	c.sens.Seq++
	c.out.Joint[2] = hal.JointCommand{Q: 1.5, Kp: 100}
	if trips := c.s.check(&c.lim, c.info, &c.in, &c.out); trips != FaultPosition {
		t.Errorf("after persisting %d ticks: trips %v, want position-limit", c.lim.persistTicks, trips)
	}
}

// The check allocates nothing, tripping or not.
func TestCheckAllocs(t *testing.T) {
	c := newCheckRig(t)
	now := 0.0
	if a := testing.AllocsPerRun(200, func() { now += 1e-3; c.tick(now, false) }); a != 0 {
		t.Errorf("healthy check allocates %g times", a)
	}
	c.sens.Q[1] = math.Inf(1)
	c.out.Joint[0].Q = 5
	if a := testing.AllocsPerRun(200, func() { now += 1e-3; c.s.prevTrips = 0; c.tick(now, false) }); a != 0 {
		t.Errorf("tripping check allocates %g times", a)
	}
}

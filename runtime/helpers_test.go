package runtime

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// fakeRobot is a hal.Robot whose joints follow the commanded PD targets
// exactly (a perfect position servo), with hooks to inject faults.
type fakeRobot struct {
	info    hal.Info
	q, qd   [hal.MaxJoints]float64
	quat    [4]float64
	seq     uint64
	frozen  bool
	mutate  func(*hal.Sensors)
	readErr error
	wrErr   error

	written hal.Commands
	writes  int
	halts   int
}

func newFakeRobot(n int) *fakeRobot {
	r := &fakeRobot{quat: [4]float64{1, 0, 0, 0}}
	r.info.Name = "fake"
	for i := 0; i < n; i++ {
		r.info.Joints = append(r.info.Joints, hal.JointInfo{Name: "j" + string(rune('a'+i)),
			PosMin: -1, PosMax: 1, VelocityLimit: 10, EffortLimit: 100})
	}
	return r
}

func (r *fakeRobot) Info() *hal.Info { return &r.info }

func (r *fakeRobot) Read(s *hal.Sensors) error {
	if r.readErr != nil {
		return r.readErr
	}
	if !r.frozen {
		r.seq++
	}
	n := len(r.info.Joints)
	s.Seq, s.N = r.seq, n
	copy(s.Q[:n], r.q[:n])
	copy(s.Qd[:n], r.qd[:n])
	s.IMU.Quat = r.quat
	s.IMU.Gyro = [3]float64{}
	s.IMU.Accel = [3]float64{0, 0, 9.81}
	s.BusFault = 0
	clear(s.JointFaults[:])
	if r.mutate != nil {
		r.mutate(s)
	}
	return nil
}

func (r *fakeRobot) Write(c *hal.Commands) error {
	if r.wrErr != nil {
		return r.wrErr
	}
	if err := c.Check(&r.info); err != nil {
		return err
	}
	r.written = *c
	r.writes++
	return nil
}

func (r *fakeRobot) Halt() error {
	r.halts++
	r.written = hal.Damping(len(r.info.Joints), 1)
	return nil
}

// Advance moves each joint to its PD target (the lock-step Stepper).
func (r *fakeRobot) Advance(dt float64) error {
	for i := 0; i < r.written.N; i++ {
		c := &r.written.Joint[i]
		if c.Kp > 0 {
			r.qd[i] = (c.Q - r.q[i]) / dt
			r.q[i] = c.Q
		} else {
			r.qd[i] = 0
		}
	}
	return nil
}

// memRecorder keeps events (appending: not for allocation tests) and counts
// ticks.
type memRecorder struct {
	ticks  int
	last   telemetry.Tick
	events []telemetry.Event
}

func (m *memRecorder) Record(t *telemetry.Tick) { m.ticks++; m.last = *t }
func (m *memRecorder) Event(e *telemetry.Event) { m.events = append(m.events, *e) }

// nopRecorder copies the tick like a ring writer would.
type nopRecorder struct{ t telemetry.Tick }

func (n *nopRecorder) Record(t *telemetry.Tick) { n.t = *t }
func (n *nopRecorder) Event(*telemetry.Event)   {}

func testConfig() *Config {
	c := Defaults()
	c.Standup.Duration = 0.2
	c.Standup.GainRamp = 0.1
	c.Transition.Blend = 0.02
	c.Safety.Persist = 0.01
	return c
}

func newFakeLoop(t testing.TB, r *fakeRobot, cfg *Config, rec Recorder) *Loop {
	t.Helper()
	home := make([]float64, len(r.info.Joints))
	for i := range home {
		home[i] = 0.1 * float64(i%3)
	}
	l, err := New(r, Options{Config: cfg, Clock: &LockStep{Stepper: r}, Home: home, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func run(t testing.TB, l *Loop, ticks int64) {
	t.Helper()
	if err := l.Run(context.Background(), ticks); err != nil {
		t.Fatal(err)
	}
}

// lastEvent returns the newest event of a kind, and whether there is one.
func lastEvent(l *Loop, kind telemetry.EventKind) (telemetry.Event, bool) {
	ev := l.Events()
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Kind == kind {
			return ev[i], true
		}
	}
	return telemetry.Event{}, false
}

func wantErrContains(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

func approx(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.9g, want %.9g ± %g", what, got, want, tol)
	}
}

var errTest = errors.New("test failure")

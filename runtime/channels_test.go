package runtime

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// chanController declares two channels and writes its step count and the
// first joint's measured position into them each Step.
type chanController struct {
	fnController
	names []string
	steps []float64
	q0    []float64
}

func (c *chanController) DeclareChannels(declare func(name, unit string, size int) ([]float64, error)) error {
	var err error
	if c.steps, err = declare(c.names[0], "", 1); err != nil {
		return err
	}
	c.q0, err = declare(c.names[1], "rad", 2)
	return err
}

func (c *chanController) Step(in *locomotion.Input, out *hal.Commands) {
	c.fnController.Step(in, out)
	c.steps[0] = float64(c.fnController.steps)
	c.q0[0], c.q0[1] = in.Sensors.Q[0], -in.Sensors.Q[0]
}

// chanEstimator declares one channel.
type chanEstimator struct {
	schedEstimator
	v []float64
}

func (e *chanEstimator) DeclareChannels(declare func(name, unit string, size int) ([]float64, error)) error {
	var err error
	e.v, err = declare("est2.innovation", "m", 3)
	return err
}

// Channels a controller declares are in Declared (for the log header), and
// what it writes in Step is in the tick record handed to the recorder —
// NaN on ticks it does not run.
func TestDeclaredChannelsRecorded(t *testing.T) {
	c := &chanController{names: []string{"test.steps", "test.q0"}}
	est := &chanEstimator{}
	r := newFakeRobot(4)
	rec := &memRecorder{}
	l, err := New(r, Options{Config: testConfig(), Clock: &LockStep{Stepper: r}, Home: []float64{0, 0.1, 0.2, 0.3},
		Controller: c, Estimator: est, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	want := []telemetry.Declared{{Name: "est2.innovation", Unit: "m", Size: 3}, {Name: "test.steps", Size: 1}, {Name: "test.q0", Unit: "rad", Size: 2}}
	if got := l.Declared(); !reflect.DeepEqual(got, want) {
		t.Fatalf("declared %+v, want %+v", got, want)
	}
	run(t, l, 1)
	if v := rec.last.Values[3]; !math.IsNaN(v) {
		t.Fatalf("damping mode: controller channel = %g, want NaN", v)
	}
	must(t, l.Request(ModeStandup))
	run(t, l, 250)
	must(t, l.Request(ModeLocomotion))
	run(t, l, 30)
	if l.Mode() != ModeLocomotion {
		t.Fatalf("mode %v", l.Mode())
	}
	est.v[1] = 7 // the estimator writes too
	run(t, l, 1)
	v := rec.last.Values
	if v[3] != float64(c.fnController.steps) || v[4] != rec.last.Sensors.Q[0] || v[5] != -rec.last.Sensors.Q[0] || v[1] != 7 {
		t.Fatalf("recorded values %v, want steps %d, q0 %g", v[:6], c.fnController.steps, rec.last.Sensors.Q[0])
	}
	must(t, l.Request(ModeStand))
	run(t, l, 1)
	if !math.IsNaN(rec.last.Values[3]) || !math.IsNaN(rec.last.Values[5]) || rec.last.Values[1] != 7 {
		t.Fatalf("after leaving locomotion: %v, want the controller's NaN, the estimator's kept", rec.last.Values[:6])
	}
}

// A controller whose channels are refused fails New with the reason.
func TestDeclaredChannelsRefused(t *testing.T) {
	for _, tc := range []struct{ names []string }{
		{[]string{"q.mine", "test.q0"}},        // a built-in group
		{[]string{"test.same", "test.same"}},   // declared twice
		{[]string{"test.ok", "bad name here"}}, // spaces
	} {
		c := &chanController{names: tc.names}
		r := newFakeRobot(4)
		_, err := New(r, Options{Config: testConfig(), Clock: &LockStep{Stepper: r}, Home: []float64{0, 0.1, 0.2, 0.3}, Controller: c})
		wantErrContains(t, err, `controller "test controller"'s telemetry channels`)
	}
}

// failingStepper fails its step after n steps, like a simulation that
// diverged.
type failingStepper struct {
	*fakeRobot
	n int
}

func (f *failingStepper) Advance(dt float64) error {
	if f.n--; f.n < 0 {
		return errors.New("sim: step 42 at t = 0.042 s: the state is not finite (qvel[3] = NaN)")
	}
	return f.fakeRobot.Advance(dt)
}

// When the clock fails (the simulation stopped), Run returns the error and
// the log gets a stop event with its message.
func TestSimulationStopIsAnEvent(t *testing.T) {
	r := newFakeRobot(3)
	rec := &memRecorder{}
	l, err := New(r, Options{Config: testConfig(), Clock: &LockStep{Stepper: &failingStepper{r, 5}}, Home: []float64{0, 0.1, 0.2},
		Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	err = l.Run(context.Background(), 100)
	wantErrContains(t, err, "runtime: clock:", "not finite")
	if len(rec.events) == 0 {
		t.Fatal("no events")
	}
	e := rec.events[len(rec.events)-1]
	if e.Kind != telemetry.EventStop || !strings.HasPrefix(e.Text(), "sim: step 42 at t = 0.042 s: the state is not finite") ||
		e.Tick != rec.last.Tick || e.Time != rec.last.Time {
		t.Fatalf("last event %+v %q, want a stop event with the error at the last tick (%d)", e, e.Text(), rec.last.Tick)
	}
	if telemetry.EventKindNames[e.Kind] != "stop" {
		t.Fatalf("kind name %q", telemetry.EventKindNames[e.Kind])
	}
}

// A tick with a controller that records its channels allocates nothing, in
// locomotion and out of it.
func TestTickWithDeclaredChannelsAllocs(t *testing.T) {
	c := &chanController{names: []string{"test.steps", "test.q0"}}
	r := newFakeRobot(4)
	l, err := New(r, Options{Config: testConfig(), Clock: &LockStep{Stepper: r}, Home: []float64{0, 0.1, 0.2, 0.3},
		Controller: c, Recorder: &nopRecorder{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run(t, l, 1)
	must(t, l.Request(ModeStandup))
	run(t, l, 250)
	if a := testing.AllocsPerRun(100, func() { _ = l.Run(ctx, 1) }); a != 0 {
		t.Errorf("stand: %.1f allocations per tick", a)
	}
	must(t, l.Request(ModeLocomotion))
	run(t, l, 30)
	if a := testing.AllocsPerRun(100, func() { _ = l.Run(ctx, 1) }); a != 0 || l.Mode() != ModeLocomotion {
		t.Errorf("locomotion: %.1f allocations per tick (mode %v)", a, l.Mode())
	}
}

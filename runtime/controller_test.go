package runtime

import (
	"testing"

	"github.com/stride-robotics/stride/estimator"
)

// Start runs on entering locomotion, Stop on leaving it and on Close, once
// per successful Start.
func TestControllerLifecycle(t *testing.T) {
	c := &fnController{}
	l, _ := standingLoop(t, c, nil)
	if c.starts != 1 || c.stops != 0 || c.steps < 30 {
		t.Fatalf("in locomotion: starts %d stops %d steps %d, want 1, 0, ≥ 30", c.starts, c.stops, c.steps)
	}
	must(t, l.Request(ModeStand))
	run(t, l, 1)
	if l.Mode() != ModeStand || c.stops != 1 {
		t.Fatalf("mode %v, stops %d; want stand, 1", l.Mode(), c.stops)
	}
	steps := c.steps
	run(t, l, 10)
	if c.steps != steps {
		t.Errorf("stepped %d times outside locomotion", c.steps-steps)
	}
	must(t, l.Request(ModeLocomotion))
	run(t, l, 5)
	if c.starts != 2 || c.stops != 1 {
		t.Fatalf("back in locomotion: starts %d stops %d, want 2, 1", c.starts, c.stops)
	}
	must(t, l.Close())
	if c.stops != 2 {
		t.Errorf("Close in locomotion: stops %d, want 2", c.stops)
	}
}

// A failure the controller reports trips FaultController on that tick: the
// robot is damped, the controller stopped, the event names it and its error.
func TestFaultControllerErr(t *testing.T) {
	c := &fnController{}
	l, r := standingLoop(t, c, nil)
	c.err = errTest
	expectTrip(t, l, r, ModeDamping, FaultController, "controller failed (test controller): test failure")
	if c.stops != 1 {
		t.Errorf("stops %d after the fault, want 1", c.stops)
	}
}

// A controller that fails to start is never stepped nor stopped; the tick
// that entered locomotion damps.
func TestFaultControllerStart(t *testing.T) {
	c := &fnController{}
	l, r := standingLoop(t, c, nil)
	must(t, l.Request(ModeStand))
	run(t, l, 30)
	c.startErr, c.steps = errTest, 0
	must(t, l.Request(ModeLocomotion))
	expectTrip(t, l, r, ModeDamping, FaultController, "controller failed", "test failure")
	if c.starts != 2 || c.steps != 0 || c.stops != 1 {
		t.Errorf("starts %d steps %d stops %d, want 2, 0, 1", c.starts, c.steps, c.stops)
	}
}

// schedController publishes a schedule whose Remaining counts its steps.
type schedController struct {
	fnController
}

func (s *schedController) Schedule(cs *estimator.ContactSchedule) {
	*cs = estimator.ContactSchedule{Valid: true, Stance: [2]bool{true, false}, Phase: [2]float64{0.5, 0.25},
		Remaining: [2]float64{float64(s.steps), 0}}
}

// schedEstimator records the schedules it is handed.
type schedEstimator struct {
	estimator.IMUOnly
	got []estimator.ContactSchedule
}

func (e *schedEstimator) SetSchedule(s *estimator.ContactSchedule) { e.got = append(e.got, *s) }

// The estimator gets, before each update, the schedule the controller
// published on the tick before; outside locomotion the schedule is invalid.
func TestScheduleToEstimator(t *testing.T) {
	c := &schedController{}
	e := &schedEstimator{}
	r := newFakeRobot(4)
	l, err := New(r, Options{Config: testConfig(), Clock: &LockStep{Stepper: r}, Home: []float64{0, 0.1, 0.2, 0.3},
		Controller: c, Estimator: e})
	must(t, err)
	run(t, l, 1)
	must(t, l.Request(ModeStandup))
	run(t, l, 250)
	must(t, l.Request(ModeLocomotion))
	n0, s0 := len(e.got), c.steps
	run(t, l, 5)
	if l.Mode() != ModeLocomotion {
		t.Fatalf("mode %v", l.Mode())
	}
	if len(e.got) != n0+5 {
		t.Fatalf("estimator got %d schedules in 5 ticks", len(e.got)-n0)
	}
	for k, g := range e.got {
		if k < n0+1 { // before locomotion, and on its first tick
			if g.Valid {
				t.Fatalf("tick %d: schedule %+v outside locomotion", k, g)
			}
			continue
		}
		want := float64(s0 + k - n0) // the previous tick's step count
		if !g.Valid || g.Stance != [2]bool{true, false} || g.Phase != [2]float64{0.5, 0.25} || g.Remaining[0] != want {
			t.Errorf("tick %d: schedule %+v, want the one published after step %g", k, g, want)
		}
	}
	must(t, l.Request(ModeStand))
	run(t, l, 2)
	if g := e.got[len(e.got)-1]; g.Valid {
		t.Errorf("after leaving locomotion the estimator got %+v", g)
	}
}

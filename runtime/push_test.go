package runtime

import (
	"strings"
	"testing"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// pushRobot is a fakeRobot that can be pushed: it records the pushes.
type pushRobot struct {
	*fakeRobot
	pushes []pushCall
	at     []uint64 // the robot's sample number at each push
}

type pushCall struct {
	imp [3]float64
	dur float64
}

func (r *pushRobot) Push(imp [3]float64, dur float64) error {
	r.pushes = append(r.pushes, pushCall{imp, dur})
	r.at = append(r.at, r.seq)
	return nil
}

const pushScript = `steps:
  - {t: 0, mode: standup}
  - {t: 0.1, push: [20, -5, 0]}
  - {t: 0.2, vx: 0.1, push: [0, 0, 3]}
`

// A script's push steps reach the robot's Push at their time, in the
// heading frame and over PushDuration, each recorded as a note event with
// its impulse, and as the push.force channel (impulse / 0.05 s) on the 50
// ticks it acts, zero otherwise; a step with a push and a set-point does
// both.
func TestScriptPush(t *testing.T) {
	s, err := ParseScript("push.yaml", []byte(pushScript), testLimits())
	must(t, err)
	if len(s.Steps) != 3 || !s.Steps[1].HasPush || s.Steps[1].Push != [3]float64{20, -5, 0} || s.Steps[1].Cmd != (Command{}) {
		t.Fatalf("steps %+v", s.Steps)
	}
	r := &pushRobot{fakeRobot: newFakeRobot(4)}
	rec := &memRecorder{}
	home := make([]float64, 4)
	l, err := New(r, Options{Config: testConfig(), Clock: &LockStep{Stepper: r}, Home: home, Recorder: rec, Script: s})
	must(t, err)
	var force []float64
	rec2 := &forceTap{next: rec, force: &force}
	l.rec = rec2
	run(t, l, 300)
	if len(r.pushes) != 2 {
		t.Fatalf("%d pushes reached the robot, want 2", len(r.pushes))
	}
	if r.pushes[0] != (pushCall{[3]float64{20, -5, 0}, PushDuration}) || r.pushes[1].imp != [3]float64{0, 0, 3} {
		t.Errorf("pushes %+v", r.pushes)
	}
	if r.at[0] != 101 || r.at[1] != 201 { // sample 1 is t = 0
		t.Errorf("pushed at samples %v, want 101 and 201 (t = 0.1 s and 0.2 s at 1 kHz)", r.at)
	}
	if l.in.Vx != 0.1 {
		t.Errorf("vx %g after the step with a push and vx 0.1", l.in.Vx)
	}
	var notes []telemetry.Event
	for _, e := range rec.events {
		if e.Kind == telemetry.EventNote && strings.HasPrefix(e.Text(), "push (") {
			notes = append(notes, e)
		}
	}
	if len(notes) != 2 || notes[0].Values != [4]float64{20, -5, 0, PushDuration} || notes[0].Time < 0.1-1e-9 || notes[0].Time > 0.1+1e-9 {
		t.Fatalf("push events %+v", notes)
	}
	if !strings.Contains(notes[0].Text(), "push (20, -5, 0) N·s over 0.05 s") {
		t.Errorf("event text %q", notes[0].Text())
	}
	// force holds fx of every tick: 400 N on ticks 100…149, 0 elsewhere.
	for i, f := range force {
		want := 0.0
		if i >= 100 && i < 150 {
			want = 400
		}
		if f != want {
			t.Fatalf("tick %d: push.force x = %g N, want %g", i, f, want)
		}
	}
	if l.Declared()[len(l.Declared())-1].Name != "push.force" {
		t.Errorf("declared %+v: no push.force", l.Declared())
	}
}

// forceTap records the push.force channel's x value of every tick.
type forceTap struct {
	next  Recorder
	force *[]float64
}

func (f *forceTap) Record(t *telemetry.Tick) {
	*f.force = append(*f.force, t.Values[0])
	f.next.Record(t)
}
func (f *forceTap) Event(e *telemetry.Event) { f.next.Event(e) }

// A robot that cannot be pushed (a real one) refuses a script with a push
// at New, naming the file, line and robot.
func TestScriptPushRefusedOnRealRobot(t *testing.T) {
	s, err := ParseScript("push.yaml", []byte(pushScript), testLimits())
	must(t, err)
	r := newFakeRobot(4)
	_, err = New(r, Options{Config: testConfig(), Clock: &LockStep{Stepper: r}, Home: make([]float64, 4), Script: s})
	wantErrContains(t, err, "push.yaml:3", "cannot be pushed", "simulation only", `"fake"`)
	// Without a push the same robot takes a script.
	s, err = ParseScript("ok.yaml", []byte("steps:\n  - {t: 0, mode: standup}\n"), testLimits())
	must(t, err)
	if _, err := New(r, Options{Config: testConfig(), Clock: &LockStep{Stepper: r}, Home: make([]float64, 4), Script: s}); err != nil {
		t.Fatal(err)
	}
}

// A bad push is refused at load, naming the file, line and step.
func TestScriptPushErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"steps:\n  - {t: 1, push: [1, 2]}\n", "bad.yaml:2: commands: step 1: push: want an impulse [px, py, pz] in N·s (heading frame), found 2 values"},
		{"steps:\n  - {t: 1, push: [1, .nan, 0]}\n", "bad.yaml:2: commands: step 1: push: value 2 is NaN"},
		{"steps:\n  - {t: 1, push: [300, 0, 0]}\n", "bad.yaml:2: commands: step 1: push: 300 N·s: at most 200 N·s"},
		{"steps:\n  - {t: 1, push: 20}\n", "bad.yaml:2"},
	} {
		_, err := ParseScript("bad.yaml", []byte(tc.src), testLimits())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.want)
		}
	}
}

package viewer

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stride-robotics/stride/sim/spatial"
)

// waitFor takes snapshots from r until cond holds (at most 20 s) and
// returns the one that satisfied it.
func waitFor(t *testing.T, r *Runner, what string, cond func(s *Snapshot) bool) *Snapshot {
	t.Helper()
	s := new(Snapshot)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var ok bool
		if s, ok = r.Exchange.Take(s); ok && cond(s) {
			return s
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s (last: t %.4f s, %d steps, paused %v)", what, s.Time, s.Steps, s.Status.Paused)
	return nil
}

func TestRunnerPauseStepResumeReset(t *testing.T) {
	w, tick := standingWorld(t, nil)
	r := NewRunner(w, tick, 0.001)
	r.Fast = true
	r.SetPaused(true)
	r.Start()
	defer r.Stop()
	waitFor(t, r, "the first snapshot, paused", func(s *Snapshot) bool { return s.Status.Paused && s.Steps == 0 })
	for range 3 {
		r.StepOnce()
	}
	s := waitFor(t, r, "three single steps", func(s *Snapshot) bool { return s.Steps == 3 })
	approx(t, "time after three steps", s.Time, 0.003, 1e-12)
	r.TogglePause()
	waitFor(t, r, "running to 0.2 s", func(s *Snapshot) bool { return s.Time > 0.2 && !s.Status.Paused })
	r.TogglePause()
	s = waitFor(t, r, "paused", func(s *Snapshot) bool { return s.Status.Paused })
	stopped := s.Steps
	r.StepOnce()
	waitFor(t, r, "one more step", func(s *Snapshot) bool { return s.Steps == stopped+1 })
	r.Reset()
	s = waitFor(t, r, "reset", func(s *Snapshot) bool { return s.Steps == 0 })
	approx(t, "time after reset", s.Time, 0, 0)
	if !s.Status.Paused {
		t.Error("reset unpaused the simulation")
	}
	if err := r.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

func TestRunnerDurationAndErrors(t *testing.T) {
	w, tick := standingWorld(t, nil)
	r := NewRunner(w, tick, 0.001)
	r.Fast = true
	r.Duration = 0.05
	r.Start()
	defer r.Stop()
	s := waitFor(t, r, "the pause at --duration", func(s *Snapshot) bool { return s.Status.Paused })
	approx(t, "time at the duration pause", s.Time, 0.05, 1e-9)
	r.Reset()
	waitFor(t, r, "reset", func(s *Snapshot) bool { return s.Steps == 0 })
	r.Stop()

	// A failing tick stops the simulation with its error in the status.
	w, tick = standingWorld(t, nil)
	r = NewRunner(w, func() error {
		if w.Steps >= 30 {
			return errors.New("diverged")
		}
		return tick()
	}, 0.001)
	r.Fast = true
	r.Start()
	s = waitFor(t, r, "the error", func(s *Snapshot) bool { return s.Status.Err != "" })
	if !s.Status.Paused || s.Status.Err != "diverged" || s.Steps != 30 {
		t.Errorf("after the error: paused %v, err %q, steps %d", s.Status.Paused, s.Status.Err, s.Steps)
	}
	r.TogglePause() // a failed simulation does not resume
	r.StepOnce()
	s = waitFor(t, r, "a snapshot after the attempts", func(s *Snapshot) bool { return true })
	if s.Steps != 30 || !s.Status.Paused {
		t.Errorf("resumed a failed simulation: steps %d, paused %v", s.Steps, s.Status.Paused)
	}
	if err := r.Stop(); err == nil || err.Error() != "diverged" {
		t.Errorf("Stop returned %v, want the tick's error", err)
	}
}

// TestRunnerPushIsTheSetImpulse drives the runner in lock-step: a push
// applies PushImpulse along the direction, over PushTime, to the torso, and
// moves the robot that way.
func TestRunnerPushIsTheSetImpulse(t *testing.T) {
	run := func(push bool) (impulse spatial.Vec3, vy float64) {
		w, tick := standingWorld(t, nil)
		torso := w.Model.BodyIndex("torso")
		var r *Runner
		r = NewRunner(w, func() error {
			for b, f := range w.XfrcApplied {
				if f.Lin != (spatial.Vec3{}) && b != torso {
					t.Fatalf("force on body %d, want only the torso (%d)", b, torso)
				}
			}
			impulse = impulse.AddScaled(r.Period, w.XfrcApplied[torso].Lin)
			return tick()
		}, 0.001)
		r.PushImpulse, r.PushTime = 12, 0.06
		if err := r.Advance(0.2); err != nil {
			t.Fatal(err)
		}
		if push {
			r.apply(control{kind: ctlPush, dir: spatial.Vec3{0, 2, 0.5}}) // normalised, made horizontal
			if s := r.Capture(); !s.Status.Pushing {
				t.Error("the status does not show the push")
			}
		}
		if err := r.Advance(0.3); err != nil {
			t.Fatal(err)
		}
		if w.XfrcApplied[torso].Lin != (spatial.Vec3{}) {
			t.Error("the push force was not cleared")
		}
		s := r.Capture()
		return impulse, s.COMVel[1]
	}
	j0, v0 := run(false)
	j1, v1 := run(true)
	nearVec(t, "impulse without a push", j0, spatial.Vec3{}, 0)
	nearVec(t, "impulse of a push", j1, spatial.Vec3{0, 12, 0}, 1e-9)
	// 12 N·s on 40 kg: the centre of mass moves sideways until the stance
	// catches it; 0.04 s after the push it still moves at well over 0.1 m/s.
	if !(v1-v0 > 0.1) {
		t.Errorf("COM y velocity %.3f m/s after the push, %.3f without", v1, v0)
	}
}

type fakeCommander struct {
	got  []Velocity
	at   []float64
	w    func() float64
	fail bool
}

func (f *fakeCommander) SetVelocity(v Velocity) error {
	f.got = append(f.got, v)
	f.at = append(f.at, f.w())
	if f.fail {
		return errors.New("command from keyboard: vx 3 m/s out of [-1.5, 1.5]; ignored")
	}
	return nil
}

func TestRunnerCommands(t *testing.T) {
	w, tick := standingWorld(t, nil)
	fc := &fakeCommander{w: func() float64 { return w.Time }}
	r := NewRunner(w, tick, 0.001)
	r.Commander = fc
	r.apply(control{kind: ctlCommand, v: Velocity{Vx: 0.5, YawRate: -0.2}})
	if len(fc.got) != 1 || fc.got[0] != (Velocity{Vx: 0.5, YawRate: -0.2}) {
		t.Fatalf("commander got %v, want the command at once", fc.got)
	}
	if err := r.Advance(0.35); err != nil {
		t.Fatal(err)
	}
	// Repeated every CommandRepeat of simulated time: at 0, 0.1, 0.2, 0.3 s.
	if len(fc.got) != 4 {
		t.Fatalf("commander called %d times at %v, want 4", len(fc.got), fc.at)
	}
	for i, at := range fc.at {
		approx(t, "repeat time", at, float64(i)*CommandRepeat, 1.5e-3)
	}
	fc.fail = true
	r.apply(control{kind: ctlCommand, v: Velocity{Vx: 3}})
	s := r.Capture()
	if s.Status.CommandErr == "" || s.Status.Command.Vx != 3 || s.Status.CommandUnused {
		t.Errorf("status after a refused command: %+v", s.Status)
	}
	// Without a commander the command is kept and shown as unused.
	r2 := NewRunner(w, tick, 0.001)
	r2.apply(control{kind: ctlCommand, v: Velocity{Vy: 0.1}})
	if s := r2.Capture(); !s.Status.CommandUnused || s.Status.Command.Vy != 0.1 {
		t.Errorf("status without a commander: %+v", s.Status)
	}
}

// TestRunnerPacing checks real-time pacing from above only (the machine may
// be slower, never faster): the simulation does not run ahead of the wall
// clock times the slow-motion factor, and it runs with nobody reading its
// snapshots.
func TestRunnerPacing(t *testing.T) {
	for _, slow := range []float64{1, 0.2} {
		w, tick := standingWorld(t, nil)
		r := NewRunner(w, tick, 0.001)
		r.SetSlow(slow)
		start := time.Now()
		r.Start()
		time.Sleep(300 * time.Millisecond)
		n := r.Exchange.Published()
		if err := r.Stop(); err != nil {
			t.Fatal(err)
		}
		wall := time.Since(start).Seconds()
		if w.Time > wall*slow+0.02 {
			t.Errorf("slow x%g: %.3f s simulated in %.3f s wall", slow, w.Time, wall)
		}
		if w.Time <= 0 || n < 3 {
			t.Errorf("slow x%g: simulated %.3f s, %d snapshots published with no reader", slow, w.Time, n)
		}
	}
	// Slow-motion factors are clamped to 0.1…1.
	w, tick := standingWorld(t, nil)
	r := NewRunner(w, tick, 0.001)
	for _, c := range [][2]float64{{0.01, 0.1}, {5, 1}, {math.NaN(), 1}, {0.5, 0.5}} {
		r.apply(control{kind: ctlSlow, f: c[0]})
		approx(t, "slow factor", r.slow, c[1], 0)
	}
}

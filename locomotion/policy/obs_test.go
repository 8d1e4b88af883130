package policy

import (
	"fmt"
	"math"
	"testing"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/locomotion"
)

// obsFixture is a three-joint robot in the order (c, a, b) and a policy
// over (a, b, c).
type obsFixture struct {
	sens hal.Sensors
	est  estimator.Estimate
	cmd  locomotion.Command
	in   locomotion.Input
}

func newObsFixture() *obsFixture {
	f := &obsFixture{}
	f.sens.N = 3
	f.sens.Q[0], f.sens.Q[1], f.sens.Q[2] = 0.3, 0.1, 0.2 // c, a, b
	f.sens.Qd[0], f.sens.Qd[1], f.sens.Qd[2] = -3, -1, -2
	f.est = estimator.Estimate{Quat: [4]float64{1, 0, 0, 0}, OrientationValid: true, PositionValid: true, VelocityValid: true}
	f.in = locomotion.Input{Sensors: &f.sens, Estimate: &f.est, Command: &f.cmd}
	return f
}

const threeJoints = "decimation: 1\nquaternion: %s\njoints:\n  - {name: a, default: 0.05, scale: 1, kp: 1, kd: 0}\n  - {name: b, default: -0.1, scale: 1, kp: 1, kd: 0}\n  - {name: c, default: 0, scale: 1, kp: 1, kd: 0}\n"

// observe parses a config of the three joints with the given observation
// YAML and returns one observation.
func observe(t *testing.T, f *obsFixture, quat, obs string, last []float64, tm float64) []float64 {
	t.Helper()
	o, c := newObs(t, quat, obs)
	return obsOnce(o, c, f, last, tm)
}

func newObs(t *testing.T, quat, obs string) (*Observer, *Config) {
	t.Helper()
	c, err := ParseConfig("t.yaml", []byte(fmt.Sprintf(threeJoints, quat)+obs))
	if err != nil {
		t.Fatal(err)
	}
	idx, _, err := c.Bind([]string{"c", "a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	return NewObserver(c, idx), c
}

func obsOnce(o *Observer, c *Config, f *obsFixture, last []float64, tm float64) []float64 {
	dst := make([]float32, c.ObsSize())
	if last == nil {
		last = make([]float64, 3)
	}
	o.Observe(dst, &f.in, last, tm)
	r := make([]float64, len(dst))
	for i, v := range dst {
		r[i] = float64(v)
	}
	return r
}

func near(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-6 {
			t.Errorf("%s: %v, want %v", what, got, want)
			return
		}
	}
}

func TestObsJointTerms(t *testing.T) {
	f := newObsFixture()
	// Policy order a, b, c; robot order c, a, b.
	got := observe(t, f, "wxyz", "observations:\n  - {term: joint_pos}\n  - {term: joint_vel, scale: 0.05}\n  - {term: last_action}\n",
		[]float64{0.7, -0.8, 0.9}, 0)
	near(t, "joint terms", got, []float64{0.1 - 0.05, 0.2 + 0.1, 0.3, -0.05, -0.1, -0.15, 0.7, -0.8, 0.9})
}

func TestObsBaseTerms(t *testing.T) {
	f := newObsFixture()
	// Yawed +90° about z: base x is world y. A world angular velocity
	// about world x is, in base axes, about −y; a world velocity along y
	// is along base x.
	s := math.Sqrt(0.5)
	f.est.Quat = [4]float64{s, 0, 0, s}
	f.est.AngVel = [3]float64{1, 0, 0}
	f.est.LinVel = [3]float64{0, 2, 0}
	f.est.Pos = [3]float64{5, 6, 0.83}
	got := observe(t, f, "wxyz", "observations:\n  - {term: base_ang_vel}\n  - {term: base_lin_vel}\n  - {term: projected_gravity}\n  - {term: base_height}\n  - {term: base_quat}\n  - {term: base_euler}\n", nil, 0)
	near(t, "yawed base", got, []float64{0, -1, 0, 2, 0, 0, 0, 0, -1, 0.83, s, 0, 0, s, 0, 0, math.Pi / 2})
	got = observe(t, f, "xyzw", "observations:\n  - {term: base_quat}\n", nil, 0)
	near(t, "xyzw", got, []float64{0, 0, s, s})
	f.est.Quat = [4]float64{-s, 0, 0, -s} // the same rotation, the other sign
	got = observe(t, f, "wxyz", "observations:\n  - {term: base_quat}\n  - {term: base_quat, unique: true}\n", nil, 0)
	near(t, "unique", got, []float64{-s, 0, 0, -s, s, 0, 0, s})
	f.est.Quat = [4]float64{s, 0, 0, s}

	// Pitched 30° about y (nose down): gravity Rᵀ·(0,0,−1) = (sin 30°, 0, −cos 30°).
	th := math.Pi / 6
	f.est.Quat = [4]float64{math.Cos(th / 2), 0, math.Sin(th / 2), 0}
	got = observe(t, f, "wxyz", "observations:\n  - {term: projected_gravity}\n  - {term: base_euler}\n", nil, 0)
	near(t, "pitched", got, []float64{0.5, 0, -math.Sqrt(3) / 2, 0, th, 0})
	// Rolled 90° about x (left side down): gravity along base −y... the
	// base's y axis points up, so gravity is along −y.
	f.est.Quat = [4]float64{s, s, 0, 0}
	got = observe(t, f, "wxyz", "observations:\n  - {term: projected_gravity}\n", nil, 0)
	near(t, "rolled", got, []float64{0, -1, 0})
}

func TestObsCommandPhaseScaleClip(t *testing.T) {
	f := newObsFixture()
	f.cmd = locomotion.Command{Vx: 0.8, Vy: -0.2, YawRate: 0.5}
	got := observe(t, f, "wxyz", "observations:\n  - {term: command, scale: [2, 2, 0.25]}\n  - {term: gait_phase, period: 0.6}\n  - {term: gait_phase, period: 0.6, cos_first: true}\n", nil, 0.15)
	near(t, "command, phase", got, []float64{1.6, -0.4, 0.125, 1, 0, 0, 1})
	got = observe(t, f, "wxyz", "observations:\n  - {term: gait_phase, period: 0.6}\n", nil, 0.7)
	near(t, "phase 0.7 s", got, []float64{math.Sin(2 * math.Pi * 0.7 / 0.6), math.Cos(2 * math.Pi * 0.7 / 0.6)})
	// clip before scale: joint_vel raw (−1, −2, −3) clipped at 1.5 then ×2;
	// clip_observations after scale bounds the whole frame at 2.5.
	got = observe(t, f, "wxyz", "observations:\n  - {term: joint_vel, clip: 1.5, scale: 2}\n", nil, 0)
	near(t, "clip then scale", got, []float64{-2, -3, -3})
	got = observe(t, f, "wxyz", "clip_observations: 2.5\nobservations:\n  - {term: joint_vel, clip: 1.5, scale: 2}\n  - {term: command, scale: 4}\n", nil, 0)
	near(t, "clip_observations", got, []float64{-2, -2.5, -2.5, 2.5, -0.8, 2})
}

func TestObsHistory(t *testing.T) {
	f := newObsFixture()
	step := func(o *Observer, c *Config, k int) []float64 {
		f.cmd.Vx = float64(k)
		return obsOnce(o, c, f, nil, 0)
	}
	// Whole-frame history, oldest first, filled with the first frame.
	o, c := newObs(t, "wxyz", "history: {frames: 3}\nobservations:\n  - {term: command, scale: [1, 0, 0]}\n")
	near(t, "first", step(o, c, 1), []float64{1, 0, 0, 1, 0, 0, 1, 0, 0})
	near(t, "second", step(o, c, 2), []float64{1, 0, 0, 1, 0, 0, 2, 0, 0})
	near(t, "third", step(o, c, 3), []float64{1, 0, 0, 2, 0, 0, 3, 0, 0})
	near(t, "fourth", step(o, c, 4), []float64{2, 0, 0, 3, 0, 0, 4, 0, 0})
	o.Reset()
	near(t, "after Reset", step(o, c, 9), []float64{9, 0, 0, 9, 0, 0, 9, 0, 0})
	// Newest first, zeros.
	o, c = newObs(t, "wxyz", "history: {frames: 3, order: newest_first, fill: zeros}\nobservations:\n  - {term: command, scale: [1, 0, 0]}\n")
	near(t, "nf first", step(o, c, 1), []float64{1, 0, 0, 0, 0, 0, 0, 0, 0})
	near(t, "nf second", step(o, c, 2), []float64{2, 0, 0, 1, 0, 0, 0, 0, 0})
	// Per-term history: the command's last 2 values, oldest first, then
	// the phase.
	o, c = newObs(t, "wxyz", "observations:\n  - {term: command, scale: [1, 0, 0], history: 2}\n  - {term: base_height}\n")
	f.est.Pos[2] = 0.7
	near(t, "term first", step(o, c, 1), []float64{1, 0, 0, 1, 0, 0, 0.7})
	near(t, "term second", step(o, c, 5), []float64{1, 0, 0, 5, 0, 0, 0.7})
}

func TestObsAllocs(t *testing.T) {
	f := newObsFixture()
	o, c := newObs(t, "wxyz", "history: {frames: 4}\nobservations:\n  - {term: joint_pos}\n  - {term: base_ang_vel}\n  - {term: projected_gravity}\n  - {term: base_euler}\n  - {term: gait_phase, period: 0.6}\n  - {term: command, history: 3}\n")
	dst := make([]float32, c.ObsSize())
	last := make([]float64, 3)
	if a := testing.AllocsPerRun(100, func() { o.Observe(dst, &f.in, last, 0.1) }); a != 0 {
		t.Errorf("Observe allocates %v times", a)
	}
}

func TestObsNeedsEstimate(t *testing.T) {
	f := newObsFixture()
	o, _ := newObs(t, "wxyz", "observations:\n  - {term: base_lin_vel}\n")
	f.est.VelocityValid = false
	if err := o.Check(&f.est); err != errVelocity {
		t.Errorf("Check without velocity: %v", err)
	}
	o, _ = newObs(t, "wxyz", "observations:\n  - {term: joint_pos}\n")
	f.est = estimator.Estimate{}
	if err := o.Check(&f.est); err != nil {
		t.Errorf("joint terms need no estimate: %v", err)
	}
}

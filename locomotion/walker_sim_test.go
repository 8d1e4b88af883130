package locomotion_test

// Closed-loop tests of the Walker in the simulator. They live in the external
// test package: locomotion itself must not import sim.

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
)

// truthEstimator is a SIMULATION-ONLY estimator: it copies the simulator's
// ground truth (base pose and twist, foot contacts) into the estimate. It
// stands in for the real estimator while that is developed; it cannot exist
// on a robot.
type truthEstimator struct{ robot *simhal.Robot }

func (t *truthEstimator) Reset(*hal.Sensors) {}

func (t *truthEstimator) Update(_ *hal.Sensors, e *estimator.Estimate) {
	tr := t.robot.Truth()
	q := tr.BaseQuat
	*e = estimator.Estimate{
		Quat: [4]float64{q.W, q.X, q.Y, q.Z}, AngVel: tr.BaseAngVel, Pos: tr.BasePos, LinVel: tr.BaseLinVel,
		OrientationValid: true, PositionValid: true, VelocityValid: true,
	}
	if len(tr.Feet) == 2 {
		for k := 0; k < 2; k++ {
			if tr.Feet[k].InContact {
				e.Contact[k] = 1
			}
		}
		e.ContactValid = true
	}
}

// walkRig runs the walker against the simulated built-in robot directly
// (read, truth estimate, step, write, advance), without the runtime.
type walkRig struct {
	w      *sim.World
	robot  *simhal.Robot
	walker *locomotion.Walker
	est    truthEstimator
	sens   hal.Sensors
	e      estimator.Estimate
	cmd    locomotion.Command
	in     locomotion.Input
	out    hal.Commands
}

func newWalkRig(t testing.TB) *walkRig {
	t.Helper()
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(m, nil, sim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	robot, err := simhal.New(w, sim.SensorParams{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := locomotion.DeriveProfile(m, actuatedJoints(m), nil)
	if err != nil {
		t.Fatal(err)
	}
	wk, err := locomotion.NewWalker(p, locomotion.DefaultWalkerConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := &walkRig{w: w, robot: robot, walker: wk}
	r.est.robot = robot
	r.in = locomotion.Input{Sensors: &r.sens, Estimate: &r.e, Command: &r.cmd, Home: p.Home}
	if err := robot.Read(&r.sens); err != nil {
		t.Fatal(err)
	}
	r.est.Update(&r.sens, &r.e)
	r.in.Time = w.Time
	if err := wk.Start(&r.in); err != nil {
		t.Fatal(err)
	}
	return r
}

// run steps n ticks of 1 ms; it stops early and reports false on a fall
// (base below 0.45 m) or a controller error.
func (r *walkRig) run(t testing.TB, n int) bool {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := r.robot.Read(&r.sens); err != nil {
			t.Fatal(err)
		}
		r.est.Update(&r.sens, &r.e)
		r.in.Time = r.w.Time
		r.walker.Step(&r.in, &r.out)
		if err := r.walker.Err(); err != nil {
			t.Logf("t = %.3f s: controller error: %v", r.w.Time, err)
			return false
		}
		if err := r.robot.Write(&r.out); err != nil {
			t.Fatalf("t = %.3f s: %v", r.w.Time, err)
		}
		if err := r.robot.Advance(0.001); err != nil {
			t.Fatal(err)
		}
		if r.e.Pos[2] < 0.45 {
			t.Logf("t = %.3f s: fell (base at %.3f m)", r.w.Time, r.e.Pos[2])
			return false
		}
	}
	return true
}

func TestWalkerStands(t *testing.T) {
	r := newWalkRig(t)
	x0 := r.robot.Truth().COM
	if !r.run(t, 2000) {
		t.Fatal("fell standing")
	}
	tr := r.robot.Truth()
	d := tr.COM.Sub(x0)
	t.Logf("after 2 s: COM moved %.4f m, base height %.4f m, QP failures %d", math.Hypot(d[0], d[1]), tr.BasePos[2], r.walker.Failures())
	if math.Hypot(d[0], d[1]) > 0.02 {
		t.Errorf("COM drifted %.3f m standing", math.Hypot(d[0], d[1]))
	}
}

func TestWalkerExplore(t *testing.T) {
	r := newWalkRig(t)
	r.run(t, 500)
	r.cmd.Gait = locomotion.GaitWalk
	r.cmd.Vx = 0
	for i := 0; i < 40; i++ {
		ok := r.run(t, 100)
		tr := r.robot.Truth()
		st, ph := r.walker.Gait()
		t.Logf("t %.2f gait %v φ %.2f base %.3f %.3f %.3f v %.2f %.2f fails %d steps %v", tr.Time, st, ph, tr.BasePos[0], tr.BasePos[1], tr.BasePos[2], tr.BaseLinVel[0], tr.BaseLinVel[1], r.walker.Failures(), r.walker.Steps())
		if !ok {
			t.Fatal("fell")
		}
	}
}

package estimator_test

// Walking with the InEKF closing the loop (the walker steers on its
// estimate) and the linear baseline beside it, both scored against truth.

import (
	"fmt"
	"math"
	"testing"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

type walkEval struct {
	m, mb   metrics
	yawErr  float64
	dist    float64
	fell    bool
	ticks   int
	stats   estimator.Stats
	bStats  estimator.Stats
	finalE  spatial.Vec3
	finalT  spatial.Vec3
	finalEb spatial.Vec3
}

// walk runs the built-in robot under locomotion.Walker for 1 s standing and
// then secs at vx, with realistic sensor noise of seed; the InEKF is the
// walker's estimate.
func walk(t *testing.T, seed uint64, vx, secs float64) *walkEval {
	return walkOn(t, nil, seed, vx, secs, nil)
}

// walkOn is walk on terrain terr (nil: flat), calling each (when set) after
// every tick with the tick's estimate and truth.
func walkOn(t *testing.T, terr *sim.Terrain, seed uint64, vx, secs float64, each func(i int, e *estimator.Estimate, tr *simhal.Truth)) *walkEval {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(m, terr, sim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	robot, err := simhal.New(w, sim.RealisticSensors(seed))
	if err != nil {
		t.Fatal(err)
	}
	names := rbd.ActuatedJointNames(m)
	p, err := locomotion.DeriveProfile(m, names, nil)
	if err != nil {
		t.Fatal(err)
	}
	copy(w.Qpos, p.HomeQpos)
	clear(w.Qvel)
	wk, err := locomotion.NewWalker(p, locomotion.DefaultWalkerConfig())
	if err != nil {
		t.Fatal(err)
	}
	ekf, err := estimator.NewInEKF(m, names, estimator.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	lin, err := estimator.NewLinear(m, names, estimator.DefaultLinearConfig())
	if err != nil {
		t.Fatal(err)
	}
	var (
		sens  hal.Sensors
		e, eb estimator.Estimate
		sched estimator.ContactSchedule
		cmd   locomotion.Command
		out   hal.Commands
	)
	in := locomotion.Input{Sensors: &sens, Estimate: &e, Command: &cmd, Home: p.Home}
	if err := robot.Read(&sens); err != nil {
		t.Fatal(err)
	}
	ekf.Reset(&sens)
	lin.Reset(&sens)
	ekf.Update(&sens, &e)
	in.Time = w.Time
	if err := wk.Start(&in); err != nil {
		t.Fatal(err)
	}
	ev := &walkEval{}
	n := int(1000 + secs*1000)
	var prev spatial.Vec3
	for i := 0; i < n; i++ {
		if i == 1000 {
			cmd.Gait, cmd.Vx = locomotion.GaitWalk, vx
		}
		tr := robot.Truth()
		bp, bv, bq := tr.BasePos, tr.BaseLinVel, tr.BaseQuat
		if err := robot.Read(&sens); err != nil {
			t.Fatal(err)
		}
		ekf.SetSchedule(&sched)
		lin.SetSchedule(&sched)
		ekf.Update(&sens, &e)
		lin.Update(&sens, &eb)
		tt := simhal.Truth{BasePos: bp, BaseLinVel: bv}
		ev.m.add(&e, &tt)
		if each != nil {
			each(i, &e, &tt)
		}
		ev.mb.add(&eb, &tt)
		if i > 0 {
			d := bp.Sub(prev)
			ev.dist += math.Hypot(d[0], d[1])
		}
		prev = bp
		ye := math.Atan2(2*(e.Quat[0]*e.Quat[3]+e.Quat[1]*e.Quat[2]), 1-2*(e.Quat[2]*e.Quat[2]+e.Quat[3]*e.Quat[3]))
		yt := math.Atan2(2*(bq.W*bq.Z+bq.X*bq.Y), 1-2*(bq.Y*bq.Y+bq.Z*bq.Z))
		ev.yawErr = math.Abs(math.Remainder(ye-yt, 2*math.Pi))
		in.Time = w.Time
		wk.Step(&in, &out)
		wk.Schedule(&sched)
		if err := wk.Err(); err != nil {
			t.Logf("t = %.3f s: controller error: %v", w.Time, err)
			ev.fell = true
			break
		}
		if err := robot.Write(&out); err != nil {
			t.Fatal(err)
		}
		if err := robot.Advance(0.001); err != nil {
			t.Fatal(err)
		}
		if robot.Truth().BasePos[2] < 0.45 {
			ev.fell = true
			break
		}
		ev.ticks++
		ev.finalE, ev.finalT, ev.finalEb = e.Pos, bp, eb.Pos
	}
	ev.stats, ev.bStats = ekf.Stats(), lin.Stats()
	return ev
}

// Walking at 0.4 m/s for 6 s with realistic noise, the walker steering on
// the InEKF's estimate: velocity RMSE ≤ 0.05 m/s, position drift ≤ 1 % of
// the distance, velocity better than the linear baseline's on the same
// samples and drift within 5 mm of it,
// and height error RMS ≤ 3 mm (9 mm before the level-ground prior and the
// still-sole contact point; the baseline's is better still: it holds every
// standing foot at z = 0).
func TestWalking(t *testing.T) {
	secs := 6.0
	if testing.Short() {
		secs = 3
	}
	ev := walk(t, 1, 0.4, secs)
	if ev.fell {
		t.Fatal("the walker fell on the filter's estimate")
	}
	pct := 100 * ev.m.maxDrift / math.Max(1, ev.dist)
	pctb := 100 * ev.mb.maxDrift / math.Max(1, ev.dist)
	t.Logf("walked %.2f m: InEKF vel RMSE %.4f m/s, height RMS %.4f m, max drift %.4f m (%.2f %%), final yaw error %.3f°; stats %+v",
		ev.dist, ev.m.velRMSE(), ev.m.heightRMS(), ev.m.maxDrift, pct, ev.yawErr*180/math.Pi, ev.stats)
	t.Logf("baseline (linear KF): vel RMSE %.4f m/s, height RMS %.4f m, max drift %.4f m (%.2f %%)",
		ev.mb.velRMSE(), ev.mb.heightRMS(), ev.mb.maxDrift, pctb)
	if v := ev.m.velRMSE(); v > 0.05 {
		t.Errorf("velocity RMSE %.4f m/s walking, want ≤ 0.05", v)
	}
	if pct > 1 {
		t.Errorf("drift %.2f %% of %.2f m walking, want ≤ 1 %%", pct, ev.dist)
	}
	if h := ev.m.heightRMS(); h > 0.003 {
		t.Errorf("height error RMS %.4f m walking, want ≤ 0.003", h)
	}
	// Over 2.3 m both filters' drift is a centimetre or so and either may
	// lead by a few millimetres from one change of the simulator or the
	// walker to the next (0.0148 vs 0.0158 m, 0.0115 vs 0.0114, 0.0165 vs
	// 0.0138 over this session): the drift must stay within 5 mm of the
	// baseline's here; the 100 m walk in docs/estimator.md compares them.
	if ev.m.velRMSE() >= ev.mb.velRMSE() || ev.m.maxDrift > ev.mb.maxDrift+0.005 {
		t.Errorf("not better than the baseline: velocity RMSE %.4f vs %.4f m/s, drift %.4f vs %.4f m (+5 mm allowed)",
			ev.m.velRMSE(), ev.mb.velRMSE(), ev.m.maxDrift, ev.mb.maxDrift)
	}
}

// Standing with the left foot on a patch of friction 0.1 (ice) and pushed
// forward, sideways and back (6 pushes of 8 N·s): the icy foot slides on
// the ground (truth: ≥ 1 cm of path), the filter finds it sliding and takes
// it afresh (Stats.Slipped), the estimate stays finite, and it recovers:
// over the last 2 s velocity RMSE ≤ 0.03 m/s, and the drift stays within
// 3 cm. The same pushes with the patch at friction 1: the foot does not
// slide, and no slip is reported.
func TestStandingSlipPatch(t *testing.T) {
	for _, mu := range []float64{0.1, 1} {
		slid, st, after, r := pushedOnPatch(t, mu)
		r.report(t, fmt.Sprintf("left foot on friction %g", mu))
		t.Logf("friction %g: the left foot slid %.3f m; stats %+v; last 2 s: vel RMSE %.4f m/s", mu, slid, st, after.velRMSE())
		if r.robot.Truth().BasePos[2] < 0.5 {
			t.Fatalf("friction %g: the robot fell: the test needs it standing", mu)
		}
		if r.m.nan {
			t.Fatalf("friction %g: non-finite estimate", mu)
		}
		if mu == 1 {
			if slid > 0.002 || st.Slipped != 0 {
				t.Errorf("friction 1: the foot slid %.4f m, %d slips reported; want no slip (< 2 mm) and none reported", slid, st.Slipped)
			}
			continue
		}
		if slid < 0.01 {
			t.Fatalf("the icy foot slid only %.4f m: no slip to detect", slid)
		}
		if st.Slipped == 0 {
			t.Error("no slip noticed on the ice")
		}
		if v := after.velRMSE(); v > 0.03 {
			t.Errorf("velocity RMSE %.4f m/s over the last 2 s, want ≤ 0.03", v)
		}
		if d := r.m.maxDrift; d > 0.03 {
			t.Errorf("drift %.4f m, want ≤ 0.03", d)
		}
	}
}

// pushedOnPatch stands the robot with its left foot on a patch of friction
// mu and pushes it; it returns the path the left foot slid over the ground
// while touching it, the filter's counters, the last 2 s's errors and the
// rig.
func pushedOnPatch(t *testing.T, mu float64) (float64, estimator.Stats, *metrics, *rig) {
	terr := sim.FlatGround(1)
	terr.Patches = []sim.FrictionPatch{{MinX: -1, MaxX: 1, MinY: 0, MaxY: 1, Friction: mu}}
	r := newRigOn(t, terr, sim.RealisticSensors(13))
	r.run(t, 1000, false, nil) // settle
	foot := r.robot.Truth().Feet[0].Pos
	push := r.push(0, 700, 6, 8)
	after := &metrics{}
	slid := 0.0
	const n = 6500
	r.run(t, n, true, func(i int) {
		push(i)
		tr := r.robot.Truth()
		if f := tr.Feet[0]; f.InContact {
			d := f.Pos.Sub(foot)
			slid += math.Hypot(d[0], d[1])
		}
		foot = tr.Feet[0].Pos
		if i >= n-2000 {
			after.add(&r.e, tr)
		}
	})
	return slid, r.inekf.Stats(), after, r
}

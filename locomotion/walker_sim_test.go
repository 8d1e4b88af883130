package locomotion_test

// Closed-loop tests of the Walker in the simulator. They live in the external
// test package: locomotion itself must not import sim.

import (
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/locomotion/qp"
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

// stateEstimator is the runtime's Estimator (with the schedule hand-off).
type stateEstimator interface {
	Reset(*hal.Sensors)
	Update(*hal.Sensors, *estimator.Estimate)
	SetSchedule(*estimator.ContactSchedule)
}

// walkRig runs the walker against the simulated built-in robot directly
// (read, truth estimate, step, write, advance), without the runtime.
type walkRig struct {
	w      *sim.World
	robot  *simhal.Robot
	walker *locomotion.Walker
	est    truthEstimator
	estim  stateEstimator // when set, the estimator in the loop instead of est
	sched  estimator.ContactSchedule
	sens   hal.Sensors
	e      estimator.Estimate
	cmd    locomotion.Command
	in     locomotion.Input
	out    hal.Commands
}

func newWalkRig(t testing.TB) *walkRig {
	t.Helper()
	return newWalkRigCfg(t, locomotion.DefaultWalkerConfig())
}

func newWalkRigCfg(t testing.TB, cfg locomotion.WalkerConfig) *walkRig {
	t.Helper()
	return newWalkRigModel(t, "", cfg)
}

// newWalkRigModel loads the model at path ("": the built-in robot), starts
// it in its profile's home pose on flat ground and starts the walker.
func newWalkRigModel(t testing.TB, path string, cfg locomotion.WalkerConfig) *walkRig {
	t.Helper()
	return newWalkRigTerrain(t, path, nil, 0, cfg)
}

// newWalkRigTerrain is newWalkRigModel on terrain (nil: flat), the start
// pose lifted by lift metres.
func newWalkRigTerrain(t testing.TB, path string, terrain *sim.Terrain, lift float64, cfg locomotion.WalkerConfig) *walkRig {
	t.Helper()
	m, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(m, terrain, sim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	robot, err := simhal.New(w, sim.SensorParams{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range robot.Info().Joints {
		names = append(names, j.Name)
	}
	p, err := locomotion.DeriveProfile(m, names, nil)
	if err != nil {
		t.Fatal(err)
	}
	copy(w.Qpos, p.HomeQpos) // the home pose, soles on the ground
	w.Qpos[2] += lift
	clear(w.Qvel)
	wk, err := locomotion.NewWalker(p, cfg)
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
		if r.estim != nil {
			r.estim.SetSchedule(&r.sched)
			r.estim.Update(&r.sens, &r.e)
		} else {
			r.est.Update(&r.sens, &r.e)
		}
		r.in.Time = r.w.Time
		r.walker.Step(&r.in, &r.out)
		r.walker.Schedule(&r.sched)
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
		if z := r.robot.Truth().BasePos[2]; z < 0.45 {
			t.Logf("t = %.3f s: fell (base at %.3f m)", r.w.Time, z)
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

// comSpeed returns the true mean horizontal COM velocity over the next n
// ticks, and whether the robot stayed up.
func (r *walkRig) comSpeed(t testing.TB, n int) (vx, vy float64, ok bool) {
	t.Helper()
	c0, t0 := r.robot.Truth().COM, r.w.Time
	ok = r.run(t, n)
	c1, t1 := r.robot.Truth().COM, r.w.Time
	return (c1[0] - c0[0]) / (t1 - t0), (c1[1] - c0[1]) / (t1 - t0), ok
}

// Stepping in place (walk gait, zero velocity) for 4 s, then a stop: no
// fall, a step every ~0.4 s, the COM stays within 15 cm, and after the stop
// the robot is in double support and at rest within 2 s.
func TestWalkerStepsInPlace(t *testing.T) {
	r := newWalkRig(t)
	r.run(t, 300)
	c0 := r.robot.Truth().COM
	r.cmd.Gait = locomotion.GaitWalk
	if !r.run(t, 4000) {
		t.Fatal("fell stepping in place")
	}
	steps := r.walker.Scheduler().Steps()
	d := r.robot.Truth().COM.Sub(c0)
	t.Logf("4 s stepping in place: %d steps, COM moved (%.3f, %.3f) m, QP failures %d", steps, d[0], d[1], r.walker.Failures())
	if steps < 9 || steps > 12 {
		t.Errorf("%d steps in 4 s, want about 10 (0.4 s steps)", steps)
	}
	if math.Hypot(d[0], d[1]) > 0.15 {
		t.Errorf("COM wandered %.3f m stepping in place", math.Hypot(d[0], d[1]))
	}
	r.cmd.Gait = locomotion.GaitStand
	if !r.run(t, 2000) {
		t.Fatal("fell after the stop")
	}
	tr := r.robot.Truth()
	if g, _ := r.walker.Gait(); g != locomotion.GaitStand || !tr.Feet[0].InContact || !tr.Feet[1].InContact {
		t.Errorf("2 s after the stop: gait %v, contacts %v %v; want standing in double support", g, tr.Feet[0].InContact, tr.Feet[1].InContact)
	}
	if v := math.Hypot(tr.BaseLinVel[0], tr.BaseLinVel[1]); v > 0.05 {
		t.Errorf("2 s after the stop the base moves at %.3f m/s", v)
	}
}

// walkSeconds is how long TestWalkerWalksForward walks at each speed; the
// 10 s figures of docs/walking.md come from
//
//	go test ./locomotion -run TestWalkerWalksForward -v -args -walk.seconds=10
var walkSeconds = flag.Float64("walk.seconds", 6, "seconds TestWalkerWalksForward walks at each speed (≥ 4)")

// walkSpeeds are the speeds TestWalkerWalksForward walks at (m/s, comma
// separated), e.g. -args -walk.speeds=0.3,0.5,0.6.
var walkSpeeds = flag.String("walk.speeds", "0.3,0.5", "speeds (m/s) TestWalkerWalksForward walks at, comma separated")

// Walking forward at 0.3 and 0.5 m/s for walk.seconds each (6 s; the
// simulation is deterministic and noise-free here: no seed), from 0.3 s of
// standing: no fall; over the second half the mean COM speed is within 0.1
// m/s of the command, the RMS of the speed error averaged over 0.4 s windows
// (a step) under 0.1 m/s, and the sideways drift under 0.1 m/s; the MPC
// supplied the wrench references on most walking ticks and never failed;
// then a stop to rest in double support within 2 s.
func TestWalkerWalksForward(t *testing.T) {
	secs := math.Max(*walkSeconds, 4)
	half := int(secs * 500)
	var speeds []float64
	for _, f := range strings.Split(*walkSpeeds, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			t.Fatalf("-walk.speeds: %v", err)
		}
		speeds = append(speeds, v)
	}
	for _, v := range speeds {
		r := newWalkRig(t)
		r.run(t, 300)
		r.cmd.Gait, r.cmd.Vx = locomotion.GaitWalk, v
		x0 := r.robot.Truth().COM
		if !r.run(t, half) {
			t.Fatalf("%.1f m/s: fell accelerating", v)
		}
		var sq float64
		n := 0
		c0 := r.robot.Truth().COM
		for k := 0; k < half/400; k++ {
			vx, _, ok := r.comSpeed(t, 400)
			if !ok {
				t.Fatalf("%.1f m/s: fell walking", v)
			}
			sq += (vx - v) * (vx - v)
			n++
		}
		c1 := r.robot.Truth().COM
		dt := float64(n) * 0.4
		vx, vy := (c1[0]-c0[0])/dt, (c1[1]-c0[1])/dt
		rms := math.Sqrt(sq / float64(n))
		d := c1.Sub(x0)
		solves, failed, used := r.walker.MPCStats()
		t.Logf("vx %.1f m/s: %.2f m forward, %.2f m sideways in %g s; last %.1f s mean (%.3f, %.3f) m/s, step-averaged speed error RMS %.3f m/s; %d steps, QP failures %d; MPC %d solves, %d failed, used on %d ticks",
			v, d[0], d[1], secs, dt, vx, vy, rms, r.walker.Scheduler().Steps(), r.walker.Failures(), solves, failed, used)
		if math.Abs(vx-v) > 0.1 || math.Abs(vy) > 0.1 || rms > 0.1 {
			t.Errorf("%.1f m/s: mean velocity (%.3f, %.3f), error RMS %.3f; want (%.1f, 0) ± 0.1, RMS < 0.1", v, vx, vy, rms, v)
		}
		if r.walker.Failures() != 0 || failed != 0 || float64(used) < 800*secs {
			t.Errorf("%.1f m/s: %d QP failures, MPC %d failed, used on %d ticks (want none failed, used on ≥ 80 %%)", v, r.walker.Failures(), failed, used)
		}
		// Stop: standing in double support, at rest, within 2 s.
		r.cmd.Gait, r.cmd.Vx = locomotion.GaitStand, 0
		if !r.run(t, 2000) {
			t.Fatalf("%.1f m/s: fell stopping", v)
		}
		tr := r.robot.Truth()
		g, _ := r.walker.Gait()
		sp := math.Hypot(tr.BaseLinVel[0], tr.BaseLinVel[1])
		t.Logf("vx %.1f m/s: 2 s after the stop: gait %v, contacts %v %v, base speed %.3f m/s", v, g, tr.Feet[0].InContact, tr.Feet[1].InContact, sp)
		if g != locomotion.GaitStand || !tr.Feet[0].InContact || !tr.Feet[1].InContact || sp > 0.05 {
			t.Errorf("%.1f m/s: 2 s after the stop: gait %v, contacts %v %v, speed %.3f m/s; want standing in double support at rest", v, g, tr.Feet[0].InContact, tr.Feet[1].InContact, sp)
		}
	}
}

// With the MPC in its own goroutine (mpc.Runner), the walker steps in place
// without falling, the runner solves, and Stop ends it.
func TestWalkerMPCAsync(t *testing.T) {
	cfg := locomotion.DefaultWalkerConfig()
	cfg.MPC = locomotion.MPCAsync
	r := newWalkRigCfg(t, cfg)
	defer r.walker.Stop()
	r.cmd.Gait = locomotion.GaitWalk
	for i := 0; i < 20; i++ {
		if !r.run(t, 100) {
			t.Fatal("fell")
		}
		time.Sleep(2 * time.Millisecond) // let the solver run on a loaded machine
	}
	solves, bad, used := r.walker.MPCStats()
	t.Logf("async MPC: %d solves, %d late or failed, used on %d ticks", solves, bad, used)
	if solves == 0 {
		t.Error("the MPC runner never solved")
	}
	r.walker.Stop()
}

// The walker's tick allocates nothing, walking included.
func TestWalkerStepAllocs(t *testing.T) {
	r := newWalkRig(t)
	r.cmd.Gait = locomotion.GaitWalk
	r.run(t, 800)
	n := testing.AllocsPerRun(300, func() {
		r.walker.Step(&r.in, &r.out)
	})
	if n != 0 {
		t.Errorf("%.1f allocations per Step", n)
	}
}

// BenchmarkWalkerStep times the controller's tick (model terms, footstep
// planning, whole-body QP) in closed loop while walking at 0.4 m/s: each
// iteration is one simulated millisecond, of which only Walker.Step is
// timed; p50 and p99 of those times are reported. mpc=off is the tick
// without the MPC (the whole-body QP's budget); mpc=inline includes the
// MPC solved inside every 20th tick (the deterministic simulation mode).
func BenchmarkWalkerStep(b *testing.B) {
	for _, c := range []struct {
		name string
		mode locomotion.MPCMode
	}{{"mpc=off", locomotion.MPCOff}, {"mpc=inline", locomotion.MPCInline}} {
		b.Run(c.name, func(b *testing.B) {
			cfg := locomotion.DefaultWalkerConfig()
			cfg.MPC = c.mode
			benchWalker(b, cfg)
		})
	}
}

func benchWalker(b *testing.B, cfg locomotion.WalkerConfig) {
	r := newWalkRigCfg(b, cfg)
	r.cmd.Gait, r.cmd.Vx = locomotion.GaitWalk, 0.4
	r.run(b, 1500)
	times := make([]float64, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := r.robot.Read(&r.sens); err != nil {
			b.Fatal(err)
		}
		r.est.Update(&r.sens, &r.e)
		r.in.Time = r.w.Time
		b.StartTimer()
		t0 := time.Now()
		r.walker.Step(&r.in, &r.out)
		d := time.Since(t0)
		b.StopTimer()
		total += d
		times = append(times, float64(d.Nanoseconds())/1e3)
		if err := r.robot.Write(&r.out); err != nil {
			b.Fatal(err)
		}
		if err := r.robot.Advance(0.001); err != nil {
			b.Fatal(err)
		}
		if r.e.Pos[2] < 0.45 {
			r = newWalkRigCfg(b, cfg) // fell: start over (not expected)
			r.cmd.Gait, r.cmd.Vx = locomotion.GaitWalk, 0.4
		}
		b.StartTimer()
	}
	b.StopTimer()
	sort.Float64s(times)
	b.ReportMetric(times[len(times)/2], "p50_us")
	b.ReportMetric(times[len(times)*99/100], "p99_us")
	b.ReportMetric(times[len(times)-1], "max_us")
}

// The whole-body QP reports its solve time.
func TestWBCSolveTime(t *testing.T) {
	r := newWalkRig(t)
	r.run(t, 10)
	if d := r.walker.WBC().SolveTime; d <= 0 || d > time.Second {
		t.Errorf("SolveTime %v", d)
	}
}

// A failing whole-body QP keeps the last good torques for FailTicks ticks,
// then Err reports it (the runtime turns that into FaultController); an
// infeasible tick allocates nothing.
func TestWalkerQPFailureFallback(t *testing.T) {
	r := newWalkRig(t)
	r.run(t, 200)
	good := append([]float64(nil), r.walker.WBC().Tau...)
	wt := &r.walker.WBC().Weights
	wt.Mu = math.NaN() // a malformed problem: every solve fails
	n := r.walker.Cfg.FailTicks
	for i := 0; i < n; i++ {
		r.walker.Step(&r.in, &r.out)
		if err := r.walker.Err(); err != nil {
			t.Fatalf("error after %d failed ticks, want after %d: %v", i+1, n+1, err)
		}
		for j, tau := range good {
			if r.out.Joint[j].Tau != tau {
				t.Fatalf("tick %d: joint %d torque %g, want the last good %g", i, j, r.out.Joint[j].Tau, tau)
			}
		}
	}
	r.walker.Step(&r.in, &r.out)
	err := r.walker.Err()
	if !errors.Is(err, locomotion.ErrWBC) {
		t.Fatalf("Err() = %v after %d failed ticks, want ErrWBC", err, n+1)
	}
	t.Logf("Err: %v", err)
	// An infeasible problem (a negative friction coefficient: no force
	// inside the cone) fails without allocating.
	wt.Mu = -0.5
	r.walker.Step(&r.in, &r.out)
	if st := r.walker.WBC().Status; st != qp.Infeasible {
		t.Fatalf("status %v, want infeasible", st)
	}
	if a := testing.AllocsPerRun(50, func() { r.walker.Step(&r.in, &r.out) }); a != 0 {
		t.Errorf("%.1f allocations per infeasible tick", a)
	}
	// Start clears the failure.
	wt.Mu = locomotion.DefaultWBCWeights().Mu
	if err := r.walker.Start(&r.in); err != nil || r.walker.Err() != nil {
		t.Fatalf("after Start: %v, %v", err, r.walker.Err())
	}
}

func yawOf(q [4]float64) float64 {
	return math.Atan2(2*(q[0]*q[3]+q[1]*q[2]), 1-2*(q[2]*q[2]+q[3]*q[3]))
}

// Turning in place at 0.5 rad/s for 3 s turns the base 1.5 rad (± 0.15,
// measured from the start of the turn after a 1 s lead-in) with the COM
// staying within 0.15 m; walking sideways at 0.2 m/s gives a mean lateral
// speed within 0.1 m/s of it over the last 2 s of 5 s.
func TestWalkerTurnsAndSidesteps(t *testing.T) {
	r := newWalkRig(t)
	r.run(t, 300)
	r.cmd.Gait = locomotion.GaitWalk
	r.run(t, 1000)
	tr := r.robot.Truth()
	q := tr.BaseQuat
	y0, c0 := yawOf([4]float64{q.W, q.X, q.Y, q.Z}), tr.COM
	r.cmd.YawRate = 0.5
	if !r.run(t, 3000) {
		t.Fatal("fell turning")
	}
	tr = r.robot.Truth()
	q = tr.BaseQuat
	dy := math.Remainder(yawOf([4]float64{q.W, q.X, q.Y, q.Z})-y0, 2*math.Pi)
	d := tr.COM.Sub(c0)
	t.Logf("turn in place: %.3f rad in 3 s at 0.5 rad/s; COM moved %.3f m", dy, math.Hypot(d[0], d[1]))
	if math.Abs(dy-1.5) > 0.15 || math.Hypot(d[0], d[1]) > 0.15 {
		t.Errorf("turned %.3f rad (want 1.5 ± 0.15), COM moved %.3f m", dy, math.Hypot(d[0], d[1]))
	}

	r = newWalkRig(t)
	r.run(t, 300)
	r.cmd.Gait, r.cmd.Vy = locomotion.GaitWalk, 0.2
	if !r.run(t, 3000) {
		t.Fatal("fell sidestepping")
	}
	vx, vy, ok := r.comSpeed(t, 2000)
	t.Logf("sideways at 0.2 m/s: last 2 s mean (%.3f, %.3f) m/s", vx, vy)
	if !ok {
		t.Fatal("fell sidestepping")
	}
	if math.Abs(vy-0.2) > 0.1 || math.Abs(vx) > 0.1 {
		t.Errorf("mean velocity (%.3f, %.3f), want (0, 0.2) ± 0.1", vx, vy)
	}
}

// The vendor's PM01 MJCF and URDF (test data outside the repo; skipped when
// absent) walk through the same controller with their derived profiles: 1 s
// standing, 1 s stepping in place, then 0.3 m/s for 6 s: no fall, and over
// the last 2 s a mean forward speed within 0.1 m/s of the command.
func TestWalkerVendorPM01(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "models", "pm01", "resource")
	for _, file := range []string{"pm_v2.xml", "robot/pm_v2/urdf/serial_pm_v2.urdf"} {
		path := filepath.Join(dir, file)
		if _, err := os.Stat(path); err != nil {
			t.Skipf("vendor model not present: %v", err)
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			r := newWalkRigModel(t, path, locomotion.DefaultWalkerConfig())
			if !r.run(t, 1000) {
				t.Fatal("fell standing")
			}
			r.cmd.Gait = locomotion.GaitWalk
			if !r.run(t, 1000) {
				t.Fatal("fell stepping in place")
			}
			// 4 s to settle: since the walking height drops with speed and
			// touchdowns are found from kinematics, the vendor MJCF
			// overshoots to 0.4–0.6 m/s 2–3 s after the command before it
			// settles near 0.26–0.3 m/s (a weakness, not yet understood).
			r.cmd.Vx = 0.3
			if !r.run(t, 4000) {
				t.Fatal("fell walking")
			}
			vx, vy, ok := r.comSpeed(t, 2000)
			t.Logf("%s at 0.3 m/s: last 2 s mean (%.3f, %.3f) m/s; QP failures %d", file, vx, vy, r.walker.Failures())
			if !ok {
				t.Fatal("fell walking")
			}
			if math.Abs(vx-0.3) > 0.1 || math.Abs(vy) > 0.1 {
				t.Errorf("mean velocity (%.3f, %.3f), want (0.3, 0) ± 0.1", vx, vy)
			}
		})
	}
}

// With the real estimator (estimator.InEKF, fed the walker's contact
// schedule) and realistic sensor noise (sim.RealisticSensors, seed 1)
// instead of the truth estimator: 1 s standing, then 0.4 m/s for 6 s; no
// fall, and over the last 3 s the true mean COM speed within 0.1 m/s of the
// command.
func TestWalkerWithEstimatorAndNoise(t *testing.T) {
	r := newWalkRig(t)
	r.robot.Sensors = sim.NewSensors(r.w, sim.RealisticSensors(1))
	var names []string
	for _, j := range r.robot.Info().Joints {
		names = append(names, j.Name)
	}
	ekf, err := estimator.NewInEKF(r.w.Model, names, estimator.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.robot.Read(&r.sens); err != nil {
		t.Fatal(err)
	}
	ekf.Reset(&r.sens)
	ekf.Update(&r.sens, &r.e)
	r.estim = ekf
	if err := r.walker.Start(&r.in); err != nil {
		t.Fatal(err)
	}
	if !r.run(t, 1000) {
		t.Fatal("fell standing")
	}
	r.cmd.Gait, r.cmd.Vx = locomotion.GaitWalk, 0.4
	if !r.run(t, 3000) {
		t.Fatal("fell accelerating")
	}
	vx, vy, ok := r.comSpeed(t, 3000)
	tr := r.robot.Truth()
	t.Logf("InEKF + noise (seed 1), 0.4 m/s: last 3 s true mean (%.3f, %.3f) m/s; estimated base (%.3f, %.3f, %.3f) vs true (%.3f, %.3f, %.3f) m; QP failures %d",
		vx, vy, r.e.Pos[0], r.e.Pos[1], r.e.Pos[2], tr.BasePos[0], tr.BasePos[1], tr.BasePos[2], r.walker.Failures())
	if !ok {
		t.Fatal("fell walking")
	}
	if math.Abs(vx-0.4) > 0.1 || math.Abs(vy) > 0.1 {
		t.Errorf("mean velocity (%.3f, %.3f), want (0.4, 0) ± 0.1", vx, vy)
	}
}

// Without a valid position and velocity estimate the walker refuses to
// start; losing them while running is reported by Err on that tick.
func TestWalkerNeedsEstimate(t *testing.T) {
	r := newWalkRig(t)
	r.run(t, 100)
	r.e.VelocityValid = false
	r.walker.Step(&r.in, &r.out)
	if err := r.walker.Err(); !errors.Is(err, locomotion.ErrEstimate) {
		t.Errorf("Err() = %v after the velocity estimate was lost, want ErrEstimate", err)
	}
	if err := r.walker.Start(&r.in); !errors.Is(err, locomotion.ErrEstimate) {
		t.Errorf("Start = %v without a velocity estimate, want ErrEstimate", err)
	}
	r.e.VelocityValid = true
	if err := r.walker.Start(&r.in); err != nil || r.walker.Err() != nil {
		t.Errorf("Start = %v, Err = %v with a full estimate", err, r.walker.Err())
	}
}

// The published contact schedule is the clock's plan: both feet while
// standing, alternating single supports between double supports while
// walking, with progress in [0, 1] and the time left never negative; the
// controller's own stance agrees with it on almost every tick (it differs
// only around detected early or late touchdowns).
func TestWalkerSchedule(t *testing.T) {
	r := newWalkRig(t)
	var s estimator.ContactSchedule
	r.run(t, 200)
	r.walker.Schedule(&s)
	if !s.Valid || !s.Stance[0] || !s.Stance[1] {
		t.Fatalf("standing: schedule %+v", s)
	}
	r.cmd.Gait = locomotion.GaitWalk
	single := [2]int{}
	differ := 0
	for i := 0; i < 2000; i++ {
		r.run(t, 1)
		r.walker.Schedule(&s)
		if s.Stance != r.walker.WBC().Stance {
			differ++
		}
		for k := 0; k < 2; k++ {
			if s.Phase[k] < 0 || s.Phase[k] > 1 || s.Remaining[k] < 0 {
				t.Fatalf("t %.3f: foot %d phase %g remaining %g", r.w.Time, k, s.Phase[k], s.Remaining[k])
			}
		}
		if !s.Stance[0] && !s.Stance[1] {
			t.Fatalf("t %.3f: both feet in swing while walking", r.w.Time)
		}
		if s.Stance[0] != s.Stance[1] {
			if s.Stance[0] {
				single[0]++
			} else {
				single[1]++
			}
		}
	}
	// 2 s of walking at 0.4 s steps (0.3 s held at the start): each foot
	// stands alone for about 2 × 0.32 s.
	t.Logf("ticks in single support on the left %d, on the right %d; controller's stance differs from the plan on %d ticks", single[0], single[1], differ)
	if differ > 200 {
		t.Errorf("the controller's stance differs from the plan on %d of 2000 ticks", differ)
	}
	for k := 0; k < 2; k++ {
		if single[k] < 450 || single[k] > 850 {
			t.Errorf("foot %d in single support for %d ticks, want about 640", k, single[k])
		}
	}
}

// Uneven ground with no vision (the touchdown height is the stance foot's):
// up a 5° slope and over ±2 cm rough ground (a 0.1 m grid, seed 1) at 0.5
// m/s for 5 s each (1 s of it accelerating) without a fall, more than 1.5 m forward.
func TestWalkerSlopeAndRoughGround(t *testing.T) {
	for _, c := range []struct {
		name    string
		terrain *sim.Terrain
		lift    float64
	}{
		{"slope 5°", sim.TiltedGround(5*math.Pi/180, 1), 0.02},
		{"rough ±2 cm", sim.RoughGround(120, 120, 0.1, 0.02, 1, 1), 0.025},
	} {
		r := newWalkRigTerrain(t, "", c.terrain, c.lift, locomotion.DefaultWalkerConfig())
		r.run(t, 500)
		x0 := r.robot.Truth().COM
		r.cmd.Gait, r.cmd.Vx = locomotion.GaitWalk, 0.5
		ok := r.run(t, 5000)
		d := r.robot.Truth().COM.Sub(x0)
		t.Logf("%s at 0.5 m/s: %.2f m forward, %.2f m sideways, %.2f m up in 5 s; QP failures %d", c.name, d[0], d[1], d[2], r.walker.Failures())
		if !ok {
			t.Fatalf("%s: fell", c.name)
		}
		if d[0] < 1.5 {
			t.Errorf("%s: %.2f m forward in 5 s, want > 1.5", c.name, d[0])
		}
	}
}

// A NaN joint reading makes no NaN command: the torques stay the last good
// ones and every value stays finite, and the failure is reported by Err
// after FailTicks.
func TestWalkerNaNSensor(t *testing.T) {
	r := newWalkRig(t)
	r.run(t, 100)
	r.sens.Q[3] = math.NaN()
	for i := 0; i <= r.walker.Cfg.FailTicks; i++ {
		r.walker.Step(&r.in, &r.out)
		for j := 0; j < r.out.N; j++ {
			c := r.out.Joint[j]
			for _, v := range []float64{c.Tau, c.Q, c.Qd, c.Kp, c.Kd} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("tick %d: joint %d command %+v not finite", i, j, c)
				}
			}
		}
	}
	if err := r.walker.Err(); !errors.Is(err, locomotion.ErrWBC) {
		t.Errorf("Err() = %v after %d ticks of a NaN joint, want ErrWBC", err, r.walker.Cfg.FailTicks+1)
	}
}

// Walking fast (truth): with the walking height dropping with speed
// (StepReach 0.75) and the automatic switch to running off, 1.0 m/s for 8 s
// from standing: no fall, and over the last 3 s a mean forward speed within
// 0.1 m/s of the command. The drop at 1 m/s is a few centimetres. Without
// the drop the stance knee straightens before the swing foot is down and
// the robot falls within 2 s of reaching the speed.
func TestWalkerWalksFast(t *testing.T) {
	cfg := locomotion.DefaultWalkerConfig()
	cfg.StepReach, cfg.Run.Auto = 0.75, false
	r := newWalkRigCfg(t, cfg)
	if d := r.walker.HeightDrop(1.0); d < 0.03 || d > 0.08 {
		t.Errorf("height drop at 1 m/s %.3f m, want 0.03–0.08", d)
	}
	r.run(t, 300)
	r.cmd.Gait, r.cmd.Vx = locomotion.GaitWalk, 1.0
	if !r.run(t, 5000) {
		t.Fatal("fell accelerating")
	}
	vx, vy, ok := r.comSpeed(t, 3000)
	if !ok {
		t.Fatal("fell walking")
	}
	t.Logf("1.0 m/s, drop %.3f m: last 3 s mean (%.3f, %.3f) m/s; QP failures %d", r.walker.HeightDrop(1.0), vx, vy, r.walker.Failures())
	if math.Abs(vx-1.0) > 0.1 || math.Abs(vy) > 0.1 {
		t.Errorf("mean velocity (%.3f, %.3f), want (1.0, 0) ± 0.1", vx, vy)
	}
}

// Torso pushes while walking (truth): at 0.5 m/s, 15 N·s over 0.05 s
// (300 N) forward, to the left, backward and to the right, 2.3 s apart (so
// at different phases of the stride): no fall, and 2 s after the last one
// the robot walks on at the command within 0.15 m/s. (Recovery comes from
// the capture-point footstep feedback alone; 20 N·s sideways is survived
// about half the time, see docs/walking.md.)
func TestWalkerSurvivesPushes(t *testing.T) {
	r := newWalkRig(t)
	r.run(t, 300)
	r.cmd.Gait, r.cmd.Vx = locomotion.GaitWalk, 0.5
	if !r.run(t, 3000) {
		t.Fatal("fell accelerating")
	}
	for i, p := range [][3]float64{{15, 0, 0}, {0, 15, 0}, {-15, 0, 0}, {0, -15, 0}} {
		if err := r.robot.Push(p, 0.05); err != nil {
			t.Fatal(err)
		}
		if !r.run(t, 2300) {
			t.Fatalf("push %d %v N·s: fell", i, p)
		}
	}
	vx, vy, ok := r.comSpeed(t, 2000)
	if !ok {
		t.Fatal("fell after the pushes")
	}
	t.Logf("after 4 pushes of 15 N·s: mean (%.3f, %.3f) m/s over 2 s", vx, vy)
	if math.Abs(vx-0.5) > 0.15 || math.Abs(vy) > 0.15 {
		t.Errorf("mean velocity (%.3f, %.3f) after the pushes, want (0.5, 0) ± 0.15", vx, vy)
	}
}

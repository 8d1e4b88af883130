package sim_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

// builtin returns the built-in robot in a world at its home keyframe with
// joint PD (kp, kd) on every actuator, run by the drives.
func builtin(t testing.TB, opt sim.Options, kp, kd float64) *sim.World {
	t.Helper()
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(m, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	holdPose(w, kp, kd)
	return w
}

// holdPose sets every drive to hold the current joint positions.
func holdPose(w *sim.World, kp, kd float64) {
	m := w.Model
	for i := range m.Actuators {
		j := &m.Joints[m.Actuators[i].Joint]
		w.Drive[i] = sim.DriveCommand{Q: w.Qpos[j.QAdr], Kp: kp, Kd: kd}
	}
}

// Two runs from the same state with the same inputs give identical bits.
func TestDeterministic(t *testing.T) {
	run := func() []float64 {
		w := builtin(t, sim.DefaultOptions(), 300, 8)
		w.Qpos[2] += 0.05 // drop a little, to have impacts
		for i := 0; i < 1500; i++ {
			if err := w.Step(); err != nil {
				t.Fatal(err)
			}
		}
		return append(append([]float64(nil), w.Qpos...), w.Qvel...)
	}
	a, b := run(), run()
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("state[%d] differs between runs: %v vs %v", i, a[i], b[i])
		}
	}
}

// A step allocates nothing, standing (contacts, limits, friction loss) and
// with either integrator.
func TestStepAllocatesNothing(t *testing.T) {
	for _, integ := range []sim.Integrator{sim.Euler, sim.RK4} {
		opt := sim.DefaultOptions()
		opt.Integrator = integ
		w := builtin(t, opt, 300, 8)
		for i := 0; i < 100; i++ {
			_ = w.Step()
		}
		if n := testing.AllocsPerRun(200, func() { _ = w.Step() }); n != 0 {
			t.Errorf("%v: Step allocates %v times, want 0", integ, n)
		}
	}
}

// The built-in robot dropped from 0.3 m onto its feet under joint PD lands,
// keeps penetration under 5 mm and stands.
func TestRobotDropLandsAndStands(t *testing.T) {
	w := builtin(t, sim.DefaultOptions(), 300, 8)
	h0 := w.Qpos[2]
	w.Qpos[2] += 0.3
	maxPen := 0.0
	for i := 0; i < 3000; i++ {
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
		for _, c := range w.Contacts {
			maxPen = math.Max(maxPen, -c.Dist)
		}
	}
	if maxPen > 0.005 {
		t.Errorf("max penetration %.2f mm, want < 5 mm", maxPen*1e3)
	}
	if h := w.Qpos[2]; math.Abs(h-h0) > 0.05 {
		t.Errorf("base height after landing %.3f m, standing height %.3f m: fell or sank", h, h0)
	}
	up := upright(w)
	if up < math.Cos(0.2) {
		t.Errorf("torso tilted by %.2f rad after landing", math.Acos(up))
	}
	t.Logf("max penetration %.2f mm, final base height %.4f m (home %.4f)", maxPen*1e3, w.Qpos[2], h0)
}

// upright returns the z component of the base's z axis.
func upright(w *sim.World) float64 {
	q := w.Qpos[3:7]
	return 1 - 2*(q[1]*q[1]+q[2]*q[2])
}

// A non-finite input stops the run with an error naming the step and the
// input, and the state is kept; so does a state that diverges.
func TestDivergenceIsReported(t *testing.T) {
	w := builtin(t, sim.DefaultOptions(), 300, 8)
	_ = w.Step()
	before := append([]float64(nil), w.Qpos...)
	w.QfrcApplied[7] = math.Inf(1)
	err := w.Step()
	if err == nil {
		t.Fatal("an infinite applied force did not stop the run")
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "QfrcApplied[7]") {
		t.Errorf("the error does not name the input: %v", err)
	}
	for i := range before {
		if w.Qpos[i] != before[i] {
			t.Fatalf("qpos[%d] changed after a failed step", i)
		}
	}
	// a state that is already bad (NaN in q): the step reports it, naming it
	w.QfrcApplied[7] = 0
	w.Qpos[12] = math.NaN()
	err = w.Step()
	if err == nil || !strings.Contains(err.Error(), "qpos[12]") {
		t.Fatalf("NaN in qpos: got %v, want an error naming qpos", err)
	}
	t.Log(err)
	_ = rbd.JointFree
}

// The robot stands under PD at every supported timestep, for 3 s.
func TestRobotStandsAtTimesteps(t *testing.T) {
	for _, h := range []float64{0.0005, 0.001, 0.002} {
		opt := sim.DefaultOptions()
		opt.Timestep = h
		w := builtin(t, opt, 300, 8)
		h0 := w.Qpos[2]
		for i := 0; i < int(3/h); i++ {
			if err := w.Step(); err != nil {
				t.Fatal(err)
			}
		}
		if math.Abs(w.Qpos[2]-h0) > 0.02 || upright(w) < math.Cos(0.1) || math.Hypot(w.Qpos[0], w.Qpos[1]) > 0.05 {
			t.Errorf("dt %g: base z %.4f (start %.4f), tilt %.3f rad, drift %.3f m",
				h, w.Qpos[2], h0, math.Acos(math.Min(1, upright(w))), math.Hypot(w.Qpos[0], w.Qpos[1]))
		}
		// at rest: no jitter
		if v := math.Hypot(w.Qvel[0], w.Qvel[2]); v > 1e-3 {
			t.Errorf("dt %g: base still moving at %.2g m/s after 3 s", h, v)
		}
	}
}

// The Newton and PGS solvers agree on the contact forces of the standing
// robot, and the forces carry its weight.
func TestSolversAgree(t *testing.T) {
	forces := func(s sim.Solver) (float64, []float64) {
		opt := sim.DefaultOptions()
		opt.Solver = s
		opt.SolverIterations = 300
		opt.SolverTolerance = 1e-10
		w := builtin(t, opt, 300, 8)
		for i := 0; i < 800; i++ {
			if err := w.Step(); err != nil {
				t.Fatal(err)
			}
		}
		total := 0.0
		var fz []float64
		for _, c := range w.Contacts {
			total += c.Force[2]
			fz = append(fz, c.Force[2])
		}
		return total, fz
	}
	tn, fn := forces(sim.SolverNewton)
	tp, fp := forces(sim.SolverPGS)
	m, _ := models.Builtin()
	weight := m.TotalMass() * 9.81
	if math.Abs(tn-weight)/weight > 0.01 {
		t.Errorf("Newton: vertical contact force %.2f N, weight %.2f N", tn, weight)
	}
	if math.Abs(tp-tn)/weight > 0.01 {
		t.Errorf("PGS total %.2f N vs Newton %.2f N", tp, tn)
	}
	if len(fn) != len(fp) {
		t.Fatalf("%d contacts with Newton, %d with PGS", len(fn), len(fp))
	}
	for i := range fn {
		if math.Abs(fn[i]-fp[i]) > 0.005*weight {
			t.Errorf("contact %d: Newton %.3f N, PGS %.3f N", i, fn[i], fp[i])
		}
	}
	t.Logf("weight %.2f N; Newton %.2f N %v; PGS %.2f N", weight, tn, fn, tp)
}

package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// The Newton solver's velocity minimises its convex cost: no random
// perturbation lowers it.
func TestNewtonSolutionIsOptimal(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, m, nil, DefaultOptions())
	for i := range m.Actuators {
		j := &m.Joints[m.Actuators[i].Joint]
		w.Drive[i] = DriveCommand{Q: w.Qpos[j.QAdr] + 0.1, Kp: 300, Kd: 8} // pull off the pose: sliding and loads change
	}
	stepN(t, w, 300)
	w.Forward()
	ns := &w.scratch.newton
	v := append([]float64(nil), ns.v...)
	vcur := append([]float64(nil), w.Qvel...)
	best := w.newtonCost(vcur, v)
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, len(v))
	for trial := 0; trial < 200; trial++ {
		scale := 1e-6 * float64(1+trial%5*10)
		for k := range x {
			x[k] = v[k] + scale*rng.NormFloat64()
		}
		if c := w.newtonCost(vcur, x); c < best-1e-15*abs(best) {
			t.Fatalf("a perturbation of %.0e lowers the cost: %.17g < %.17g", scale, c, best)
		}
	}
	if len(w.Contacts) == 0 || w.rows.n == 0 {
		t.Fatal("no constraints were active: the test checks nothing")
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// A contact row's effective mass from the body's Λ⁻¹ equals Jᵢ·M⁻¹·Jᵢᵀ
// computed directly.
func TestContactEffectiveMass(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, m, nil, DefaultOptions())
	stepN(t, w, 10)
	check := func(tol float64) {
		t.Helper()
		s := &w.rows
		for ci := range w.Contacts {
			for r := 0; r < 3; r++ {
				i := 3*ci + r
				x := append([]float64(nil), s.jrow(i)...)
				y := append([]float64(nil), x...)
				rbdSolve(w, y)
				want := 0.0
				for k := range x {
					want += x[k] * y[k]
				}
				if d := abs(s.a[i]-want) / want; d > tol {
					t.Errorf("contact %d row %d: A %.15g, direct %.15g (tol %g)", ci, r, s.a[i], want, tol)
				}
			}
		}
	}
	// reused for up to lambdaRefresh solves: within 1 % while standing
	w.Forward()
	check(0.01)
	// fresh: exact
	clear(w.rows.lamStamp)
	w.Forward()
	check(1e-10)
	if len(w.Contacts) == 0 {
		t.Fatal("no contacts")
	}
}

func rbdSolve(w *World, x []float64) {
	rbd.SolveTreePacked(w.Model, x, w.scratch.metricLD, w.scratch.metricDinv)
}

// newtonCost returns the cost at post-step velocity v from current velocity
// vcur (up to a constant): ½·xᵀ·M·x − h·fᵀ·x + rows, x = v − vcur.
func (w *World) newtonCost(vcur, v []float64) float64 {
	s, sc := &w.rows, &w.scratch
	ns := &sc.newton
	nv := w.Model.Nv
	h := w.Opt.Timestep
	e := make([]float64, nv)
	for k := 0; k < nv; k++ {
		e[k] = v[k] - vcur[k]
	}
	rbd.MulTreePacked(w.Model, ns.me, sc.metric, e)
	c := 0.0
	for k := 0; k < nv; k++ {
		c += 0.5*e[k]*ns.me[k] - h*sc.force[k]*e[k]
	}
	s.mulJ(v, ns.u)
	return c + w.evalRows(ns.u, false)
}

// The solver's work counters: Newton counts its steps (one Hessian
// factorisation each, as MuJoCo counts iterations) and line-search
// evaluations (at least one per step); PGS and an unconstrained step report
// no Newton work.
func TestSolverCounters(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, m, nil, DefaultOptions())
	for i := range m.Actuators {
		j := &m.Joints[m.Actuators[i].Joint]
		w.Drive[i] = DriveCommand{Q: w.Qpos[j.QAdr] + 0.1, Kp: 300, Kd: 8}
	}
	iters, evals, facts := 0, 0, 0
	for s := 0; s < 300; s++ {
		stepN(t, w, 1)
		it, ev, fa := w.SolverIterations, w.SolverLineEvals, w.SolverFactorizations
		if fa != it || ev < fa {
			t.Fatalf("step %d: %d iterations, %d line-search evaluations, %d factorisations", s, it, ev, fa)
		}
		iters, evals, facts = iters+it, evals+ev, facts+fa
	}
	if iters < 280 || evals < facts {
		t.Errorf("over 300 steps: %d iterations, %d evaluations, %d factorisations", iters, evals, facts)
	}
	opt := DefaultOptions()
	opt.Solver = SolverPGS
	p := newWorld(t, m, nil, opt)
	stepN(t, p, 20)
	if p.SolverIterations < 1 || p.SolverLineEvals != 0 || p.SolverFactorizations != 0 {
		t.Errorf("PGS: %d sweeps, %d evaluations, %d factorisations", p.SolverIterations, p.SolverLineEvals, p.SolverFactorizations)
	}
	opt = DefaultOptions()
	opt.DisableConstraints = true
	f := newWorld(t, m, nil, opt)
	stepN(t, f, 2)
	if f.SolverIterations != 0 || f.SolverLineEvals != 0 || f.SolverFactorizations != 0 {
		t.Errorf("no constraints: %d, %d, %d", f.SolverIterations, f.SolverLineEvals, f.SolverFactorizations)
	}
}

// Reset forgets the solver's warm start: a run after Reset repeats the
// first run bit for bit.
func TestResetRepeatsRun(t *testing.T) {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, m, nil, DefaultOptions())
	run := func() []float64 {
		for i := range m.Actuators {
			j := &m.Joints[m.Actuators[i].Joint]
			w.Drive[i] = DriveCommand{Q: w.Qpos[j.QAdr] + 0.2, Kp: 300, Kd: 8}
		}
		stepN(t, w, 200)
		return append(append([]float64(nil), w.Qpos...), w.Qvel...)
	}
	first := run()
	if err := w.Reset(0); err != nil {
		t.Fatal(err)
	}
	second := run()
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("state %d: %v after Reset, %v the first time", i, second[i], first[i])
		}
	}
}

// Joint friction loss that reverses within one step: the joint turns one
// way, saturating its friction, and a strong torque reverses it within the
// step, saturating it the other way. The friction then acts against the new
// motion: Newton must not take the full step that stays "saturated" with
// the old sign.
func TestFrictionLossReversesWithinStep(t *testing.T) {
	m := chain(t, []float64{2}, []float64{0.5}) // I = m·l² = 0.5
	m.Gravity = spatial.Vec3{}
	m.Joints[0].FrictionLoss = 1.0
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, m, nil, DefaultOptions())
	w.QfrcApplied[0] = 3
	stepN(t, w, 100)
	if w.Qvel[0] <= 0.1 {
		t.Fatalf("the joint should turn forward first: %.4f rad/s", w.Qvel[0])
	}
	w.QfrcApplied[0] = -600
	stepN(t, w, 1)
	if w.Qvel[0] >= 0 {
		t.Fatalf("the torque should reverse the joint within the step: %.4f rad/s", w.Qvel[0])
	}
	want := (-600 + 1.0) / 0.5 // friction now opposes the backward motion
	if got := w.Qacc[0]; math.Abs(got-want) > 1e-4*math.Abs(want) {
		t.Errorf("acceleration %.4f rad/s², want (τ + F)/I = %.4f", got, want)
	}
}

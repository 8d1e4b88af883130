package mpc

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/sim/spatial"
)

const testMass = 40.0

var testInertia = [9]float64{2.5, 0, 0, 0, 2.2, 0, 0, 0, 0.5}

func newTestMPC(t testing.TB, knots int) *MPC {
	t.Helper()
	p := DefaultParams(testMass, testInertia)
	p.Knots = knots
	m, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// standing: base at 0.8 m, level, at rest; feet 0.2 m apart under it, both in
// stance over the whole horizon.
func standing(m *MPC) *Input {
	in := &Input{Quat: [4]float64{1, 0, 0, 0}, Pos: [3]float64{0, 0, 0.8}}
	for k := range in.Plan {
		in.Plan[k].Stance = [Feet]bool{true, true}
		in.Plan[k].Foot = [Feet][3]float64{{0, 0.1, 0}, {0, -0.1, 0}}
	}
	m.SetReferenceFrom(in, Command{Height: 0.8, Start: m.Here(in)})
	return in
}

// walking: a plan of alternating single supports (8 knots each) with two
// double-support knots between, starting in double support.
func walking(m *MPC, phase int) *Input {
	in := standing(m)
	for k := range in.Plan {
		c := (k + phase) % 20
		switch {
		case c < 2 || (c >= 10 && c < 12):
			in.Plan[k].Stance = [Feet]bool{true, true}
		case c < 10:
			in.Plan[k].Stance = [Feet]bool{true, false}
		default:
			in.Plan[k].Stance = [Feet]bool{false, true}
		}
		in.Plan[k].Foot[1][0] = 0.15 // right foot a step ahead
	}
	in.LinVel = [3]float64{0.4, 0.05, 0}
	m.SetReferenceFrom(in, Command{Vx: 0.5, YawRate: 0.2, Height: 0.8, Start: m.Here(in)})
	return in
}

func TestStandingCarriesWeight(t *testing.T) {
	for _, knots := range []int{10, 16} {
		m := newTestMPC(t, knots)
		in := standing(m)
		in.Pos[1] = 0.03 // CoM a little towards the left foot
		var sol Solution
		if err := m.Solve(in, &sol); err != nil {
			t.Fatal(err)
		}
		mg := testMass * 9.81
		for k := 0; k < knots; k++ {
			fz := sol.Wrench[k][0][2] + sol.Wrench[k][1][2]
			if math.Abs(fz-mg) > 0.01*mg {
				t.Errorf("knots %d, knot %d: Σfz = %.2f N, want m·g = %.2f N within 1 %%", knots, k, fz, mg)
			}
			fx := sol.Wrench[k][0][0] + sol.Wrench[k][1][0]
			if math.Abs(fx) > 0.01*mg {
				t.Errorf("knots %d, knot %d: Σfx = %.2f N, want ≈ 0", knots, k, fx)
			}
		}
		if l, r := sol.Wrench[0][0][2], sol.Wrench[0][1][2]; !(l > r) {
			t.Errorf("CoM towards the left foot, but fz left %.1f ≤ right %.1f", l, r)
		}
		if sol.Vars != 12*knots {
			t.Errorf("vars %d, want %d", sol.Vars, 12*knots)
		}
	}
}

func TestForwardCommandPushesForward(t *testing.T) {
	m := newTestMPC(t, 10)
	in := standing(m)
	m.SetReferenceFrom(in, Command{Vx: 0.5, Height: 0.8, Start: m.Here(in)})
	var sol Solution
	if err := m.Solve(in, &sol); err != nil {
		t.Fatal(err)
	}
	fx := sol.Wrench[0][0][0] + sol.Wrench[0][1][0]
	if fx < 0.05*testMass*9.81 {
		t.Errorf("Σfx at the first knot = %.2f N for a 0.5 m/s command from rest; want a clear forward push (> 5 %% of m·g)", fx)
	}
	if v := sol.Pred[m.p.Knots][9]; !(v > 0.1) {
		t.Errorf("predicted forward velocity at the horizon's end %.3f m/s, want > 0.1", v)
	}
	// Turning: positive yaw rate command → positive yaw moment about the CoM.
	in = standing(m)
	m.SetReferenceFrom(in, Command{YawRate: 0.5, Height: 0.8, Start: m.Here(in)})
	if err := m.Solve(in, &sol); err != nil {
		t.Fatal(err)
	}
	if wz := sol.Pred[1][8]; !(wz > 0) {
		t.Errorf("yaw-rate command 0.5 rad/s: predicted ωz after one knot %.4f, want > 0", wz)
	}
}

// checkConstraints returns the largest violation of the wrench constraints
// and the number of constraints within tol of binding.
func checkConstraints(p Params, in *Input, sol *Solution) (viol float64, binding int) {
	mu := p.Mu / math.Sqrt2
	for k := 0; k < p.Knots; k++ {
		for i := 0; i < Feet; i++ {
			w := sol.Wrench[k][i]
			if !in.Plan[k].Stance[i] {
				for _, v := range w {
					viol = max(viol, math.Abs(v))
				}
				continue
			}
			c, s := math.Cos(in.Plan[k].FootYaw[i]), math.Sin(in.Plan[k].FootYaw[i])
			fz := w[2]
			fzMax := in.Plan[k].FzMax[i]
			if fzMax == 0 {
				fzMax = p.FzMax
			}
			gaps := []float64{
				fz - p.FzMin, fzMax - fz,
				mu*fz - math.Abs(c*w[0]+s*w[1]), mu*fz - math.Abs(-s*w[0]+c*w[1]),
				p.SoleWidth/2*fz - math.Abs(c*w[3]+s*w[4]), p.SoleLength/2*fz - math.Abs(-s*w[3]+c*w[4]),
				p.YawArm*fz - math.Abs(w[5]),
			}
			for _, g := range gaps {
				viol = max(viol, -g)
				if math.Abs(g) < 1e-6 {
					binding++
				}
			}
		}
	}
	return viol, binding
}

func TestConstraintsRespected(t *testing.T) {
	p := DefaultParams(testMass, testInertia)
	p.Mu = 0.3
	p.FzMax = 500
	m, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	in := walking(m, 3)
	// Hard asks: pitched and rolled, pushed sideways, fast command, feet turned.
	in.Quat = [4]float64{math.Cos(0.1), 0.05, math.Sin(0.1), 0}
	in.LinVel = [3]float64{0, 0.6, 0}
	for k := range in.Plan {
		in.Plan[k].FootYaw = [Feet]float64{0.3, -0.2}
	}
	in.Plan[4].FzMax = [Feet]float64{300, 300}
	m.SetReferenceFrom(in, Command{Vx: 1.5, Vy: -0.3, YawRate: 0.5, Height: 0.8, Start: m.Here(in)})
	var sol Solution
	if err := m.Solve(in, &sol); err != nil {
		t.Fatal(err)
	}
	viol, binding := checkConstraints(p, in, &sol)
	if viol > 1e-6 {
		t.Errorf("largest constraint violation %.3g (N or N·m), want ≤ 1e-6", viol)
	}
	if binding < 3 || sol.Active < 3 {
		t.Errorf("only %d constraints bind (QP active %d): the case does not test the limits", binding, sol.Active)
	}
	t.Logf("vars %d, active %d, binding %d, iterations %d, max violation %.2g", sol.Vars, sol.Active, binding, sol.Iterations, viol)
}

func TestInfeasibleReported(t *testing.T) {
	p := DefaultParams(testMass, testInertia)
	p.FzMin = 50
	m, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	in := standing(m)
	var sol Solution
	if err := m.Solve(in, &sol); err != nil {
		t.Fatal(err)
	}
	prev := sol
	in.Plan[3].FzMax[1] = 20 // the right leg cannot push even FzMin at knot 3
	err = m.Solve(in, &sol)
	if !errors.Is(err, ErrInfeasible) {
		t.Fatalf("error %v, want ErrInfeasible", err)
	}
	if !strings.Contains(err.Error(), "knot 3 foot 1") {
		t.Errorf("error %q does not name knot 3 foot 1", err)
	}
	if sol != prev {
		t.Errorf("a failed solve changed the solution (seq %d → %d)", prev.Seq, sol.Seq)
	}
	// A QP that runs out of iterations: reported, the solution kept, and no
	// allocation on the failing path.
	in = walking(m, 3)
	m.solver.MaxIter = 1
	allocs := testing.AllocsPerRun(5, func() {
		if err := m.Solve(in, &sol); !errors.Is(err, ErrNotConverged) {
			t.Fatalf("iteration limit 1: error %v, want ErrNotConverged", err)
		}
	})
	if allocs != 0 || sol != prev {
		t.Errorf("failing QP solve: %v allocations, solution kept %v", allocs, sol == prev)
	}
	m.solver.MaxIter = 0
	// Bad state: the error says what.
	in = standing(m)
	in.Quat = [4]float64{}
	if err := m.Solve(in, &sol); err == nil || !strings.Contains(err.Error(), "quaternion") {
		t.Errorf("zero quaternion: error %v", err)
	}
	in = standing(m)
	in.Plan[2].Foot[0][1] = math.NaN()
	if err := m.Solve(in, &sol); err == nil || !strings.Contains(err.Error(), "knot 2 foot 0") {
		t.Errorf("NaN foot: error %v", err)
	}
}

// discretise builds the continuous single-rigid-body model from its equations
// and returns the zero-order-hold discretisation by the series of exp of the
// augmented matrix [A_c B_c g; 0 0 0] (independent of the MPC's closed form).
func discretise(p Params, yawMean, yawK float64, pc [3]float64, kn *Knot) (a [NX][NX]float64, b [NX][12]float64, c [NX]float64) {
	const dim = NX + 12 + 1
	var mc [dim][dim]float64
	cy, sy := math.Cos(yawMean), math.Sin(yawMean)
	rzT := [3][3]float64{{cy, sy, 0}, {-sy, cy, 0}, {0, 0, 1}}
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			mc[i][6+j] = rzT[i][j]
		}
		mc[3+i][9+i] = 1
	}
	// I_W⁻¹ = R_z I_B⁻¹ R_zᵀ at the knot's yaw (diagonal test inertia).
	ck, sk := math.Cos(yawK), math.Sin(yawK)
	rz := [3][3]float64{{ck, -sk, 0}, {sk, ck, 0}, {0, 0, 1}}
	var inv [3][3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for l := 0; l < 3; l++ {
				inv[i][j] += rz[i][l] * rz[j][l] / p.Inertia[4*l]
			}
		}
	}
	for f := 0; f < Feet; f++ {
		if !kn.Stance[f] {
			continue
		}
		r := [3]float64{kn.Foot[f][0] - pc[0], kn.Foot[f][1] - pc[1], kn.Foot[f][2] - pc[2]}
		skew := [3][3]float64{{0, -r[2], r[1]}, {r[2], 0, -r[0]}, {-r[1], r[0], 0}}
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				for l := 0; l < 3; l++ {
					mc[6+i][NX+6*f+j] += inv[i][l] * skew[l][j]
				}
				mc[6+i][NX+6*f+3+j] = inv[i][j]
			}
			mc[9+i][NX+6*f+i] = 1 / p.Mass
		}
	}
	mc[11][dim-1] = -p.Gravity
	// exp(M dt) = Σ (M dt)^k / k!
	var e, term [dim][dim]float64
	for i := 0; i < dim; i++ {
		e[i][i], term[i][i] = 1, 1
	}
	for k := 1; k < 20; k++ {
		var next [dim][dim]float64
		for i := 0; i < dim; i++ {
			for j := 0; j < dim; j++ {
				for l := 0; l < dim; l++ {
					next[i][j] += term[i][l] * mc[l][j] * p.Dt / float64(k)
				}
			}
		}
		term = next
		for i := 0; i < dim; i++ {
			for j := 0; j < dim; j++ {
				e[i][j] += term[i][j]
			}
		}
	}
	for i := 0; i < NX; i++ {
		for j := 0; j < NX; j++ {
			a[i][j] = e[i][j]
		}
		for j := 0; j < 12; j++ {
			b[i][j] = e[i][NX+j]
		}
		c[i] = e[i][dim-1]
	}
	return a, b, c
}

func TestPredictionObeysDynamics(t *testing.T) {
	for phase := 0; phase < 20; phase += 7 {
		m := newTestMPC(t, 16)
		in := walking(m, phase)
		var sol Solution
		if err := m.Solve(in, &sol); err != nil {
			t.Fatal(err)
		}
		mean := 0.0
		for k := 0; k < 16; k++ {
			mean += m.refYaw[k]
		}
		mean /= 16
		x := sol.Pred[0]
		for k := 0; k < 16; k++ {
			pc := [3]float64{sol.Pred[0][3], sol.Pred[0][4], sol.Pred[0][5]}
			if k > 0 {
				pc = in.Ref[k-1].Pos
			}
			a, b, c := discretise(m.p, mean, m.refYaw[k], pc, &in.Plan[k])
			var u [12]float64
			copy(u[:6], sol.Wrench[k][0][:])
			copy(u[6:], sol.Wrench[k][1][:])
			var next [NX]float64
			for i := 0; i < NX; i++ {
				next[i] = c[i]
				for j := 0; j < NX; j++ {
					next[i] += a[i][j] * x[j]
				}
				for j := 0; j < 12; j++ {
					next[i] += b[i][j] * u[j]
				}
			}
			for i := 0; i < NX; i++ {
				if math.Abs(next[i]-sol.Pred[k+1][i]) > 1e-9*(1+math.Abs(next[i])) {
					t.Fatalf("phase %d knot %d state %d: predicted %.12g, dynamics give %.12g", phase, k+1, i, sol.Pred[k+1][i], next[i])
				}
			}
			x = sol.Pred[k+1]
		}
	}
}

// TestCondensedCost checks the condensed H and g against the cost summed
// along simulated trajectories: J(U) − J(0) = UᵀHU + 2gᵀU for any U.
func TestCondensedCost(t *testing.T) {
	m := newTestMPC(t, 12)
	in := walking(m, 5)
	var sol Solution
	if err := m.Solve(in, &sol); err != nil {
		t.Fatal(err)
	}
	n := m.prob.N
	cost := func(u []float64) float64 {
		x := m.x0
		j := 0.0
		for k := 0; k < m.k; k++ {
			next := m.step(&x)
			mk := m.off[k+1] - m.off[k]
			for c := 0; c < mk; c++ {
				for r := 0; r < NX; r++ {
					next[r] += m.bk[k][c][r] * u[m.off[k]+c]
				}
			}
			x = next
			for i := 0; i < NX; i++ {
				e := x[i] - m.ref[k][i]
				j += m.p.Q[i] * e * e
			}
		}
		for v := 0; v < n; v++ {
			r := m.p.RForce
			if v%wrenchVars >= 3 {
				r = m.p.RMoment
			}
			d := u[v] - m.unom[v]
			j += r * d * d
		}
		return j
	}
	rng := rand.New(rand.NewPCG(1, 1))
	zero := make([]float64, n)
	j0 := cost(zero)
	for trial := 0; trial < 5; trial++ {
		u := make([]float64, n)
		for i := range u {
			u[i] = 100 * rng.NormFloat64()
		}
		want := cost(u) - j0
		got := 0.0
		for i := 0; i < n; i++ {
			got += 2 * m.prob.G[i] * u[i]
			for j := 0; j < n; j++ {
				got += u[i] * m.prob.H[max(i, j)*n+min(i, j)] * u[j] // lower triangle
			}
		}
		if math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Fatalf("trial %d: condensed UᵀHU + 2gᵀU = %.12g, simulated J(U) − J(0) = %.12g", trial, got, want)
		}
	}
}

func TestSwingFeetCarryNothing(t *testing.T) {
	m := newTestMPC(t, 16)
	in := walking(m, 0)
	var sol Solution
	if err := m.Solve(in, &sol); err != nil {
		t.Fatal(err)
	}
	mg := testMass * 9.81
	for k := 0; k < 16; k++ {
		for i := 0; i < Feet; i++ {
			if sol.Stance[k][i] != in.Plan[k].Stance[i] {
				t.Fatalf("knot %d foot %d: stance %v, plan %v", k, i, sol.Stance[k][i], in.Plan[k].Stance[i])
			}
			if !in.Plan[k].Stance[i] && sol.Wrench[k][i] != [6]float64{} {
				t.Errorf("knot %d foot %d in swing has wrench %v", k, i, sol.Wrench[k][i])
			}
		}
		fz := sol.Wrench[k][0][2] + sol.Wrench[k][1][2]
		if fz < 0.5*mg || fz > 1.5*mg {
			t.Errorf("knot %d: Σfz = %.1f N, far from m·g = %.1f N while walking", k, fz, mg)
		}
	}
	if got := sol.KnotAt(sol.Time + 0.031); got != 1 {
		t.Errorf("KnotAt(t0 + 31 ms) = %d, want 1", got)
	}
	if got := sol.KnotAt(sol.Time + 10); got != 15 {
		t.Errorf("KnotAt(t0 + 10 s) = %d, want 15 (clamped)", got)
	}
}

func TestParamsValidate(t *testing.T) {
	cases := []struct {
		mod  func(p *Params)
		want string
	}{
		{func(p *Params) { p.Mass = 0 }, "mass"},
		{func(p *Params) { p.Knots = 17 }, "knots 17"},
		{func(p *Params) { p.Dt = -1 }, "dt"},
		{func(p *Params) { p.FzMin = 10; p.FzMax = 5 }, "fz_min"},
		{func(p *Params) { p.RForce = 0 }, "r_force"},
		{func(p *Params) { p.Q[4] = math.NaN() }, "Q[4]"},
		{func(p *Params) { p.Inertia[1] = 1 }, "symmetric"},
		{func(p *Params) { p.Inertia[8] = -1 }, "positive definite"},
	}
	for _, c := range cases {
		p := DefaultParams(testMass, testInertia)
		c.mod(&p)
		if _, err := New(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want error mentioning %q, got %v", c.want, err)
		}
	}
}

func TestSolveAllocs(t *testing.T) {
	m := newTestMPC(t, 16)
	in := walking(m, 2)
	var sol Solution
	allocs := testing.AllocsPerRun(10, func() {
		if err := m.Solve(in, &sol); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Solve allocates %v times, want 0", allocs)
	}
}

func TestDeterministic(t *testing.T) {
	m1, m2 := newTestMPC(t, 16), newTestMPC(t, 16)
	var s1, s2 Solution
	for phase := 0; phase < 3; phase++ {
		in := walking(m1, phase)
		if err := m1.Solve(in, &s1); err != nil {
			t.Fatal(err)
		}
		if err := m2.Solve(in, &s2); err != nil {
			t.Fatal(err)
		}
		if s1.Wrench != s2.Wrench || s1.Pred != s2.Pred {
			t.Fatalf("phase %d: two MPCs fed the same inputs disagree", phase)
		}
	}
}

// BenchmarkSolve times one MPC solve over 20 problems in turn:
//
//   - stand: both feet in stance at every knot (12 variables per knot), the
//     body at rest with small perturbations (±1 cm, ±2 cm/s, ±0.02 rad);
//   - stand-push: both feet in stance, commanded 0, 0.3 and 0.6 m/s from
//     rest without stepping, so friction and centre-of-pressure limits bind
//     (many active constraints: a stress case);
//   - walk: a synthetic alternating plan (single supports with short double
//     supports) with the CoM held between the feet, so the centre of
//     pressure of the single stance foot sits on its sole's edge (a stress
//     case as well).
func BenchmarkSolve(b *testing.B) {
	for _, knots := range []int{10, 16} {
		for _, kind := range []string{"stand", "stand-push", "walk"} {
			b.Run(fmt.Sprintf("knots=%d/%s", knots, kind), func(b *testing.B) {
				m := newTestMPC(b, knots)
				rng := rand.New(rand.NewPCG(uint64(knots), 3))
				var ins [20]*Input
				for ph := range ins {
					switch kind {
					case "stand":
						in := standing(m)
						for i := 0; i < 3; i++ {
							in.Pos[i] += 0.01 * (2*rng.Float64() - 1)
							in.LinVel[i] = 0.02 * (2*rng.Float64() - 1)
							in.AngVel[i] = 0.02 * (2*rng.Float64() - 1)
						}
						m.SetReferenceFrom(in, Command{Height: 0.8})
						ins[ph] = in
					case "stand-push":
						ins[ph] = standing(m)
						m.SetReferenceFrom(ins[ph], Command{Vx: 0.3 * float64(ph%3), Height: 0.8, Start: m.Here(ins[ph])})
					default:
						ins[ph] = walking(m, ph)
					}
				}
				var sol Solution
				defer lockThread()()
				times := make([]time.Duration, 0, 1<<16)
				cpus := make([]time.Duration, 0, 1<<16)
				b.ReportAllocs()
				i := 0
				vars, active := 0, 0
				for b.Loop() {
					t0, c0 := time.Now(), threadCPU()
					if err := m.Solve(ins[i%len(ins)], &sol); err != nil {
						b.Fatal(err)
					}
					if len(times) < cap(times) {
						cpus = append(cpus, threadCPU()-c0)
						times = append(times, time.Since(t0))
					}
					vars, active = max(vars, sol.Vars), max(active, sol.Active)
					i++
				}
				slices.Sort(times)
				slices.Sort(cpus)
				pct := func(v []time.Duration, q float64) float64 {
					return float64(v[int(q*float64(len(v)-1))].Microseconds())
				}
				b.ReportMetric(pct(times, 0.99), "p99-us")
				b.ReportMetric(pct(cpus, 0.5), "cpu-p50-us")
				b.ReportMetric(pct(cpus, 0.99), "cpu-p99-us")
				b.ReportMetric(float64(vars), "max-vars")
				b.ReportMetric(float64(active), "max-active")
			})
		}
	}
}

// srb is a nonlinear single rigid body (full rotation, gyroscopic term)
// standing on fixed feet: the plant for closed-loop tests.
type srb struct {
	p, v, w spatial.Vec3
	q       spatial.Quat
}

func (b *srb) step(prm Params, feet [Feet][3]float64, wr [Feet][6]float64, dt float64) {
	r := b.q.Mat3()
	ib := spatial.Mat3(prm.Inertia)
	t := r.Mul(&ib)
	iw := t.MulT(&r)
	f := spatial.Vec3{0, 0, -prm.Mass * prm.Gravity}
	var tau spatial.Vec3
	for i := 0; i < Feet; i++ {
		fi := spatial.Vec3{wr[i][0], wr[i][1], wr[i][2]}
		f = f.Add(fi)
		tau = tau.Add(spatial.Vec3(feet[i]).Sub(b.p).Cross(fi)).Add(spatial.Vec3{wr[i][3], wr[i][4], wr[i][5]})
	}
	inv, _ := iw.Inverse()
	wdot := inv.MulVec(tau.Sub(b.w.Cross(iw.MulVec(b.w))))
	b.v = b.v.AddScaled(dt/prm.Mass, f)
	b.p = b.p.AddScaled(dt, b.v)
	b.w = b.w.AddScaled(dt, wdot)
	if n := b.w.Norm(); n > 0 {
		b.q = spatial.QuatFromAxisAngle(b.w.Scale(1/n), n*dt).Mul(b.q).Normalize()
	}
}

// TestClosedLoopRecovers closes the loop around a nonlinear rigid body:
// from a 4 cm sag, a sideways and forward shove and a 0.1 rad tilt, the MPC
// (solved every 30 ms, its wrench held in between) must bring the body back
// to the standing reference within 2 s, keeping every wrench inside its
// constraints.
func TestClosedLoopRecovers(t *testing.T) {
	m := newTestMPC(t, 10)
	in := standing(m)
	b := srb{p: spatial.Vec3{0.01, 0, 0.76}, v: spatial.Vec3{0.15, -0.2, 0}, w: spatial.Vec3{0.3, 0, 0.2},
		q: spatial.QuatFromAxisAngle(spatial.Vec3{1, 1, 0}.Normalize(), 0.1)}
	var sol Solution
	anchor := Anchor{MaxDist: 0.1, MaxYaw: 0.3}
	cmd := Command{Height: 0.8}
	const dt = 0.001
	for tick := 0; tick < 2000; tick++ {
		if tick%30 == 0 {
			in.Time = float64(tick) * dt
			in.Quat = [4]float64{b.q.W, b.q.X, b.q.Y, b.q.Z}
			in.Pos, in.LinVel, in.AngVel = b.p, b.v, b.w
			cmd.Start = anchor.Update(m.Here(in), &cmd, 0.03)
			m.SetReferenceFrom(in, cmd)
			if err := m.Solve(in, &sol); err != nil {
				t.Fatalf("t = %.3f s: %v", in.Time, err)
			}
			if viol, _ := checkConstraints(m.p, in, &sol); viol > 1e-6 {
				t.Fatalf("t = %.3f s: constraint violated by %g", in.Time, viol)
			}
		}
		k := sol.KnotAt(float64(tick) * dt)
		b.step(m.p, in.Plan[0].Foot, sol.Wrench[k], dt)
	}
	aa := b.q.AxisAngle()
	if math.Abs(b.p[2]-0.8) > 0.005 || b.v.Norm() > 0.01 || b.w.Norm() > 0.01 || math.Hypot(aa[0], aa[1]) > 0.01 ||
		math.Hypot(b.p[0]-0.01, b.p[1]) > 0.1 {
		t.Errorf("after 2 s: position %.4f (want (0.01, 0, 0.8) within 0.1 m), |v| %.4f m/s, |ω| %.4f rad/s, tilt %.4f rad",
			b.p, b.v.Norm(), b.w.Norm(), math.Hypot(aa[0], aa[1]))
	}
	t.Logf("after 2 s: pos %.4f, v %.4f, ω %.4f, rotation %.4f", b.p, b.v, b.w, aa)
}

// TestClosedLoopSingleSupport: on the left foot alone (a 0.22 × 0.10 m
// sole), a diagonal shove of 0.14 m/s is caught by the centre of pressure:
// the body comes back to rest over the foot.
func TestClosedLoopSingleSupport(t *testing.T) {
	m := newTestMPC(t, 10)
	in := standing(m)
	for k := range in.Plan {
		in.Plan[k].Stance = [Feet]bool{true, false}
	}
	b := srb{p: spatial.Vec3{0, 0.1, 0.8}, v: spatial.Vec3{0.1, 0.1, 0}, q: spatial.IdentityQuat()}
	var sol Solution
	anchor := Anchor{MaxDist: 0.1, MaxYaw: 0.3}
	cmd := Command{Height: 0.8}
	const dt = 0.001
	for tick := 0; tick < 2000; tick++ {
		if tick%30 == 0 {
			in.Time = float64(tick) * dt
			in.Quat = [4]float64{b.q.W, b.q.X, b.q.Y, b.q.Z}
			in.Pos, in.LinVel, in.AngVel = b.p, b.v, b.w
			cmd.Start = anchor.Update(m.Here(in), &cmd, 0.03)
			m.SetReferenceFrom(in, cmd)
			if err := m.Solve(in, &sol); err != nil {
				t.Fatalf("t = %.3f s: %v", in.Time, err)
			}
			if viol, _ := checkConstraints(m.p, in, &sol); viol > 1e-6 {
				t.Fatalf("t = %.3f s: constraint violated by %g", in.Time, viol)
			}
		}
		b.step(m.p, in.Plan[0].Foot, sol.Wrench[sol.KnotAt(float64(tick)*dt)], dt)
	}
	aa := b.q.AxisAngle()
	if math.Hypot(b.p[0], b.p[1]-0.1) > 0.02 || math.Abs(b.p[2]-0.8) > 0.005 || b.v.Norm() > 0.01 || aa.Norm() > 0.01 {
		t.Errorf("after 2 s: position %.4f (want over the foot, (0, 0.1, 0.8)), |v| %.4f m/s, rotation %.4f rad", b.p, b.v.Norm(), aa.Norm())
	}
}

// TestFlight: with no foot in stance over the horizon there is no QP; the
// prediction is the ballistic path.
func TestFlight(t *testing.T) {
	m := newTestMPC(t, 10)
	in := standing(m)
	for k := range in.Plan {
		in.Plan[k].Stance = [Feet]bool{}
	}
	in.LinVel = [3]float64{1, 0, 0.5}
	m.SetReference(in, 1, 0, 0, 0.8)
	var sol Solution
	if err := m.Solve(in, &sol); err != nil {
		t.Fatal(err)
	}
	if sol.Vars != 0 || sol.Wrench != ([MaxKnots][Feet][6]float64{}) {
		t.Fatalf("flight: %d variables, wrenches %v", sol.Vars, sol.Wrench[0])
	}
	for k := 0; k <= 10; k++ {
		tk := float64(k) * m.p.Dt
		z := 0.8 + 0.5*tk - 0.5*m.p.Gravity*tk*tk
		if math.Abs(sol.Pred[k][5]-z) > 1e-12 || math.Abs(sol.Pred[k][3]-tk) > 1e-12 {
			t.Fatalf("knot %d: predicted (x, z) = (%g, %g), ballistic (%g, %g)", k, sol.Pred[k][3], sol.Pred[k][5], tk, z)
		}
	}
}

func TestForceBound(t *testing.T) {
	// A knee 0.4 m in front of the foot's vertical line with 164 N·m: 410 N;
	// the hip (0.1 m, 164 N·m) would allow 1640 N; the ankle roll has no arm.
	got := ForceBound([]float64{0.1, -0.4, 0}, []float64{164, 164, 61})
	if math.Abs(got-410) > 1e-9 {
		t.Errorf("ForceBound = %g N, want 410", got)
	}
	if b := ForceBound([]float64{0, 0}, []float64{1, 1}); !math.IsInf(b, 1) {
		t.Errorf("no arm: %g, want +Inf", b)
	}
}

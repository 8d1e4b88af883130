package qp

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// randomProblem builds a strictly convex QP with a known feasible point x0:
// mEq equalities through x0, mIneq two-sided rows around C x0 (some sides
// infinite), and box bounds around x0 on every other variable. The
// unconstrained minimum lies far outside, so many constraints end up active.
func randomProblem(rng *rand.Rand, n, mEq, mIneq int) *Problem {
	p := &Problem{N: n, H: make([]float64, n*n), G: make([]float64, n)}
	m := make([]float64, n*n)
	for i := range m {
		m[i] = rng.NormFloat64()
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			acc := 0.0
			for k := 0; k < n; k++ {
				acc += m[k*n+i] * m[k*n+j]
			}
			p.H[i*n+j] = acc / float64(n)
		}
		p.H[i*n+i] += 0.1
		p.G[i] = 10 * rng.NormFloat64()
	}
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = rng.NormFloat64()
	}
	p.A = make([]float64, mEq*n)
	p.B = make([]float64, mEq)
	for i := 0; i < mEq; i++ {
		for j := 0; j < n; j++ {
			p.A[i*n+j] = rng.NormFloat64()
			p.B[i] += p.A[i*n+j] * x0[j]
		}
	}
	p.C = make([]float64, mIneq*n)
	p.L = make([]float64, mIneq)
	p.U = make([]float64, mIneq)
	for i := 0; i < mIneq; i++ {
		cx := 0.0
		for j := 0; j < n; j++ {
			if rng.Float64() < 0.5 { // half-sparse rows, like the MPC's
				p.C[i*n+j] = rng.NormFloat64()
			}
			cx += p.C[i*n+j] * x0[j]
		}
		p.L[i] = cx - rng.Float64()
		p.U[i] = cx + rng.Float64()
		switch rng.IntN(4) {
		case 0:
			p.L[i] = math.Inf(-1)
		case 1:
			p.U[i] = math.Inf(1)
		}
	}
	p.LX = make([]float64, n)
	p.UX = make([]float64, n)
	for i := 0; i < n; i++ {
		p.LX[i], p.UX[i] = math.Inf(-1), math.Inf(1)
		if i%2 == 0 {
			p.LX[i] = x0[i] - 0.5*rng.Float64()
			p.UX[i] = x0[i] + 0.5*rng.Float64()
		}
	}
	return p
}

// kktError returns the largest violation of the KKT conditions, each scaled
// to the problem: stationarity, primal feasibility, dual sign, complementarity.
func kktError(p *Problem, x []float64, r Result) (stat, prim, dual, comp float64) {
	n := p.N
	grad := make([]float64, n)
	scale := 1.0
	for i := 0; i < n; i++ {
		grad[i] = p.G[i]
		for j := 0; j < n; j++ {
			grad[i] += p.H[i*n+j] * x[j]
		}
		scale = max(scale, math.Abs(p.G[i]))
	}
	for k := 0; k < p.MEq(); k++ {
		ax := 0.0
		for j := 0; j < n; j++ {
			grad[j] += p.A[k*n+j] * r.YEq[k]
			ax += p.A[k*n+j] * x[j]
		}
		prim = max(prim, math.Abs(ax-p.B[k]))
	}
	check := func(v, lo, hi, y float64) {
		prim = max(prim, lo-v, v-hi)
		if y > 0 {
			if math.IsInf(hi, 1) {
				dual = max(dual, y) // a multiplier on a side that does not exist
			} else {
				comp = max(comp, math.Abs(v-hi)*math.Abs(y))
			}
		}
		if y < 0 {
			if math.IsInf(lo, -1) {
				dual = max(dual, -y)
			} else {
				comp = max(comp, math.Abs(v-lo)*math.Abs(y))
			}
		}
	}
	for k := 0; k < p.MIneq(); k++ {
		cx := 0.0
		for j := 0; j < n; j++ {
			grad[j] += p.C[k*n+j] * r.YIneq[k]
			cx += p.C[k*n+j] * x[j]
		}
		check(cx, side(p.L, k, -1), side(p.U, k, 1), r.YIneq[k])
	}
	for i := 0; i < n; i++ {
		grad[i] += r.ZBound[i]
		check(x[i], side(p.LX, i, -1), side(p.UX, i, 1), r.ZBound[i])
	}
	for _, v := range grad {
		stat = max(stat, math.Abs(v))
	}
	return stat / scale, prim, dual, comp / scale
}

var modes = []struct {
	name string
	mode int
}{{"auto", 0}, {"range", modeRange}, {"explicit", modeExplicit}}

func TestKKTRandom(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { testKKTRandom(t, m.mode) })
	}
}

func testKKTRandom(t *testing.T, mode int) {
	const tol = 1e-8
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{3, 5, 6, 7, 12, 40, 60, 120, 150} { // every remainder of the Cholesky's row groups
		s := NewSolver(n, n/4+1, 2*n)
		s.mode = mode
		for trial := 0; trial < 5; trial++ {
			p := randomProblem(rng, n, n/6, n+trial*n/4)
			x := make([]float64, n)
			r, err := s.Solve(p, x)
			if err != nil {
				t.Fatalf("n=%d trial %d: %v", n, trial, err)
			}
			if r.Status != Optimal {
				t.Fatalf("n=%d trial %d: status %v after %d iterations", n, trial, r.Status, r.Iterations)
			}
			stat, prim, dual, comp := kktError(p, x, r)
			if stat > tol || prim > tol || dual > tol || comp > tol {
				t.Errorf("n=%d trial %d: KKT errors stationarity %.2e primal %.2e dual sign %.2e complementarity %.2e (tol %.0e)",
					n, trial, stat, prim, dual, comp, tol)
			}
			if r.Active == 0 {
				t.Errorf("n=%d trial %d: no active constraint; the test problem is too easy", n, trial)
			}
		}
	}
}

// TestEnumerationReference solves tiny problems by enumerating every active
// set: each subset of constraints, taken as equalities, gives a candidate from
// its KKT system; the feasible candidate with the least objective is the
// optimum (the QP is strictly convex). No multipliers are used, so this is
// independent of the solver's method.
func TestEnumerationReference(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { testEnumerationReference(t, m.mode) })
	}
}

func testEnumerationReference(t *testing.T, mode int) {
	rng := rand.New(rand.NewPCG(7, 8))
	s := NewSolver(4, 1, 6)
	s.mode = mode
	for trial := 0; trial < 300; trial++ {
		n := 2 + rng.IntN(3)
		p := randomProblem(rng, n, rng.IntN(2), 1+rng.IntN(5))
		x := make([]float64, n)
		r, err := s.Solve(p, x)
		if err != nil {
			t.Fatal(err)
		}
		ref, ok := enumerate(p)
		if !ok {
			t.Fatalf("trial %d: enumeration found no feasible point, but the problem has one by construction", trial)
		}
		if r.Status != Optimal {
			t.Fatalf("trial %d: status %v", trial, r.Status)
		}
		for i := range x {
			if math.Abs(x[i]-ref[i]) > 1e-8*(1+math.Abs(ref[i])) {
				t.Fatalf("trial %d (n=%d): x[%d] = %.12g, enumeration gives %.12g", trial, n, i, x[i], ref[i])
			}
		}
	}
}

// enumerate is the brute-force reference for tiny problems: every set of at
// most N rows (equalities, sides of inequalities, bounds) taken as equalities
// gives a candidate from its KKT system; the feasible candidate of least
// objective is the optimum, and none exists only if the problem is
// infeasible (a convex QP's optimum is the solution of such a system for a
// linearly independent subset of its active constraints).
func enumerate(p *Problem) ([]float64, bool) {
	n := p.N
	// Rows g·x ≤ h, or g·x = h for equalities.
	type row struct {
		g  []float64
		h  float64
		eq bool
	}
	var rows []row
	for k := 0; k < p.MEq(); k++ {
		rows = append(rows, row{p.A[k*n : k*n+n], p.B[k], true})
	}
	neg := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for j := range v {
			out[j] = -v[j]
		}
		return out
	}
	for k := 0; k < p.MIneq(); k++ {
		c := p.C[k*n : k*n+n]
		if u := side(p.U, k, 1); !math.IsInf(u, 1) {
			rows = append(rows, row{c, u, false})
		}
		if l := side(p.L, k, -1); !math.IsInf(l, -1) {
			rows = append(rows, row{neg(c), -l, false})
		}
	}
	for i := 0; i < n; i++ {
		e := make([]float64, n)
		e[i] = 1
		if u := side(p.UX, i, 1); !math.IsInf(u, 1) {
			rows = append(rows, row{e, u, false})
		}
		if l := side(p.LX, i, -1); !math.IsInf(l, -1) {
			rows = append(rows, row{neg(e), -l, false})
		}
	}
	best, bestF, found := []float64(nil), math.Inf(1), false
	var act []int
	try := func() {
		na := len(act)
		dim := n + na
		kkt := make([]float64, dim*dim)
		b := make([]float64, dim)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				kkt[i*dim+j] = p.H[max(i, j)*n+min(i, j)]
			}
			b[i] = -p.G[i]
		}
		for r, a := range act {
			for j := 0; j < n; j++ {
				kkt[(n+r)*dim+j] = rows[a].g[j]
				kkt[j*dim+n+r] = rows[a].g[j]
			}
			b[n+r] = rows[a].h
		}
		sol, ok := gaussSolve(kkt, b, dim)
		if !ok {
			return
		}
		x := sol[:n]
		for _, r := range rows {
			v := 0.0
			for j := 0; j < n; j++ {
				v += r.g[j] * x[j]
			}
			tol := 1e-9 * (1 + math.Abs(r.h))
			if v > r.h+tol || (r.eq && v < r.h-tol) {
				return
			}
		}
		if f := objective(p, x); f < bestF {
			best, bestF, found = append([]float64(nil), x...), f, true
		}
	}
	var choose func(from int)
	choose = func(from int) {
		try()
		if len(act) == n {
			return
		}
		for k := from; k < len(rows); k++ {
			act = append(act, k)
			choose(k + 1)
			act = act[:len(act)-1]
		}
	}
	choose(0)
	return best, found
}

// FuzzSolve poses tiny problems with small integer data, which makes
// degeneracy (duplicate, dependent, zero and opposite rows, equal sides,
// fixed variables) common and exact, and checks every outcome against
// enumeration: an optimum must match it, infeasibility must be real, and the
// iteration limit must never be hit.
func FuzzSolve(f *testing.F) {
	for seed := uint64(0); seed < 36; seed++ {
		f.Add(seed, uint8(seed)) // every shape
	}
	f.Fuzz(func(t *testing.T, seed uint64, shape uint8) {
		rng := rand.New(rand.NewPCG(seed, uint64(shape)))
		n := 1 + int(shape%3)
		mEq := int(shape/3) % 3
		mIneq := int(shape/9) % 4
		small := func() float64 { return float64(rng.IntN(5) - 2) }
		p := &Problem{N: n, H: make([]float64, n*n), G: make([]float64, n),
			A: make([]float64, mEq*n), B: make([]float64, mEq),
			C: make([]float64, mIneq*n), L: make([]float64, mIneq), U: make([]float64, mIneq),
			LX: make([]float64, n), UX: make([]float64, n)}
		// H = MᵀM + I with integer M.
		m := make([]float64, n*n)
		for i := range m {
			m[i] = small()
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				for k := 0; k < n; k++ {
					p.H[i*n+j] += m[k*n+i] * m[k*n+j]
				}
			}
			p.H[i*n+i]++
			p.G[i] = 3 * small()
		}
		rowOf := func(all []float64, k int) {
			dst := all[k*n : k*n+n]
			if k > 0 && rng.IntN(3) == 0 { // a copy or multiple of an earlier row
				src := all[rng.IntN(k)*n:]
				f := small()
				for j := range dst {
					dst[j] = f * src[j]
				}
				return
			}
			for j := range dst {
				dst[j] = small()
			}
		}
		for k := 0; k < mEq; k++ {
			rowOf(p.A, k)
			p.B[k] = small()
		}
		inf := math.Inf(1)
		for k := 0; k < mIneq; k++ {
			rowOf(p.C, k)
			lo, hi := small(), small()
			p.L[k], p.U[k] = min(lo, hi), max(lo, hi)
			switch rng.IntN(4) {
			case 0:
				p.L[k] = -inf
			case 1:
				p.U[k] = inf
			}
		}
		for i := 0; i < n; i++ {
			lo, hi := small(), small()
			p.LX[i], p.UX[i] = min(lo, hi), max(lo, hi)
			if rng.IntN(2) == 0 {
				p.LX[i], p.UX[i] = -inf, inf
			}
		}
		for _, mode := range []int{0, modeRange, modeExplicit} {
			s := NewSolver(n, mEq, mIneq)
			s.mode = mode
			x := make([]float64, n)
			r, err := s.Solve(p, x)
			if err != nil {
				t.Fatalf("mode %d: %v", mode, err)
			}
			ref, feasible := enumerate(p)
			switch r.Status {
			case MaxIterations:
				t.Fatalf("mode %d: iteration limit on a %d-variable problem", mode, n)
			case Infeasible:
				if feasible {
					t.Fatalf("mode %d: reported infeasible, but %v is feasible", mode, ref)
				}
			case Optimal:
				if !feasible {
					t.Fatalf("mode %d: optimal %v on a problem enumeration finds infeasible: %+v", mode, x, *p)
				}
				for i := range x {
					if math.Abs(x[i]-ref[i]) > 1e-7*(1+math.Abs(ref[i])) {
						t.Fatalf("mode %d: x = %v, enumeration %v", mode, x, ref)
					}
				}
				stat, prim, dual, comp := kktError(p, x, r)
				if stat > 1e-8 || prim > 1e-8 || dual > 1e-8 || comp > 1e-8 {
					t.Fatalf("mode %d: KKT errors %.1e %.1e %.1e %.1e", mode, stat, prim, dual, comp)
				}
			}
		}
	})
}

// gaussSolve solves a dense system by elimination with partial pivoting.
func gaussSolve(a, b []float64, n int) ([]float64, bool) {
	a = append([]float64(nil), a...)
	b = append([]float64(nil), b...)
	for c := 0; c < n; c++ {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r*n+c]) > math.Abs(a[piv*n+c]) {
				piv = r
			}
		}
		if math.Abs(a[piv*n+c]) < 1e-10 {
			return nil, false
		}
		for j := 0; j < n; j++ {
			a[c*n+j], a[piv*n+j] = a[piv*n+j], a[c*n+j]
		}
		b[c], b[piv] = b[piv], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r*n+c] / a[c*n+c]
			for j := c; j < n; j++ {
				a[r*n+j] -= f * a[c*n+j]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		acc := b[i]
		for j := i + 1; j < n; j++ {
			acc -= a[i*n+j] * x[j]
		}
		x[i] = acc / a[i*n+i]
	}
	return x, true
}

func identity(n int, d float64) []float64 {
	h := make([]float64, n*n)
	for i := 0; i < n; i++ {
		h[i*n+i] = d
	}
	return h
}

func TestInfeasible(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		name string
		p    Problem
	}{
		{"crossed rows", Problem{N: 2, H: identity(2, 1), G: []float64{0, 0},
			C: []float64{1, 0, -1, 0}, L: []float64{1, 0}, U: []float64{inf, inf}}},
		{"equality outside bounds", Problem{N: 2, H: identity(2, 1), G: []float64{0, 0},
			A: []float64{1, 1}, B: []float64{5}, LX: []float64{-1, -1}, UX: []float64{1, 1}}},
		{"inconsistent equalities", Problem{N: 3, H: identity(3, 2), G: []float64{1, 0, 0},
			A: []float64{1, 1, 0, 2, 2, 0}, B: []float64{1, 3}}},
		{"row and bound", Problem{N: 2, H: identity(2, 1), G: []float64{1, 1},
			C: []float64{1, 1}, L: []float64{3}, UX: []float64{1, 1}}},
	}
	for _, c := range cases {
		for _, m := range modes {
			s := NewSolver(3, 2, 2)
			s.mode = m.mode
			x := make([]float64, c.p.N)
			r, err := s.Solve(&c.p, x)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if r.Status != Infeasible {
				t.Errorf("%s (%s): status %v, want infeasible (x = %v)", c.name, m.name, r.Status, x)
			}
		}
	}
}

func TestDegenerate(t *testing.T) {
	for _, m := range modes {
		s := NewSolver(3, 3, 6)
		s.mode = m.mode
		testDegenerate(t, s)
	}
}

func testDegenerate(t *testing.T, s *Solver) {
	inf := math.Inf(1)
	// min ½|x − (2,2)|² with x ≤ 1 and y ≤ 1 and x + y ≤ 2 (three constraints
	// through the optimum (1,1), one redundant), the same row twice, and a
	// redundant (dependent, consistent) equality pair.
	cases := []struct {
		name string
		p    Problem
		want []float64
	}{
		{"three through a vertex", Problem{N: 2, H: identity(2, 1), G: []float64{-2, -2},
			C: []float64{1, 0, 0, 1, 1, 1}, U: []float64{1, 1, 2}}, []float64{1, 1}},
		{"duplicate row", Problem{N: 2, H: identity(2, 1), G: []float64{-2, -2},
			C: []float64{1, 1, 1, 1}, L: []float64{-inf, -inf}, U: []float64{2, 2}}, []float64{1, 1}},
		{"dependent equalities", Problem{N: 3, H: identity(3, 1), G: []float64{-1, -1, -1},
			A: []float64{1, 1, 0, 2, 2, 0, 0, 0, 1}, B: []float64{1, 2, 0}}, []float64{0.5, 0.5, 0}},
		{"weakly active", Problem{N: 2, H: identity(2, 1), G: []float64{-1, 0},
			C: []float64{1, 0}, U: []float64{1}}, []float64{1, 0}},
		{"fixed variable", Problem{N: 2, H: identity(2, 1), G: []float64{-3, 3},
			LX: []float64{0.5, -inf}, UX: []float64{0.5, inf}}, []float64{0.5, -3}},
		{"equal sides", Problem{N: 2, H: identity(2, 1), G: []float64{0, 0},
			C: []float64{1, 1}, L: []float64{1}, U: []float64{1}}, []float64{0.5, 0.5}},
	}
	for _, c := range cases {
		for rep := 0; rep < 2; rep++ { // second pass runs warm
			x := make([]float64, c.p.N)
			r, err := s.Solve(&c.p, x)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if r.Status != Optimal {
				t.Fatalf("%s: status %v", c.name, r.Status)
			}
			for i := range x {
				if math.Abs(x[i]-c.want[i]) > 1e-12 {
					t.Errorf("%s (pass %d): x = %v, want %v", c.name, rep, x, c.want)
					break
				}
			}
			stat, prim, dual, comp := kktError(&c.p, x, r)
			if stat > 1e-12 || prim > 1e-12 || dual > 1e-12 || comp > 1e-12 {
				t.Errorf("%s: KKT errors %.1e %.1e %.1e %.1e", c.name, stat, prim, dual, comp)
			}
		}
	}
}

func TestWarmStart(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 60
	p := randomProblem(rng, n, 10, 90)
	warm := NewSolver(n, 10, 90)
	cold := NewSolver(n, 10, 90)
	cold.NoWarmStart = true
	xw := make([]float64, n)
	xc := make([]float64, n)
	r0, _ := warm.Solve(p, xw)
	// Perturb the linear term a little, as from one control tick to the next.
	for k := 0; k < 5; k++ {
		for i := range p.G {
			p.G[i] += 0.05 * rng.NormFloat64()
		}
		rw, err := warm.Solve(p, xw)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := cold.Solve(p, xc)
		if err != nil {
			t.Fatal(err)
		}
		if rw.Status != Optimal || rc.Status != Optimal {
			t.Fatalf("status warm %v cold %v", rw.Status, rc.Status)
		}
		for i := range xw {
			if math.Abs(xw[i]-xc[i]) > 1e-9 {
				t.Fatalf("step %d: warm x[%d] = %g, cold %g", k, i, xw[i], xc[i])
			}
		}
		if rw.Iterations > rc.Iterations {
			t.Errorf("step %d: warm start took %d iterations, cold %d", k, rw.Iterations, rc.Iterations)
		}
		t.Logf("step %d: active %d (first solve %d), iterations warm %d cold %d", k, rw.Active, r0.Active, rw.Iterations, rc.Iterations)
	}
}

// TestSparseRows: the same rows given compressed (CS) give the same bits as
// given dense (C); malformed compressed rows are refused.
func TestSparseRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n := 30
	p := randomProblem(rng, n, 4, 45)
	xd := make([]float64, n)
	rd, err := NewSolver(n, 4, 45).Solve(p, xd)
	if err != nil || rd.Status != Optimal {
		t.Fatal(err, rd.Status)
	}
	var cs Sparse
	cs.Reset()
	for i := 0; i < p.MIneq(); i++ {
		for j := n - 1; j >= 0; j-- { // any order within a row
			if v := p.C[i*n+j]; v != 0 {
				cs.Add(j, v)
			}
		}
		cs.EndRow()
	}
	q := *p
	q.C, q.CS = nil, &cs
	xs := make([]float64, n)
	rs, err := NewSolver(n, 4, 45).Solve(&q, xs)
	if err != nil || rs.Status != Optimal {
		t.Fatal(err, rs.Status)
	}
	stat, prim, dual, comp := kktError(p, xs, rs)
	if stat > 1e-8 || prim > 1e-8 || dual > 1e-8 || comp > 1e-8 {
		t.Errorf("sparse rows: KKT errors %.1e %.1e %.1e %.1e", stat, prim, dual, comp)
	}
	for i := range xs {
		if math.Abs(xs[i]-xd[i]) > 1e-12*(1+math.Abs(xd[i])) {
			t.Fatalf("x[%d]: sparse %v, dense %v", i, xs[i], xd[i])
		}
	}
	s := NewSolver(n, 4, 45)
	cs.Col[3] = int32(n)
	if _, err := s.Solve(&q, xs); err == nil || !contains(err.Error(), "column") {
		t.Errorf("column out of range: error %v", err)
	}
	cs.Col[3] = 0
	cs.Val[5] = math.Inf(1)
	if _, err := s.Solve(&q, xs); err == nil || !contains(err.Error(), "CS entry 5") {
		t.Errorf("infinite entry: error %v", err)
	}
	q.C = p.C
	if _, err := s.Solve(&q, xs); err == nil || !contains(err.Error(), "both C and CS") {
		t.Errorf("C and CS: error %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := randomProblem(rng, 40, 5, 60)
	x1 := make([]float64, 40)
	x2 := make([]float64, 40)
	s1, s2 := NewSolver(40, 5, 60), NewSolver(40, 5, 60)
	r1, _ := s1.Solve(p, x1)
	r2, _ := s2.Solve(p, x2)
	for i := range x1 {
		if math.Float64bits(x1[i]) != math.Float64bits(x2[i]) {
			t.Fatalf("x[%d] differs: %v vs %v", i, x1[i], x2[i])
		}
	}
	if r1.Iterations != r2.Iterations || r1.Objective != r2.Objective {
		t.Fatalf("results differ: %+v vs %+v", r1, r2)
	}
}

func TestAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	p := randomProblem(rng, 60, 6, 90)
	s := NewSolver(60, 6, 90)
	x := make([]float64, 60)
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := s.Solve(p, x); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Solve allocates %v times per run, want 0", allocs)
	}
}

func TestBadInput(t *testing.T) {
	nan := math.NaN()
	s := NewSolver(2, 1, 1)
	good := func() Problem {
		return Problem{N: 2, H: identity(2, 1), G: []float64{0, 0}}
	}
	cases := []struct {
		name string
		mod  func(p *Problem)
		want string
	}{
		{"too many variables", func(p *Problem) { p.N = 3 }, "N = 3"},
		{"short H", func(p *Problem) { p.H = p.H[:3] }, "H has length 3"},
		{"NaN in H", func(p *Problem) { p.H[2] = nan }, "H[1,0]"},
		{"NaN in G", func(p *Problem) { p.G[1] = nan }, "G[1]"},
		{"A size", func(p *Problem) { p.B = []float64{1}; p.A = []float64{1} }, "A has length 1"},
		{"too many rows", func(p *Problem) { p.C = make([]float64, 4); p.L = make([]float64, 2) }, "2 inequality rows"},
		{"crossed sides", func(p *Problem) { p.C = []float64{1, 0}; p.L = []float64{1}; p.U = []float64{0} }, "inequality row 0"},
		{"crossed bounds", func(p *Problem) { p.LX = []float64{0, 2}; p.UX = []float64{1, 1} }, "bound on x[1]"},
		{"not PD", func(p *Problem) { p.H[3] = -1 }, "not positive definite"},
	}
	for _, c := range cases {
		p := good()
		c.mod(&p)
		_, err := s.Solve(&p, make([]float64, 3))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
	p := good()
	p.H[0] = 0
	if _, err := s.Solve(&p, make([]float64, 2)); !errors.Is(err, ErrNotPositiveDefinite) {
		t.Errorf("singular H: error %v, want ErrNotPositiveDefinite", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// BenchmarkSolve times random problems of the benchmark sizes: n variables,
// n/6 equalities, n two-sided rows (half-sparse), bounds on every other
// variable. "typical" scales the linear term so that about a quarter of the
// constraints end up active; "vertex" leaves it large, so that n constraints
// are active at the optimum (the worst case for an active-set method). "warm"
// re-solves the same problem with the previous active set.
// widen moves every finite side of p out by w.
func widen(p *Problem, w float64) {
	for i := range p.L {
		p.L[i] -= w
		p.U[i] += w
	}
	for i := range p.LX {
		p.LX[i] -= w
		p.UX[i] += w
	}
}

func BenchmarkSolve(b *testing.B) {
	for _, n := range []int{12, 40, 60, 120, 150} {
		for _, kind := range []string{"typical", "vertex"} {
			for _, warmStart := range []bool{false, true} {
				name := fmt.Sprintf("n=%d/%s/cold", n, kind)
				if warmStart {
					name = fmt.Sprintf("n=%d/%s/warm", n, kind)
				}
				b.Run(name, func(b *testing.B) {
					rng := rand.New(rand.NewPCG(uint64(n), 1))
					p := randomProblem(rng, n, n/6, n)
					if kind == "typical" {
						widen(p, 1)
						for i := range p.G {
							p.G[i] *= 0.05
						}
					}
					s := NewSolver(n, n/6, n)
					s.NoWarmStart = !warmStart
					x := make([]float64, n)
					r, err := s.Solve(p, x)
					if err != nil || r.Status != Optimal {
						b.Fatalf("%v %v", err, r.Status)
					}
					defer lockThread()()
					b.ReportAllocs()
					b.ResetTimer()
					cpu0, ops := threadCPU(), 0
					for b.Loop() {
						r, _ = s.Solve(p, x)
						ops++
					}
					b.ReportMetric(float64(threadCPU()-cpu0)/float64(ops), "cpu-ns/op")
					b.ReportMetric(float64(r.Active), "active")
					b.ReportMetric(float64(r.Iterations), "iters")
				})
			}
		}
	}
}

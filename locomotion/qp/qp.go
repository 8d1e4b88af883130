package qp

import (
	"errors"
	"fmt"
	"math"
)

// Status is the outcome of a solve.
type Status uint8

const (
	// Optimal: x satisfies the KKT conditions to the solver's tolerance.
	Optimal Status = iota
	// Infeasible: the constraints admit no point (proved by a dual ray).
	Infeasible
	// MaxIterations: the iteration limit was reached; x is the last (dual
	// feasible, primal infeasible) iterate and must not be used as a solution.
	MaxIterations
)

// String names the status.
func (s Status) String() string {
	switch s {
	case Optimal:
		return "optimal"
	case Infeasible:
		return "infeasible"
	case MaxIterations:
		return "max-iterations"
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Problem is one QP in flat row-major slices. The dimensions come from the
// slices: MEq = len(B), MIneq = max(len(L), len(U)).
type Problem struct {
	N int       // number of variables, ≥ 1
	H []float64 // N×N row-major, symmetric positive definite; lower triangle read
	G []float64 // N, linear term

	A []float64 // MEq×N row-major equality rows
	B []float64 // MEq right-hand sides

	C []float64 // MIneq×N row-major inequality rows (or nil with CS)
	// CS, when not nil, gives the inequality rows in compressed form instead
	// of C (which must then be nil): cheaper for rows with few non-zeros.
	CS *Sparse
	L  []float64 // MIneq lower sides (−Inf: none); nil means all −Inf
	U  []float64 // MIneq upper sides (+Inf: none); nil means all +Inf

	LX []float64 // N lower bounds on x (−Inf: none); nil means none
	UX []float64 // N upper bounds on x (+Inf: none); nil means none
}

// MEq is the number of equality rows.
func (p *Problem) MEq() int { return len(p.B) }

// MIneq is the number of two-sided inequality rows.
func (p *Problem) MIneq() int { return max(len(p.L), len(p.U)) }

// allZeroTimes returns Σ v·0 over v: 0 when every value is finite, NaN
// otherwise. It is the fast finiteness scan; the slow one finds the culprit.
func allZeroTimes(v []float64) float64 {
	acc := 0.0
	for _, x := range v {
		acc += x * 0
	}
	return acc
}

// Sparse holds rows in compressed form: row i has the values
// Val[Ptr[i]:Ptr[i+1]] in the columns Col[Ptr[i]:Ptr[i+1]] (any order, no
// repeats). len(Ptr) is the number of rows + 1 and Ptr[0] = 0.
type Sparse struct {
	Ptr []int32
	Col []int32
	Val []float64
}

// Reset empties s, keeping its storage.
func (s *Sparse) Reset() {
	s.Ptr = append(s.Ptr[:0], 0)
	s.Col = s.Col[:0]
	s.Val = s.Val[:0]
}

// Add appends one entry to the last row (call EndRow to close it).
func (s *Sparse) Add(col int, v float64) {
	s.Col = append(s.Col, int32(col))
	s.Val = append(s.Val, v)
}

// EndRow closes the current row.
func (s *Sparse) EndRow() { s.Ptr = append(s.Ptr, int32(len(s.Col))) }

// Rows returns the number of rows.
func (s *Sparse) Rows() int { return max(len(s.Ptr)-1, 0) }

// Result reports a solve. The multiplier slices are views into the Solver's
// storage, valid until its next Solve.
type Result struct {
	Status     Status
	Iterations int     // add and drop steps taken
	Active     int     // number of active constraints at the end
	Objective  float64 // ½xᵀHx + gᵀx at the returned x
	YEq        []float64
	YIneq      []float64
	ZBound     []float64
}

// ErrNotPositiveDefinite is wrapped by Solve's error when the Cholesky
// factorisation of H meets a non-positive pivot.
var ErrNotPositiveDefinite = errors.New("qp: H is not positive definite")

// Forced representations (tests).
const (
	modeRange = 1 + iota
	modeExplicit
)

// Row states in Solver.state.
const (
	rowFree    int8 = iota // not active
	rowLower               // lower side active (equalities: added with sign +)
	rowUpper               // upper side active (equalities: added with sign −)
	rowSkipped             // redundant equality, satisfied and dependent
)

// Solver holds the factors and scratch for problems up to the sizes given to
// NewSolver. The zero value is not usable.
type Solver struct {
	// MaxIter bounds add/drop steps per solve; 0 means 10·(N+MEq+MIneq)+100.
	MaxIter int
	// Tol is the relative feasibility tolerance: a side is violated when its
	// slack is below −Tol·(‖row‖+|bound|). 0 means 1e-10.
	Tol float64
	// NoWarmStart disables reusing the previous active set.
	NoWarmStart bool

	maxN, maxEq, maxIneq int

	// Per-solve dimensions.
	n, mEq, mIneq int

	// Two representations of the same factors, with N the active normals:
	// range space (few active): L and Q₁ with L⁻¹N = Q₁R, J never formed;
	// explicit: J = L⁻ᵀ[Q₁ Q₂] with JᵀN = [R; 0] (Goldfarb–Idnani's own).
	explicit bool
	mode     int       // tests: 0 automatic, modeRange or modeExplicit throughout
	chol     []float64 // n×n row-major, Cholesky factor L of H (lower)
	qm       []float64 // range space: q columns of length n (column-major), Q₁
	jm       []float64 // explicit: n×n row-major, J
	rm       []float64 // n×n row-major, R upper triangular (first q columns used)

	w, rho, z, r, d1, tmp []float64 // n
	u                     []float64 // n+1 multipliers of the active set (+ the one being added)
	act                   []int32   // n active constraint ids (2·row + side)

	// Compressed rows: equalities then inequalities.
	rowPtr  []int32
	col     []int32
	val     []float64
	rowNorm []float64

	state []int8 // per row (eq, ineq, bound): rowFree/rowLower/rowUpper/rowSkipped

	prevAct  []int32 // active set of the last optimal solve
	nPrev    int
	prevDims [3]int

	yEq, yIneq, zBound []float64
}

// NewSolver returns a solver for problems with at most maxN variables, maxEq
// equality rows and maxIneq inequality rows. It panics on negative sizes or
// maxN < 1 (a programming error).
func NewSolver(maxN, maxEq, maxIneq int) *Solver {
	if maxN < 1 || maxEq < 0 || maxIneq < 0 {
		panic(fmt.Sprintf("qp.NewSolver(%d, %d, %d): sizes must be maxN ≥ 1, others ≥ 0", maxN, maxEq, maxIneq))
	}
	rows := maxEq + maxIneq
	s := &Solver{
		maxN: maxN, maxEq: maxEq, maxIneq: maxIneq,
		chol:    make([]float64, maxN*maxN),
		qm:      make([]float64, maxN*maxN),
		jm:      make([]float64, maxN*maxN),
		rm:      make([]float64, maxN*maxN),
		w:       make([]float64, maxN),
		rho:     make([]float64, maxN),
		z:       make([]float64, maxN),
		r:       make([]float64, maxN),
		d1:      make([]float64, maxN),
		tmp:     make([]float64, maxN),
		u:       make([]float64, maxN+1),
		act:     make([]int32, maxN),
		rowPtr:  make([]int32, rows+1),
		col:     make([]int32, rows*maxN),
		val:     make([]float64, rows*maxN),
		rowNorm: make([]float64, rows),
		state:   make([]int8, rows+maxN),
		prevAct: make([]int32, maxN),
		yEq:     make([]float64, maxEq),
		yIneq:   make([]float64, maxIneq),
		zBound:  make([]float64, maxN),
	}
	return s
}

// Reset forgets the warm-start active set.
func (s *Solver) Reset() { s.nPrev = 0 }

// Solve solves p and writes the solution into x[:p.N]. The error is non-nil
// only for a malformed problem (sizes, NaN, crossed bounds, H not positive
// definite); otherwise the outcome is in Result.Status.
func (s *Solver) Solve(p *Problem, x []float64) (Result, error) {
	if err := s.check(p, x); err != nil {
		return Result{}, err
	}
	n, mEq, mIneq := p.N, p.MEq(), p.MIneq()
	s.n, s.mEq, s.mIneq = n, mEq, mIneq
	x = x[:n]
	if err := s.factor(p); err != nil {
		return Result{}, err
	}
	s.compress(p)

	// Unconstrained minimum x = −L⁻ᵀL⁻¹g.
	copy(s.tmp[:n], p.G)
	s.forward(s.tmp[:n], 0)
	s.backward(s.tmp[:n], x)
	for i := range x {
		x[i] = -x[i]
	}

	warm := !s.NoWarmStart && s.nPrev > 0 && s.prevDims == [3]int{n, mEq, mIneq}
	rows := mEq + mIneq + n
	clear(s.state[:rows])
	maxIter := s.MaxIter
	if maxIter <= 0 {
		maxIter = 10*(n+mEq+mIneq) + 100
	}
	tol := s.Tol
	if tol <= 0 {
		tol = 1e-10
	}

	// Few active constraints: work with L and Q₁ (range space); many: form
	// J = L⁻ᵀQ. The previous solve's count decides the start.
	s.explicit = false
	if s.mode == modeExplicit || (s.mode == 0 && warm && 3*s.nPrev > n) {
		s.formJ()
		s.explicit = true
	}
	q := 0
	iter := 0
	status := Optimal
	// An all-zero inequality row is 0 ∈ [l, u] or nothing can satisfy it.
	for row := mEq; row < mEq+mIneq; row++ {
		if s.rowNorm[row] != 0 {
			continue
		}
		if lo, hi := s.bounds(p, row); lo > tol*(1+math.Abs(lo)) || hi < -tol*(1+math.Abs(hi)) {
			status = Infeasible
		}
	}
outer:
	for status == Optimal {
		id, ok := s.pick(p, x, q, warm, tol)
		if !ok {
			break
		}
		row := int(id >> 1)
		s.u[q] = 0
		for {
			iter++
			if iter > maxIter {
				status = MaxIterations
				break outer
			}
			// d₁, z and ‖d₂‖² of the constraint's normal.
			var rr, ww float64
			if s.explicit {
				rr, ww = s.directionJ(id, q)
			} else {
				rr, ww = s.directionRange(id, q)
			}
			d1, z := s.d1[:q], s.z[:n]
			r := s.r[:q]
			for i := q - 1; i >= 0; i-- {
				acc := d1[i]
				for k := i + 1; k < q; k++ {
					acc -= s.rm[i*n+k] * r[k]
				}
				r[i] = acc / s.rm[i*n+i]
			}
			// Partial step: the active inequality whose multiplier reaches 0 first.
			t1, drop := math.Inf(1), -1
			rmax := 0.0
			for j := 0; j < q; j++ {
				rmax = max(rmax, math.Abs(r[j]))
			}
			for j := 0; j < q; j++ {
				if int(s.act[j]>>1) < mEq || r[j] <= 1e-12*rmax {
					continue
				}
				if t := s.u[j] / r[j]; t < t1 {
					t1, drop = t, j
				}
			}
			// Full step: makes the constraint active.
			t2 := math.Inf(1)
			if q < n && rr > 1e-24*ww {
				t2 = -s.slack(p, id, x) / rr
				if t2 < 0 {
					t2 = 0
				}
			}
			if math.IsInf(t1, 1) && math.IsInf(t2, 1) {
				if row < mEq && math.Abs(s.slack(p, id, x)) <= tol*(s.rowNorm[row]+math.Abs(p.B[row])) {
					// A redundant equality: dependent on the active rows and satisfied.
					s.state[row] = rowSkipped
					continue outer
				}
				status = Infeasible
				break outer
			}
			if math.IsInf(t2, 1) {
				// Dual step only: the normal lies in the span of the active normals.
				for j := 0; j < q; j++ {
					s.u[j] -= t1 * r[j]
				}
				s.u[q] += t1
				s.dropAt(drop, q)
				q--
				continue
			}
			t := min(t1, t2)
			for i := 0; i < n; i++ {
				x[i] += t * z[i]
			}
			for j := 0; j < q; j++ {
				s.u[j] -= t * r[j]
			}
			s.u[q] += t
			if t2 <= t1 {
				if s.explicit {
					s.addJ(id, q)
				} else {
					s.addRange(id, q, rr)
				}
				q++
				if !s.explicit && 3*q > n && s.mode == 0 {
					// Many active constraints: the explicit J costs less per step.
					s.toExplicit(q)
				}
				continue outer
			}
			s.dropAt(drop, q)
			q--
		}
	}

	res := Result{Status: status, Iterations: iter, Active: q}
	res.YEq = s.yEq[:mEq]
	res.YIneq = s.yIneq[:mIneq]
	res.ZBound = s.zBound[:n]
	clear(res.YEq)
	clear(res.YIneq)
	clear(res.ZBound)
	for j := 0; j < q; j++ {
		row := int(s.act[j] >> 1)
		y := s.u[j]
		if row >= mEq {
			y = max(y, 0) // an inequality's multiplier, ≥ 0 but for rounding
		}
		if s.act[j]&1 == 0 {
			y = -y // lower side (or equality added with sign +): n = +row
		}
		switch {
		case row < mEq:
			res.YEq[row] = y
		case row < mEq+mIneq:
			res.YIneq[row-mEq] = y
		default:
			res.ZBound[row-mEq-mIneq] = y
		}
	}
	res.Objective = objective(p, x)
	if status == Optimal {
		copy(s.prevAct, s.act[:q])
		s.nPrev = q
		s.prevDims = [3]int{n, mEq, mIneq}
	} else {
		s.nPrev = 0
	}
	return res, nil
}

// check validates p and x against the solver's capacity.
func (s *Solver) check(p *Problem, x []float64) error {
	n := p.N
	if n < 1 || n > s.maxN {
		return fmt.Errorf("qp: N = %d outside 1..%d (the solver's maxN)", n, s.maxN)
	}
	if len(x) < n {
		return fmt.Errorf("qp: x has length %d, need N = %d", len(x), n)
	}
	if len(p.H) != n*n {
		return fmt.Errorf("qp: H has length %d, need N·N = %d", len(p.H), n*n)
	}
	if len(p.G) != n {
		return fmt.Errorf("qp: G has length %d, need N = %d", len(p.G), n)
	}
	mEq := p.MEq()
	if mEq > s.maxEq {
		return fmt.Errorf("qp: %d equality rows, solver holds at most %d", mEq, s.maxEq)
	}
	if len(p.A) != mEq*n {
		return fmt.Errorf("qp: A has length %d, need MEq·N = %d·%d", len(p.A), mEq, n)
	}
	mIneq := p.MIneq()
	if mIneq > s.maxIneq {
		return fmt.Errorf("qp: %d inequality rows, solver holds at most %d", mIneq, s.maxIneq)
	}
	if p.L != nil && p.U != nil && len(p.L) != len(p.U) {
		return fmt.Errorf("qp: L has length %d and U %d; they must match", len(p.L), len(p.U))
	}
	if p.LX != nil && len(p.LX) != n {
		return fmt.Errorf("qp: LX has length %d, need N = %d (or nil)", len(p.LX), n)
	}
	if p.UX != nil && len(p.UX) != n {
		return fmt.Errorf("qp: UX has length %d, need N = %d (or nil)", len(p.UX), n)
	}
	if p.CS != nil {
		if p.C != nil {
			return fmt.Errorf("qp: both C and CS are set; give the inequality rows one way")
		}
		cs := p.CS
		if cs.Rows() != mIneq || len(cs.Ptr) == 0 || cs.Ptr[0] != 0 || len(cs.Col) != len(cs.Val) || int(cs.Ptr[mIneq]) != len(cs.Col) {
			return fmt.Errorf("qp: CS has %d rows (Ptr %d, Col %d, Val %d entries), need MIneq = %d rows with Ptr[0] = 0 and Ptr[last] = len(Col) = len(Val)",
				cs.Rows(), len(cs.Ptr), len(cs.Col), len(cs.Val), mIneq)
		}
		for i := 0; i < mIneq; i++ {
			if cs.Ptr[i+1] < cs.Ptr[i] || int(cs.Ptr[i+1]-cs.Ptr[i]) > n {
				return fmt.Errorf("qp: CS row %d has %d entries, need 0..N = %d", i, cs.Ptr[i+1]-cs.Ptr[i], n)
			}
			for k := cs.Ptr[i]; k < cs.Ptr[i+1]; k++ {
				if c := cs.Col[k]; c < 0 || int(c) >= n {
					return fmt.Errorf("qp: CS row %d has column %d outside 0..%d", i, c, n-1)
				}
			}
		}
		if allZeroTimes(cs.Val) != 0 {
			for k, v := range cs.Val {
				if !finite(v) {
					return fmt.Errorf("qp: CS entry %d = %v is not finite", k, v)
				}
			}
		}
	} else if len(p.C) != mIneq*n {
		return fmt.Errorf("qp: C has length %d, need MIneq·N = %d·%d", len(p.C), mIneq, n)
	}
	bad := allZeroTimes(p.G) + allZeroTimes(p.A) + allZeroTimes(p.B) + allZeroTimes(p.C)
	for i := 0; i < n; i++ {
		bad += allZeroTimes(p.H[i*n : i*n+i+1])
	}
	if bad != 0 {
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				if !finite(p.H[i*n+j]) {
					return fmt.Errorf("qp: H[%d,%d] = %v is not finite", i, j, p.H[i*n+j])
				}
			}
			if !finite(p.G[i]) {
				return fmt.Errorf("qp: G[%d] = %v is not finite", i, p.G[i])
			}
		}
		for k, v := range p.A {
			if !finite(v) {
				return fmt.Errorf("qp: A[%d,%d] = %v is not finite", k/n, k%n, v)
			}
		}
		for k, v := range p.B {
			if !finite(v) {
				return fmt.Errorf("qp: B[%d] = %v is not finite", k, v)
			}
		}
		for k, v := range p.C {
			if !finite(v) {
				return fmt.Errorf("qp: C[%d,%d] = %v is not finite", k/n, k%n, v)
			}
		}
	}
	for i := 0; i < mIneq; i++ {
		lo, hi := side(p.L, i, -1), side(p.U, i, 1)
		if math.IsNaN(lo) || math.IsNaN(hi) || lo > hi || math.IsInf(lo, 1) || math.IsInf(hi, -1) {
			return fmt.Errorf("qp: inequality row %d has bounds [%v, %v]; need −Inf ≤ l ≤ u ≤ +Inf, l < +Inf, u > −Inf", i, lo, hi)
		}
	}
	for i := 0; i < n; i++ {
		lo, hi := side(p.LX, i, -1), side(p.UX, i, 1)
		if math.IsNaN(lo) || math.IsNaN(hi) || lo > hi || math.IsInf(lo, 1) || math.IsInf(hi, -1) {
			return fmt.Errorf("qp: bound on x[%d] is [%v, %v]; need −Inf ≤ lx ≤ ux ≤ +Inf, lx < +Inf, ux > −Inf", i, lo, hi)
		}
	}
	return nil
}

// factor computes the Cholesky factor L (H = LLᵀ).
func (s *Solver) factor(p *Problem) error {
	n := p.N
	l := s.chol[:n*n]
	h := p.H
	pivot := func(i int, v float64) error {
		if !(v > 1e-14*math.Abs(h[i*n+i])) {
			return fmt.Errorf("%w: pivot %d is %g (H[%d,%d] = %g)", ErrNotPositiveDefinite, i, v, i, i, h[i*n+i])
		}
		return nil
	}
	// Rows in fours, then pairs (Cholesky–Banachiewicz): the rows of a group
	// take their dot products with row j in one pass, sharing its loads.
	i := 0
	for ; i+3 < n; i += 4 {
		r0 := l[i*n : i*n+n]
		r1 := l[(i+1)*n : (i+1)*n+n]
		r2 := l[(i+2)*n : (i+2)*n+n]
		r3 := l[(i+3)*n : (i+3)*n+n]
		for j := 0; j < i; j++ {
			lj := l[j*n : j*n+j+1]
			a0, a1, a2, a3 := dot4(r0[:j], r1[:j], r2[:j], r3[:j], lj[:j])
			d := lj[j]
			r0[j] = (h[i*n+j] - a0) / d
			r1[j] = (h[(i+1)*n+j] - a1) / d
			r2[j] = (h[(i+2)*n+j] - a2) / d
			r3[j] = (h[(i+3)*n+j] - a3) / d
		}
		// The 4×4 triangle of the group, row by row.
		for a := 0; a < 4; a++ {
			ra := l[(i+a)*n : (i+a)*n+n]
			for c := 0; c < a; c++ {
				rc := l[(i+c)*n : (i+c)*n+n]
				ra[i+c] = (h[(i+a)*n+i+c] - dot(ra[:i+c], rc[:i+c])) / rc[i+c]
			}
			v := h[(i+a)*n+i+a] - dot(ra[:i+a], ra[:i+a])
			if err := pivot(i+a, v); err != nil {
				return err
			}
			ra[i+a] = math.Sqrt(v)
			clear(ra[i+a+1:])
		}
	}
	for ; i+1 < n; i += 2 {
		li := l[i*n : i*n+n]
		lk := l[(i+1)*n : (i+1)*n+n]
		for j := 0; j < i; j++ {
			lj := l[j*n : j*n+j+1]
			a, b := dot2(li[:j], lk[:j], lj[:j])
			li[j] = (h[i*n+j] - a) / lj[j]
			lk[j] = (h[(i+1)*n+j] - b) / lj[j]
		}
		v := h[i*n+i] - dot(li[:i], li[:i])
		if err := pivot(i, v); err != nil {
			return err
		}
		li[i] = math.Sqrt(v)
		lk[i] = (h[(i+1)*n+i] - dot(lk[:i], li[:i])) / li[i]
		v = h[(i+1)*n+i+1] - dot(lk[:i+1], lk[:i+1])
		if err := pivot(i+1, v); err != nil {
			return err
		}
		lk[i+1] = math.Sqrt(v)
		clear(li[i+1:])
		clear(lk[i+2:])
	}
	if i < n { // odd n: the last row alone
		li := l[i*n : i*n+n]
		for j := 0; j < i; j++ {
			lj := l[j*n : j*n+j+1]
			li[j] = (h[i*n+j] - dot(li[:j], lj[:j])) / lj[j]
		}
		v := h[i*n+i] - dot(li[:i], li[:i])
		if err := pivot(i, v); err != nil {
			return err
		}
		li[i] = math.Sqrt(v)
	}
	return nil
}

// dot4 returns a·x, b·x, c·x and d·x.
func dot4(a, b, c, d, x []float64) (float64, float64, float64, float64) {
	a = a[:len(x)]
	b = b[:len(x)]
	c = c[:len(x)]
	d = d[:len(x)]
	var s0, s1, s2, s3 float64
	for i, v := range x {
		s0 += a[i] * v
		s1 += b[i] * v
		s2 += c[i] * v
		s3 += d[i] * v
	}
	return s0, s1, s2, s3
}

// dot2 returns a·c and b·c.
func dot2(a, b, c []float64) (float64, float64) {
	a = a[:len(c)]
	b = b[:len(c)]
	var s0, s1, t0, t1 float64
	i := 0
	for ; i+1 < len(c); i += 2 {
		c0, c1 := c[i], c[i+1]
		s0 += a[i] * c0
		t0 += b[i] * c0
		s1 += a[i+1] * c1
		t1 += b[i+1] * c1
	}
	if i < len(c) {
		s0 += a[i] * c[i]
		t0 += b[i] * c[i]
	}
	return s0 + s1, t0 + t1
}

// forward solves L y = b in place (b = y on return), b zero before index s0.
func (s *Solver) forward(b []float64, s0 int) {
	n := s.n
	l := s.chol
	for i := s0; i < n; i++ {
		b[i] = (b[i] - dot(l[i*n+s0:i*n+i], b[s0:i])) / l[i*n+i]
	}
}

// backward solves Lᵀ y = b into y; b is overwritten.
func (s *Solver) backward(b, y []float64) {
	n := s.n
	l := s.chol
	for i := n - 1; i >= 0; i-- {
		yi := b[i] / l[i*n+i]
		y[i] = yi
		axpy(-yi, l[i*n:i*n+i], b[:i])
	}
}

// compress stores the non-zeros of the equality and inequality rows.
func (s *Solver) compress(p *Problem) {
	n := p.N
	k := int32(0)
	row := 0
	put := func(src []float64) {
		for i := 0; i*n < len(src); i++ {
			s.rowPtr[row] = k
			nrm := 0.0
			for j, v := range src[i*n : i*n+n] {
				if v != 0 {
					s.col[k] = int32(j)
					s.val[k] = v
					k++
					nrm += v * v
				}
			}
			s.rowNorm[row] = math.Sqrt(nrm)
			row++
		}
	}
	put(p.A)
	if cs := p.CS; cs != nil {
		for i := 0; i < cs.Rows(); i++ {
			s.rowPtr[row] = k
			nrm := 0.0
			for e := cs.Ptr[i]; e < cs.Ptr[i+1]; e++ {
				if v := cs.Val[e]; v != 0 {
					s.col[k] = cs.Col[e]
					s.val[k] = v
					k++
					nrm += v * v
				}
			}
			s.rowNorm[row] = math.Sqrt(nrm)
			row++
		}
	} else {
		put(p.C)
	}
	s.rowPtr[row] = k
}

// bounds returns the lower and upper side of row (eq, ineq, bound order).
func (s *Solver) bounds(p *Problem, row int) (lo, hi float64) {
	switch {
	case row < s.mEq:
		return p.B[row], p.B[row]
	case row < s.mEq+s.mIneq:
		i := row - s.mEq
		return side(p.L, i, -1), side(p.U, i, 1)
	default:
		i := row - s.mEq - s.mIneq
		return side(p.LX, i, -1), side(p.UX, i, 1)
	}
}

// rowDot returns row·x and the row's norm.
func (s *Solver) rowDot(row int, x []float64) (float64, float64) {
	if row >= s.mEq+s.mIneq {
		return x[row-s.mEq-s.mIneq], 1
	}
	acc := 0.0
	for k := s.rowPtr[row]; k < s.rowPtr[row+1]; k++ {
		acc += s.val[k] * x[s.col[k]]
	}
	return acc, s.rowNorm[row]
}

// slack of constraint id (≥ 0 when satisfied): side 0 is row·x − lo, side 1
// is hi − row·x.
func (s *Solver) slack(p *Problem, id int32, x []float64) float64 {
	row := int(id >> 1)
	v, _ := s.rowDot(row, x)
	lo, hi := s.bounds(p, row)
	if id&1 == 0 {
		return v - lo
	}
	return hi - v
}

// normal writes constraint id's normal (±row) into d, dense.
func (s *Solver) normal(id int32, d []float64) {
	row := int(id >> 1)
	sign := 1.0
	if id&1 == 1 {
		sign = -1
	}
	clear(d)
	if row >= s.mEq+s.mIneq {
		d[row-s.mEq-s.mIneq] = sign
		return
	}
	for k := s.rowPtr[row]; k < s.rowPtr[row+1]; k++ {
		d[s.col[k]] = sign * s.val[k]
	}
}

// firstNonzero returns the index of the first non-zero of id's normal.
func (s *Solver) firstNonzero(id int32) int {
	row := int(id >> 1)
	if row >= s.mEq+s.mIneq {
		return row - s.mEq - s.mIneq
	}
	first := s.n
	for k := s.rowPtr[row]; k < s.rowPtr[row+1]; k++ {
		first = min(first, int(s.col[k]))
	}
	return first
}

// pick chooses the next constraint to add: an equality first, then the most
// violated member of the warm-start set, then the most violated constraint
// (slack normalised by the row norm). ok is false when none is violated.
func (s *Solver) pick(p *Problem, x []float64, q int, warm bool, tol float64) (int32, bool) {
	for row := 0; row < s.mEq; row++ {
		if s.state[row] != rowFree {
			continue
		}
		v, _ := s.rowDot(row, x)
		if v > p.B[row] {
			s.state[row] = rowUpper
			return int32(2*row + 1), true
		}
		s.state[row] = rowLower
		return int32(2 * row), true
	}
	best, bestID := 0.0, int32(-1)
	consider := func(row int) {
		if s.state[row] != rowFree {
			return
		}
		v, nrm := s.rowDot(row, x)
		if nrm == 0 {
			return
		}
		lo, hi := s.bounds(p, row)
		if sl := v - lo; sl < -tol*(nrm+math.Abs(lo)) && sl/nrm < best {
			best, bestID = sl/nrm, int32(2*row)
		}
		if sl := hi - v; sl < -tol*(nrm+math.Abs(hi)) && sl/nrm < best {
			best, bestID = sl/nrm, int32(2*row+1)
		}
	}
	if warm {
		for _, id := range s.prevAct[:s.nPrev] {
			if row := int(id >> 1); row >= s.mEq {
				consider(row)
			}
		}
	}
	if bestID < 0 {
		for row := s.mEq; row < s.mEq+s.mIneq+s.n; row++ {
			consider(row)
		}
	}
	if bestID < 0 {
		return 0, false
	}
	if bestID&1 == 0 {
		s.state[bestID>>1] = rowLower
	} else {
		s.state[bestID>>1] = rowUpper
	}
	return bestID, true
}

// addRange appends constraint id as active number q. s.rho holds ρ, the part
// of w = L⁻¹n orthogonal to Q₁, with ‖ρ‖² = rr, and s.d1 holds d₁ = Q₁ᵀw:
// Q₁ gains the column ρ/‖ρ‖ and R the column (d₁, ‖ρ‖).
func (s *Solver) addRange(id int32, q int, rr float64) {
	n := s.n
	nrm := math.Sqrt(rr)
	col := s.qm[q*n : q*n+n]
	for i, v := range s.rho[:n] {
		col[i] = v / nrm
	}
	for i := 0; i < q; i++ {
		s.rm[i*n+q] = s.d1[i]
	}
	s.rm[q*n+q] = nrm
	s.act[q] = id
}

// directionRange computes, in the range-space form, w = L⁻¹n⁺, d₁ = Q₁ᵀw
// (into s.d1), ρ = w − Q₁d₁ (into s.rho; Gram–Schmidt, repeated once when
// cancellation loses more than half of w) and z = L⁻ᵀρ (into s.z). It
// returns ‖ρ‖² = ‖d₂‖² and ‖w‖².
func (s *Solver) directionRange(id int32, q int) (rr, ww float64) {
	n := s.n
	w := s.w[:n]
	s.normal(id, w)
	s.forward(w, s.firstNonzero(id))
	d1 := s.d1[:q]
	rho := s.rho[:n]
	copy(rho, w)
	clear(d1)
	ww = dot(w, w)
	rr = ww
	for pass := 0; pass < 2 && q > 0; pass++ {
		for j := 0; j < q; j++ {
			col := s.qm[j*n : j*n+n]
			e := dot(col, rho)
			d1[j] += e
			axpy(-e, col, rho)
		}
		rr = dot(rho, rho)
		if rr > 0.25*ww {
			break
		}
	}
	copy(s.tmp[:n], rho)
	s.backward(s.tmp[:n], s.z[:n])
	return rr, ww
}

// directionJ computes, with the explicit J, d = Jᵀn⁺ (into s.w, its first q
// entries also into s.d1) and z = J₂d₂ (into s.z). It returns ‖d₂‖² and ‖d‖².
func (s *Solver) directionJ(id int32, q int) (rr, ww float64) {
	n := s.n
	d := s.w[:n]
	s.normalTimesJ(id, d)
	copy(s.d1[:q], d[:q])
	z := s.z[:n]
	for i := 0; i < n; i++ {
		z[i] = dot(s.jm[i*n+q:i*n+n], d[q:n])
	}
	return dot(d[q:n], d[q:n]), dot(d, d)
}

// normalTimesJ writes d = Jᵀn for constraint id's normal n (±row).
func (s *Solver) normalTimesJ(id int32, d []float64) {
	n := s.n
	row := int(id >> 1)
	sign := 1.0
	if id&1 == 1 {
		sign = -1
	}
	if row >= s.mEq+s.mIneq {
		i := row - s.mEq - s.mIneq
		jr := s.jm[i*n : i*n+n]
		for j := range d {
			d[j] = sign * jr[j]
		}
		return
	}
	clear(d)
	for k := s.rowPtr[row]; k < s.rowPtr[row+1]; k++ {
		c := int(s.col[k])
		axpy(sign*s.val[k], s.jm[c*n:c*n+n], d)
	}
}

// addJ appends constraint id as active number q in the explicit form, with
// d = Jᵀn in s.w and z = J₂d₂ in s.z: one Householder reflection on columns
// q..n−1 of J turns d₂ into (σ, 0, …, 0), and R gains the column (d₁, σ).
func (s *Solver) addJ(id int32, q int) {
	n := s.n
	d := s.w[:n]
	z := s.z[:n]
	nrm := math.Sqrt(dot(d[q:n], d[q:n]))
	sigma := -nrm
	if d[q] < 0 {
		sigma = nrm
	}
	if q < n-1 {
		// v = d₂ − σe₁, β = 2/vᵀv, J₂ ← J₂ − β (J₂v) vᵀ with J₂v = z − σ J[:,q].
		v := d[q:n]
		v[0] -= sigma
		beta := 2 / dot(v, v)
		w := s.tmp[:n]
		for i := 0; i < n; i++ {
			w[i] = beta * (z[i] - sigma*s.jm[i*n+q])
		}
		for i := 0; i < n; i++ {
			axpy(-w[i], v, s.jm[i*n+q:i*n+n])
		}
		v[0] += sigma
	} else {
		sigma = d[q]
	}
	for i := 0; i < q; i++ {
		s.rm[i*n+q] = d[i]
	}
	s.rm[q*n+q] = sigma
	s.act[q] = id
}

// formJ writes J = L⁻ᵀ (no constraint active): row j of J is column j of
// L⁻¹, by forward substitution.
func (s *Solver) formJ() {
	n := s.n
	l := s.chol
	jm := s.jm[:n*n]
	for j := 0; j < n; j++ {
		row := jm[j*n : j*n+n]
		clear(row[:j])
		row[j] = 1 / l[j*n+j]
		for i := j + 1; i < n; i++ {
			row[i] = -dot(l[i*n+j:i*n+i], row[j:i]) / l[i*n+i]
		}
	}
}

// toExplicit switches from the range-space form to the explicit J with the
// same q active constraints, re-adding them in order (R is rebuilt; the
// multipliers do not change).
func (s *Solver) toExplicit(q int) {
	n := s.n
	s.formJ()
	s.explicit = true
	for j := 0; j < q; j++ {
		id := s.act[j]
		d := s.w[:n]
		s.normalTimesJ(id, d)
		z := s.z[:n]
		for i := 0; i < n; i++ {
			z[i] = dot(s.jm[i*n+j:i*n+n], d[j:n])
		}
		s.addJ(id, j)
	}
}

// dropAt removes active constraint number l of q (the entry being added sits
// at u[q] and moves down with the others), restoring R's triangular form with
// Givens rotations that are applied to Q₁'s columns as well.
func (s *Solver) dropAt(l, q int) {
	n := s.n
	row := int(s.act[l] >> 1)
	s.state[row] = rowFree
	copy(s.act[l:q-1], s.act[l+1:q])
	copy(s.u[l:q], s.u[l+1:q+1])
	for j := l; j < q-1; j++ {
		for i := 0; i <= j+1; i++ {
			s.rm[i*n+j] = s.rm[i*n+j+1]
		}
	}
	for j := l; j < q-1; j++ {
		a, b := s.rm[j*n+j], s.rm[(j+1)*n+j]
		if b == 0 {
			continue
		}
		h := math.Hypot(a, b)
		c, sn := a/h, b/h
		s.rm[j*n+j], s.rm[(j+1)*n+j] = h, 0
		for k := j + 1; k < q-1; k++ {
			t1, t2 := s.rm[j*n+k], s.rm[(j+1)*n+k]
			s.rm[j*n+k] = c*t1 + sn*t2
			s.rm[(j+1)*n+k] = -sn*t1 + c*t2
		}
		if s.explicit {
			for i := 0; i < n; i++ {
				t1, t2 := s.jm[i*n+j], s.jm[i*n+j+1]
				s.jm[i*n+j] = c*t1 + sn*t2
				s.jm[i*n+j+1] = -sn*t1 + c*t2
			}
			continue
		}
		cj, cj1 := s.qm[j*n:j*n+n], s.qm[(j+1)*n:(j+1)*n+n]
		for i := range cj {
			t1, t2 := cj[i], cj1[i]
			cj[i] = c*t1 + sn*t2
			cj1[i] = -sn*t1 + c*t2
		}
	}
	for i := 0; i < n; i++ {
		s.rm[i*n+q-1] = 0
	}
}

func objective(p *Problem, x []float64) float64 {
	n := p.N
	f := 0.0
	for i := 0; i < n; i++ {
		hx := p.H[i*n+i] * x[i] / 2
		for j := 0; j < i; j++ {
			hx += p.H[i*n+j] * x[j]
		}
		f += x[i] * (hx + p.G[i])
	}
	return f
}

func side(v []float64, i int, inf float64) float64 {
	if v == nil {
		return math.Inf(int(inf))
	}
	return v[i]
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+3 < len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpy(alpha float64, x, y []float64) {
	y = y[:len(x)]
	i := 0
	for ; i+3 < len(x); i += 4 {
		y[i] += alpha * x[i]
		y[i+1] += alpha * x[i+1]
		y[i+2] += alpha * x[i+2]
		y[i+3] += alpha * x[i+3]
	}
	for ; i < len(x); i++ {
		y[i] += alpha * x[i]
	}
}

package sim

import (
	"math"

	"github.com/stride-robotics/stride/sim/rbd"
)

// The Newton solver minimises over the post-step velocity v
//
//	f(v) = ½·(v − v_free)ᵀ·M·(v − v_free) + Σ_c ℓ_c(J_c·v)
//
// where each constraint's cost ℓ is the convex conjugate of its soft law
// u + R·p = target with p in its set: a contact's p in the elliptic friction
// cone {p_n ≥ 0, |p_t| ≤ μ·p_n}, a limit's p ≥ 0, a friction loss's
// |p| ≤ bound. ∇ℓ = −p, so at the minimum M·(v − v_free) = Σ Jᵀ·p: v is the
// velocity after the constraint impulses p.
//
// For a contact, with y = target − u and the scaled w = R^(−½)·y, the
// impulse is R^(−½)·Π(w), Π the Euclidean projection onto the cone
// {|g_t| ≤ μ̃·g_n}, μ̃ = μ·√(R_t/R_n), and ℓ = ½·|Π(w)|². There are three
// zones: w inside the cone (sticking: ℓ = ½|w|², Hessian R⁻¹), in its polar
// cone (separating: ℓ = 0), or projected onto its surface (sliding:
// ℓ = ½(w_n + μ̃|w_t|)²/(1 + μ̃²)). The Hessian of every zone is exact, and
// each Jacobian lives on one path to the root, so M + Jᵀ·B·J keeps the tree
// sparsity of M and factors with FactorTree without fill-in.

// newtonScratch holds the Newton solver's work arrays.
type newtonScratch struct {
	v, g, dir, me, md []float64    // (nv)
	h, hinv           []float64    // (tree) Hessian and its factor; (nv)
	u, jd, f          []float64    // (rows) J·v, J·Δ, impulses
	b                 [][9]float64 // (rows) 3×3 (contact) or 1×1 Hessian block at a group's first row
	zone              []uint8      // (rows) each row's cost zone at the current iterate
	xPrev             []float64    // (nv) last step's velocity change x = v⁺ − v, for the warm start
	cn, c1, c2        []float64    // (nv) a contact's three Jacobian rows along its path
	curved            bool         // some row is in a curved zone at the current iterate (evalRows)
	lastIters         int          // gradient evaluations of the last solve
	lastRows          int          // rows of the last solve
}

// resetWarmStart forgets the last solve: the next starts from rest.
func (ns *newtonScratch) resetWarmStart() {
	clear(ns.xPrev)
	ns.lastIters, ns.lastRows = 0, 0
}

func (ns *newtonScratch) init(nv, tree, rows int) {
	mk := func() []float64 { return make([]float64, nv) }
	ns.v, ns.g, ns.dir, ns.me, ns.md = mk(), mk(), mk(), mk(), mk()
	ns.xPrev = mk()
	ns.cn, ns.c1, ns.c2 = mk(), mk(), mk()
	ns.h = make([]float64, tree)
	ns.hinv = mk()
	ns.u = make([]float64, rows)
	ns.jd = make([]float64, rows)
	ns.f = make([]float64, rows)
	ns.b = make([][9]float64, rows)
	ns.zone = make([]uint8, rows)
}

// solveNewton finds the post-step velocity, sets Qacc = (v⁺ − v)/h and the
// impulses s.p. In terms of the velocity change x = v⁺ − v the smooth part of
// the cost is ½·xᵀ·M·x − h·fᵀ·x (f the smooth force; equal to
// ½|v⁺ − v_free|²_M up to a constant), so neither M⁻¹ nor v_free is needed:
// in steady contact one factorisation per step, of the Hessian.
func (w *World) solveNewton(vcur []float64) {
	m, s, sc := w.Model, &w.rows, &w.scratch
	ns := &sc.newton
	nv := m.Nv
	h := w.Opt.Timestep
	w.SolverIterations, w.SolverResidual = 0, 0
	w.SolverLineEvals, w.SolverFactorizations = 0, 0
	// Start from the better of two points (by cost), as MuJoCo does: last
	// step's velocity change (the warm start) and the unconstrained one,
	// h·M⁻¹·f. Steady contact favours the first; contacts coming and going
	// (a chattering foot, an impact) often the second. The second, which
	// needs M's factor, is tried only after an unsteady solve: more than one
	// Newton step, or a step that was not exact over a changed set of rows
	// (lastIters counts the gradient evaluations). me = M·x − h·f, the
	// smooth part's gradient, is kept current through the iterations.
	if ns.lastIters > 2 || (ns.lastIters > 1 && s.n != ns.lastRows) {
		warm := w.startAt(vcur, ns.xPrev, false, true)
		w.freeAcceleration()
		for k := 0; k < nv; k++ {
			ns.dir[k] = h * sc.qaccFree[k]
		}
		if free := w.startAt(vcur, ns.dir, true, true); free >= warm {
			w.startAt(vcur, ns.xPrev, false, false)
		}
	} else {
		w.startAt(vcur, ns.xPrev, false, false)
	}
	evals := 0 // gradient evaluations
	for it := 0; it < w.Opt.SolverIterations; it++ {
		evals = it + 1
		// gradient g = M·x − h·f − Jᵀ·p at v
		w.evalRows(ns.u, true)
		copy(ns.g, ns.me)
		s.addJT(ns.g, ns.f, -1)
		// converged: the gradient is negligible beside the forces it balances
		gg, ff := 0.0, 0.0
		for k := 0; k < nv; k++ {
			gg += ns.g[k] * ns.g[k]
			ff += ns.me[k] * ns.me[k]
		}
		w.SolverResidual = math.Sqrt(gg / math.Max(ff, 1e-300))
		if gg <= w.Opt.SolverTolerance*w.Opt.SolverTolerance*ff || gg == 0 {
			break
		}
		// Newton direction: H = M + Jᵀ·B·J, dir = −H⁻¹·g
		w.assembleHessian()
		rbd.FactorTreePacked(m, ns.h, ns.hinv)
		w.SolverFactorizations++
		for k := 0; k < nv; k++ {
			ns.dir[k] = -ns.g[k]
		}
		rbd.SolveTreePacked(m, ns.dir, ns.h, ns.hinv)
		s.mulJ(ns.dir, ns.jd)
		if !ns.curved && w.fullStepExact() {
			// every row keeps its quadratic zone over the full step, so the
			// cost is the Newton model along it and α = 1 is its minimum
			for k := 0; k < nv; k++ {
				ns.v[k] += ns.dir[k]
			}
			for i := 0; i < s.n; i++ {
				ns.u[i] += ns.jd[i]
			}
			w.SolverResidual = 0
			break
		}
		// exact line search along dir
		rbd.MulTreePacked(m, ns.md, sc.metric, ns.dir)
		alpha := w.lineSearch()
		if alpha == 0 {
			break
		}
		for k := 0; k < nv; k++ {
			ns.v[k] += alpha * ns.dir[k]
			ns.me[k] += alpha * ns.md[k]
		}
		for i := 0; i < s.n; i++ {
			ns.u[i] += alpha * ns.jd[i]
		}
	}
	// An iteration is a Newton step (direction and line search), as
	// MuJoCo's solver_iter counts; the gradient check that ends the solve
	// is not one.
	w.SolverIterations = w.SolverFactorizations
	ns.lastIters, ns.lastRows = evals, s.n
	// impulses at the solution
	w.evalRows(ns.u, false)
	copy(s.p[:s.n], ns.f[:s.n])
	for k := 0; k < nv; k++ {
		x := ns.v[k] - vcur[k]
		ns.xPrev[k] = x
		w.Qacc[k] = x / h
	}
}

// startAt sets the iterate to the velocity change x (v = vcur + x, me, u)
// and, with cost, returns its cost; free says x is the unconstrained
// change, where me = 0.
func (w *World) startAt(vcur, x []float64, free, cost bool) float64 {
	m, s, sc := w.Model, &w.rows, &w.scratch
	ns := &sc.newton
	nv := m.Nv
	h := w.Opt.Timestep
	for k := 0; k < nv; k++ {
		ns.v[k] = vcur[k] + x[k]
	}
	if free {
		clear(ns.me)
	} else {
		rbd.MulTreePacked(m, ns.me, sc.metric, x)
		for k := 0; k < nv; k++ {
			ns.me[k] -= h * sc.force[k]
		}
	}
	s.mulJ(ns.v, ns.u)
	if !cost {
		return 0
	}
	c := 0.0
	for k := 0; k < nv; k++ {
		c += 0.5*x[k]*ns.me[k] - 0.5*h*sc.force[k]*x[k]
	}
	return c + w.evalRows(ns.u, false)
}

// evalRows computes, for row velocities u, every row's impulse into
// newton.f and, with hess, its Hessian block into newton.b; it returns the
// rows' total cost.
func (w *World) evalRows(u []float64, hess bool) float64 {
	s := &w.rows
	ns := &w.scratch.newton
	cost := 0.0
	ns.curved = false
	for i := 0; i < s.n; i++ {
		switch s.kind[i] {
		case rowNormal:
			c, z := contactCost(s, i, u[i], u[i+1], u[i+2], ns.f[i:i+3], &ns.b[i], hess)
			cost += c
			ns.zone[i] = z
			ns.curved = ns.curved || z == zoneCurved
			i += 2
		case rowLimit:
			y := s.target[i] - u[i]
			ns.f[i], ns.b[i][0], ns.zone[i] = 0, 0, zoneFree
			if y > 0 {
				ns.f[i], ns.b[i][0], ns.zone[i] = y/s.r[i], 1/s.r[i], zoneQuadratic
				cost += 0.5 * y * y / s.r[i]
			}
		case rowFrictionLoss:
			y := s.target[i] - u[i]
			r, b := s.r[i], s.bound[i]
			if math.Abs(y) <= r*b {
				ns.f[i], ns.b[i][0], ns.zone[i] = y/r, 1/r, zoneQuadratic
				cost += 0.5 * y * y / r
			} else {
				ns.f[i], ns.b[i][0], ns.zone[i] = math.Copysign(b, y), 0, zoneLinear
				cost += b*math.Abs(y) - 0.5*r*b*b
			}
		}
	}
	return cost
}

// contactCost evaluates one contact's cone cost at row velocities (un, u1,
// u2), writing the impulse to f and (with hess) the 3×3 Hessian in u to b.
func contactCost(s *rowSet, i int, un, u1, u2 float64, f []float64, b *[9]float64, hess bool) (float64, uint8) {
	rn := s.r[i]
	rt := 0.5 * (s.r[i+1] + s.r[i+2])
	sn, st := math.Sqrt(rn), math.Sqrt(rt)
	mu := s.bound[i] * st / sn // μ̃
	wn := (s.target[i] - un) / sn
	w1 := (s.target[i+1] - u1) / st
	w2 := (s.target[i+2] - u2) / st
	ts := math.Sqrt(w1*w1 + w2*w2)
	switch {
	case ts <= mu*wn: // sticking: the whole cone interior
		f[0], f[1], f[2] = wn/sn, w1/st, w2/st
		if hess {
			*b = [9]float64{1 / rn, 0, 0, 0, 1 / rt, 0, 0, 0, 1 / rt}
		}
		return 0.5 * (wn*wn + w1*w1 + w2*w2), zoneQuadratic
	case mu*ts <= -wn: // separating
		f[0], f[1], f[2] = 0, 0, 0
		if hess {
			*b = [9]float64{}
		}
		return 0, zoneFree
	}
	// sliding: projection onto the cone's surface
	k := 1 + mu*mu
	phi := (wn + mu*ts) / k
	h1, h2 := w1/ts, w2/ts
	f[0], f[1], f[2] = phi/sn, phi*mu*h1/st, phi*mu*h2/st
	if hess {
		a := [3]float64{1, mu * h1, mu * h2}
		c := phi * mu / ts
		var H [9]float64
		for r := 0; r < 3; r++ {
			for q := 0; q < 3; q++ {
				H[3*r+q] = a[r] * a[q] / k
			}
		}
		H[4] += c * (1 - h1*h1)
		H[5] -= c * h1 * h2
		H[7] -= c * h1 * h2
		H[8] += c * (1 - h2*h2)
		sc := [3]float64{1 / sn, 1 / st, 1 / st}
		for r := 0; r < 3; r++ {
			for q := 0; q < 3; q++ {
				b[3*r+q] = sc[r] * H[3*r+q] * sc[q]
			}
		}
	}
	return 0.5 * phi * phi * k, zoneCurved
}

// Zones of a row's cost: quadratic (sticking contact, active limit, joint
// friction below its bound), free (separating, inactive limit: zero cost),
// linear (saturated joint friction) — all exactly quadratic, so a full Newton
// step that stays in them lands on the minimum — and curved (a sliding
// contact, whose cost is not quadratic).
const (
	zoneFree uint8 = iota
	zoneQuadratic
	zoneLinear
	zoneCurved
)

// assembleHessian writes M + Σ Jᵀ·B·J into newton.h, a tree matrix: each
// Jacobian lives on a path to the root, so Jᵀ·B·J falls on tree entries.
func (w *World) assembleHessian() {
	m, s := w.Model, &w.rows
	ns := &w.scratch.newton
	copy(ns.h, w.scratch.metric)
	for i := 0; i < s.n; i++ {
		path := s.path[i]
		B := &ns.b[i]
		if s.kind[i] != rowNormal {
			if B[0] != 0 {
				k := path[0]
				jk := s.jrow(i)[k]
				ns.h[m.TreeAdr[k]] += jk * B[0] * jk
			}
			continue
		}
		jn, j1, j2 := s.jrow(i), s.jrow(i+1), s.jrow(i+2)
		i += 2
		if *B == ([9]float64{}) {
			continue
		}
		// the three rows gathered along the path, which runs from the
		// body's last dof to the root, each entry the parent of the one
		// before: path[a:] is k and then its ancestors, in the order of
		// k's tree row.
		L := len(path)
		cn, c1, c2 := ns.cn[:L], ns.c1[:L], ns.c2[:L]
		for a, k := range path {
			cn[a], c1[a], c2[a] = jn[k], j1[k], j2[k]
		}
		for a, k := range path {
			x0, x1, x2 := cn[a], c1[a], c2[a]
			b0 := B[0]*x0 + B[1]*x1 + B[2]*x2
			b1 := B[3]*x0 + B[4]*x1 + B[5]*x2
			b2 := B[6]*x0 + B[7]*x1 + B[8]*x2
			adr := m.TreeAdr[k]
			row := ns.h[adr : adr+L-a]
			tn, t1, t2 := cn[a:L], c1[a:L], c2[a:L]
			tn, t1, t2 = tn[:len(row)], t1[:len(row)], t2[:len(row)]
			for b := range row {
				row[b] += b0*tn[b] + b1*t1[b] + b2*t2[b]
			}
		}
	}
}

// lineSearchTol ends the line search once the directional derivative is this
// fraction of its value at α = 0: the next Newton iteration mops up the rest.
const lineSearchTol = 1e-4

// lineSearch returns the α ≥ 0 minimising f(v + α·dir), a convex,
// piecewise-quadratic function: Newton's method on f′ from the full step
// α = 1, safeguarded by bisection. Near the solution the full step is exact
// and one evaluation suffices.
func (w *World) lineSearch() float64 {
	ns := &w.scratch.newton
	nv := w.Model.Nv
	var dMe, dMd, d0 float64
	for k := 0; k < nv; k++ {
		dMe += ns.dir[k] * ns.me[k]
		dMd += ns.dir[k] * ns.md[k]
		d0 += ns.dir[k] * ns.g[k]
	}
	if d0 >= 0 {
		return 0
	}
	deriv := func(alpha float64) (float64, float64) {
		r1, r2 := w.rowDerivs(alpha)
		return dMe + alpha*dMd + r1, dMd + r2
	}
	tol := lineSearchTol * -d0
	alpha := 1.0
	g, h := deriv(alpha)
	if math.Abs(g) <= tol {
		return alpha
	}
	lo, hi := 0.0, math.Inf(1)
	for k := 0; k < 50; k++ {
		if g < 0 {
			lo = alpha
		} else {
			hi = alpha
		}
		next := alpha - g/h
		if !(h > 0) || next <= lo || next >= hi {
			if math.IsInf(hi, 1) {
				next = 2 * alpha
			} else {
				next = 0.5 * (lo + hi)
			}
		}
		if math.Abs(next-alpha) <= 1e-14*alpha {
			return next
		}
		alpha = next
		if g, h = deriv(alpha); math.Abs(g) <= tol {
			break
		}
	}
	return alpha
}

// fullStepExact reports whether at u + jd (the full Newton step) every row
// is in the zone it is in at u, where none is curved (the caller checks):
// then the cost along the step is exactly the quadratic Newton model and
// the step lands on the minimum. It counts as a line-search evaluation.
func (w *World) fullStepExact() bool {
	s := &w.rows
	ns := &w.scratch.newton
	w.SolverLineEvals++
	for i := 0; i < s.n; i++ {
		u0 := ns.u[i] + ns.jd[i]
		z := ns.zone[i]
		switch s.kind[i] {
		case rowNormal:
			if contactZone(s, i, u0, ns.u[i+1]+ns.jd[i+1], ns.u[i+2]+ns.jd[i+2]) != z {
				return false
			}
			i += 2
		case rowLimit:
			if (s.target[i]-u0 > 0) != (z == zoneQuadratic) {
				return false
			}
		case rowFrictionLoss:
			// the linear zone has two pieces, saturated either way: the
			// sign of the slip must hold too
			y0, y1 := s.target[i]-ns.u[i], s.target[i]-u0
			rb := s.r[i] * s.bound[i]
			if q := math.Abs(y1) <= rb; q != (z == zoneQuadratic) || (!q && (y0 > 0) != (y1 > 0)) {
				return false
			}
		}
	}
	return true
}

// contactZone is the zone of contact i's cost at row velocities (un, u1,
// u2), as contactCost finds it.
func contactZone(s *rowSet, i int, un, u1, u2 float64) uint8 {
	rn := s.r[i]
	rt := 0.5 * (s.r[i+1] + s.r[i+2])
	sn, st := math.Sqrt(rn), math.Sqrt(rt)
	mu := s.bound[i] * st / sn
	wn := (s.target[i] - un) / sn
	w1 := (s.target[i+1] - u1) / st
	w2 := (s.target[i+2] - u2) / st
	ts := math.Sqrt(w1*w1 + w2*w2)
	switch {
	case ts <= mu*wn:
		return zoneQuadratic
	case mu*ts <= -wn:
		return zoneFree
	}
	return zoneCurved
}

// rowDerivs returns the first and second derivatives in α of the rows' cost
// at u + α·jd (u = J·v of the current iterate).
func (w *World) rowDerivs(alpha float64) (float64, float64) {
	s := &w.rows
	ns := &w.scratch.newton
	w.SolverLineEvals++
	var f [3]float64
	var B [9]float64
	d1, d2 := 0.0, 0.0
	for i := 0; i < s.n; i++ {
		jd0 := ns.jd[i]
		u0 := ns.u[i] + alpha*jd0
		switch s.kind[i] {
		case rowNormal:
			jd1, jd2 := ns.jd[i+1], ns.jd[i+2]
			contactCost(s, i, u0, ns.u[i+1]+alpha*jd1, ns.u[i+2]+alpha*jd2, f[:], &B, true)
			d1 -= f[0]*jd0 + f[1]*jd1 + f[2]*jd2
			x := [3]float64{jd0, jd1, jd2}
			for r := 0; r < 3; r++ {
				for q := 0; q < 3; q++ {
					d2 += x[r] * B[3*r+q] * x[q]
				}
			}
			i += 2
		case rowLimit:
			if y := s.target[i] - u0; y > 0 {
				d1 -= y / s.r[i] * jd0
				d2 += jd0 * jd0 / s.r[i]
			}
		case rowFrictionLoss:
			y := s.target[i] - u0
			r, b := s.r[i], s.bound[i]
			if math.Abs(y) <= r*b {
				d1 -= y / r * jd0
				d2 += jd0 * jd0 / r
			} else {
				d1 -= math.Copysign(b, y) * jd0
			}
		}
	}
	return d1, d2
}

// mulJ writes J·x for every row into out; a contact's three rows, which
// share their path, in one pass.
func (s *rowSet) mulJ(x, out []float64) {
	nv := s.nv
	for i := 0; i < s.n; i++ {
		if s.kind[i] != rowNormal {
			out[i] = s.dot(i, x)
			continue
		}
		jn := s.j[i*nv : (i+1)*nv]
		j1 := s.j[(i+1)*nv : (i+2)*nv]
		j2 := s.j[(i+2)*nv : (i+3)*nv]
		var a, b, c float64
		for _, k := range s.path[i] {
			xk := x[k]
			a += jn[k] * xk
			b += j1[k] * xk
			c += j2[k] * xk
		}
		out[i], out[i+1], out[i+2] = a, b, c
		i += 2
	}
}

// addJT adds scale·Jᵀ·p to y; a contact's three rows in one pass.
func (s *rowSet) addJT(y, p []float64, scale float64) {
	nv := s.nv
	for i := 0; i < s.n; i++ {
		if s.kind[i] != rowNormal {
			if pi := scale * p[i]; pi != 0 {
				j := s.jrow(i)
				for _, k := range s.path[i] {
					y[k] += j[k] * pi
				}
			}
			continue
		}
		pn, p1, p2 := scale*p[i], scale*p[i+1], scale*p[i+2]
		if pn != 0 || p1 != 0 || p2 != 0 {
			jn := s.j[i*nv : (i+1)*nv]
			j1 := s.j[(i+1)*nv : (i+2)*nv]
			j2 := s.j[(i+2)*nv : (i+3)*nv]
			for _, k := range s.path[i] {
				y[k] += jn[k]*pn + j1[k]*p1 + j2[k]*p2
			}
		}
		i += 2
	}
}

package sim

import (
	"math"

	"github.com/stride-robotics/stride/sim/rbd"
)

// solvePGS runs projected Gauss–Seidel sweeps over the rows in velocity
// space: dv = Σ M⁻¹Jᵢᵀ·pᵢ is kept current, so a row's velocity is
// Jᵢ·(vfree + dv) over its few non-zeros. Contacts are solved as a block:
// the normal, then both friction rows projected onto the Coulomb disk.
func (w *World) solvePGS() {
	s, sc := &w.rows, &w.scratch
	for i := 0; i < s.n; i++ {
		mr := s.mrow(i)
		copy(mr, s.jrow(i))
		rbd.SolveTreePacked(w.Model, mr, sc.metricLD, sc.metricDinv)
	}
	dv := sc.dv
	clear(dv)
	for i := 0; i < s.n; i++ {
		if p := s.p[i]; p != 0 {
			axpy(dv, p, s.mrow(i))
		}
	}
	vfree := sc.vfree
	u := func(i int) float64 {
		j := s.jrow(i)
		sum := 0.0
		for _, k := range s.path[i] {
			sum += j[k] * (vfree[k] + dv[k])
		}
		return sum
	}
	apply := func(i int, p float64) float64 {
		d := p - s.p[i]
		if d != 0 {
			axpy(dv, d, s.mrow(i))
			s.p[i] = p
		}
		return math.Abs(d)
	}
	w.SolverIterations, w.SolverResidual = 0, 0
	w.SolverLineEvals, w.SolverFactorizations = 0, 0
	if s.n == 0 {
		return
	}
	tol := w.Opt.SolverTolerance
	for it := 0; it < w.Opt.SolverIterations; it++ {
		maxd, maxp := 0.0, 0.0
		for i := 0; i < s.n; i++ {
			switch s.kind[i] {
			case rowNormal, rowLimit:
				pn := math.Max(0, s.p[i]-(u(i)+s.r[i]*s.p[i]-s.target[i])/(s.a[i]+s.r[i]))
				maxd = math.Max(maxd, apply(i, pn))
				maxp = math.Max(maxp, pn)
				if s.kind[i] == rowLimit {
					continue
				}
				// friction rows i+1, i+2 within μ·pn
				i1, i2 := i+1, i+2
				p1 := s.p[i1] - (u(i1)+s.r[i1]*s.p[i1])/(s.a[i1]+s.r[i1])
				p2 := s.p[i2] - (u(i2)+s.r[i2]*s.p[i2])/(s.a[i2]+s.r[i2])
				lim := s.bound[i] * pn
				if n := math.Hypot(p1, p2); n > lim {
					if n > 0 {
						p1, p2 = p1*lim/n, p2*lim/n
					}
				}
				maxd = math.Max(maxd, math.Max(apply(i1, p1), apply(i2, p2)))
				i += 2
			case rowFrictionLoss:
				p := s.p[i] - (u(i)+s.r[i]*s.p[i])/(s.a[i]+s.r[i])
				p = math.Max(-s.bound[i], math.Min(s.bound[i], p))
				maxd = math.Max(maxd, apply(i, p))
				maxp = math.Max(maxp, math.Abs(p))
			}
		}
		w.SolverIterations = it + 1
		if maxp == 0 {
			w.SolverResidual = maxd
		} else {
			w.SolverResidual = maxd / maxp
		}
		if w.SolverResidual <= tol {
			break
		}
	}
}

// axpy sets y ← y + a·x.
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for k := range y {
		y[k] += a * x[k]
	}
}

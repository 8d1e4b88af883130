package rbd

// FactorM factors the mass matrix d.M (from CRBA) into d.QLD and d.QLDinv;
// see FactorTree.
func FactorM(m *Model, d *Data) { FactorTree(m, d.M, d.QLD, d.QLDinv) }

// SolveM solves M·x = b in place (x holds b on entry) with the factor of
// FactorM.
func SolveM(m *Model, d *Data, x []float64) { SolveTree(m, d.QLD, d.QLDinv, x) }

// FactorTree factors a symmetric positive-definite nv×nv matrix H with the
// sparsity of m's tree (H[k][i] ≠ 0 only when dof i is on the path from k to
// the root, or k on i's) as H = Lᵀ·D·L, L unit lower-triangular with the same
// sparsity: dst receives L below the diagonal and D on it, dinv receives 1/D
// (Featherstone's LTDL; MuJoCo's mj_factorM). Cost O(nv·depth²), no fill-in.
// src and dst may be the same slice.
func FactorTree(m *Model, src, dst, dinv []float64) {
	nv := m.Nv
	H := dst
	if &src[0] != &dst[0] {
		copy(H, src)
	}
	for k := nv - 1; k >= 0; k-- {
		rowK := H[k*nv : k*nv+nv]
		hkk := rowK[k]
		for _, i := range m.DofAncestors[k] {
			rowI := H[i*nv : i*nv+nv]
			a := rowK[i] / hkk
			rowI[i] -= rowK[i] * a
			for _, j := range m.DofAncestors[i] {
				rowI[j] -= rowK[j] * a
			}
			rowK[i] = a
		}
	}
	for k := 0; k < nv; k++ {
		dinv[k] = 1 / H[k*nv+k]
	}
}

// SolveTree solves H·x = b in place (x holds b on entry) with the factor of
// FactorTree.
func SolveTree(m *Model, ld, dinv, x []float64) {
	nv := m.Nv
	x = x[:nv]
	for k := nv - 1; k >= 0; k-- {
		xk := x[k]
		if xk == 0 {
			continue
		}
		row := ld[k*nv : k*nv+nv]
		for _, i := range m.DofAncestors[k] {
			x[i] -= row[i] * xk
		}
	}
	for k := range x {
		x[k] *= dinv[k]
	}
	for k := range x {
		s := x[k]
		row := ld[k*nv : k*nv+nv]
		for _, i := range m.DofAncestors[k] {
			s -= row[i] * x[i]
		}
		x[k] = s
	}
}

// MulTree writes y = H·x for a symmetric nv×nv matrix H with the sparsity of
// m's tree (as M): only each dof's entries with its ancestors are read, so
// this costs O(nv·depth) instead of O(nv²).
func MulTree(m *Model, h, x, y []float64) {
	nv := m.Nv
	for k := 0; k < nv; k++ {
		y[k] = h[k*nv+k] * x[k]
	}
	for k := nv - 1; k >= 0; k-- {
		xk, yk := x[k], y[k]
		row := h[k*nv : k*nv+nv]
		for _, j := range m.DofAncestors[k] {
			yk += row[j] * x[j]
			y[j] += row[j] * xk
		}
		y[k] = yk
	}
}

package rbd

// FactorM factors the mass matrix d.M (from CRBA) as M = Lᵀ·D·L, with L unit
// lower-triangular with the tree's sparsity (L[k][i] ≠ 0 only for dofs i on
// the path from k to the root), into d.QLD: L below the diagonal, D on it
// (Featherstone's LTDL; MuJoCo's mj_factorM). It costs O(nv·depth²) instead of
// O(nv³) and fills nothing outside the sparsity pattern.
func FactorM(m *Model, d *Data) {
	nv := m.Nv
	H := d.QLD
	copy(H, d.M)
	for k := nv - 1; k >= 0; k-- {
		hkk := H[k*nv+k]
		for i := m.DofParent[k]; i >= 0; i = m.DofParent[i] {
			a := H[k*nv+i] / hkk
			for j := i; j >= 0; j = m.DofParent[j] {
				H[i*nv+j] -= H[k*nv+j] * a
			}
			H[k*nv+i] = a
		}
	}
	for k := 0; k < nv; k++ {
		d.QLDinv[k] = 1 / H[k*nv+k]
	}
}

// SolveM solves M·x = b in place (x holds b on entry) with the factor of
// FactorM.
func SolveM(m *Model, d *Data, x []float64) {
	nv := m.Nv
	H := d.QLD
	for k := nv - 1; k >= 0; k-- {
		xk := x[k]
		if xk == 0 {
			continue
		}
		for i := m.DofParent[k]; i >= 0; i = m.DofParent[i] {
			x[i] -= H[k*nv+i] * xk
		}
	}
	for k := 0; k < nv; k++ {
		x[k] *= d.QLDinv[k]
	}
	for k := 0; k < nv; k++ {
		s := x[k]
		for i := m.DofParent[k]; i >= 0; i = m.DofParent[i] {
			s -= H[k*nv+i] * x[i]
		}
		x[k] = s
	}
}

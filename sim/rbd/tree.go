package rbd

// Tree-sparse symmetric matrices.
//
// The mass matrix of a tree has M[k][j] ≠ 0 only when j is k, an ancestor of
// k, or a descendant. A tree matrix stores, for every dof k, the row
// [H[k][k], H[k][a₁], H[k][a₂], …] where a₁, a₂, … are k's ancestors nearest
// first (Model.DofAncestors[k]), from Model.TreeAdr[k]; Model.TreeSize entries
// in all. Its LᵀDL factor has the same pattern, and for an ancestor aₚ of k the
// ancestors of aₚ are exactly k's ancestors after p — so the elimination's
// inner loops run over contiguous runs of memory.

// PackTree copies the tree entries of a dense nv×nv matrix into dst
// (TreeSize).
func PackTree(m *Model, dst, dense []float64) {
	nv := m.Nv
	for k := 0; k < nv; k++ {
		row := dst[m.TreeAdr[k] : m.TreeAdr[k]+1+len(m.DofAncestors[k])]
		row[0] = dense[k*nv+k]
		for p, a := range m.DofAncestors[k] {
			row[1+p] = dense[k*nv+a]
		}
	}
}

// FactorTreePacked factors a tree matrix in place as H = Lᵀ·D·L (L unit
// lower-triangular): on return each row holds D[k] then L[k][a₁], L[k][a₂], …;
// dinv receives 1/D. See FactorTree.
func FactorTreePacked(m *Model, h, dinv []float64) {
	for k := m.Nv - 1; k >= 0; k-- {
		anc := m.DofAncestors[k]
		rk := h[m.TreeAdr[k] : m.TreeAdr[k]+1+len(anc)]
		inv := 1 / rk[0]
		for p, i := range anc {
			a := rk[1+p] * inv
			tail := rk[1+p:] // H[k][i], then H[k][ancestors of i]
			ri := h[m.TreeAdr[i] : m.TreeAdr[i]+len(tail)]
			tail = tail[:len(ri)]
			for t := range ri {
				ri[t] -= tail[t] * a
			}
			rk[1+p] = a
		}
	}
	for k := 0; k < m.Nv; k++ {
		dinv[k] = 1 / h[m.TreeAdr[k]]
	}
}

// SolveTreePacked solves H·x = b in place with the factor of
// FactorTreePacked.
func SolveTreePacked(m *Model, x, ld, dinv []float64) {
	nv := m.Nv
	x = x[:nv]
	for k := nv - 1; k >= 0; k-- {
		xk := x[k]
		if xk == 0 {
			continue
		}
		anc := m.DofAncestors[k]
		row := ld[m.TreeAdr[k]+1 : m.TreeAdr[k]+1+len(anc)]
		for p, i := range anc {
			x[i] -= row[p] * xk
		}
	}
	for k := range x {
		x[k] *= dinv[k]
	}
	for k := range x {
		anc := m.DofAncestors[k]
		row := ld[m.TreeAdr[k]+1 : m.TreeAdr[k]+1+len(anc)]
		s := x[k]
		for p, i := range anc {
			s -= row[p] * x[i]
		}
		x[k] = s
	}
}

// MulTreePacked writes y = H·x for a tree matrix H.
func MulTreePacked(m *Model, y, h, x []float64) {
	nv := m.Nv
	for k := 0; k < nv; k++ {
		y[k] = h[m.TreeAdr[k]] * x[k]
	}
	for k := nv - 1; k >= 0; k-- {
		anc := m.DofAncestors[k]
		row := h[m.TreeAdr[k]+1 : m.TreeAdr[k]+1+len(anc)]
		xk, yk := x[k], y[k]
		for p, j := range anc {
			yk += row[p] * x[j]
			y[j] += row[p] * xk
		}
		y[k] = yk
	}
}

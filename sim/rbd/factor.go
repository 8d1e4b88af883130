package rbd

// FactorM factors the mass matrix d.M (from CRBA) into d.QLD, a packed tree
// matrix (see PackTree), and d.QLDinv: M = Lᵀ·D·L with the tree's sparsity
// (Featherstone's LTDL; MuJoCo's mj_factorM), in O(nv·depth²) and without
// fill-in.
func FactorM(m *Model, d *Data) {
	PackTree(m, d.QLD, d.M)
	FactorTreePacked(m, d.QLD, d.QLDinv)
}

// SolveM solves M·x = b in place (x holds b on entry) with the factor of
// FactorM.
func SolveM(m *Model, d *Data, x []float64) { SolveTreePacked(m, x, d.QLD, d.QLDinv) }

// Package qp solves small dense strictly convex quadratic programs, the kind the
// locomotion controllers pose at every tick (whole-body QP, ~40–60 variables)
// and at every MPC solve (condensed centroidal MPC, ~100–200 variables):
//
//	minimise    ½ xᵀH x + gᵀx
//	subject to  A x = b                (equalities)
//	            l ≤ C x ≤ u            (two-sided inequalities, ±Inf allowed)
//	            lx ≤ x ≤ ux            (bounds, ±Inf allowed)
//
// H must be symmetric positive definite (add a small regularisation if the
// problem is only semi-definite); only its lower triangle is read.
//
// The method is the dual active-set method of Goldfarb and Idnani (1983): start
// at the unconstrained minimum −H⁻¹g, then repeatedly add a violated
// constraint, dropping active ones whose multiplier would turn negative, until
// no constraint is violated. Every iterate is dual feasible, so an empty step
// proves the problem primal infeasible. The factors are kept as J = L⁻ᵀQ and
// the upper-triangular R with JᵀN = [R; 0] (N the active normals); a constraint
// is added with one Householder reflection and dropped with Givens rotations,
// O(n²) each. Constraint rows are compressed to their non-zeros once per solve,
// so the sparse rows of the MPC (friction pyramid, centre of pressure) and the
// bounds cost O(nnz) to test and O(nnz·n) to add.
//
// Warm start: the solver remembers the active set of its last optimal solve and,
// when the next problem has the same dimensions, adds the violated members of
// that set before any other constraint. The result is the same optimum (to
// rounding); only the path, and so the iteration count, changes.
//
// Multipliers follow the convention
//
//	H x + g + Aᵀ yEq + Cᵀ yIneq + zBound = 0,
//
// with yIneq[i] ≥ 0 when the upper side u[i] is active, ≤ 0 when the lower side
// l[i] is active and 0 when row i is inactive; zBound likewise for the bounds.
//
// A Solver is built once for the largest sizes it will see and then solves
// without allocating. It is not safe for concurrent use; give each goroutine
// its own. Results are deterministic: the same problem (and the same previous
// solve, for the warm start) gives the same bits.
//
// It imports only the standard library; it must not import anything of Stride.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: none.
package qp

// Package spatial holds the small value types of rigid-body mechanics: 3-vectors,
// 3×3 matrices, unit quaternions, rigid transforms, 6-D motion and force vectors
// (Featherstone's spatial algebra), rigid-body inertias and 6×6 articulated
// inertias. Every operation is a method or function on values; nothing here
// allocates.
//
// Conventions
//
//   - SI units and radians.
//   - Matrices are row-major: Mat3[3*r+c] is row r, column c.
//   - Quaternions are (W, X, Y, Z), Hamilton product, and rotate vectors from the
//     frame they describe into its parent: v_P = q ⊗ v_B ⊗ q*.
//   - A Transform X_AB = {R, P} is the pose of frame B in frame A: a point with
//     coordinates p_B in B has coordinates p_A = R p_B + P in A.
//   - Spatial vectors put the angular part first: a Motion is (ω, v) where v is
//     the velocity of the point at the frame's origin; a Force is (n, f) where n is
//     the moment about the frame's origin. Their pairing Motion·Force is power.
//   - An Inertia stores mass m, first moment h = m·c (c the centre of mass) and the
//     rotational inertia I about the frame's origin (not about the centre of mass).
//     Sums of inertias expressed in one frame are then plain sums of the fields.
//
// Destination first: an operation that writes into existing storage writes
// its receiver (x.SetMul(a, b) sets x = a·b; f.AddIn(b) adds b to f), as
// gonum's mat types do; sim/rbd's functions take their destination slice
// first after the Model and Data, the same rule.
//
// Frame-carrying variables in this module use monogram names: X_WB is the pose of
// body B in the world W, p_WF is the point F measured from W's origin in W.
//
// This package must not import any other package of the module.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: none.
package spatial

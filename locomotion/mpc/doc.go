// Package mpc is the centroidal model-predictive controller of a biped: a
// single rigid body, linearised about the planned yaw (Di Carlo, Wensing,
// Katz, Bledt, Kim: "Dynamic Locomotion in the MIT Cheetah 3 Through Convex
// Model-Predictive Control", IROS 2018), with a 6-D wrench per foot in
// contact as the decision variable.
//
// State x = (Θ, p, ω, v) ∈ ℝ¹²: roll-pitch-yaw Θ of the base, centre of mass
// p, angular velocity ω and CoM velocity v, all in world axes. With the yaw ψ
// of the plan and small roll and pitch,
//
//	Θ̇ = R_z(ψ)ᵀ ω,   ṗ = v,
//	ω̇ = I_W⁻¹ Σ_i (r_i × f_i + m_i),   v̇ = Σ_i f_i / m + g,
//
// where r_i is foot i's sole centre relative to the planned CoM, (f_i, m_i)
// its wrench about the sole centre and I_W = R_z(ψ) I_B R_z(ψ)ᵀ. The
// continuous matrix is nilpotent (A_c² = 0), so the zero-order-hold
// discretisation is exact: A = I + A_c·dt, B = (I·dt + A_c·dt²/2)·B_c.
//
// Per knot and foot in stance: unilateral normal force FzMin ≤ f_z ≤ FzMax
// (the caller derives FzMax, per knot if it likes, from the joint torque
// limits), the inner friction pyramid |f·t_j| ≤ (μ/√2)·f_z along the sole's
// axes, the centre of pressure inside the rectangular sole (|m_x'| ≤ W/2·f_z,
// |m_y'| ≤ L/2·f_z in sole axes) and a torsion bound |m_z| ≤ YawArm·f_z. The
// ground is taken as horizontal (normal +z). Feet in swing have no variables.
//
// The cost Σ_k ‖x_k − x_ref,k‖²_Q + ‖u_k − u_nom,k‖²_R (u_nom: the weight
// shared equally by the feet in stance) is condensed to a dense QP in the
// wrenches, built in O(K²·n_u²) with the backward recursion
// Y_j = Q + AᵀY_{j+1}A, and solved by locomotion/qp.
//
// MPC.Solve is synchronous and allocation-free; Runner solves in its own
// goroutine at a fixed rate and hands solutions to the control tick through a
// wait-free triple buffer, so the tick never waits for a solve.
//
// Inputs: the estimated base state (estimator.Estimate), a desired trajectory
// and the contact plan (stance flags and sole positions per knot). Output: the
// wrench of each foot at every knot and the predicted state trajectory.
//
// It may import locomotion/qp, sim/spatial and estimator; it must not import
// sim, hal/simhal, runtime or locomotion (which imports it).
//
// Import rules (checked by tools/imports_test.go):
//
// May import: estimator, locomotion/qp, sim/spatial.
// Must not import: sim, hal/simhal, locomotion, runtime/..., tools/....
package mpc

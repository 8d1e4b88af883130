// Package locomotion plans and controls gaits: the phase-clock gait scheduler
// (walk with double support, run with flight phases, stand), footstep
// placement, the centroidal model-predictive controller, the whole-body QP that
// turns wrenches into joint torques, and the runner for exported policies.
//
// What is here now:
//
//   - Scheduler (schedule.go): the phase clock; Timing gives the stride period
//     T(v) and duty factor β(v), continuous in speed, β > 0.5 walking and
//     passing 0.5 at the walk–run speed. Standing is its stand gait; walking
//     starts from and stops in double support.
//   - Planner (footstep.go): the touchdown of the swing foot by the
//     capture-point (DCM) step rule, with reach and leg-crossing limits.
//   - Swing, Quintic (swing.go): swing-foot trajectories with a configurable
//     apex, zero velocity and acceleration at lift-off and touchdown, re-aimed
//     during the swing, late- and early-touchdown handling.
//   - Profile (profile.go): what the controller needs beyond the model file,
//     derived from it (DeriveProfile) or from a YAML profile (ParseProfile);
//     see docs/new-robot.md.
//   - WBC (wbc.go): the whole-body QP over (q̈, foot wrenches) with the
//     floating-base equations of motion, solved by locomotion/qp every tick.
//   - Walker (walker.go, walker_mpc.go): the gait controller the runtime runs
//     in locomotion mode, tying the above together with the centroidal MPC of
//     locomotion/mpc (its wrenches are the QP's references while walking).
//   - Stand, Standup: the joint-PD postures of the runtime's stand and
//     standup modes.
//
// It holds the controller's input types: Gait, Command (the set-points in
// force) and Input (what a controller sees on a tick), which the runtime's
// Controller interface is written over.
//
// Inputs: a command (desired velocity, gait parameters), the estimated base
// state and the robot model from sim/rbd. Output: joint torques and PD targets.
// It must not import sim, hal/simhal or runtime: the same code runs on the real
// robot.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: estimator, hal, internal/yamlnode, sim/rbd, sim/spatial,
// locomotion/....
// Must not import: sim, hal/simhal, runtime/..., tools/....
package locomotion

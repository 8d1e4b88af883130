// Package locomotion plans and controls gaits: the phase-clock gait scheduler
// (walk with double support, run with flight phases, stand), footstep
// placement, the centroidal model-predictive controller, the whole-body QP that
// turns wrenches into joint torques, and the runner for exported policies.
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
// May import: estimator, hal, sim/rbd, sim/spatial, locomotion/....
// Must not import: sim, hal/simhal, runtime/..., tools/....
package locomotion

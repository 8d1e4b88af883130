// Package esteval runs and judges base-state estimators in simulation: it
// builds the estimator a simulated run asks for by name (the invariant EKF,
// the linear baseline, the IMU pass-through, or the simulation-only truth
// estimator), and a Tap that sits between the runtime loop and that
// estimator, scoring every estimate against the simulator's ground truth and
// running the baseline side by side on the same samples. Truth is read here
// for evaluation only; it never reaches an estimate the loop uses, except
// through the estimator explicitly named "truth".
//
// Import rules (checked by tools/imports_test.go):
//
// May import: estimator, hal, hal/simhal, runtime, sim/rbd, sim/spatial.
// Imported only by: tools/....
package esteval

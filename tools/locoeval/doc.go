// Package locoeval scores a simulated walking run for `stride sim --json`:
// distance, speed and yaw-rate tracking, steps, foot slip, torque
// saturation, controller failure counts, solve-time percentiles and the
// mechanical cost of transport. It is fed plain per-tick samples (the
// simulator's ground truth and the controller's counters, gathered by
// tools/simrun); truth is read for evaluation only and never reaches a
// controller. The per-tick Add allocates nothing.
//
// Must not import: sim, hal, runtime, locomotion, estimator.
// Imported only by: tools/....
package locoeval

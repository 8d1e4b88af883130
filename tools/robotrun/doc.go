// Package robotrun is the engine of `stride robot`: it opens a robot file's
// buses and IMU (hal/canbus), checks that every drive answers and every
// joint lies inside its range, enables the drives holding damping, and
// runs Stride's runtime loop on the wall clock — standup, stand, and
// locomotion when asked — until its duration, a signal or a lost drive;
// then damping, disable, and the log closed intact. It summarises the run
// in the shape of `stride sim --json` (Summary) with the buses' counters
// and the joints' tracking, and compares two runs' logs (Compare: tracking
// and the latency a backend adds).
//
// Import rules (checked by tools/imports_test.go):
//
// May import: estimator, hal, hal/canbus, hal/fileio, locomotion, runtime, runtime/telemetry, sim/models, sim/rbd, sim/spatial.
// Imported only by: tools/....
package robotrun

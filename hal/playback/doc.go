// Package playback is a hal.Robot that plays recorded sensor samples back
// to a control loop, in the manner of periph.io's record/playback fakes: the
// caller queues the samples a run is to read (Feed), the loop reads them in
// order and writes its commands, and any use the recording does not
// provide for is an error, kept and reported (Err), never a guess — a Read
// with no sample queued, a Write before any Read or a second Write for one
// sample, a command the robot's Info refuses. `stride log rerun` feeds a
// telemetry log's sensors through the real runtime loop with it.
//
// Nothing moves: the commands written are kept for the caller (Last, and
// OnWrite), not applied to anything.
//
// # Imports
//
// playback imports hal only. It must not import runtime, runtime/telemetry
// or sim: the caller reads the recording and feeds it.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal.
// Must not import: runtime/..., sim/..., estimator, locomotion/..., tools/....
package playback

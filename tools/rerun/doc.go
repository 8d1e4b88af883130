// Package rerun feeds a telemetry log's recorded sensors through the real
// runtime loop again and reports how the re-run differs from the log: the
// commands of the controller's ticks (stand mode without faults), every
// tick's command and mode, and the estimate. It is `stride log rerun`.
//
// The log's sensors go to the loop through a hal/playback robot, one sample
// per tick, on a clock that beats at the log's own tick numbers and times;
// the log's recorded command input (mode requests, set-points) is handed to
// the loop on the tick it arrived. A log that starts in a mode the loop
// cannot begin in (stand, locomotion) is preceded by warm-up ticks on its
// first sample — standup, the blends — that are not compared. The config
// is the log's own (its runtime.config, else stand.kp/stand.kd metadata
// over the defaults) or a what-if (Config).
//
// What it cannot re-run yet: a controller for locomotion other than the
// runtime's placeholder, an e-stop reset (not recorded in the log), and a
// log whose recorded input does not explain its mode changes (those ticks
// count as mode differences).
//
// # Imports
//
// rerun imports hal, hal/playback, runtime and runtime/telemetry. It lives
// under tools because it chooses the backend (playback); only tools/ may
// import it.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal, hal/playback, runtime, runtime/telemetry.
// Imported only by: tools/....
package rerun

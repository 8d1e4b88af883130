// Package export turns a telemetry log into what other tools read and what
// people look at: columns (a log's channels and quantities derived from
// them, selected by glob patterns), CSV, MCAP (for Foxglove Studio and
// PlotJuggler), and the log's description — its summary, the gaps in its
// tick numbers, its damage, its loop timing and its events — that
// `stride log info` prints. The `stride log` commands parse flags, call this
// package and print.
//
// Errors about a selection name it by its stride flag (--channels, --from,
// --to): the syntax is the flag's.
//
// # Imports
//
// export imports runtime/telemetry and hal (fault names), and the MCAP
// writer github.com/foxglove/mcap/go/mcap. It must not import runtime, sim or
// any controller package.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal, runtime/telemetry.
// Must not import: runtime, sim/..., estimator, locomotion/..., tools/....
package export

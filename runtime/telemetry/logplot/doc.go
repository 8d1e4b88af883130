// Package logplot draws channels of a telemetry log against time into a
// PNG, one panel per group of columns, stacked top to bottom: what
// `stride log plot` writes. It streams the ticks once and reduces long
// series to each time bucket's minimum and maximum, so memory stays small
// whatever the log's length; with many channels in a panel the few with the
// largest peaks get colours and a legend, the rest are drawn grey behind.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal, runtime/telemetry, runtime/telemetry/export.
// Must not import: runtime, sim/..., estimator, locomotion/..., tools/....
package logplot

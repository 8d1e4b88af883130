// Package telemetrytest makes telemetry logs from real simulated runs, for
// tests and tools: the built-in robot standing under locomotion.Stand on
// flat ground, optionally pushed, with every tick recorded through
// telemetry.Writer the way the runtime's loop records it (sensors,
// commands, loop timing, ground truth).
//
// It imports sim, hal/simhal and locomotion, so only tests and tools/ may
// import it; runtime/telemetry itself must not.
//
// Import rules (checked by tools/imports_test.go):
//
// Imported only by: tools/....
package telemetrytest

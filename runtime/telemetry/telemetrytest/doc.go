// Package telemetrytest makes telemetry logs from real simulated runs, for
// tests and tools: the built-in robot on flat ground driven by the
// runtime's own loop (runtime.Loop on a lock-step clock: standup, then
// stand, optionally a controller in locomotion mode with its declared
// channels), optionally pushed, every tick and event recorded through
// telemetry.Writer as `stride sim --log` records them.
//
// It imports runtime, sim, hal/simhal and locomotion, so only tests and
// tools/ may import it; runtime/telemetry itself must not.
//
// Import rules (checked by tools/imports_test.go):
//
// Imported only by: tools/....
package telemetrytest

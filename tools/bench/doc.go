// Package bench holds the measurements behind `stride bench`: the step
// throughput of the PD-stand scenario beside MuJoCo's (Sim), bare
// rigid-body forward dynamics beside MuJoCo's (Rbd), both through the
// sim/peer build of ../shared/peer/peer.c when asked, and the real-time
// loop's lateness beside a bare sleep-and-spin baseline, interleaved in one
// run (Loop). The CLI parses flags, calls these and prints.
//
// Import rules (checked by tools/imports_test.go):
//
// Imported only by: tools/....
package bench

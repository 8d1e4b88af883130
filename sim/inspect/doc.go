// Package inspect is what `stride model` shows of a robot model: its
// description (bodies, joints with limits, actuators, sites, keyframes,
// mass; Describe, Print) and its dynamics over rows of states in the column
// layout of MuJoCo's fdref.c, or their check against reference rows (FD), so
// any reference can be compared from the shell.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: sim/rbd.
// Must not import: sim, hal/..., runtime/..., estimator, locomotion/..., tools/....
package inspect

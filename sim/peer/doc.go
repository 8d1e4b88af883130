// Package peer builds and runs the MuJoCo programs Stride is checked and
// timed against: the C files of ../shared/peer (peer.c, the PD-stand
// scenario and timings; fdref.c, forward-dynamics reference rows) and any
// other C file, compiled with gcc against MuJoCo 2.2.2's libmujoco-dev.
// `stride bench sim|rbd --peer auto` and the cross-check tests of sim,
// sim/rbd, sim/models and sim/mjcf build through it, so the compile line,
// the search for ../shared and the reasons to skip exist once.
//
// A build that cannot happen on this machine — ../shared absent, gcc or the
// MuJoCo headers not installed — fails with an error that wraps
// ErrUnavailable and says what is missing; tests skip on it with that
// message. Any other failure (a compile error) is a real error.
//
// # Imports
//
// peer imports the standard library only, so every package's tests may use
// it. It must not import sim or any other package of the module.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: none.
package peer

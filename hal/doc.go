// Package hal is the hardware abstraction layer: the small Robot interface and
// the fixed-size Sensors and Commands structs that the control loop exchanges
// with a robot, real or simulated, and Disturber, the optional interface of a
// robot that can be pushed on purpose (simulation only).
//
// It must not import any other package of the module; backends (hal/simhal,
// hal/canbus) import it. hal/fileio, beside it, is a leaf of file guards
// (bounded reads of regular files, outputs that never destroy inputs) that
// imports only the standard library and that every layer may import.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: none.
package hal

// Package sim is Stride's physics simulator: a world of one robot (an rbd.Model)
// and terrain, stepped at a fixed timestep through readable stages —
// kinematics, collision, passive forces, actuation, dynamics, contact solve,
// integration — plus the actuator and sensor models.
//
// It imports sim/rbd and sim/spatial. It must not import hal, runtime,
// estimator or locomotion; the one exception, for the sim packages that read
// files (sim/mjcf, sim/urdf), is hal/fileio, a standard-library-only leaf of
// file guards that every layer may import.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: sim/rbd, sim/spatial, hal/fileio.
// Must not import: hal, hal/simhal, estimator, locomotion/..., runtime/...,
// tools/....
package sim

// Package simhal is the hal.Robot backed by Stride's simulator: commands go to
// the simulated drives (sim.World.Drive), sensors come from sim.Sensors with
// their noise model, and the physics advances in lock-step when the control
// loop calls Advance. Simulator ground truth is reachable only through Truth,
// which controllers and estimators must never call; tools and tests do.
//
// It imports hal and sim (with sim/rbd, sim/spatial), nothing else of the
// module.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal, sim, sim/rbd, sim/spatial.
// Must not import: estimator, locomotion/..., runtime/..., tools/....
package simhal

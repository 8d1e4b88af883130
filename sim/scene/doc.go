// Package scene builds a simulated world from the settings the command line
// takes: a model name (sim/models.Load), a timestep, an integrator, a
// terrain written as flat, slope:DEG, stairs:RISE_CM, rough:AMP_CM or model,
// and a start keyframe. The simulator (`stride sim`), the viewer and log
// replay build their scenes here, so the terrain syntax and the start-pose
// rules exist once.
//
// Errors about a setting name it by its stride flag (--terrain, --key): the
// syntax is the flag's.
//
// # Imports
//
// scene imports sim, sim/models and sim/rbd. It must not import hal,
// runtime, estimator or locomotion.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: sim, sim/models, sim/rbd, sim/spatial.
// Must not import: hal, hal/simhal, estimator, locomotion/..., runtime/...,
// tools/....
package scene

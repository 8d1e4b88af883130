// Package sim is Stride's physics simulator: a world of one robot (an rbd.Model)
// and terrain, stepped at a fixed timestep through readable stages —
// kinematics, collision, passive forces, actuation, dynamics, contact solve,
// integration — plus the actuator and sensor models.
//
// It imports sim/rbd and sim/spatial. It must not import hal, runtime,
// estimator or locomotion.
package sim

// Package estimator estimates the floating base state (pose, twist) and foot
// contact from the robot's own sensors: joint encoders, the IMU and leg
// kinematics (a contact-aided, invariant extended Kalman filter).
//
// It holds the base-state types the rest of the stack shares: Estimate (with
// validity flags and covariance room) and ContactSchedule (what a gait
// controller plans, handed to the estimator by the runtime), and IMUOnly, the
// placeholder estimator the runtime uses until the filter exists.
//
// Inputs: hal.Sensors and the robot model from sim/rbd. It must not import sim,
// hal/simhal or runtime, and never sees simulator ground truth.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal, sim/rbd, sim/spatial.
// Must not import: sim, hal/simhal, locomotion/..., runtime/..., tools/....
package estimator

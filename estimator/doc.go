// Package estimator estimates the floating base state (pose, twist) and foot
// contact from the robot's own sensors: joint encoders, the IMU and leg
// kinematics (a contact-aided, invariant extended Kalman filter).
//
// Inputs: hal.Sensors and the robot model from sim/rbd. It must not import sim,
// hal/simhal or runtime, and never sees simulator ground truth.
package estimator

// Package estimator estimates the floating base state (pose, twist) and foot
// contact from the robot's own sensors: joint encoders, the IMU and leg
// kinematics (a contact-aided, invariant extended Kalman filter).
//
// It holds the base-state types the rest of the stack shares: Estimate (with
// validity flags and covariance room) and ContactSchedule (what a gait
// controller plans, handed to the estimator by the runtime), and the
// estimators:
//
//   - InEKF: the contact-aided right-invariant EKF of Hartley et al. on
//     SE₂₊ₖ(3) (orientation, velocity, position and standing-foot points of
//     the IMU frame; gyro and accelerometer biases), with Mahalanobis gating
//     of slipping feet and sample checks (NaN, dropout, stuck encoders).
//   - Linear: the baseline, MIT Cheetah's linear Kalman filter.
//   - IMUOnly: the IMU's orientation passed through, nothing else.
//
// Legs turns joint encoders and torques into foot positions, Jacobians and
// ground forces (Jᵀ) with the rbd model; contact is detected from the foot
// force with hysteresis, or taken from a gait controller's ContactSchedule.
//
// Inputs: hal.Sensors and the robot model from sim/rbd. It must not import sim,
// hal/simhal or runtime, and never sees simulator ground truth.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal, sim/rbd, sim/spatial.
// Must not import: sim, hal/simhal, locomotion/..., runtime/..., tools/....
package estimator

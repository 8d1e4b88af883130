// Package rbd holds the robot model and the rigid-body dynamics algorithms that
// run on it.
//
// A Model is constant once Finalize has accepted it: the kinematic tree (bodies
// in topological order, body 0 the world), joints, per-degree-of-freedom
// parameters (damping, armature, friction loss), limits, geometry, sites,
// actuators and keyframes. A Data, made once per Model by NewData, holds every
// intermediate result; the algorithms are free functions over (Model, Data, q,
// v, …) that write only to Data or to a destination slice, and allocate nothing.
//
// Destination first: a function that writes a caller's slice takes it first
// after the Model and Data — RNEA(m, d, tau, a), ABA(m, d, qacc, tau),
// ForwardDynamics(m, d, qacc, q, v, tau), PointJacobian(m, d, jac, body, p),
// Passive(m, dst, q, v), MulTreePacked(m, y, h, x) — as sim/spatial's
// methods write their receiver and gonum's functions take dst first. A slice
// that is read and overwritten in place (SolveM's x, Integrate's q) is the
// destination.
//
// Algorithms: Kinematics (poses, world-frame motion subspaces and inertias),
// Velocities, RNEA (inverse dynamics), Bias, CRBA (mass matrix), ABA (forward
// dynamics), Jacobians of points and frames with their velocity-product terms,
// centre of mass, and the centroidal momentum matrix. One algorithm per file.
//
// # Coordinates and conventions
//
// Spatial quantities inside Data are expressed in world coordinates at the world
// origin (Featherstone's algorithms in their "global" form, as MuJoCo and
// Pinocchio 3 do): per-dof motion subspaces Cdof, body twists, composite
// inertias. Passes then add vectors instead of transforming them.
//
// The generalised coordinates follow MuJoCo, so that models, states and
// references move between the two unchanged:
//
//   - free joint: qpos = (x, y, z, qw, qx, qy, qz), the body origin in world and
//     the body orientation as a unit quaternion; qvel = (vx, vy, vz, ωx, ωy, ωz),
//     the linear velocity of the body origin in the world frame, then the angular
//     velocity in the body frame. qacc likewise (ṗ̇ in world, ω̇ in body).
//   - ball joint: qpos a unit quaternion, qvel the angular velocity in the child
//     body frame.
//   - hinge (revolute) and slide (prismatic): one coordinate, measured from the
//     joint's Ref, about or along an axis fixed in the body frame through the
//     joint's anchor.
//
// A body may carry several joints, applied in order as in MJCF. Bodies without
// joints are welded to their parent.
//
// Names for frames use monograms: X_WB is body B's pose in the world, p_WF a
// point in world coordinates.
//
// This package imports only sim/spatial (and the standard library).
//
// Import rules (checked by tools/imports_test.go):
//
// May import: sim/spatial.
package rbd

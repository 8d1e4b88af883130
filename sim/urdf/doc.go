// Package urdf loads robot descriptions in the Unified Robot Description
// Format (ROS URDF) into finalized rbd.Models.
//
//	m, err := urdf.LoadFile("pm_v2.urdf", urdf.DefaultOptions())
//
// LoadFile reads from the operating system, Load from any fs.FS. Options say
// whether the root link gets a free joint (DefaultOptions: yes, since Stride
// simulates humanoids; the zero Options: no, the root is welded to the world),
// the base's initial position, and an optional mesh directory. Errors locate
// the fault as file:line and element, e.g.
//
//	pm.urdf:141: <joint name="J03_KNEE_PITCH_L">: axis "0 0 0" has zero length
//
// and are *Error values, except for I/O errors and those of rbd.Finalize
// (which are prefixed with the file name). Non-fatal problems (ignored
// elements, missing meshes) become Model.Warnings. No input makes it panic.
//
// # Supported subset
//
//   - <robot name>: Model.Name. Robot-level <material name><color rgba>
//     definitions, which link materials may name.
//   - <link name>: <inertial> with <origin xyz rpy>, <mass value> and
//     <inertia ixx ixy ixz iyy iyz izz> (about the centre of mass, in the
//     inertial frame); several <visual> and <collision> with <origin>,
//     <geometry> (box size; cylinder radius length; sphere radius; mesh
//     filename scale; and, beyond the standard, capsule radius length) and,
//     for visuals, <material> with an inline <color> or a robot-level name.
//     A link without <inertial> is massless.
//   - <joint name type>: revolute, continuous, prismatic, fixed, and floating
//     from the root link "world" (below); planar and any other type is an
//     error. <origin xyz rpy> (the child link's frame in the parent's; rpy are
//     fixed-axis roll, pitch, yaw: R = Rz(yaw)·Ry(pitch)·Rx(roll)),
//     <parent link>, <child link>, <axis xyz> (default 1 0 0, normalised; zero
//     is an error), <limit lower upper effort velocity> (required for
//     revolute and prismatic joints, which become limited, lower below upper;
//     optional for continuous ones, whose lower and upper are ignored; effort
//     and velocity are required and non-negative), <dynamics damping
//     friction> (Joint.Damping and Joint.FrictionLoss). <calibration> and
//     <safety_controller> are ignored.
//   - Numbers must be finite; names of links, joints and robot-level
//     materials must be unique; masses non-negative; inertias physical
//     (positive semi-definite, principal moments obeying the triangle
//     inequality). A zero mass with a non-zero inertia drops the inertia with
//     a warning.
//   - <mimic>, <transmission> and <gazebo>, and unknown elements, are ignored
//     with one warning per kind listing where they occur.
//
// # The tree
//
// The root is the one link that is no joint's child; several such links, a
// link with two parents, or a cycle of joints is an error naming the links.
// Bodies follow a depth-first walk from the root, children in the order of
// their joints in the file. Each revolute, continuous or prismatic joint makes
// a body named after its child link whose frame is the joint frame (the child
// link frame), with a hinge or slide joint of the same name anchored at the
// body origin, its axis in the body frame. Joint.Range is [lower, upper] for
// revolute and prismatic joints; continuous joints are unlimited. A positive
// effort limit gives EffortLimited with EffortRange ±effort, the velocity
// limit is VelocityLimit.
//
// The root link's body sits at Options.BasePos. With Options.FloatingBase it
// carries a free joint named FreeJointName; without, it is welded to the world
// (a body with no joints). A root link named "world" is the world itself
// (body 0, which takes its geoms but not its mass): then the file attaches
// the robot, with a fixed joint (a welded body) or a floating joint (a body
// with a free joint of that joint's name), and FloatingBase is ignored with
// a warning. Floating joints elsewhere are an error.
//
// # Merging fixed joints
//
// A link attached by a fixed joint is merged into the body of its parent link
// (unless that is the world, where it becomes a welded body): its mass is
// added, the body's centre of mass becomes the combined one and its inertia
// the sum of the parts' inertias about it (each rotated into body axes and
// shifted by the parallel-axis theorem); its geoms join the body's, their
// poses composed with the fixed joint's; and the link becomes a Site of the
// same name on the body at the link frame, so that frames like feet, IMUs and
// end effectors stay addressable. Bodies hanging below a merged link attach
// to the merged-into body with composed poses. Massless links are fine; a
// moving body with no mass anywhere in its subtree draws a warning.
//
// # Geoms, meshes, actuators
//
// Collision elements become geoms with Contype = Conaffinity = 1 in group 3,
// visual elements geoms with Contype = Conaffinity = 0 in group 2 (as the
// collision and visual classes of Stride's MJCF models). Sizes follow MJCF:
// box half-sizes, cylinder and capsule (radius, half-length). All get Condim 3
// and friction (1, 0.005, 0.0001); colour comes from the visual's material or
// is grey (0.5, 0.5, 0.5, 1). Unnamed geoms are named <link>_visual,
// <link>_collision, then _1, _2, ….
//
// Mesh files are found as follows: with Options.MeshDir, first MeshDir/<base
// name>; package://pkg/rest (and model://pkg/rest) by searching upward from
// the URDF's directory for a directory D named pkg (D/rest) or containing one
// (D/pkg/rest); file:///abs and /abs from the file system's root; other paths
// relative to the URDF's directory. Binary and ASCII STL files are read into
// rbd.Mesh (vertices scaled, repeated vertices merged, each (file, scale)
// once); a mesh file that is missing, or not STL, gives a warning and an empty
// mesh, never an error, while an unreadable or corrupt STL is an error.
//
// Every revolute, continuous and prismatic joint gets one rbd.Actuator: a
// motor (Kind ActMotor, Gain 1, Gear 1) named after the joint, so ctrl is the
// joint torque or force. When the joint's effort limit is positive, both
// ForceRange and CtrlRange are ±effort (ForceLimited, CtrlLimited); otherwise
// neither is limited. URDF transmissions are not read.
//
// Files are read through hal/fileio: the URDF and its meshes must be regular
// files (a pipe or device is an error naming it), at most 64 MiB for the
// URDF and 256 MiB for a mesh.
//
// This package imports only sim/rbd, sim/spatial, sim/meshio (mesh files),
// hal/fileio (the file guards, a leaf) and the standard library.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal/fileio, sim/meshio, sim/rbd, sim/spatial.
package urdf

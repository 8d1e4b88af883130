// Package models holds Stride's built-in robot and turns a model name into an
// rbd.Model.
//
// The built-in robot, BuiltinName ("stride-pm01"), is a PM01-class humanoid
// that the project describes itself in MJCF (stride_pm01.xml, embedded in the
// binary), so that a fresh clone runs with no other files. Builtin parses it
// with sim/mjcf; BuiltinMJCF returns its text, for `stride model export` and
// for MuJoCo, which loads it unchanged from version 2.2.2 on. Load takes a
// name — the built-in robot, an MJCF file or a URDF file — and for MJCF
// applies ApplyLimits: joint velocity limits from the custom numeric
// "stride_velocity_limit" (MJCF has no such attribute) and joint effort limits
// from the force range of the one motor that drives a joint (MuJoCo 2.2.2 has
// no actuatorfrcrange).
//
// # The robot
//
// The public figures of EngineAI's PM01 fix the class: height, mass, joint
// layout and actuator limits. Everything else — link lengths, masses, centres
// of mass, inertias (each that of a solid primitive about the link's centre of
// mass), shapes, joint ranges, passive joint terms — is the project's own
// estimate for a 1.38 m, 40 kg humanoid. It is not derived from the vendor's
// model, which is test data in ../shared/models/pm01/.
//
//	figure                        value                                     source
//	height, sole to top of head   1.38 m (zero pose: straight legs)         public; own layout
//	total mass                    40.0 kg                                   public (about 40 kg)
//	  pelvis, torso, head         5.5, 12.0, 1.0 kg                         own
//	  each leg (foot), each arm   8.25 kg (0.8 kg), 2.5 kg                  own
//	actuated joints               24; nq 31, nv 30 with the free base       public layout
//	  each leg                    hip pitch, roll, yaw; knee; ankle pitch, roll
//	  trunk                       waist yaw; head yaw
//	  each arm                    shoulder pitch, roll, yaw; elbow pitch, yaw
//	hip pitch, hip roll, knee     ±164 N·m, 26.3 rad/s                      public
//	all other joints              ±61 N·m, 35.2 rad/s                       public
//	leg, hip pitch axis to sole   0.68 m: thigh 0.31, shank 0.31, ankle 0.06  own
//	feet                          boxes 0.22 × 0.10 × 0.03 m, 0.18 m apart  own
//	armature (kg·m²)              0.045 large drives, 0.035 hip yaw,        own estimate
//	                              ankles, waist; 0.02 arms, head
//	damping, friction loss        0.5 N·m·s/rad, 0.5 N·m, every joint       own estimate
//	keyframe "home"               hip −0.25, knee 0.5, ankle −0.25 rad;     derived by the tests
//	                              base 0.7407257 m, soles on z = 0
//
// Frames: x forward, y left, z up; every body frame is aligned with the world
// at the zero pose; pitch joints turn about y, roll about x, yaw about z.
// Sites: imu (pelvis), torso, head, left_hand, right_hand, and left_foot,
// right_foot at the centre of each sole (the bottom face of the foot box, z
// up). The tests check these figures, the keyframe's foot contact and
// balance, left–right symmetry, the collision filter, and — when gcc and
// libmujoco-dev are installed — that MuJoCo 2.2.2 holds the home pose under
// joint PD.
//
// # Imports
//
// models may import sim/rbd, sim/mjcf, sim/urdf and sim/spatial only. It must not
// import sim (world, contacts), sim/viewer, hal, estimator, locomotion or
// runtime; those import it to get a model.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: sim/rbd, sim/mjcf, sim/urdf, sim/spatial.
// Must not import: sim, sim/viewer, hal, hal/simhal, estimator,
// locomotion/..., runtime/..., tools/....
package models

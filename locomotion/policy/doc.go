// Package policy runs exported learned locomotion policies: an ONNX network
// (an MLP trained in Isaac Lab, legged_gym or humanoid-gym) evaluated every
// few ticks of the 1 kHz loop, whose actions become joint position targets
// for the drives' PD.
//
// What is here:
//
//   - ParseModel (onnx.go): the ONNX protobuf, decoded by field number with
//     google.golang.org/protobuf's protowire into plain types.
//   - Net (net.go, compile.go, kernels.go): the graph compiled for
//     inference — shapes fixed and buffers allocated at load time, float32
//     kernels of our own for the supported operators (Supported), Run
//     allocation-free. Any other operator is an error naming it and the
//     node.
//   - Config (config.go): the policy's YAML config — joint order by name,
//     per-joint default pose, action scale and clip, PD gains, decimation,
//     the observation terms with scale, clip and history, presets for the
//     Isaac Lab, legged_gym and humanoid-gym conventions — validated with
//     line:column errors.
//   - Observer (obs.go): the observation vector from the sensors, the
//     estimate and the command.
//   - Controller (controller.go): the runtime's locomotion Controller that
//     ties them together; docs/policy.md is the user's guide.
//
// Inputs: model and config bytes (the caller reads the files), the robot's
// joint names, and each tick's locomotion.Input. Output: hal.Commands with
// PD targets q₀ + scale·a and the config's gains, zero feed-forward torque.
// It must not import sim, hal/simhal or runtime: the same code runs on the
// real robot.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: estimator, hal, locomotion, sim/rbd, sim/spatial.
// Must not import: sim, hal/simhal, runtime/..., tools/....
package policy

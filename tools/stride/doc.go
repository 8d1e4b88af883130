// Command stride is Stride's one command-line tool: model inspection, the
// simulator, the robot runtime, telemetry logs and benchmarks.
//
//	stride model info [FILE] [--json]     print a model
//	stride model fd [FILE] < states.csv   forward/inverse dynamics per CSV row
//	stride model export                   print the built-in robot's MJCF
//	stride sim [--headless] [--duration 10s]  the robot in the simulator (what `make run` runs)
//	stride config print [--config FILE]   the effective runtime config
//	stride policy info|check              learned ONNX policies (docs/policy.md)
//	stride robot example|check|run|zero|compare   deploy on a robot: CAN drives and an IMU (docs/robot.md)
//	stride sim --emulate-bus robot.yaml --bus-dir DIR   the simulator as the robot's buses
//	stride log info|export|plot|replay|rerun FILE   telemetry logs
//	stride bench sim|rbd|loop             benchmarks (sim and rbd beside MuJoCo with --peer auto)
//
// FILE is an MJCF (.xml) or URDF (.urdf) file; without it the built-in
// PM01-class robot is used.
//
// Each file parses a command's flags, calls packages and prints (none is
// over 200 lines; TestThinCLI checks): the scene and terrain are
// sim/scene's, model inspection sim/inspect's, the simulated run's start-up
// and headless run tools/simrun's, log columns, CSV, MCAP and info
// runtime/telemetry/export's, plots runtime/telemetry/logplot's, replay
// tools/replay's, re-runs tools/rerun's (hal/playback under runtime.Loop),
// learned policies tools/policyrun's, the robot's run tools/robotrun's
// (hal/canbus), the bus emulator tools/busemu's, the benchmarks
// tools/bench's and the MuJoCo peer build sim/peer's. With
// the packages under tools/, this is where a backend is chosen: it may
// import every package of the module, and nothing imports it.
//
// Import rules (checked by tools/imports_test.go):
//
// Imported only by: none.
package main

// Package simrun starts and runs Stride's runtime loop on the simulated
// robot: the start-up sequence `stride sim` (headless), its viewer and
// `stride bench loop` share. It loads the runtime config with the command
// line's overrides and checks the control period against the physics
// timestep (Config), builds the world and the simulated robot with its
// sensor noise (Robot), turns --controller into timed mode requests merged
// with a command script (Script), builds the loop on a lock-step or wall
// clock with the model's home pose and ground truth for telemetry (NewLoop),
// opens a telemetry log that names the run (OpenLog), and runs a headless
// simulation to its summary (Run).
//
// # Imports
//
// simrun lives under tools because it chooses a backend (the simulator):
// it imports hal/simhal, runtime, runtime/telemetry, sim, sim/scene and
// sim/models. Only tools/ may import it.
//
// Import rules (checked by tools/imports_test.go):
//
// Imported only by: tools/....
package simrun

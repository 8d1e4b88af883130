// Package busemu is the simulator as the robot's buses: `stride sim
// --emulate-bus robot.yaml --bus-dir DIR`. It runs the simulated robot in
// real time and answers every bus of the robot file on DIR/<bus> as the
// file's MIT-mode drives would (hal/canbus's DriveServer: packing,
// quantisation, reply latency, optional dropped and garbled replies), and
// streams the IMU's WitMotion packets on DIR/imu through the file's
// mounting rotation. `stride robot … --bus-dir DIR` then drives the
// simulated robot through the real driver, end to end.
//
// The physics waits, as a robot in its gantry, until the first drive is
// enabled; from then on it runs at the model's timestep on the wall
// clock. When it falls behind by more than MaxBacklog steps it drops the
// backlog (counted as slips) rather than run faster than real time.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal, hal/canbus, hal/imu, hal/simhal, sim, sim/rbd, sim/spatial.
// Imported only by: tools/....
package busemu

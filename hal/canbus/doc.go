// Package canbus is hal.Robot over CAN: MIT-mode drives (the Mini Cheetah
// protocol, spoken by CubeMars, Damiao and many other drives) on one or
// more buses, and an IMU (hal/imu).
//
// A robot file (YAML, Load) maps every joint to a bus, a CAN id, a
// direction, a zero offset, a gear ratio and its drive's packing ranges
// (Presets for common drives); the bus layout is checked against the bus
// load at the control rate (CheckLoad). Open connects the buses — Linux
// SocketCAN through einride's can-go, or Unix SOCK_SEQPACKET sockets
// carrying the same struct can_frame bytes (DialUnix; the simulator's bus
// emulator serves them) — and runs one goroutine per bus. The control
// tick never waits for the bus: Robot.Write hands the frame set over and
// wakes the bus goroutines, which send every motor's frame and collect
// its reply with a deadline; Robot.Read copies the newest replies. Faults
// (a silent or late drive, a garbled or unexpected frame, bus-off or a
// closed socket, drive error codes, over-temperature, a silent IMU) come
// back as hal.Fault bits on the joint or the bus.
//
// The protocol sits behind the Protocol interface (protocol.go); MIT is
// its one implementation, with three reply layouts.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal, hal/fileio, hal/imu.
// Must not import: sim, estimator, locomotion/..., runtime/..., tools/....
package canbus

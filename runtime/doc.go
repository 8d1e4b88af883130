// Package runtime owns Stride's control loop and nothing else: the fixed-rate
// tick (read → estimate → plan/control → safety → write → log), its timing and
// overrun accounting, the mode state machine (damping, stand-up, stand,
// locomotion, e-stop), the safety layer, command input and configuration.
//
// It talks to a robot only through hal.Robot, so the same loop drives the real
// actuator bus and the simulator. It must not import sim (only tools/ chooses a
// backend).
package runtime

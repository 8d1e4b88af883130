// Package hal is the hardware abstraction layer: the small Robot interface and
// the fixed-size Sensors and Commands structs that the control loop exchanges
// with a robot, real or simulated.
//
// It must not import any other package of the module; backends (hal/simhal,
// hal/canbus) import it.
package hal

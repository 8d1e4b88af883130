// Package telemetry holds Stride's log format: the fixed-size Tick and Event
// records the control loop produces, the writer that encodes them to a
// msgpack log off the loop, and the reader, index and recovery for logs.
//
// It imports hal (for the sensor and command structs) and nothing else of the
// module.
package telemetry

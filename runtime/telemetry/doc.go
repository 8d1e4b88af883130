// Package telemetry holds Stride's log format: the fixed-size Tick and Event
// records the control loop produces, the Writer that encodes them to a
// msgpack log off the loop, and the Reader, index, recovery and Replay for
// logs. The format (version 2; version 1 logs still read) is documented in
// docs/telemetry.md.
//
// Declared channels: a controller or estimator declares channels of its own
// (name, unit, size) through a Registry over the loop's tick record; the
// header lists them (Header.Declared) and their values ride in Tick.Values,
// so new quantities need no format change.
//
// Identity: every log has a random 128-bit id (Header.ID) that every chunk
// and the index carry with the chunk's number, so the reader reports and
// leaves out another log's chunks, second copies and chunks out of order.
//
// Writer (Create, CreateWith): Record and Event copy a record into a
// preallocated ring and return — no allocation, no blocking; a full ring
// counts the record as dropped. A goroutine encodes the records (msgpack
// arrays of plain numbers, one column per Channel), cuts them into chunks
// with a CRC-32C at most Options.FlushEvery (100 ms) long, writes and
// fsyncs each, and at Close writes an index of fixed-size entries and a
// trailer that points to it.
//
// Reader (Open, NewReader): reads the header and the index — or, for a log
// whose writer died, rebuilds the index by hopping from chunk to chunk —
// without loading records; Ticks and Events stream a time range through a
// binary search of the index; every chunk's checksum is checked when it is
// read, and a damaged chunk is skipped and reported (Damage, Verify), never
// returned. Replay is the data side of the viewer's log replay: a clock with
// play, pause, speed, seek and step, and the state at any time.
//
// It imports hal (for the sensor and command structs) and nothing else of
// the module; the msgpack encoding is github.com/vmihailenco/msgpack/v5.
// The subpackage telemetrytest, which makes logs from simulated runs for
// tests and tools, imports the simulator; this package must not.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal.
// Must not import: runtime, sim/..., estimator, locomotion/..., tools/....
package telemetry

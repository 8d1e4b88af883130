package telemetry

import (
	"unicode/utf8"

	"github.com/stride-robotics/stride/hal"
)

// Tick is everything the control loop records on one tick. It is a fixed-size
// value with no pointers, so the loop copies it into the writer's ring
// without allocating.
type Tick struct {
	Time float64 // s, the loop's clock at the start of the tick
	Tick uint64  // tick number since the loop started

	Mode      uint8   // runtime mode (damping, standup, stand, locomotion, estop)
	Gait      uint8   // gait kind (stand, walk, run)
	GaitPhase float64 // 0…1 within the gait cycle

	Sensors hal.Sensors  // what was measured
	Command hal.Commands // what was commanded (after the safety layer)

	Estimate BaseState // what the estimator believed
	Input    Input     // the command input in force

	Lateness float64 // s, how late the tick started against its deadline
	Compute  float64 // s, time from the tick's start to the write
	Faults   uint32  // active fault bits (runtime's fault kinds)

	HasTruth bool      // simulator runs only
	Truth    BaseState // simulator ground truth, its own channel

	// Values holds the declared channels' values (Header.Declared, in
	// order: a channel of size n takes the next n values). A controller or
	// estimator writes its part each tick; only the declared prefix is
	// copied by Record and written to the log.
	Values [MaxValues]float64
}

// MaxValues is the room for declared channels in a tick: the sum of the
// declared channels' sizes is at most this (256: a policy's 87-value
// observation frame, its 24 actions and the estimator's 20 fit with room).
const MaxValues = 256

// BaseState is a floating base's state and foot contacts.
type BaseState struct {
	Pos     [3]float64    // m, world
	Quat    [4]float64    // w, x, y, z; base orientation in world
	LinVel  [3]float64    // m/s, world
	AngVel  [3]float64    // rad/s, world
	COM     [3]float64    // m, world (zero if unknown)
	Contact [2]float64    // contact probability (estimate) or 0/1 (truth), left and right foot
	Force   [2][3]float64 // N, world: foot contact forces (truth only)
}

// Input is the user's command in force on a tick.
type Input struct {
	Vx, Vy, YawRate float64 // m/s, m/s, rad/s, in the base's heading frame
	Height          float64 // m, standing height offset
	ModeRequest     uint8   // a requested mode (0: none)
	Source          uint8   // which source the input came from
}

// EventKind classifies events.
type EventKind uint8

// Event kinds.
const (
	EventModeChange EventKind = iota + 1
	EventFault
	EventParamChange
	EventNote
	// EventStop: the run stopped on an error (the simulation diverged, the
	// solver failed, the clock failed); the text is the error's message.
	EventStop
)

// Event is something that happened at a tick: a mode change, a fault, a
// parameter change, a user note. It is fixed-size like Tick.
type Event struct {
	Time   float64
	Tick   uint64
	Kind   EventKind
	Code   uint32     // kind-specific: the fault bit, the new mode, …
	Joint  int16      // joint index the event concerns, −1 if none
	Values [4]float64 // the values that tripped a fault, old/new parameter values, …
	Msg    [96]byte   // short text, NUL-padded
}

// SetMsg stores s as the event's text, truncated to fit at a UTF-8 rune
// boundary.
func (e *Event) SetMsg(s string) {
	if len(s) > len(e.Msg) {
		n := len(e.Msg)
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	n := copy(e.Msg[:], s)
	clear(e.Msg[n:])
}

// Text returns the event's text.
func (e *Event) Text() string {
	n := 0
	for n < len(e.Msg) && e.Msg[n] != 0 {
		n++
	}
	return string(e.Msg[:n])
}

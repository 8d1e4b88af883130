package canbus

import (
	"errors"
	"math"

	"github.com/stride-robotics/stride/hal"
)

// Ranges are a drive's packing ranges: the motor-side span that each
// quantised field of a command or reply covers. Position, velocity and
// torque are symmetric (±PMax …); the gains run from zero.
type Ranges struct {
	PMax, VMax, TMax float64 // rad, rad/s, N·m
	KpMax, KdMax     float64 // N·m/rad, N·m·s/rad
}

// MotorCommand is an MIT-mode set-point, motor side: the drive applies
// τ = T + Kp·(P − p) + Kd·(V − v).
type MotorCommand struct {
	P, V, Kp, Kd, T float64
}

// MotorState is a drive's reply, motor side.
type MotorState struct {
	P, V, T float64 // rad, rad/s, N·m
	Temp    float64 // °C, the hottest the drive reports; NaN when it reports none
	Code    uint8   // the drive's error code as sent (layout-specific)
	Fault   hal.Fault
	Enabled bool // the drive says it is enabled (layouts that say; else true)
}

// Op is a control frame: enable, disable or set-zero.
type Op uint8

// Control frames.
const (
	OpCommand Op = iota // an MIT set-point (not a control frame)
	OpEnable            // enter motor mode
	OpDisable           // exit motor mode: the drive replies, applies no torque
	OpZero              // set the current position as the encoder's zero
)

var opNames = [...]string{"command", "enable", "disable", "set-zero"}

func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "op?"
}

// Drive is what the bus knows of one motor: its CAN id and ranges.
type Drive struct {
	ID     uint32
	Ranges Ranges
}

// Protocol is a drive protocol, host side: how commands and control
// frames are packed and how replies are told apart and unpacked. The bus
// goroutine (bus.go) is written against it alone; to add a protocol,
// implement it, add a name in Protocols and a case in ProtocolByName,
// and give its drives presets (presets.go). Every method must be
// allocation-free: the bus goroutine calls them every tick.
type Protocol interface {
	Name() string
	// Command packs an MIT set-point for d into f.
	Command(f *Frame, d *Drive, c *MotorCommand)
	// Control packs a control frame (OpEnable, OpDisable, OpZero) for d.
	Control(f *Frame, d *Drive, op Op)
	// ReplyFrom returns the CAN id of the drive that sent reply f; ok is
	// false when f is not a reply of this protocol on a bus whose replies
	// come on CAN id master.
	ReplyFrom(f *Frame, master uint32) (id uint32, ok bool)
	// Reply unpacks reply f of drive d into st; an error means a garbled
	// frame (wrong length, impossible content).
	Reply(f *Frame, d *Drive, st *MotorState) error
	// ReplyLen is the data length of a reply, for the bus-load check.
	ReplyLen() int
}

// Protocols lists the protocol names a robot file may give a bus.
var Protocols = []string{"mit-cubemars", "mit-damiao", "mit-minicheetah"}

// ProtocolByName returns the protocol of a robot file's bus.
func ProtocolByName(name string) (Protocol, bool) {
	switch name {
	case "mit-cubemars":
		return &MIT{Layout: LayoutCubeMars}, true
	case "mit-damiao":
		return &MIT{Layout: LayoutDamiao}, true
	case "mit-minicheetah":
		return &MIT{Layout: LayoutMiniCheetah}, true
	}
	return nil, false
}

// Quantise maps x, clamped to [lo, hi], onto an unsigned integer of bits
// bits, rounding to the nearest step.
func Quantise(x, lo, hi float64, bits uint) uint32 {
	top := float64(uint32(1)<<bits - 1)
	if !(x > lo) { // also NaN
		return 0
	}
	if x >= hi {
		return uint32(top)
	}
	return uint32(math.Round((x - lo) / (hi - lo) * top))
}

// Dequantise is Quantise's inverse: the value of step u.
func Dequantise(u uint32, lo, hi float64, bits uint) float64 {
	top := float64(uint32(1)<<bits - 1)
	return lo + float64(u)*(hi-lo)/top
}

// Step returns the quantisation step of a field of bits bits over [lo, hi].
func Step(lo, hi float64, bits uint) float64 { return (hi - lo) / float64(uint32(1)<<bits-1) }

// errGarbled is returned for replies that cannot be decoded.
var (
	errReplyLen   = errors.New("reply of the wrong length")
	errReplyRange = errors.New("reply value outside the drive's range")
)

package canbus

import (
	"errors"
	"math"

	"github.com/stride-robotics/stride/hal"
)

// Layout is a vendor's MIT-mode reply layout. Commands and control frames
// are the same for all of them.
type Layout uint8

// Reply layouts.
const (
	// LayoutMiniCheetah: the Mini Cheetah firmware's 6-byte reply — id,
	// position (16 bits), velocity (12), torque (12). No temperature, no
	// error code.
	LayoutMiniCheetah Layout = iota
	// LayoutCubeMars: CubeMars AK-series MIT mode, 8 bytes — the six
	// above, then the motor temperature (°C, signed byte) and an error
	// code (0 none, 1 motor over-temperature, 2 over-current,
	// 3 over-voltage, 4 under-voltage, 5 encoder, 6 MOSFET
	// over-temperature, 7 stall).
	LayoutCubeMars
	// LayoutDamiao: Damiao DM-J series, 8 bytes — the id in the low
	// nibble of byte 0 and a state in the high one (0 disabled,
	// 1 enabled, 8 over-voltage, 9 under-voltage, 0xA over-current,
	// 0xB MOSFET over-temperature, 0xC coil over-temperature,
	// 0xD communication lost, 0xE overload), then position, velocity,
	// torque, MOSFET and rotor temperatures (°C, unsigned bytes).
	LayoutDamiao
)

// MIT is the MIT-mode (Mini Cheetah) drive protocol: one 8-byte set-point
// frame per motor on the motor's CAN id — position 16 bits, velocity 12,
// Kp 12, Kd 12, torque 12, big-endian bit-packed — and one reply per
// frame; control frames are seven 0xFF bytes followed by 0xFC (enable),
// 0xFD (disable) or 0xFE (set zero). A drive replies to every frame,
// control frames included, which is how `stride robot check` talks to a
// drive without enabling it (it sends disable).
type MIT struct{ Layout Layout }

var _ Protocol = (*MIT)(nil)

// Name names the protocol as a robot file does.
func (m *MIT) Name() string {
	switch m.Layout {
	case LayoutCubeMars:
		return "mit-cubemars"
	case LayoutDamiao:
		return "mit-damiao"
	}
	return "mit-minicheetah"
}

// ReplyLen is 6 for the Mini Cheetah layout, else 8.
func (m *MIT) ReplyLen() int {
	if m.Layout == LayoutMiniCheetah {
		return 6
	}
	return 8
}

// Command packs c, clamped to d's ranges.
func (m *MIT) Command(f *Frame, d *Drive, c *MotorCommand) {
	r := &d.Ranges
	p := Quantise(c.P, -r.PMax, r.PMax, 16)
	v := Quantise(c.V, -r.VMax, r.VMax, 12)
	kp := Quantise(c.Kp, 0, r.KpMax, 12)
	kd := Quantise(c.Kd, 0, r.KdMax, 12)
	t := Quantise(c.T, -r.TMax, r.TMax, 12)
	*f = Frame{ID: d.ID, Len: 8}
	b := &f.Data
	b[0], b[1] = byte(p>>8), byte(p)
	b[2] = byte(v >> 4)
	b[3] = byte(v&0xf)<<4 | byte(kp>>8)
	b[4] = byte(kp)
	b[5] = byte(kd >> 4)
	b[6] = byte(kd&0xf)<<4 | byte(t>>8)
	b[7] = byte(t)
}

// Control packs a control frame.
func (m *MIT) Control(f *Frame, d *Drive, op Op) {
	*f = Frame{ID: d.ID, Len: 8, Data: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc}}
	switch op {
	case OpDisable:
		f.Data[7] = 0xfd
	case OpZero:
		f.Data[7] = 0xfe
	}
}

// ReplyFrom reads the sender's id from byte 0 of a frame on the master id.
func (m *MIT) ReplyFrom(f *Frame, master uint32) (uint32, bool) {
	if f.Err || f.Ext || f.RTR || f.ID != master || f.Len == 0 {
		return 0, false
	}
	if m.Layout == LayoutDamiao {
		return uint32(f.Data[0] & 0x0f), true
	}
	return uint32(f.Data[0]), true
}

// Reply unpacks a reply.
func (m *MIT) Reply(f *Frame, d *Drive, st *MotorState) error {
	if int(f.Len) != m.ReplyLen() {
		return errReplyLen
	}
	r := &d.Ranges
	b := &f.Data
	st.P = Dequantise(uint32(b[1])<<8|uint32(b[2]), -r.PMax, r.PMax, 16)
	st.V = Dequantise(uint32(b[3])<<4|uint32(b[4]>>4), -r.VMax, r.VMax, 12)
	st.T = Dequantise(uint32(b[4]&0xf)<<8|uint32(b[5]), -r.TMax, r.TMax, 12)
	st.Temp, st.Code, st.Fault, st.Enabled = math.NaN(), 0, 0, true
	switch m.Layout {
	case LayoutCubeMars:
		st.Temp = float64(int8(b[6]))
		st.Code = b[7]
		st.Fault = cubeMarsFault(b[7])
		if b[7] > 7 {
			return errReplyRange
		}
	case LayoutDamiao:
		st.Code = b[0] >> 4
		st.Temp = math.Max(float64(b[6]), float64(b[7]))
		st.Enabled = st.Code != 0
		f, ok := damiaoFault(st.Code)
		if !ok {
			return errReplyRange
		}
		st.Fault = f
	}
	return nil
}

func cubeMarsFault(code uint8) hal.Fault {
	switch code {
	case 0:
		return 0
	case 1, 6:
		return hal.FaultOverTemp
	case 2:
		return hal.FaultOverCurrent
	case 4:
		return hal.FaultUnderVolt
	case 5:
		return hal.FaultEncoder
	}
	return hal.FaultDrive // 3 over-voltage, 7 stall, anything else
}

// damiaoFault maps a Damiao state nibble; ok is false for a value the
// firmware does not send.
func damiaoFault(code uint8) (hal.Fault, bool) {
	switch code {
	case 0, 1:
		return 0, true // disabled is reported through Enabled
	case 8:
		return hal.FaultDrive, true
	case 9:
		return hal.FaultUnderVolt, true
	case 0xa, 0xe:
		return hal.FaultOverCurrent, true
	case 0xb, 0xc:
		return hal.FaultOverTemp, true
	case 0xd:
		return hal.FaultCommLost, true
	}
	return 0, false
}

// The drive side, for the emulator and tests.

// DecodeCommand reads what a drive received: a control frame, or a
// set-point unpacked with d's ranges.
func (m *MIT) DecodeCommand(f *Frame, d *Drive, c *MotorCommand) (Op, error) {
	if f.Len != 8 || f.Ext || f.RTR || f.Err {
		return 0, errCommandFrame
	}
	b := &f.Data
	if b[0]&b[1]&b[2]&b[3]&b[4]&b[5]&b[6] == 0xff {
		switch b[7] {
		case 0xfc:
			return OpEnable, nil
		case 0xfd:
			return OpDisable, nil
		case 0xfe:
			return OpZero, nil
		}
	}
	r := &d.Ranges
	c.P = Dequantise(uint32(b[0])<<8|uint32(b[1]), -r.PMax, r.PMax, 16)
	c.V = Dequantise(uint32(b[2])<<4|uint32(b[3]>>4), -r.VMax, r.VMax, 12)
	c.Kp = Dequantise(uint32(b[3]&0xf)<<8|uint32(b[4]), 0, r.KpMax, 12)
	c.Kd = Dequantise(uint32(b[5])<<4|uint32(b[6]>>4), 0, r.KdMax, 12)
	c.T = Dequantise(uint32(b[6]&0xf)<<8|uint32(b[7]), -r.TMax, r.TMax, 12)
	return OpCommand, nil
}

var errCommandFrame = errors.New("not an 8-byte standard data frame")

// EncodeReply packs a drive's reply on CAN id master. code is the
// layout's error code (CubeMars) or state nibble (Damiao); temp the
// temperature to report.
func (m *MIT) EncodeReply(f *Frame, d *Drive, master uint32, p, v, t, temp float64, code uint8) {
	r := &d.Ranges
	pu := Quantise(p, -r.PMax, r.PMax, 16)
	vu := Quantise(v, -r.VMax, r.VMax, 12)
	tu := Quantise(t, -r.TMax, r.TMax, 12)
	*f = Frame{ID: master, Len: uint8(m.ReplyLen())}
	b := &f.Data
	b[0] = byte(d.ID)
	b[1], b[2] = byte(pu>>8), byte(pu)
	b[3] = byte(vu >> 4)
	b[4] = byte(vu&0xf)<<4 | byte(tu>>8)
	b[5] = byte(tu)
	switch m.Layout {
	case LayoutCubeMars:
		b[6] = byte(int8(math.Max(-128, math.Min(127, math.Round(temp)))))
		b[7] = code
	case LayoutDamiao:
		b[0] = code<<4 | byte(d.ID&0x0f)
		tb := byte(math.Max(0, math.Min(255, math.Round(temp))))
		b[6], b[7] = tb, tb
	}
}

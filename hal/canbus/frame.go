package canbus

import (
	"encoding/binary"
	"fmt"
)

// Frame is one classic CAN frame.
type Frame struct {
	ID   uint32 // 11-bit standard identifier (29-bit when Ext)
	Ext  bool   // extended (29-bit) identifier
	RTR  bool   // remote transmission request
	Err  bool   // a SocketCAN error frame: ID holds the error class bits
	Len  uint8  // data length, 0…8
	Data [8]byte
}

// WireSize is the size of a frame on both transports: Linux's struct
// can_frame (can_id, can_dlc, three pad bytes, data[8]).
const WireSize = 16

// SocketCAN identifier flags and error classes (linux/can.h, linux/can/error.h).
const (
	canEFFFlag   = 0x80000000
	canRTRFlag   = 0x40000000
	canErrFlag   = 0x20000000
	canSFFMask   = 0x7ff
	canEFFMask   = 0x1fffffff
	canErrBusOff = 0x40 // CAN_ERR_BUSOFF
	canErrCrtl   = 0x04 // CAN_ERR_CRTL: controller problems (error passive, overflows)
)

// Marshal writes f into b (at least WireSize bytes) in struct can_frame
// layout, host byte order, as SocketCAN reads it.
func (f *Frame) Marshal(b []byte) {
	id := f.ID & canSFFMask
	if f.Ext {
		id = f.ID&canEFFMask | canEFFFlag
	}
	if f.RTR {
		id |= canRTRFlag
	}
	if f.Err {
		id = f.ID&canEFFMask | canErrFlag
	}
	binary.NativeEndian.PutUint32(b[0:4], id)
	b[4] = f.Len
	b[5], b[6], b[7] = 0, 0, 0
	copy(b[8:16], f.Data[:])
}

// Unmarshal reads a struct can_frame from b. It fails, without
// allocating, on a short buffer or a data length above 8.
func (f *Frame) Unmarshal(b []byte) error {
	if len(b) != WireSize {
		return errFrameSize
	}
	id := binary.NativeEndian.Uint32(b[0:4])
	f.Ext, f.RTR, f.Err = id&canEFFFlag != 0, id&canRTRFlag != 0, id&canErrFlag != 0
	switch {
	case f.Err || f.Ext:
		f.ID = id & canEFFMask
	default:
		f.ID = id & canSFFMask
	}
	if b[4] > 8 {
		return errFrameDLC
	}
	f.Len = b[4]
	copy(f.Data[:], b[8:16])
	return nil
}

// BusOff reports whether f is an error frame saying the controller went
// bus-off.
func (f *Frame) BusOff() bool { return f.Err && f.ID&canErrBusOff != 0 }

func (f Frame) String() string {
	return fmt.Sprintf("id 0x%03x len %d data % x", f.ID, f.Len, f.Data[:min(f.Len, 8)])
}

// Pre-made errors: the bus goroutine reports them without allocating.
var (
	errFrameSize = fmt.Errorf("canbus: frame is not %d bytes", WireSize)
	errFrameDLC  = fmt.Errorf("canbus: frame data length above 8")
)

// FrameBits is the worst-case length on the wire, in bits, of a classic
// data frame with a standard identifier and n data bytes: start of frame,
// arbitration and control fields (19 bits), data, CRC (15), then the
// stuff bits the controller inserts after every run of five equal bits
// from the start of frame to the end of the CRC — at worst one per four
// bits after the first — and the unstuffed tail (CRC delimiter, ACK slot
// and delimiter, end of frame, inter-frame space: 13 bits).
func FrameBits(n int) int {
	stuffed := 1 + 11 + 1 + 1 + 1 + 4 + 8*n + 15 // SOF, ID, RTR, IDE, r0, DLC, data, CRC
	return stuffed + (stuffed-1)/4 + 13
}

package runtime

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stride-robotics/stride/hal/fileio"
)

// Linux joystick API (linux/joystick.h): reading /dev/input/jsN yields
// 8-byte events, little-endian:
//
//	struct js_event { __u32 time; /* ms */ __s16 value; __u8 type; __u8 number; };
//
// type is JS_EVENT_BUTTON (1) or JS_EVENT_AXIS (2), or'ed with JS_EVENT_INIT
// (0x80) for the synthetic events that report the initial state on open.
// Axis values run from −32767 to 32767; buttons are 0 or 1.
const (
	jsEventSize   = 8
	jsEventButton = 0x01
	jsEventAxis   = 0x02
	jsEventInit   = 0x80
	jsAxisMax     = 32767
	jsMaxControls = 32
)

// JSEvent is one joystick event.
type JSEvent struct {
	Time   uint32 // ms, the driver's clock
	Value  int16
	Type   uint8
	Number uint8
}

// Encode writes e in the kernel's 8-byte layout (for tests and tools that
// feed a pipe).
func (e JSEvent) Encode() [jsEventSize]byte {
	var b [jsEventSize]byte
	binary.LittleEndian.PutUint32(b[0:], e.Time)
	binary.LittleEndian.PutUint16(b[4:], uint16(e.Value))
	b[6], b[7] = e.Type, e.Number
	return b
}

func decodeJSEvent(b []byte) JSEvent {
	return JSEvent{Time: binary.LittleEndian.Uint32(b[0:]), Value: int16(binary.LittleEndian.Uint16(b[4:])), Type: b[6], Number: b[7]}
}

// GamepadKeepalive is how often the gamepad resends its stick state while
// nothing changes, so the command timeout does not stop a held stick.
const GamepadKeepalive = 100 * time.Millisecond

// Gamepad turns joystick events into commands: the sticks give velocities
// (scaled to the command limits, with a dead zone), buttons request modes,
// the e-stop and the reset (mapping in GamepadConfig). Initial-state events
// set the sticks but never press a button. When the device goes away the
// velocities are set to zero and the reader stops.
type Gamepad struct {
	r    io.ReadCloser
	sink Sink
	cfg  GamepadConfig
	lim  Limits
	logf func(string, ...any)

	mu   sync.Mutex
	axes [jsMaxControls]int16

	events, disconnects atomic.Uint64
	stop                chan struct{}
	done                chan struct{}
	once                sync.Once
}

// OpenGamepad opens a joystick device (/dev/input/jsN). Anything but a
// character device (a regular file, a pipe) is refused.
func OpenGamepad(path string, sink Sink, cfg GamepadConfig, lim Limits, logf func(string, ...any)) (*Gamepad, error) {
	f, err := fileio.OpenCharDevice(path)
	if err != nil {
		return nil, fmt.Errorf("commands.gamepad.device: %w", err)
	}
	return NewGamepad(f, sink, cfg, lim, logf), nil
}

// NewGamepad reads joystick events from r (a device, or a pipe in tests).
func NewGamepad(r io.ReadCloser, sink Sink, cfg GamepadConfig, lim Limits, logf func(string, ...any)) *Gamepad {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	g := &Gamepad{r: r, sink: sink, cfg: cfg, lim: lim, logf: logf, stop: make(chan struct{}), done: make(chan struct{})}
	go g.read()
	go g.keepalive()
	return g
}

// Events returns the number of events read; Disconnects is 1 once the device
// has gone.
func (g *Gamepad) Events() uint64      { return g.events.Load() }
func (g *Gamepad) Disconnects() uint64 { return g.disconnects.Load() }

// Done is closed when the reader has stopped (device gone or Close).
func (g *Gamepad) Done() <-chan struct{} { return g.done }

// Close stops reading.
func (g *Gamepad) Close() error {
	var err error
	g.once.Do(func() {
		close(g.stop)
		err = g.r.Close()
	})
	<-g.done
	return err
}

func (g *Gamepad) read() {
	defer close(g.done)
	var b [jsEventSize]byte
	for {
		if _, err := io.ReadFull(g.r, b[:]); err != nil {
			select {
			case <-g.stop:
				return
			default:
			}
			g.disconnects.Add(1)
			g.logf("commands: gamepad: %v; velocities set to zero", err)
			_ = g.sink.Send(SourceGamepad, Command{Set: SetVelocity})
			return
		}
		g.events.Add(1)
		g.handle(decodeJSEvent(b[:]))
	}
}

func (g *Gamepad) handle(e JSEvent) {
	if int(e.Number) >= jsMaxControls {
		return
	}
	init := e.Type&jsEventInit != 0
	switch e.Type &^ jsEventInit {
	case jsEventAxis:
		g.mu.Lock()
		g.axes[e.Number] = e.Value
		g.mu.Unlock()
		if !init {
			g.sendSticks()
		}
	case jsEventButton:
		if init || e.Value == 0 {
			return
		}
		var c Command
		switch int(e.Number) {
		case g.cfg.ButtonEStop:
			c.EStop = true
		case g.cfg.ButtonReset:
			c.Reset = true
		case g.cfg.ButtonStandup:
			c.Mode = ModeStandup
		case g.cfg.ButtonStand:
			c.Mode = ModeStand
		case g.cfg.ButtonWalk:
			c.Mode = ModeLocomotion
		case g.cfg.ButtonDamping:
			c.Mode = ModeDamping
		default:
			return
		}
		if err := g.sink.Send(SourceGamepad, c); err != nil {
			g.logf("commands: gamepad: %v", err)
		}
	}
}

// stick reads an axis as a fraction in [−1, 1] with the dead zone removed;
// sign flips it (stick forward and left read negative on Linux pads).
func (g *Gamepad) stick(axis int, sign float64) float64 {
	v := sign * float64(g.axes[axis]) / jsAxisMax
	v = math.Max(-1, math.Min(1, v))
	dz := g.cfg.Deadzone
	if math.Abs(v) <= dz {
		return 0
	}
	return math.Copysign((math.Abs(v)-dz)/(1-dz), v)
}

func (g *Gamepad) sendSticks() {
	g.mu.Lock()
	c := Command{Set: SetVelocity,
		Vx:      g.stick(g.cfg.AxisVx, -1) * g.lim.MaxVx,
		Vy:      g.stick(g.cfg.AxisVy, -1) * g.lim.MaxVy,
		YawRate: g.stick(g.cfg.AxisYaw, -1) * g.lim.MaxYawRate}
	g.mu.Unlock()
	if err := g.sink.Send(SourceGamepad, c); err != nil {
		g.logf("commands: gamepad: %v", err)
	}
}

func (g *Gamepad) keepalive() {
	t := time.NewTicker(GamepadKeepalive)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-g.done:
			return
		case <-t.C:
			g.mu.Lock()
			held := g.stick(g.cfg.AxisVx, 1) != 0 || g.stick(g.cfg.AxisVy, 1) != 0 || g.stick(g.cfg.AxisYaw, 1) != 0
			g.mu.Unlock()
			if held { // a centred pad stays silent and does not take over from other sources
				g.sendSticks()
			}
		}
	}
}

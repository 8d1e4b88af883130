package runtime

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/stride-robotics/stride/locomotion"
)

// Source identifies where a command came from. Its number is what
// telemetry.Input.Source records.
type Source uint8

// Command sources.
const (
	SourceNone     Source = iota
	SourceScript          // a scripted command file (timed set-points)
	SourceUDP             // the UDP port
	SourceGamepad         // a Linux joystick
	SourceKeyboard        // the viewer's keyboard
	SourceAPI             // a program calling Send directly (tools, tests)
	numSources
)

var sourceNames = [numSources]string{"none", "script", "udp", "gamepad", "keyboard", "api"}

func (s Source) String() string {
	if s < numSources {
		return sourceNames[s]
	}
	return fmt.Sprintf("Source(%d)", s)
}

// Fields a Command sets.
const (
	SetVelocity uint8 = 1 << iota // Vx, Vy, YawRate
	SetHeight                     // Height
	SetGait                       // Gait
)

// Command is one message from a command source: optional set-points (the
// Set bits say which), an optional mode request, an e-stop and a reset.
type Command struct {
	Set     uint8   // SetVelocity | SetHeight | SetGait: which set-points the message carries
	Vx, Vy  float64 // m/s, forward and left, in the base's heading frame
	YawRate float64 // rad/s, counter-clockwise seen from above
	Height  float64 // m, offset of the standing height from the home pose's
	Gait    locomotion.Gait
	Mode    Mode // a requested mode; ModeNone for none
	EStop   bool // trigger the software e-stop (from any mode)
	Reset   bool // release a latched e-stop, to damping
}

// Input is the command in force on a tick: the latest set-points (what a
// controller sees as its locomotion.Command), where they came from and when.
type Input struct {
	locomotion.Command
	Source Source  // the source of the last set-point
	Since  float64 // loop time (s) the last set-point arrived
}

// Sink takes commands. The UDP server, the gamepad reader, the command script
// and the viewer's keyboard all feed the loop's Sink (a *Mux). Send is safe
// for concurrent use and does not allocate when the command is accepted.
type Sink interface {
	// Send hands over one command. A command with a value out of range or not
	// finite is rejected whole with an error naming the field; it changes
	// nothing.
	Send(src Source, c Command) error
}

// Limits bound the set-points a command may carry (from Config.Commands).
type Limits struct {
	MaxVx, MaxVy, MaxYawRate float64
	MinHeight, MaxHeight     float64
}

func limitsOf(c *CommandsConfig) Limits {
	return Limits{MaxVx: c.MaxVx, MaxVy: c.MaxVy, MaxYawRate: c.MaxYawRate, MinHeight: c.MinHeight, MaxHeight: c.MaxHeight}
}

// Check validates c against the limits; the error names the field, its value
// and the allowed range.
func (lim *Limits) Check(c *Command) error {
	bad := func(name string, v, lo, hi float64, unit string) error {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
			return fmt.Errorf("%s = %g %s: allowed range [%g, %g]", name, v, unit, lo, hi)
		}
		return nil
	}
	if c.Set&SetVelocity != 0 {
		if err := bad("vx", c.Vx, -lim.MaxVx, lim.MaxVx, "m/s"); err != nil {
			return err
		}
		if err := bad("vy", c.Vy, -lim.MaxVy, lim.MaxVy, "m/s"); err != nil {
			return err
		}
		if err := bad("yaw_rate", c.YawRate, -lim.MaxYawRate, lim.MaxYawRate, "rad/s"); err != nil {
			return err
		}
	}
	if c.Set&SetHeight != 0 {
		if err := bad("height", c.Height, lim.MinHeight, lim.MaxHeight, "m"); err != nil {
			return err
		}
	}
	if c.Set&SetGait != 0 && !c.Gait.Valid() {
		return fmt.Errorf("gait %d: want stand (0), walk (1) or run (2)", c.Gait)
	}
	if c.Mode >= numModes {
		return fmt.Errorf("mode %d: want damping (1), standup (2), stand (3), locomotion (4) or estop (5)", c.Mode)
	}
	return nil
}

// Mux merges the command sources into the input the loop reads once per
// tick. Set-points are last-writer-wins across sources; a mode request is
// kept until the loop takes it (a newer one replaces it); an e-stop and a
// reset are sticky until taken. Send is safe for concurrent use; the loop's
// side (poll) does not allocate.
type Mux struct {
	mu       sync.Mutex
	lim      Limits
	pending  Input // latest set-points, not yet seen by the loop when fresh
	fresh    bool
	modeReq  Mode
	modeSrc  Source
	estop    bool
	estopSrc Source
	reset    bool

	accepted [numSources]atomic.Uint64
	rejected [numSources]atomic.Uint64
}

// NewMux returns a Mux enforcing lim.
func NewMux(lim Limits) *Mux { return &Mux{lim: lim} }

var _ Sink = (*Mux)(nil)

// SetLimits replaces the limits (a config reload).
func (m *Mux) SetLimits(lim Limits) {
	m.mu.Lock()
	m.lim = lim
	m.mu.Unlock()
}

// Send implements Sink.
func (m *Mux) Send(src Source, c Command) error {
	if src >= numSources {
		src = SourceNone
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.lim.Check(&c); err != nil {
		m.rejected[src].Add(1)
		return fmt.Errorf("command from %s: %w; ignored", src, err)
	}
	m.accepted[src].Add(1)
	if c.Set&SetVelocity != 0 {
		m.pending.Vx, m.pending.Vy, m.pending.YawRate = c.Vx, c.Vy, c.YawRate
	}
	if c.Set&SetHeight != 0 {
		m.pending.Height = c.Height
	}
	if c.Set&SetGait != 0 {
		m.pending.Gait = c.Gait
	}
	if c.Set != 0 {
		m.pending.Source = src
		m.fresh = true
	}
	if c.Mode != ModeNone {
		m.modeReq, m.modeSrc = c.Mode, src
	}
	if c.EStop {
		m.estop, m.estopSrc = true, src
	}
	if c.Reset {
		m.reset = true
	}
	return nil
}

// Counts returns how many commands from src were accepted and rejected.
func (m *Mux) Counts(src Source) (accepted, rejected uint64) {
	if src >= numSources {
		return 0, 0
	}
	return m.accepted[src].Load(), m.rejected[src].Load()
}

// requests are what the loop takes from the Mux on a tick.
type requests struct {
	mode     Mode
	modeSrc  Source
	estop    bool
	estopSrc Source
	reset    bool
}

// poll updates in with the newest set-points, applies the silence timeout
// (velocities to zero when the live source has sent nothing for timeout
// seconds; scripts are exempt) and takes the pending requests.
func (m *Mux) poll(now, timeout float64, in *Input) requests {
	m.mu.Lock()
	if m.fresh {
		src := m.pending.Source
		*in = m.pending
		in.Since = now
		in.Source = src
		m.fresh = false
	}
	r := requests{mode: m.modeReq, modeSrc: m.modeSrc, estop: m.estop, estopSrc: m.estopSrc, reset: m.reset}
	m.modeReq, m.modeSrc, m.estop, m.estopSrc, m.reset = ModeNone, SourceNone, false, SourceNone, false
	m.mu.Unlock()
	if timeout > 0 && in.Source != SourceScript && in.Source != SourceNone && now-in.Since > timeout &&
		(in.Vx != 0 || in.Vy != 0 || in.YawRate != 0) {
		in.Vx, in.Vy, in.YawRate = 0, 0, 0
		m.mu.Lock()
		m.pending.Vx, m.pending.Vy, m.pending.YawRate = 0, 0, 0
		m.mu.Unlock()
	}
	return r
}

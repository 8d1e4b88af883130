package runtime

import (
	"strconv"
	"unicode/utf8"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// Recorder takes the loop's records: every tick, and every event as it
// happens. Both are called from the loop's goroutine with pointers to the
// loop's own records, which change after the call returns: a recorder copies
// what it keeps and must not allocate or block (the telemetry writer copies
// into a ring that another goroutine encodes).
type Recorder interface {
	Record(t *telemetry.Tick)
	Event(e *telemetry.Event)
}

// TruthSource gives a simulated robot's ground truth for telemetry only —
// never for a controller. tools wires hal/simhal's Truth in.
type TruthSource interface {
	Truth(b *telemetry.BaseState) bool
}

// eventRing keeps the loop's most recent events for Events.
const eventRing = 256

// msgBuf builds an event's text in a fixed buffer, truncating, without
// allocating.
type msgBuf struct {
	b [len(telemetry.Event{}.Msg)]byte
	n int
}

func (m *msgBuf) reset() { m.n = 0 }

func (m *msgBuf) bytes() []byte { return m.b[:m.n] }

// s appends str, truncated at a UTF-8 rune boundary when it does not fit.
func (m *msgBuf) s(str string) *msgBuf {
	if room := len(m.b) - m.n; len(str) > room {
		for room > 0 && !utf8.RuneStart(str[room]) {
			room--
		}
		str = str[:room]
	}
	m.n += copy(m.b[m.n:], str)
	return m
}

func (m *msgBuf) raw(b []byte) *msgBuf {
	if room := len(m.b) - m.n; len(b) > room {
		for room > 0 && !utf8.RuneStart(b[room]) {
			room--
		}
		b = b[:room]
	}
	m.n += copy(m.b[m.n:], b)
	return m
}

func (m *msgBuf) i(v int) *msgBuf {
	var t [24]byte
	return m.raw(strconv.AppendInt(t[:0], int64(v), 10))
}

func (m *msgBuf) u(v uint64) *msgBuf {
	var t [24]byte
	return m.raw(strconv.AppendUint(t[:0], v, 10))
}

// f writes v with 4 significant digits.
func (m *msgBuf) f(v float64) *msgBuf {
	var t [32]byte
	return m.raw(strconv.AppendFloat(t[:0], v, 'g', 4, 64))
}

// hal writes the names of a hal.Fault's bits.
func (m *msgBuf) hal(f hal.Fault) *msgBuf {
	first := true
	for i, name := range halFaultNames {
		if f&(1<<i) != 0 {
			if !first {
				m.s("|")
			}
			m.s(name)
			first = false
		}
	}
	if rest := f >> len(halFaultNames); rest != 0 {
		if !first {
			m.s("|")
		}
		var t [24]byte
		m.s("bits 0x").raw(strconv.AppendUint(t[:0], uint64(f), 16))
	}
	return m
}

// event records an event: to the recorder, and to the ring Events reads.
func (l *Loop) event(kind telemetry.EventKind, code uint32, joint int, values [4]float64, msg []byte) {
	e := &l.ring[l.nev%eventRing]
	*e = telemetry.Event{Time: l.now, Tick: l.index, Kind: kind, Code: code, Joint: int16(joint), Values: values}
	n := copy(e.Msg[:], msg)
	clear(e.Msg[n:])
	l.nev++
	if l.rec != nil {
		l.rec.Event(e)
	}
}

// note records a text event.
func (l *Loop) note(text string) {
	var m msgBuf
	m.s(text)
	l.event(telemetry.EventNote, 0, -1, [4]float64{}, m.bytes())
}

// Events returns copies of the most recent events (up to 256), oldest first.
// Call it between ticks, from the loop's goroutine.
func (l *Loop) Events() []telemetry.Event {
	n := min(l.nev, eventRing)
	out := make([]telemetry.Event, 0, n)
	for i := l.nev - n; i < l.nev; i++ {
		out = append(out, l.ring[i%eventRing])
	}
	return out
}

// EventCount returns the number of events since the loop was made.
func (l *Loop) EventCount() uint64 { return l.nev }

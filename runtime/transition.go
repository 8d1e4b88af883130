package runtime

import (
	"fmt"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// modeEventKind is what may change the mode on a tick.
type modeEventKind uint8

const (
	eventReset       modeEventKind = iota // a reset from a command source
	eventRequest                          // a mode request (modeEvent.mode, from modeEvent.src)
	eventStandupDone                      // the tick's check whether standup has finished
	eventTrip                             // the safety check tripped (modeEvent.trips)
)

// modeEvent is one occasion for a transition.
type modeEvent struct {
	kind  modeEventKind
	mode  Mode
	src   Source
	trips Fault
}

// transition is the one place the mode changes: every rule of when the state
// machine moves is here (with the table in refusal), and only it calls
// switchMode. The tick offers it a reset and a mode request after taking the
// commands, the standup check before the mode runs, and the safety check's
// trips after. It reports whether the mode changed.
func (l *Loop) transition(ev modeEvent) bool {
	switch ev.kind {
	case eventReset:
		if l.mode != ModeEStop {
			l.note(refuseReset)
			return false
		}
		l.switchMode(ModeDamping, false, "e-stop reset")
	case eventRequest:
		if why := l.refusal(ev.mode); why != "" {
			var m msgBuf
			m.s("refused ").s(l.mode.String()).s(" → ").s(ev.mode.String()).s(" (from ").s(ev.src.String()).s("): ").s(why)
			l.event(telemetry.EventNote, uint32(ev.mode), -1, [4]float64{float64(l.mode), float64(ev.mode), float64(ev.src), 0}, m.bytes())
			return false
		}
		l.switchMode(ev.mode, true, requestedBy[ev.src%numSources])
	case eventStandupDone:
		if l.mode != ModeStandup || !l.standup.done(&l.modeCtx) {
			return false
		}
		l.switchMode(ModeStand, true, "standup complete")
	case eventTrip:
		target := ModeDamping
		if ev.trips&FaultEStop != 0 {
			target = ModeEStop
		}
		if ev.trips == 0 || l.mode == target || l.mode == ModeEStop {
			return false
		}
		first := ev.trips & -ev.trips
		if ev.trips&FaultEStop != 0 {
			first = FaultEStop
		}
		l.switchMode(target, false, faultNames[faultIndex(first)])
	default:
		return false
	}
	return true
}

// requestedBy[s] is the reason text of a switch requested by source s.
var requestedBy = func() (r [numSources]string) {
	for i := range r {
		r[i] = "requested by " + Source(i).String()
	}
	return
}()

// refusal returns why the machine may not go to mode m now, or "".
func (l *Loop) refusal(m Mode) string {
	if why := refusal(l.mode, m); why != "" {
		return why
	}
	if blocking := l.safe.prevTrips &^ FaultEStop; (l.mode == ModeDamping) && m != ModeEStop && m != ModeDamping && blocking != 0 {
		return refuseFault[faultIndex(blocking&-blocking)]
	}
	return ""
}

// Request asks for a mode change at the next tick; it returns why a refused
// change is refused. Call it from the loop's goroutine (before Run or between
// Run calls); other goroutines send a Command with Mode to the Mux.
func (l *Loop) Request(m Mode) error {
	if why := l.refusal(m); why != "" {
		return fmt.Errorf("runtime: %s → %s refused: %s", l.mode, m, why)
	}
	l.apiReq = m
	return nil
}

// switchMode leaves the current mode and enters m. A soft switch blends the
// torque from the last command written over transition.blend; a hard one
// (faults, e-stop) takes effect at once. Only transition calls it.
func (l *Loop) switchMode(m Mode, soft bool, why string) {
	old := l.mode
	l.modes[old].exit(&l.modeCtx)
	l.mode = m
	l.blend.active = false
	if soft {
		l.blend.start(&l.last, l.now, l.params.cfg.Transition.Blend)
	}
	var msg msgBuf
	msg.s(old.String()).s(" → ").s(m.String())
	if why != "" {
		msg.s(": ").s(why)
	}
	l.event(telemetry.EventModeChange, uint32(m), -1, [4]float64{float64(old), float64(m), 0, 0}, msg.bytes())
	l.modes[m].enter(&l.modeCtx)
}

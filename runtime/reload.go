package runtime

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// reload is a config read again from its file, checked and resolved off the
// loop, waiting for the loop's next safe point. events are prebuilt so the
// tick only copies them.
type reload struct {
	cfg    *Config // nil: rejected, only the events apply
	params *params
	events []telemetry.Event
}

// WatchConfig re-reads the config file at path whenever its modification
// time or size changes (polled every reload.poll seconds of wall time) until
// ctx is done. A valid file is applied at the start of the next tick — the
// safe point — with an event per changed key; settings that need a restart
// keep their old values (and say so in an event); new stand gains blend in
// over transition.blend like a mode switch. An invalid file changes nothing:
// its errors go to Logf and an event. Meant for simulation, where tuning
// without a restart is the point; the robot runtime leaves it off.
func (l *Loop) WatchConfig(ctx context.Context, path string) {
	cur := l.cfg.Clone()
	st, err := newStamper(path)
	if err != nil {
		l.logf("config reload %s: %v; the file is not watched", path, err)
		return
	}
	last := st.stamp()
	poll := time.Duration(cur.Reload.Poll * 1e9)
	go func() {
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			now := st.stamp() // a poll allocates nothing
			if now == last {
				continue
			}
			last = now
			if next := l.prepareReload(path, cur); next != nil {
				cur = next
			}
		}
	}()
}

// prepareReload loads path and hands the result to the loop; it returns the
// config now in force (nil if the file was rejected).
func (l *Loop) prepareReload(path string, cur *Config) *Config {
	reject := func(err error) *Config {
		l.logf("config reload %s rejected, nothing changed:\n%v", path, err)
		first, _, _ := strings.Cut(err.Error(), "\n")
		l.storeReload(&reload{events: []telemetry.Event{textEvent(telemetry.EventNote, "config reload rejected: "+first)}})
		return nil
	}
	next, err := Load(path)
	if err != nil {
		return reject(err)
	}
	changes := next.Diff(cur)
	next.keepRestartKeys(cur)
	par, err := resolve(next, l.info)
	if err != nil {
		return reject(err)
	}
	r := &reload{cfg: next, params: par}
	for _, c := range changes {
		if c.Restart {
			r.events = append(r.events, textEvent(telemetry.EventNote, c.Key+" changed to "+c.New+": needs a restart; not applied"))
		} else {
			r.events = append(r.events, changeEvent(c))
		}
	}
	if len(r.events) == 0 {
		return cur // touched but unchanged
	}
	l.logf("config reload %s: %d change(s), in force from the next tick", path, len(r.events))
	l.storeReload(r)
	return next
}

// storeReload hands r to the loop, merging it with a reload the loop has not
// taken yet.
func (l *Loop) storeReload(r *reload) {
	for {
		old := l.pending.Load()
		m := r
		if old != nil {
			m = &reload{cfg: r.cfg, params: r.params, events: append(append([]telemetry.Event(nil), old.events...), r.events...)}
			if m.cfg == nil {
				m.cfg, m.params = old.cfg, old.params
			}
		}
		if l.pending.CompareAndSwap(old, m) {
			return
		}
	}
}

func textEvent(kind telemetry.EventKind, text string) telemetry.Event {
	e := telemetry.Event{Kind: kind, Joint: -1}
	e.SetMsg(text)
	return e
}

func changeEvent(c Change) telemetry.Event {
	e := textEvent(telemetry.EventParamChange, c.Key+": "+c.Old+" → "+c.New)
	e.Values = [4]float64{c.OldF, c.NewF, math.NaN(), math.NaN()}
	return e
}

// applyReload puts a reloaded config in force (at a tick's start).
func (l *Loop) applyReload(r *reload) {
	for i := range r.events {
		e := &r.events[i]
		l.event(e.Kind, e.Code, int(e.Joint), e.Values, e.Msg[:msgLen(e)])
	}
	if r.cfg == nil {
		return
	}
	l.cfg, l.params = r.cfg, r.params
	copy(l.stand.Kp, r.params.kp[:r.params.n])
	copy(l.stand.Kd, r.params.kd[:r.params.n])
	l.mux.SetLimits(limitsOf(&r.cfg.Commands))
	l.lateTol = time.Duration(r.cfg.Loop.LateTolerance * 1e9)
	if err := tune(l.loco.controller, r.cfg); err != nil {
		l.note("walker parameters not applied: " + err.Error())
	}
	if l.mode == ModeStand || l.mode == ModeLocomotion || l.mode == ModeStandup {
		l.blend.start(&l.last, l.now, r.cfg.Transition.Blend)
	}
}

func msgLen(e *telemetry.Event) int {
	n := 0
	for n < len(e.Msg) && e.Msg[n] != 0 {
		n++
	}
	return n
}

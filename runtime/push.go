package runtime

import (
	"fmt"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// pusher carries a command script's pushes to a robot that can be pushed
// (hal.Disturber: a simulated one) and records them: an event per push and
// the "push.force" channel — the push's force (N, heading frame at the
// push) on the ticks it acts, zero otherwise.
type pusher struct {
	robot  hal.Disturber
	fn     func(*ScriptStep) // l.push, made once so the tick does not allocate it
	values []float64         // the declared channel
	force  [3]float64        // N, the push under way
	until  float64           // s, loop time its force ends
}

// setupPush is New's part for a script's pushes: when the script has any,
// the robot must be a hal.Disturber (else New fails naming the step), and
// the loop declares the push channel.
func (l *Loop) setupPush() error {
	if l.script == nil {
		return nil
	}
	i := l.script.firstPush()
	if i < 0 {
		return nil
	}
	d, ok := l.robot.(hal.Disturber)
	if !ok {
		st := &l.script.Steps[i]
		return fmt.Errorf("runtime: command script %s:%d: step at t = %g s pushes the robot, but robot %q cannot be pushed: push is for simulation only (the robot backend is not a hal.Disturber)",
			l.script.Name, st.Line, st.T, l.info.Name)
	}
	v, err := l.registry.Declare("push.force", "N", 3)
	if err != nil {
		return fmt.Errorf("runtime: the push channel: %w", err)
	}
	l.pushes = &pusher{robot: d, fn: l.push, values: v}
	return nil
}

// push applies a script step's push and records it as a note event (its
// impulse in Values[0:3], N·s, and its duration in Values[3], s). A push
// the robot refuses is recorded as a note saying why.
func (l *Loop) push(st *ScriptStep) {
	p := l.pushes
	var m msgBuf
	if err := p.robot.Push(st.Push, PushDuration); err != nil {
		m.s("push refused: ").s(err.Error())
		l.event(telemetry.EventNote, 0, -1, [4]float64{}, m.bytes())
		return
	}
	for i := range p.force {
		p.force[i] = st.Push[i] / PushDuration
	}
	p.until = l.now + PushDuration
	m.s("push (").f(st.Push[0]).s(", ").f(st.Push[1]).s(", ").f(st.Push[2]).s(") N·s over ").f(PushDuration).s(" s, heading frame")
	l.event(telemetry.EventNote, 0, -1, [4]float64{st.Push[0], st.Push[1], st.Push[2], PushDuration}, m.bytes())
}

// recordPush writes the push channel for this tick: the force of the push
// under way, or zero.
func (l *Loop) recordPush() {
	p := l.pushes
	if p == nil {
		return
	}
	if l.now < p.until-1e-9 {
		copy(p.values, p.force[:])
	} else {
		clear(p.values)
	}
}

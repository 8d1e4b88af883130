package runtime

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// ChannelDeclarer is implemented by controllers and estimators that record
// values of their own in telemetry (MPC wrenches, footsteps, QP status,
// policy outputs, filter innovations). New calls DeclareChannels once,
// before the log is created (the header lists the channels), with declare:
// each call declares one channel — a dotted name of the declarer's own
// group ("mpc.force.left"), its unit, and how many values it has per tick
// — and returns the slice the declarer writes those values into. The slice
// is the loop's tick record: what it holds when the tick is logged is
// recorded; writing it allocates nothing. A controller's values are
// recorded as NaN on ticks it does not run (outside locomotion mode).
// declare refuses a name in use or of a built-in group, or more values than
// the tick has room for (telemetry.MaxValues in all); an error from
// DeclareChannels fails New.
//
// The types are plain so that a controller in locomotion (which does not
// import telemetry) implements it directly.
type ChannelDeclarer interface {
	DeclareChannels(declare func(name, unit string, size int) ([]float64, error)) error
}

// declareChannels asks the estimator and the controller for their
// channels.
func (l *Loop) declareChannels(ctrl Controller) error {
	l.registry = telemetry.NewRegistry(&l.record)
	if d, ok := l.estimator.(ChannelDeclarer); ok {
		if err := d.DeclareChannels(l.registry.Declare); err != nil {
			return fmt.Errorf("runtime: the estimator's telemetry channels: %w", err)
		}
	}
	from := l.registry.Used()
	if d, ok := ctrl.(ChannelDeclarer); ok {
		if err := d.DeclareChannels(l.registry.Declare); err != nil {
			return fmt.Errorf("runtime: controller %q's telemetry channels: %w", ctrl.Name(), err)
		}
	}
	l.ctrlValues = l.record.Values[from:l.registry.Used()]
	return nil
}

// Declared returns the telemetry channels the estimator and the controller
// declared, for the log's header (telemetry.Header.Declared): create the
// log after New, with these.
func (l *Loop) Declared() []telemetry.Declared { return l.registry.Declared() }

// clearIdleValues records the controller's channels as NaN on a tick it did
// not run.
func (l *Loop) clearIdleValues() {
	if l.mode != ModeLocomotion {
		for i := range l.ctrlValues {
			l.ctrlValues[i] = math.NaN()
		}
	}
}

// RecordStop records that the run stopped on err (the simulation diverged,
// its solver failed, the clock failed) as a telemetry.EventStop with the
// error's text, at the last tick. Run records it when its clock fails; a
// caller that steps the robot itself after Run records its own. It
// allocates: not for the tick.
func (l *Loop) RecordStop(err error) {
	if err == nil {
		return
	}
	var m msgBuf
	m.s(err.Error())
	l.event(telemetry.EventStop, 0, -1, [4]float64{}, m.bytes())
}

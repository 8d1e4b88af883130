package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync/atomic"
	"time"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// Options are what a Loop is made of besides the robot.
type Options struct {
	Config     *Config     // nil: Defaults()
	Clock      Clock       // required: a *LockStep for simulation, a *WallClock otherwise
	Home       []float64   // required: the home pose, one target per joint in hal order (rad)
	Estimator  Estimator   // nil: estimator.IMUOnly, the placeholder
	Controller Controller  // what locomotion mode runs; nil: the placeholder that holds the stand posture
	Recorder   Recorder    // nil: nothing recorded
	Truth      TruthSource // optional ground truth for telemetry (simulation)
	Mux        *Mux        // where commands arrive; nil: a new one (see Loop.Commands)
	Script     *Script     // optional timed set-points, fed in loop time
	// Logf prints messages that do not belong in the log (source errors,
	// rejected config reloads); nil discards them. Never called from the tick.
	Logf func(format string, args ...any)
}

// Loop is Stride's control loop: one robot, one clock, one state machine.
// Make it with New, drive it with Run, end it with Close. Everything it uses
// per tick is allocated by New: a tick allocates nothing.
type Loop struct {
	robot     hal.Robot
	info      *hal.Info
	clock     Clock
	estimator Estimator
	schedRx   ScheduleReceiver // estimator, if it takes the contact schedule
	rec       Recorder
	truth     TruthSource
	mux       *Mux
	script    *Script
	pushes    *pusher // nil: the script has no push
	logf      func(string, ...any)

	cfg    *Config
	params *params // cfg resolved for the robot
	home   [hal.MaxJoints]float64

	// The state machine: the modes, the current one, and what the modes see.
	stand   *locomotion.Stand
	standup standupMode
	loco    locomotionMode // runs the Controller
	modes   [numModes]modeState
	mode    Mode
	modeCtx modeContext
	blend   blend

	// This tick's data, in the order the tick fills it.
	now        float64            // s, loop time of the tick
	index      uint64             // the tick's deadline number
	sens       hal.Sensors        // read
	readErr    error              // read
	est        estimator.Estimate // estimate
	in         Input              // commands
	controlIn  locomotion.Input   // control: what the controller sees (points at sens, est, in)
	out        hal.Commands       // control, then safety; what is written
	last       hal.Commands       // the last command written
	lastErr    error              // write: the last write's error, reported by the next tick's safety check
	start      time.Duration      // since mono, when the tick began
	compute    time.Duration
	record     telemetry.Tick // log: the tick's telemetry record
	registry   *telemetry.Registry
	ctrlValues []float64 // the controller's declared channels, in record.Values

	safe    safety
	safeIn  safetyInput // what the safety check reads (points at sens, est)
	health  Health
	lateTol time.Duration
	overrun uint64 // current streak of overruns
	mono    time.Time

	ring [eventRing]telemetry.Event
	nev  uint64

	pending  atomic.Pointer[reload]
	sources  []io.Closer
	udp      *UDPServer
	pad      *Gamepad
	apiReq   Mode // a mode Request made between ticks
	reqMode  Mode // the mode requested on this tick (telemetry)
	started  bool
	estReady bool
	closed   bool
}

// New makes a loop for robot. It validates the config against the robot
// (per-joint gains name real joints) and the home pose (one finite value per
// joint, inside the joint's range), and allocates everything the tick uses.
// The loop starts in damping mode.
func New(robot hal.Robot, o Options) (*Loop, error) {
	if robot == nil || o.Clock == nil {
		return nil, errors.New("runtime: New needs a robot and a clock")
	}
	cfg := o.Config
	if cfg == nil {
		cfg = Defaults()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	info := robot.Info()
	par, err := resolve(cfg, info)
	if err != nil {
		return nil, err
	}
	if len(o.Home) != par.n {
		return nil, fmt.Errorf("runtime: home pose has %d values, robot %q has %d joints", len(o.Home), info.Name, par.n)
	}
	l := &Loop{robot: robot, info: info, clock: o.Clock, estimator: o.Estimator,
		rec: o.Recorder, truth: o.Truth, mux: o.Mux, script: o.Script, logf: o.Logf,
		cfg: cfg, params: par, mode: ModeDamping, mono: time.Now()}
	for i, q := range o.Home {
		j := &info.Joints[i]
		if math.IsNaN(q) || math.IsInf(q, 0) || q < j.PosMin || q > j.PosMax {
			return nil, fmt.Errorf("runtime: home pose: joint %d (%s) = %g rad, outside its range [%g, %g]", i, j.Name, q, j.PosMin, j.PosMax)
		}
		l.home[i] = q
	}
	l.stand = locomotion.NewStand(o.Home, 0, 0)
	copy(l.stand.Kp, par.kp[:par.n])
	copy(l.stand.Kd, par.kd[:par.n])
	if l.estimator == nil {
		l.estimator = estimator.IMUOnly{}
	}
	l.schedRx, _ = l.estimator.(ScheduleReceiver)
	ctrl := o.Controller
	if ctrl == nil {
		ctrl = &standIn{stand: l.stand}
	}
	if err := tune(ctrl, cfg); err != nil {
		return nil, fmt.Errorf("runtime: config walker section: %w", err)
	}
	if l.mux == nil {
		l.mux = NewMux(limitsOf(&cfg.Commands))
	}
	if l.logf == nil {
		l.logf = func(string, ...any) {}
	}
	l.controlIn = locomotion.Input{Sensors: &l.sens, Estimate: &l.est, Command: &l.in.Command, Home: l.home[:par.n]}
	l.standup.Stand = l.stand
	l.loco = locomotionMode{controller: ctrl, in: &l.controlIn}
	l.loco.pub, _ = ctrl.(SchedulePublisher)
	if err := l.declareChannels(ctrl); err != nil {
		return nil, err
	}
	if err := l.setupPush(); err != nil {
		return nil, err
	}
	l.modes = [numModes]modeState{ModeDamping: dampingMode{}, ModeStandup: &l.standup, ModeStand: standMode{l.stand},
		ModeLocomotion: &l.loco, ModeEStop: estopMode{}}
	l.modeCtx = modeContext{sens: &l.sens, info: info, params: par, note: l.note}
	l.safeIn = safetyInput{sens: &l.sens, est: &l.est}
	l.last = hal.Damping(par.n, cfg.Damping.Kd)
	l.lateTol = time.Duration(cfg.Loop.LateTolerance * 1e9)
	return l, nil
}

// Run runs ticks until ctx is done or, when ticks > 0, that many ticks have
// run. The first call starts the clock; later calls continue where the last
// one stopped (Close stops the clock). Robot faults do not end Run — they
// trip the safety layer; only the clock failing does (a simulation that
// diverged), or ctx.
func (l *Loop) Run(ctx context.Context, ticks int64) error {
	if l.closed {
		return errors.New("runtime: Run after Close")
	}
	if !l.started {
		if err := l.clock.Start(l.params.period); err != nil {
			return err
		}
		l.started = true
	}
	done := ctx.Done()
	for i := int64(0); ticks <= 0 || i < ticks; i++ {
		select {
		case <-done:
			return ctx.Err()
		default:
		}
		b, err := l.clock.Wait()
		if err != nil {
			l.RecordStop(err)
			return fmt.Errorf("runtime: clock: %w", err)
		}
		l.tick(&b)
	}
	return nil
}

// tick runs one control tick: read → estimate → plan/control → safety →
// write → log.
func (l *Loop) tick(b *Beat) {
	l.begin(b)                        // timing; the safe point for a config reload
	l.readErr = l.robot.Read(&l.sens) // read
	l.estimate()                      // estimate
	req := l.commands()               // command input: set-points, mode requests
	l.control(&l.out)                 // plan/control: the mode's command
	l.guard(&req, &l.out)             // safety: may replace it with damping or estop
	l.write(&l.out)                   // write; ends the compute time
	l.log(b)                          // log
}

// begin starts a tick: timing, and the safe point where a reloaded config
// takes effect.
func (l *Loop) begin(b *Beat) {
	l.start = time.Since(l.mono)
	l.now, l.index = b.Time, b.Index
	l.overrun = l.health.Observe(b, l.lateTol)
	if p := l.pending.Swap(nil); p != nil {
		l.applyReload(p)
	}
	l.modeCtx.now, l.modeCtx.params = l.now, l.params
	l.controlIn.Time = l.now
}

// estimate updates the base state estimate (resetting the estimator on the
// first tick), handing it the controller's contact schedule first.
func (l *Loop) estimate() {
	if !l.estReady {
		l.estimator.Reset(&l.sens)
		l.estReady = true
	}
	if l.schedRx != nil {
		l.schedRx.SetSchedule(&l.loco.sched)
	}
	l.estimator.Update(&l.sens, &l.est)
}

// commands feeds the script, takes the command input and acts on a reset
// and a mode request; the e-stop is left to the safety check.
func (l *Loop) commands() requests {
	if l.script != nil {
		var push func(*ScriptStep)
		if l.pushes != nil {
			push = l.pushes.fn
		}
		l.script.feed(l.now, l.mux, push)
	}
	r := l.mux.poll(l.now, l.params.cfg.Commands.Timeout, &l.in)
	if l.apiReq != ModeNone {
		if l.apiReq == ModeEStop {
			r.estop, r.estopSrc = true, SourceAPI
		} else if r.mode == ModeNone {
			r.mode, r.modeSrc = l.apiReq, SourceAPI
		}
		l.apiReq = ModeNone
	}
	if r.mode == ModeEStop { // asking for estop is an e-stop
		r.estop, r.estopSrc, r.mode = true, r.modeSrc, ModeNone
	}
	l.reqMode = r.mode
	if r.estop {
		l.reqMode = ModeEStop
	}
	if r.reset {
		l.transition(modeEvent{kind: eventReset})
	}
	if r.mode != ModeNone && r.mode != l.mode {
		l.transition(modeEvent{kind: eventRequest, mode: r.mode, src: r.modeSrc})
	}
	return r
}

// control writes the current mode's command, blended from the previous
// mode's while a switch is in progress.
func (l *Loop) control(out *hal.Commands) {
	l.transition(modeEvent{kind: eventStandupDone})
	l.modes[l.mode].run(&l.modeCtx, out)
	l.blend.apply(l.now, out)
}

// guard runs the safety check and records its events; a trip replaces the
// command with that of damping (or estop), at once.
func (l *Loop) guard(r *requests, out *hal.Commands) {
	in := &l.safeIn
	in.now, in.latched = l.now, l.mode == ModeEStop
	in.estop, in.estopSrc = r.estop, r.estopSrc
	in.readErr, in.writeErr, in.overrun = l.readErr, l.lastErr, l.overrun
	in.ctrlErr, in.ctrlName = l.loco.err, ""
	if in.ctrlErr != nil {
		in.ctrlName = l.loco.controller.Name()
	}
	trips := l.safe.check(&l.params.safety, l.info, in, out)
	for i := 0; i < l.safe.nflags; i++ {
		f := &l.safe.flags[i]
		l.event(telemetry.EventFault, uint32(f.fault), f.joint, f.values, f.msg.bytes())
	}
	rising := trips &^ l.safe.prevTrips
	l.safe.prevTrips = trips
	for i := 0; i < numFaults; i++ {
		if f := Fault(1) << i; rising&f != 0 {
			t := &l.safe.trip[i]
			l.event(telemetry.EventFault, uint32(f), t.joint, t.values, t.msg.bytes())
		}
	}
	if trips != 0 && l.transition(modeEvent{kind: eventTrip, trips: trips}) {
		l.modes[l.mode].run(&l.modeCtx, out)
	}
}

// write hands the command to the robot. If the robot refuses it, the robot
// is halted at once and the next tick's safety check trips to damping.
func (l *Loop) write(out *hal.Commands) {
	if err := l.robot.Write(out); err != nil {
		l.lastErr = err
		_ = l.robot.Halt()
	} else {
		l.lastErr = nil
		l.last = *out
	}
	l.compute = time.Since(l.mono) - l.start
	l.health.Compute.Add(int64(l.compute))
}

// log fills the tick record and hands it to the recorder.
func (l *Loop) log(b *Beat) {
	if l.rec == nil {
		return
	}
	t := &l.record
	t.Time, t.Tick, t.Mode = l.now, b.Index, uint8(l.mode)
	t.Gait, t.GaitPhase = uint8(locomotion.GaitStand), 0
	if l.mode == ModeLocomotion {
		if g, ok := l.loco.controller.(GaitReporter); ok {
			gait, phase := g.Gait()
			t.Gait, t.GaitPhase = uint8(gait), phase
		}
	}
	t.Sensors = l.sens
	t.Command = l.out
	RecordEstimate(&t.Estimate, &l.est)
	t.Input = telemetry.Input{Vx: l.in.Vx, Vy: l.in.Vy, YawRate: l.in.YawRate, Height: l.in.Height,
		ModeRequest: uint8(l.reqMode), Source: uint8(l.in.Source)}
	t.Lateness = b.Lateness.Seconds()
	t.Compute = l.compute.Seconds()
	t.Faults = uint32(l.safe.active)
	t.HasTruth = false
	if l.truth != nil {
		t.HasTruth = l.truth.Truth(&t.Truth)
	}
	l.clearIdleValues()
	l.recordPush()
	l.rec.Record(t)
}

// Mode returns the current mode.
func (l *Loop) Mode() Mode { return l.mode }

// Faults returns the faults seen on the last tick (trips and limit flags).
func (l *Loop) Faults() Fault { return l.safe.active }

// Health returns the loop's timing record. Read it between ticks.
func (l *Loop) Health() *Health { return &l.health }

// Commands returns the loop's Mux: the Sink every command source sends to
// (Options.Mux, or the one New made), which the tick polls once.
func (l *Loop) Commands() *Mux { return l.mux }

// Clock returns the loop's clock.
func (l *Loop) Clock() Clock { return l.clock }

// Config returns the config in force.
func (l *Loop) Config() *Config { return l.cfg }

// Sensors returns the last sample read.
func (l *Loop) Sensors() *hal.Sensors { return &l.sens }

// Command returns the last command written.
func (l *Loop) Command() *hal.Commands { return &l.last }

// Time returns the loop time of the last tick.
func (l *Loop) Time() float64 { return l.now }

// Close stops the clock and the command sources and halts the robot. Call it
// from the goroutine that called Run.
func (l *Loop) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	if l.mode == ModeLocomotion {
		l.loco.exit(&l.modeCtx) // stops the controller
	}
	if l.started {
		l.clock.Stop()
	}
	return errors.Join(l.closeSources(), l.robot.Halt())
}

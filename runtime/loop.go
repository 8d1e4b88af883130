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
	robot    hal.Robot
	info     *hal.Info
	clock    Clock
	estim    Estimator
	ctrl     Controller
	schedRx  ScheduleReceiver  // estim, if it takes the contact schedule
	schedPub SchedulePublisher // ctrl, if it publishes one
	ctrlOn   bool              // ctrl started and not yet stopped
	rec      Recorder
	truth    TruthSource
	mux      *Mux
	scr      *Script
	logf     func(string, ...any)

	cfg  *Config
	par  *params
	home [hal.MaxJoints]float64

	stand   *locomotion.Stand
	modes   [numModes]modeState
	standup standupMode
	mode    Mode
	since   float64 // loop time the mode was entered
	blend   blend

	// This tick's data, in the order the tick fills it.
	now     float64                   // s, loop time of the tick
	index   uint64                    // the tick's deadline number
	sens    hal.Sensors               // read
	readErr error                     // read
	est     estimator.Estimate        // estimate
	in      Input                     // commands
	ctl     locomotion.Input          // control: what the mode's controller sees
	sched   estimator.ContactSchedule // control: the controller's contact schedule, for the next estimate
	ctrlErr error                     // control: the controller's failure (Start's error or Err), for the safety check
	out     hal.Commands              // control, then safety; what is written
	last    hal.Commands              // the last command written
	lastErr error                     // write: the last write's error, reported by the next tick's safety check
	start   time.Duration             // since mono, when the tick began
	compute time.Duration
	tk      telemetry.Tick

	safe    safety
	health  Health
	lateTol time.Duration
	policy  OverrunPolicy
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
	policy, err := ParseOverrunPolicy(cfg.Loop.Overrun)
	if err != nil {
		return nil, err
	}
	l := &Loop{robot: robot, info: info, clock: o.Clock, estim: o.Estimator, ctrl: o.Controller,
		rec: o.Recorder, truth: o.Truth, mux: o.Mux, scr: o.Script, logf: o.Logf,
		cfg: cfg, par: par, mode: ModeDamping, policy: policy, mono: time.Now()}
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
	if l.estim == nil {
		l.estim = estimator.IMUOnly{}
	}
	l.schedRx, _ = l.estim.(ScheduleReceiver)
	if l.ctrl == nil {
		l.ctrl = &standIn{stand: l.stand}
	}
	l.schedPub, _ = l.ctrl.(SchedulePublisher)
	if l.mux == nil {
		l.mux = NewMux(limitsOf(&cfg.Commands))
	}
	if l.logf == nil {
		l.logf = func(string, ...any) {}
	}
	l.modes = [numModes]modeState{ModeDamping: dampingMode{}, ModeStandup: &l.standup, ModeStand: standMode{},
		ModeLocomotion: locomotionMode{}, ModeEStop: estopMode{}}
	l.ctl = locomotion.Input{Sensors: &l.sens, Estimate: &l.est, Command: &l.in.Command, Home: l.home[:par.n]}
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
		if err := l.clock.Start(l.par.period); err != nil {
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
}

// estimate updates the base state estimate (resetting the estimator on the
// first tick).
func (l *Loop) estimate() {
	if !l.estReady {
		l.estim.Reset(&l.sens)
		l.estReady = true
	}
	if l.schedRx != nil {
		l.schedRx.SetSchedule(&l.sched)
	}
	l.estim.Update(&l.sens, &l.est)
}

// commands feeds the script, takes the command input and acts on mode
// requests; the e-stop is left to the safety check.
func (l *Loop) commands() requests {
	if l.scr != nil {
		l.scr.feed(l.now, l.mux)
	}
	r := l.mux.poll(l.now, l.par.cfg.Commands.Timeout, &l.in)
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
	l.ctl.Time = l.now
	if r.reset {
		if l.mode == ModeEStop {
			l.switchMode(ModeDamping, false, "e-stop reset")
		} else {
			l.note(refuseReset)
		}
	}
	if r.mode != ModeNone && r.mode != l.mode {
		if why := l.refusal(r.mode); why != "" {
			var m msgBuf
			m.s("refused ").s(l.mode.String()).s(" → ").s(r.mode.String()).s(" (from ").s(r.modeSrc.String()).s("): ").s(why)
			l.event(telemetry.EventNote, uint32(r.mode), -1, [4]float64{float64(l.mode), float64(r.mode), float64(r.modeSrc), 0}, m.bytes())
		} else {
			l.switchMode(r.mode, true, requestedBy[r.modeSrc%numSources])
		}
	}
	return r
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
// (faults, e-stop) takes effect at once.
func (l *Loop) switchMode(m Mode, soft bool, why string) {
	old := l.mode
	l.modes[old].exit(l)
	l.mode, l.since = m, l.now
	l.blend.active = false
	if soft {
		l.blend.start(&l.last, l.now, l.par.cfg.Transition.Blend)
	}
	var msg msgBuf
	msg.s(old.String()).s(" → ").s(m.String())
	if why != "" {
		msg.s(": ").s(why)
	}
	l.event(telemetry.EventModeChange, uint32(m), -1, [4]float64{float64(old), float64(m), 0, 0}, msg.bytes())
	l.modes[m].enter(l)
}

// control writes the current mode's command, blended from the previous
// mode's while a switch is in progress.
func (l *Loop) control(out *hal.Commands) {
	if l.mode == ModeStandup && l.standup.done(l) {
		l.switchMode(ModeStand, true, "standup complete")
	}
	l.modes[l.mode].run(l, out)
	l.blend.apply(l.now, out)
}

// guard runs the safety check; a trip replaces the command with that of
// damping (or estop), at once.
func (l *Loop) guard(r *requests, out *hal.Commands) {
	trips := l.check(r.estop, r.estopSrc, out)
	rising := trips &^ l.safe.prevTrips
	l.safe.prevTrips = trips
	for i := 0; i < numFaults; i++ {
		if f := Fault(1) << i; rising&f != 0 {
			t := &l.safe.trip[i]
			l.event(telemetry.EventFault, uint32(f), t.joint, t.values, t.msg.bytes())
		}
	}
	if trips == 0 {
		return
	}
	target := ModeDamping
	if trips&FaultEStop != 0 {
		target = ModeEStop
	}
	if l.mode == target || l.mode == ModeEStop {
		return
	}
	first := trips & -trips
	if trips&FaultEStop != 0 {
		first = FaultEStop
	}
	l.switchMode(target, false, faultNames[faultIndex(first)])
	l.modes[l.mode].run(l, out)
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
	t := &l.tk
	t.Time, t.Tick, t.Mode = l.now, b.Index, uint8(l.mode)
	t.Gait, t.GaitPhase = uint8(locomotion.GaitStand), 0
	if l.mode == ModeLocomotion {
		if g, ok := l.ctrl.(GaitReporter); ok {
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
	l.rec.Record(t)
}

// Mode returns the current mode.
func (l *Loop) Mode() Mode { return l.mode }

// Faults returns the faults seen on the last tick (trips and limit flags).
func (l *Loop) Faults() Fault { return l.safe.active }

// Health returns the loop's timing record. Read it between ticks.
func (l *Loop) Health() *Health { return &l.health }

// Commands returns the Sink the loop reads commands from.
func (l *Loop) Commands() *Mux { return l.mux }

// Clock returns the loop's clock.
func (l *Loop) Clock() Clock { return l.clock }

// Config returns the config in force.
func (l *Loop) Config() *Config { return l.cfg }

// Sensors returns the last sample read; Command the last command written.
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
		l.modes[ModeLocomotion].exit(l) // stops the controller
	}
	if l.started {
		l.clock.Stop()
	}
	return errors.Join(l.closeSources(), l.robot.Halt())
}

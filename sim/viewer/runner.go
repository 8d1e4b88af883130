package viewer

import (
	"math"
	"sync"
	"time"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Commander is the robot's command input as the window drives it: the
// keyboard's base velocity command goes here (tools/stride hands it to the
// runtime's command multiplexer as the keyboard source). SetVelocity is
// called on the simulation goroutine, between two ticks: when the command
// changes and again every CommandRepeat of simulated time, like a held
// joystick, so that a watchdog on a silent source does not zero it. An
// error (a command out of the robot's limits) is shown in the HUD.
type Commander interface {
	SetVelocity(v Velocity) error
}

// CommandRepeat is how often (simulated time) the runner repeats the
// keyboard's command to the Commander.
const CommandRepeat = 0.1 // s

// Push defaults.
const (
	DefaultPushImpulse  = 20.0 // N·s
	DefaultPushDuration = 0.05 // s
)

// Runner runs a simulated robot on its own goroutine for a window: each tick
// is one control period (the caller's Tick: sense, control, act, advance the
// physics), paced to real time (times the slow-motion factor) or as fast as
// possible, and after each batch of ticks it publishes a Snapshot to Exchange
// for drawing. The window never blocks it: drawing takes whatever snapshot is
// newest. Pause, single step, slow motion, reset, pushes and velocity
// commands arrive as Actions.
//
// Set the fields, then either Start it (with a window) or drive it in
// lock-step with Advance and Capture (off-screen rendering, tests); never
// both at once.
type Runner struct {
	World  *sim.World
	Tick   func() error // one control period, advancing World by Period
	Period float64      // s of simulated time per Tick

	ResetFunc   func() error  // back to the start; nil: World.Reset(0)
	Mode        func() string // controller mode for the HUD; nil: none
	Plan        func(p *Plan) // fills the plan overlay before each publish; nil: none
	Commander   Commander     // receives velocity commands; nil: kept here and shown only
	Duration    float64       // pause when simulated time reaches it (0: never)
	Fast        bool          // as fast as possible instead of real time
	PushImpulse float64       // N·s of one push (0: DefaultPushImpulse)
	PushTime    float64       // s a push lasts (0: DefaultPushDuration)
	PushBody    int           // body pushed (0: the body named "torso", else the root)

	Exchange *Exchange

	ctl  chan control
	stop chan struct{}
	done chan struct{}
	once sync.Once

	data      *rbd.Data
	writing   *Snapshot
	paused    bool
	slow      float64
	cmd       Velocity
	cmdDirty  bool
	cmdSent   float64
	cmdErr    string
	pushLeft  float64
	pushForce spatial.Vec3
	durHit    bool
	errText   string
	rtf       float64
	err       error // the last Tick error
}

type controlKind int

const (
	ctlPause controlKind = iota
	ctlStep
	ctlSlow
	ctlReset
	ctlPush
	ctlCommand
)

type control struct {
	kind controlKind
	f    float64
	dir  spatial.Vec3
	v    Velocity
}

// NewRunner returns a runner for w whose tick advances it by period.
func NewRunner(w *sim.World, tick func() error, period float64) *Runner {
	r := &Runner{World: w, Tick: tick, Period: period, Exchange: NewExchange(),
		ctl: make(chan control, 64), stop: make(chan struct{}), done: make(chan struct{}),
		data: rbd.NewData(w.Model), writing: new(Snapshot), slow: 1, rtf: math.NaN()}
	return r
}

func (r *Runner) pushBody() int {
	if r.PushBody > 0 && r.PushBody < len(r.World.Model.Bodies) {
		return r.PushBody
	}
	if b := r.World.Model.BodyIndex("torso"); b > 0 {
		return b
	}
	return 1
}

// Actions (called from the window's goroutine). A full queue drops the action.

func (r *Runner) send(c control) {
	select {
	case r.ctl <- c:
	default:
	}
}

// TogglePause pauses or resumes the simulation.
func (r *Runner) TogglePause() { r.send(control{kind: ctlPause}) }

// StepOnce runs one tick while paused.
func (r *Runner) StepOnce() { r.send(control{kind: ctlStep}) }

// SetSlow sets the slow-motion factor (clamped to 0.1…1).
func (r *Runner) SetSlow(f float64) { r.send(control{kind: ctlSlow, f: f}) }

// Reset returns to the start state.
func (r *Runner) Reset() { r.send(control{kind: ctlReset}) }

// Push applies PushImpulse to the pushed body along the horizontal unit
// direction dir, spread over PushTime.
func (r *Runner) Push(dir spatial.Vec3) { r.send(control{kind: ctlPush, dir: dir}) }

// SetCommand sets the velocity command.
func (r *Runner) SetCommand(v Velocity) { r.send(control{kind: ctlCommand, v: v}) }

var _ Actions = (*Runner)(nil)

// SetPaused sets the initial pause state (before Start).
func (r *Runner) SetPaused(p bool) { r.paused = p }

func (r *Runner) apply(c control) {
	switch c.kind {
	case ctlPause:
		r.paused = !r.paused
		if r.errText != "" {
			r.paused = true // a diverged world stays paused until reset
		}
	case ctlStep:
		if r.paused && r.errText == "" {
			r.tick()
		}
	case ctlSlow:
		r.slow = math.Max(0.1, math.Min(1, c.f))
		if math.IsNaN(c.f) {
			r.slow = 1
		}
	case ctlReset:
		r.doReset()
	case ctlPush:
		d := spatial.Vec3{c.dir[0], c.dir[1], 0}.Normalize()
		T := r.PushTime
		if T <= 0 {
			T = DefaultPushDuration
		}
		J := r.PushImpulse
		if J <= 0 {
			J = DefaultPushImpulse
		}
		r.pushForce, r.pushLeft = d.Scale(J/T), T
	case ctlCommand:
		r.cmd, r.cmdDirty = c.v, true
		r.sendCommand()
	}
}

func (r *Runner) doReset() {
	var err error
	if r.ResetFunc != nil {
		err = r.ResetFunc()
	} else {
		err = r.World.Reset(0)
	}
	r.endPush()
	r.errText, r.err, r.durHit = "", nil, false
	if err != nil {
		r.errText, r.err, r.paused = "reset: "+err.Error(), err, true
	}
}

func (r *Runner) endPush() {
	if r.pushLeft > 0 || r.pushForce != (spatial.Vec3{}) {
		r.World.XfrcApplied[r.pushBody()].Lin = spatial.Vec3{}
	}
	r.pushLeft, r.pushForce = 0, spatial.Vec3{}
}

// sendCommand hands the velocity command to the Commander when it changed
// or is due for repeating.
func (r *Runner) sendCommand() {
	if r.Commander == nil {
		return
	}
	t := r.World.Time
	if !r.cmdDirty && t >= r.cmdSent && t < r.cmdSent+CommandRepeat {
		return
	}
	r.cmdErr = ""
	if err := r.Commander.SetVelocity(r.cmd); err != nil {
		r.cmdErr = err.Error()
	}
	r.cmdDirty, r.cmdSent = false, t
}

// tick runs one control period with any push in progress.
func (r *Runner) tick() {
	r.sendCommand()
	pushing := r.pushLeft > 0
	if pushing {
		r.World.XfrcApplied[r.pushBody()].Lin = r.pushForce
	}
	err := r.Tick()
	if pushing {
		r.pushLeft -= r.Period
		if r.pushLeft <= r.Period*1e-6 {
			r.endPush()
		}
	}
	if err != nil {
		r.err, r.errText, r.paused = err, err.Error(), true
		r.endPush()
	}
	if r.Duration > 0 && !r.durHit && r.World.Time >= r.Duration-r.Period/2 {
		r.durHit, r.paused = true, true
	}
}

// Advance runs ticks until simulated time reaches t (lock-step use only). It
// stops at the first Tick error and returns it.
func (r *Runner) Advance(t float64) error {
	for r.World.Time < t-r.Period/2 {
		r.tick()
		if r.err != nil {
			return r.err
		}
	}
	return nil
}

// Capture fills and returns the runner's snapshot of the current state, with
// the plan and status (lock-step use only; the snapshot is reused by the next
// Capture).
func (r *Runner) Capture() *Snapshot {
	r.fill(r.writing)
	return r.writing
}

func (r *Runner) fill(s *Snapshot) {
	s.Capture(r.World, r.data)
	s.Plan.Reset()
	if r.Plan != nil {
		r.Plan(&s.Plan)
	}
	mode := ""
	if r.Mode != nil {
		mode = r.Mode()
	}
	s.Status = Status{RealTimeFactor: r.rtf, Slow: r.slow, Fast: r.Fast, Paused: r.paused, Mode: mode,
		Command: r.cmd, CommandUnused: r.Commander == nil, CommandErr: r.cmdErr, Pushing: r.pushLeft > 0, Err: r.errText}
}

func (r *Runner) publish() {
	r.fill(r.writing)
	r.writing = r.Exchange.Publish(r.writing)
}

// Start runs the simulation on a new goroutine until Stop.
func (r *Runner) Start() {
	go r.loop()
}

// Stop ends the simulation goroutine and waits for it. It returns the error
// that stopped the simulation, if one did and no reset followed.
func (r *Runner) Stop() error {
	r.once.Do(func() { close(r.stop) })
	<-r.done
	return r.err
}

// Pacing constants.
const (
	publishEvery = 4 * time.Millisecond   // at most this often (wall) a snapshot is published
	maxLag       = 0.1                    // s of simulated time the loop may fall behind before it drops the backlog
	rtfWindow    = 500 * time.Millisecond // the real-time factor is measured over this much wall time
)

func (r *Runner) loop() {
	defer close(r.done)
	w := r.World
	r.publish()
	wall0, sim0 := time.Now(), w.Time
	rtfWall, rtfSim := wall0, w.Time
	reanchor := func() { wall0, sim0 = time.Now(), w.Time }
	for {
		if r.paused {
			r.rtf = math.NaN()
			r.publish()
			select {
			case c := <-r.ctl:
				r.apply(c)
			case <-r.stop:
				return
			}
			reanchor()
			rtfWall, rtfSim = wall0, w.Time
			continue
		}
	drain:
		for {
			select {
			case c := <-r.ctl:
				slow := r.slow
				r.apply(c)
				if c.kind == ctlReset || r.slow != slow {
					reanchor()
				}
			case <-r.stop:
				return
			default:
				break drain
			}
		}
		if r.paused {
			continue
		}
		now := time.Now()
		if r.Fast {
			until := now.Add(publishEvery)
			for i := 0; !r.paused; i++ {
				r.tick()
				if i%8 == 7 && time.Now().After(until) {
					break
				}
			}
		} else {
			target := sim0 + now.Sub(wall0).Seconds()*r.slow
			if target-w.Time > maxLag { // cannot keep up: run what we can in real time from here
				sim0, wall0 = w.Time, now
				target = w.Time + r.Period
			}
			for !r.paused && w.Time+r.Period/2 < target {
				r.tick()
				if time.Since(now) > publishEvery*4 {
					break // keep publishing while far behind
				}
			}
		}
		now = time.Now()
		if d := now.Sub(rtfWall); d >= rtfWindow {
			r.rtf = (w.Time - rtfSim) / d.Seconds()
			rtfWall, rtfSim = now, w.Time
		}
		r.publish()
		if !r.Fast && !r.paused {
			due := wall0.Add(time.Duration((w.Time + r.Period - sim0) / r.slow * 1e9))
			sleep := max(min(due.Sub(now), 20*time.Millisecond), publishEvery/2)
			select {
			case <-time.After(sleep):
			case <-r.stop:
				return
			}
		}
	}
}

package simrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/tools/esteval"
	"github.com/stride-robotics/stride/tools/locoeval"
)

// Summary is what a headless run reports at its end (`stride sim`'s summary
// and its --json).
type Summary struct {
	Model           string  `json:"model"`
	Controller      string  `json:"controller"`
	SimTime         float64 `json:"sim_time_s"`
	WallTime        float64 `json:"wall_time_s"`
	RealTimeFactor  float64 `json:"real_time_factor"`
	Steps           int64   `json:"steps"`
	StepsPerSecond  float64 `json:"steps_per_s"`
	FinalBaseHeight float64 `json:"final_base_height_m"`
	MaxPenetration  float64 `json:"max_penetration_m"`
	Fell            bool    `json:"fell"`
	Error           string  `json:"error,omitempty"`
	// Interrupted names the signal that stopped the run before its
	// duration ("SIGINT", "SIGTERM", "SIGHUP"); empty when it ran to the end.
	Interrupted string `json:"interrupted,omitempty"`
	// Halted says the robot was left in damping (hal.Robot.Halt) at the end.
	Halted bool `json:"halted"`

	Clock     string               `json:"clock"` // lock-step or realtime
	FinalMode string               `json:"final_mode"`
	Faults    []string             `json:"faults"` // fault events, in order
	Events    []string             `json:"events"` // every event (mode changes, faults, notes), in order
	Loop      runtime.HealthReport `json:"loop"`
	UDP       *runtime.UDPStats    `json:"udp,omitempty"`
	Log       *LogSummary          `json:"log,omitempty"`
	// Estimator scores the loop's estimator against ground truth; Baseline
	// the linear filter run side by side on the same samples (absent when
	// the loop's estimator is the baseline itself or truth).
	Estimator *esteval.Report `json:"estimator,omitempty"`
	Baseline  *esteval.Report `json:"baseline,omitempty"`
	// Locomotion scores the walking of a run with locomotion mode (from
	// ground truth and the walker's counters: zero for another controller);
	// absent when the run never entered locomotion or ran the placeholder.
	Locomotion *locoeval.Report `json:"locomotion,omitempty"`
}

// LogSummary says what went into the telemetry log.
type LogSummary struct {
	Path string `json:"path"`
	telemetry.Stats
}

// Run is a headless simulated run's settings.
type Run struct {
	Config     *runtime.Config
	Script     *runtime.Script // Script's start-up sequence and the user's steps; nil: none
	Controller string          // reported in the summary
	Duration   time.Duration   // simulated time to run
	Realtime   bool            // pace to the wall clock (else lock-step)
	ConfigPath string          // re-read when it changes ("": no watch)
	LogPath    string          // telemetry log ("": none)
	LogForce   bool            // LogPath may replace an existing file (--force)
	ModelPath  string          // the model file, for the log's model hash ("": built-in)
	Estimator  string          // the loop's estimator by name (esteval.Names; "": esteval.Default)
	// Progress, when set, is called every 100 ticks with the tick number.
	Progress func(tick int64)
	// Stderr receives the line naming the UDP command port; nil: discarded.
	Stderr io.Writer
	// Logf is the loop's message printer (LoopSetup.Logf).
	Logf func(string, ...any)
	// Locomotion is what locomotion mode runs (a learned policy); nil: the
	// walker of the robot's model, scored in the summary.
	Locomotion runtime.Controller
}

// probe watches the simulation from the recorder's seat: contact
// penetration and progress. It forwards to the log when there is one.
type probe struct {
	w        *sim.World
	next     runtime.Recorder
	progress func(int64)
	pen      float64
	loco     *locoProbe // nil: no walker
}

func (p *probe) Record(t *telemetry.Tick) {
	for _, ct := range p.w.Contacts {
		p.pen = math.Max(p.pen, -ct.Dist)
	}
	if p.loco != nil {
		p.loco.record(t)
	}
	if p.progress != nil && t.Tick%100 == 0 {
		p.progress(int64(t.Tick))
	}
	if p.next != nil {
		p.next.Record(t)
	}
}

func (p *probe) Event(e *telemetry.Event) {
	if p.next != nil {
		p.next.Event(e)
	}
}

// Ticks is the number of loop ticks in the run's duration.
func (r *Run) Ticks() int64 {
	return int64(math.Round(r.Duration.Seconds() / r.Config.Period()))
}

// Simulate runs the runtime loop on robot for r.Duration of simulated time
// (until ctx is cancelled: an interrupted run reports what ran) and
// summarises the run. The summary is nil when nothing ran; with a summary,
// the error is also in Summary.Error. A run stopped by a signal (ctx from
// NotifySignals) is stopped in order — the robot halted to damping, a note
// in the log, the log closed and indexed — and returns the summary, with
// Interrupted set, and the *Interrupt.
func (r *Run) Simulate(ctx context.Context, robot *simhal.Robot) (*Summary, error) {
	w := robot.World
	sum := &Summary{Model: w.Model.Name, Controller: r.Controller, Clock: "lock-step", Faults: []string{}, Events: []string{}}
	if r.Realtime {
		sum.Clock = "realtime"
	}
	period := r.Config.Period()
	ticks := r.Ticks()
	if ticks < 1 { // Loop.Run takes 0 ticks as "until cancelled"
		return nil, fmt.Errorf("--duration %v: shorter than one control period (%v at loop.rate %g Hz)", r.Duration, time.Duration(period*1e9), r.Config.Loop.Rate)
	}
	pr := &probe{w: w, progress: r.Progress}
	var log *telemetry.Writer
	est, err := esteval.New(r.Estimator, robot)
	if err != nil {
		return nil, err
	}
	tap, err := esteval.NewTap(r.Estimator, est, robot)
	if err != nil {
		return nil, err
	}
	setup := LoopSetup{Config: r.Config, Realtime: r.Realtime, Recorder: pr, Script: r.Script, Truth: r.LogPath != "", Logf: r.Logf, Estimator: tap}
	if r.Locomotion != nil {
		setup.Controller = r.Locomotion
		pr.loco, _ = newLocoProbe(robot, nil, period) // no walking profile for the model: no scores
	} else if wk, err := Walker(robot); err == nil {
		setup.Controller = wk
		if pr.loco, err = newLocoProbe(robot, wk, period); err != nil {
			return nil, err
		}
	} // else NewLoop says why and keeps the placeholder
	loop, err := NewLoop(robot, setup)
	if err != nil {
		return nil, err
	}
	if r.LogPath != "" {
		// After the loop: the header lists the channels its controller and
		// estimator declared. Lock-step outpaces the disk: the writer
		// blocks rather than drop.
		if log, err = OpenLog(r.LogPath, r.LogForce, robot, r.ModelPath, r.Config, !r.Realtime, loop.Declared(), r.Estimator); err != nil {
			loop.Close()
			return nil, err
		}
		pr.next = log
	}
	if r.ConfigPath != "" {
		loop.WatchConfig(ctx, r.ConfigPath)
	}
	if err := loop.OpenSources(); err != nil {
		return nil, err
	}
	if u := loop.UDP(); u != nil && r.Stderr != nil {
		fmt.Fprintf(r.Stderr, "stride sim: commands on udp %v\n", u.Addr())
	}
	h0 := robot.Truth().BasePos[2]
	steps0 := w.Steps
	start := time.Now()
	var runErr error
	if r.Realtime {
		// Deadlines the overrun policy skips are simulated without a tick:
		// run in short stretches until the simulated time is reached.
		last := w.Time + float64(ticks-1)*period // time of the last tick
		for runErr == nil {
			n := min(100, int64(math.Round((last-w.Time)/period)))
			if loop.Health().Ticks == 0 {
				n++ // the first tick does not advance the physics
			}
			if n <= 0 {
				break
			}
			runErr = loop.Run(ctx, n)
		}
	} else {
		runErr = loop.Run(ctx, ticks)
	}
	if runErr == nil {
		if runErr = robot.Advance(period); runErr != nil { // the last tick's command acts for its period too
			loop.RecordStop(runErr) // the loop records its own clock's failures
		}
	}
	wall := time.Since(start).Seconds()
	tr := robot.Truth()
	sum.SimTime = w.Time
	sum.WallTime = wall
	sum.Steps = w.Steps - steps0
	if wall > 0 {
		sum.RealTimeFactor = w.Time / wall
		sum.StepsPerSecond = float64(sum.Steps) / wall
	}
	sum.FinalBaseHeight = tr.BasePos[2]
	sum.MaxPenetration = pr.pen
	q := tr.BaseQuat
	tilt := math.Acos(math.Max(-1, math.Min(1, 1-2*(q.X*q.X+q.Y*q.Y))))
	sum.Fell = tr.BasePos[2] < 0.6*h0 || tilt > math.Pi/3
	var intr *Interrupt
	if errors.Is(runErr, context.Canceled) && errors.As(context.Cause(ctx), &intr) {
		sum.Interrupted = intr.Name()
		note := telemetry.Event{Time: w.Time, Tick: uint64(loop.Health().Ticks), Kind: telemetry.EventNote, Joint: -1}
		note.SetMsg("run interrupted by " + intr.Name() + ": robot to damping, log closed")
		pr.Event(&note)
		defer func() {
			sum.Events = append(sum.Events, fmt.Sprintf("%.3f s %s: %s", note.Time, telemetry.EventKindNames[note.Kind], note.Text()))
		}()
	}
	sum.FinalMode = loop.Mode().String()
	for _, e := range loop.Events() {
		line := fmt.Sprintf("%.3f s %s: %s", e.Time, telemetry.EventKindNames[e.Kind], e.Text())
		sum.Events = append(sum.Events, line)
		if e.Kind == telemetry.EventFault {
			sum.Faults = append(sum.Faults, line)
		}
	}
	sum.Loop = loop.Health().Report()
	sum.Estimator, sum.Baseline = tap.Report()
	if pr.loco != nil {
		sum.Locomotion = pr.loco.meter.Report()
	}
	udp := loop.UDP()
	if err := loop.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if udp != nil {
		// Counted after Close, which waits for the server's goroutine: a
		// message in flight at the stop is counted as received and as what
		// became of it, never as received alone.
		st := udp.Stats()
		sum.UDP = &st
	}
	sum.Halted = robot.Halted()
	if log != nil {
		if err := log.Close(); err != nil && runErr == nil {
			runErr = err
		}
		sum.Log = &LogSummary{Path: r.LogPath, Stats: log.Stats()}
	}
	if errors.Is(runErr, context.Canceled) {
		runErr = nil // interrupted: report what ran
		if intr != nil {
			return sum, intr
		}
	}
	if runErr != nil {
		sum.Error = runErr.Error()
	}
	return sum, runErr
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"sort"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/scene"
)

// simFlags are the settings shared by every command that builds a world.
type simFlags struct {
	Model      string        `help:"MJCF (.xml) or URDF (.urdf) file; the built-in robot when omitted." type:"path"`
	Dt         time.Duration `default:"1ms" help:"Physics timestep (0.5ms–2ms tested)."`
	Integrator string        `default:"euler" enum:"euler,rk4" help:"euler (MuJoCo's semi-implicit Euler) or rk4."`
	Terrain    string        `default:"flat" help:"flat, slope:DEG, stairs:RISE_CM, rough:AMP_CM, or model (the model's own world geoms)."`
	Key        int           `default:"0" help:"Keyframe to start from (-1: the model's reference pose, set on the ground; also used when the model has no keyframes)."`
}

func (f *simFlags) world() (*sim.World, error) {
	w, notes, err := scene.New(scene.Spec{Model: f.Model, Timestep: f.Dt.Seconds(), Integrator: f.Integrator, Terrain: f.Terrain, Key: f.Key})
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, "stride sim: note:", n)
	}
	return w, err
}

type simCmd struct {
	simFlags
	viewFlags
	Headless   bool          `help:"Run without a window."`
	Duration   time.Duration `default:"10s" help:"Simulated time to run."`
	Controller string        `default:"stand" enum:"stand,locomotion,none" help:"What the runtime is asked to do at the start: stand (standup, then stand), locomotion (standup, stand, then locomotion: a placeholder that holds the stand posture until the gait controller exists) or none (stay in damping; leave it to --commands)."`
	Kp         *float64      `help:"Override stand.kp (N·m/rad) of the config."`
	Kd         *float64      `help:"Override stand.kd (N·m·s/rad) of the config."`
	Rate       *float64      `help:"Override loop.rate (Hz) of the config."`
	Noise      bool          `help:"Realistic sensor noise (encoders, IMU)."`
	Seed       uint64        `default:"1" help:"Sensor noise seed."`
	JSON       bool          `help:"Print the summary as JSON."`
	Config     string        `help:"Runtime config (YAML; see 'stride config print'). Re-read when it changes, applied at the next tick." type:"path"`
	Commands   string        `help:"Command script: timed set-points and mode requests (YAML; docs/commands.md)." type:"path"`
	Realtime   bool          `help:"Pace the loop to the wall clock (default: lock-step, as fast as possible)."`
	Log        string        `help:"Write a telemetry log of every tick and event (msgpack; docs/telemetry.md)." type:"path"`
}

// simSummary is what `stride sim` reports at the end of a run.
type simSummary struct {
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

	Clock     string               `json:"clock"` // lock-step or realtime
	FinalMode string               `json:"final_mode"`
	Faults    []string             `json:"faults"` // fault events, in order
	Events    []string             `json:"events"` // every event (mode changes, faults, notes), in order
	Loop      runtime.HealthReport `json:"loop"`
	UDP       *runtime.UDPStats    `json:"udp,omitempty"`
	Log       *simLogSummary       `json:"log,omitempty"`
}

// simLogSummary says what went into the telemetry log.
type simLogSummary struct {
	Path string `json:"path"`
	telemetry.Stats
}

func (c *simCmd) Run() error {
	if c.Duration <= 0 {
		return fmt.Errorf("--duration %v: want a positive duration", c.Duration)
	}
	if done, err := c.view(); done { // the viewer (view.go): window, --screenshot, --record
		return err
	}
	sum, err := c.simulate()
	if sum == nil {
		return err
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err2 := enc.Encode(sum); err2 != nil {
			return err2
		}
	} else {
		printSummary(sum)
	}
	return err
}

// simulate builds the world and the runtime loop from the flags and runs it
// headless; the summary is nil when nothing ran.
func (c *simCmd) simulate() (*simSummary, error) {
	cfg, err := c.runtimeConfig()
	if err != nil {
		return nil, err
	}
	var script *runtime.Script
	if c.Commands != "" {
		lim := runtime.Limits{MaxVx: cfg.Commands.MaxVx, MaxVy: cfg.Commands.MaxVy, MaxYawRate: cfg.Commands.MaxYawRate,
			MinHeight: cfg.Commands.MinHeight, MaxHeight: cfg.Commands.MaxHeight}
		if script, err = runtime.LoadScript(c.Commands, lim); err != nil {
			return nil, err
		}
	}
	_, robot, err := c.simRobot()
	if err != nil {
		return nil, err
	}
	return runSim(robot, c, cfg, script)
}

// simRobot builds the world of the flags and the simulated robot on it, with
// the sensor noise asked for.
func (c *simCmd) simRobot() (*sim.World, *simhal.Robot, error) {
	w, err := c.world()
	if err != nil {
		return nil, nil, err
	}
	p := sim.SensorParams{}
	if c.Noise {
		p = sim.RealisticSensors(c.Seed)
	}
	robot, err := simhal.New(w, p)
	if err != nil {
		return nil, nil, err
	}
	return w, robot, nil
}

// runtimeConfig loads --config and applies the flag overrides.
func (c *simCmd) runtimeConfig() (*runtime.Config, error) {
	cfg, err := runtime.Load(c.Config)
	if err != nil {
		return nil, err
	}
	if c.Kp != nil {
		cfg.Stand.Kp = *c.Kp
	}
	if c.Kd != nil {
		cfg.Stand.Kd = *c.Kd
	}
	if c.Rate != nil {
		cfg.Loop.Rate = *c.Rate
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("after the command-line overrides: %w", err)
	}
	period, dt := cfg.Period(), c.Dt.Seconds()
	if n := period / dt; math.Abs(n-math.Round(n)) > 1e-6 || math.Round(n) < 1 {
		return nil, fmt.Errorf("loop.rate %g Hz: the control period (%g s) must be a whole number of physics timesteps (--dt %v)", cfg.Loop.Rate, period, c.Dt)
	}
	return cfg, nil
}

// simProbe watches the simulation from the recorder's seat: contact
// penetration and the progress bar. It forwards to the log when there is
// one.
type simProbe struct {
	w    *sim.World
	next runtime.Recorder
	bar  *progressbar.ProgressBar
	pen  float64
}

func (p *simProbe) Record(t *telemetry.Tick) {
	for _, ct := range p.w.Contacts {
		p.pen = math.Max(p.pen, -ct.Dist)
	}
	if p.bar != nil && t.Tick%100 == 0 {
		_ = p.bar.Set(int(t.Tick))
	}
	if p.next != nil {
		p.next.Record(t)
	}
}

func (p *simProbe) Event(e *telemetry.Event) {
	if p.next != nil {
		p.next.Event(e)
	}
}

func runSim(robot *simhal.Robot, c *simCmd, cfg *runtime.Config, script *runtime.Script) (*simSummary, error) {
	w := robot.World
	m := w.Model
	sum := &simSummary{Model: m.Name, Controller: c.Controller, Clock: "lock-step", Faults: []string{}, Events: []string{}}
	if c.Realtime {
		sum.Clock = "realtime"
	}
	period := cfg.Period()
	ticks := int64(math.Round(c.Duration.Seconds() / period))
	probe := &simProbe{w: w}
	if term.IsTerminal(int(os.Stderr.Fd())) && c.Duration >= 5*time.Second && !c.Realtime {
		probe.bar = progressbar.NewOptions64(ticks, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("simulating"), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	}
	switch c.Controller {
	case "stand", "locomotion":
		if script == nil {
			script = &runtime.Script{}
		}
		// standup at the start; for locomotion, locomotion once standing —
		// timed requests, like a script's
		steps := []runtime.ScriptStep{{T: 0, Cmd: runtime.Command{Mode: runtime.ModeStandup}}}
		if c.Controller == "locomotion" {
			steps = append(steps, runtime.ScriptStep{T: cfg.Standup.Duration + 0.1, Cmd: runtime.Command{Mode: runtime.ModeLocomotion}})
		}
		script.Steps = append(steps, script.Steps...)
		sort.SliceStable(script.Steps, func(i, j int) bool { return script.Steps[i].T < script.Steps[j].T })
	}
	var log *telemetry.Writer
	if c.Log != "" {
		var err error
		// lock-step outpaces the disk: the writer blocks rather than drop
		if log, err = openLog(c.Log, robot, c.Model, cfg, !c.Realtime); err != nil {
			return nil, err
		}
		probe.next = log
	}
	loop, err := newSimLoop(robot, loopSetup{cfg: cfg, realtime: c.Realtime, rec: probe, script: script, truth: log != nil})
	if err != nil {
		if log != nil {
			log.Close()
		}
		return nil, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if c.Config != "" {
		loop.WatchConfig(ctx, c.Config)
	}
	if err := loop.OpenSources(); err != nil {
		return nil, err
	}
	if u := loop.UDP(); u != nil {
		fmt.Fprintf(os.Stderr, "stride sim: commands on udp %v\n", u.Addr())
	}
	h0 := robot.Truth().BasePos[2]
	steps0 := w.Steps
	start := time.Now()
	var runErr error
	if c.Realtime {
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
		runErr = robot.Advance(period) // the last tick's command acts for its period too
	}
	wall := time.Since(start).Seconds()
	if probe.bar != nil {
		_ = probe.bar.Finish()
	}
	tr := robot.Truth()
	sum.SimTime = w.Time
	sum.WallTime = wall
	sum.Steps = w.Steps - steps0
	if wall > 0 {
		sum.RealTimeFactor = w.Time / wall
		sum.StepsPerSecond = float64(sum.Steps) / wall
	}
	sum.FinalBaseHeight = tr.BasePos[2]
	sum.MaxPenetration = probe.pen
	q := tr.BaseQuat
	tilt := math.Acos(math.Max(-1, math.Min(1, 1-2*(q.X*q.X+q.Y*q.Y))))
	sum.Fell = tr.BasePos[2] < 0.6*h0 || tilt > math.Pi/3
	sum.FinalMode = loop.Mode().String()
	for _, e := range loop.Events() {
		line := fmt.Sprintf("%.3f s %s: %s", e.Time, telemetry.EventKindNames[e.Kind], e.Text())
		sum.Events = append(sum.Events, line)
		if e.Kind == telemetry.EventFault {
			sum.Faults = append(sum.Faults, line)
		}
	}
	sum.Loop = loop.Health().Report()
	if u := loop.UDP(); u != nil {
		st := u.Stats()
		sum.UDP = &st
	}
	if err := loop.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if log != nil {
		if err := log.Close(); err != nil && runErr == nil {
			runErr = err
		}
		sum.Log = &simLogSummary{Path: c.Log, Stats: log.Stats()}
	}
	if errors.Is(runErr, context.Canceled) {
		runErr = nil // interrupted: report what ran
	}
	if runErr != nil {
		sum.Error = runErr.Error()
	}
	return sum, runErr
}

func printSummary(s *simSummary) {
	fmt.Printf("model %s, controller %s, %s clock\n", s.Model, s.Controller, s.Clock)
	fmt.Printf("simulated %.3f s in %.3f s wall: %.1f× real time, %.0f steps/s (%d steps)\n",
		s.SimTime, s.WallTime, s.RealTimeFactor, s.StepsPerSecond, s.Steps)
	fmt.Printf("final base height %.4f m, max penetration %.2f mm, fell: %v, final mode %s\n", s.FinalBaseHeight, s.MaxPenetration*1e3, s.Fell, s.FinalMode)
	l := s.Loop
	fmt.Printf("loop: %d ticks, compute p50 %.1f µs p99 %.1f µs max %.1f µs", l.Ticks, l.Compute.P50*1e6, l.Compute.P99*1e6, l.Compute.Max*1e6)
	if s.Clock == "realtime" {
		fmt.Printf("; lateness p99 %.1f µs max %.1f µs; missed %d (%.3f %%), overruns %d", l.Lateness.P99*1e6, l.Lateness.Max*1e6, l.Missed, l.MissedPercent, l.Overruns)
	}
	fmt.Println()
	for _, e := range s.Events {
		fmt.Println("  event", e)
	}
	if s.Log != nil {
		fmt.Printf("log %s: %d ticks, %d events, %d bytes, %d dropped\n", s.Log.Path, s.Log.Ticks, s.Log.Events, s.Log.Bytes, s.Log.DroppedTicks)
	}
	if s.Error != "" {
		fmt.Printf("stopped early: %s\n", s.Error)
	}
}

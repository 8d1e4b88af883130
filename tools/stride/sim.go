package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/sim/scene"
	"github.com/stride-robotics/stride/tools/esteval"
	"github.com/stride-robotics/stride/tools/simrun"
)

// simFlags are the settings shared by every command that builds a world.
type simFlags struct {
	Model      string        `help:"MJCF (.xml) or URDF (.urdf) file; the built-in robot when omitted." type:"path"`
	Dt         time.Duration `default:"1ms" help:"Physics timestep (0.5ms–2ms tested)."`
	Integrator string        `default:"euler" enum:"euler,rk4" help:"euler (MuJoCo's semi-implicit Euler) or rk4."`
	Terrain    string        `default:"flat" help:"flat, slope:DEG, stairs:RISE_CM, rough:AMP_CM, or model (the model's own world geoms)."`
	Key        int           `default:"0" help:"Keyframe to start from (-1: the model's reference pose, set on the ground; also used when the model has no keyframes)."`
}

func (f *simFlags) spec() scene.Spec {
	return scene.Spec{Model: f.Model, Timestep: f.Dt.Seconds(), Integrator: f.Integrator, Terrain: f.Terrain, Key: f.Key}
}

type simCmd struct {
	cmdline
	simFlags
	viewFlags
	emuFlags
	Headless     bool          `help:"Run without a window."`
	Duration     time.Duration `default:"10s" help:"Simulated time to run."`
	Controller   string        `default:"stand" enum:"stand,locomotion,policy,none" help:"What the runtime is asked to do at the start: stand (standup, then stand), locomotion (standup, stand, then locomotion: the walking controller, driven by --commands gait/vx/vy/yaw_rate), policy (the same with --policy running in locomotion mode; docs/policy.md) or none (stay in damping; leave it to --commands)."`
	Policy       string        `help:"With --controller policy: the learned policy (ONNX)." type:"path"`
	PolicyConfig string        `help:"With --controller policy: the policy's config (YAML; docs/policy.md)." type:"path"`
	Kp           *float64      `help:"Override stand.kp (N·m/rad) of the config."`
	Kd           *float64      `help:"Override stand.kd (N·m·s/rad) of the config."`
	Rate         *float64      `help:"Override loop.rate (Hz) of the config."`
	Noise        bool          `help:"Realistic sensor noise (encoders, IMU)."`
	Seed         uint64        `default:"1" help:"Sensor noise seed."`
	Estimator    string        `default:"inekf" enum:"inekf,linear,imu,truth" help:"Base-state estimator: inekf (contact-aided invariant EKF), linear (MIT Cheetah's linear KF, the baseline), imu (IMU orientation only) or truth (simulator ground truth: simulation only). Scored against truth in the summary, with the linear baseline beside it."`
	JSON         bool          `help:"Print the summary as JSON."`
	Config       string        `help:"Runtime config (YAML; see 'stride config print'). Re-read when it changes, applied at the next tick." type:"path"`
	Commands     string        `help:"Command script: timed set-points and mode requests (YAML; docs/commands.md)." type:"path"`
	PushAt       []string      `name:"push-at" sep:"none" placeholder:"T:PX,PY,PZ" help:"Push the robot at loop time T s by the impulse (PX, PY, PZ) N·s in its heading frame, over 0.05 s (repeatable; a script's push step, docs/commands.md)."`
	Realtime     bool          `help:"Pace the loop to the wall clock (default: lock-step, as fast as possible)."`
	Log          string        `help:"Write a telemetry log of every tick and event (msgpack; docs/telemetry.md)." type:"path"`
	Force        bool          `help:"Replace output files that already exist: --log, --screenshot, frames in --record (never one of the run's own inputs)."`
}

// inputs are the files the run reads, which its outputs must not be.
func (c *simCmd) inputs() []string {
	return nonEmpty(c.Model, c.Config, c.Commands, c.Policy, c.PolicyConfig)
}

func (c *simCmd) Run() error {
	if c.Duration <= 0 {
		return fmt.Errorf("--duration %v: want a positive duration", c.Duration)
	}
	if c.Dt <= 0 {
		return fmt.Errorf("--dt %v: want a positive physics timestep (0.5ms–2ms tested)", c.Dt)
	}
	if c.Terrain == "" { // given empty: the default is flat
		return fmt.Errorf(`--terrain "": want flat, slope:DEG, stairs:RISE_CM, rough:AMP_CM or model`)
	}
	if c.EmulateBus != "" { // the simulator as the robot's buses (sim_emulate.go)
		return c.emulate()
	}
	if err := c.checkUsed(); err != nil {
		return err
	}
	if err := checkOutputs(c.Force, c.inputs(), c.Log, c.Screenshot); err != nil {
		return err
	}
	if err := checkRecordDir(c.Record, c.Force, c.inputs()); err != nil {
		return err
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
func (c *simCmd) simulate() (*simrun.Summary, error) {
	cfg, script, err := c.startup()
	if err != nil {
		return nil, err
	}
	robot, err := c.simRobot()
	if err != nil {
		return nil, err
	}
	loco, err := c.policyController(robot)
	if err != nil {
		return nil, err
	}
	run := &simrun.Run{Config: cfg, Script: script, Controller: c.Controller, Duration: c.Duration, Realtime: c.Realtime,
		ConfigPath: c.Config, LogPath: c.Log, LogForce: c.Force, ModelPath: c.Model, Stderr: os.Stderr, Estimator: c.Estimator,
		Locomotion: loco}
	var bar *progressbar.ProgressBar
	if term.IsTerminal(int(os.Stderr.Fd())) && c.Duration >= 5*time.Second && !c.Realtime {
		bar = progressbar.NewOptions64(run.Ticks(), progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("simulating"), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		run.Progress = func(tick int64) { _ = bar.Set64(tick) }
	}
	ctx, stop := simrun.NotifySignals(context.Background())
	defer stop()
	sum, err := run.Simulate(ctx, robot)
	if bar != nil {
		_ = bar.Finish()
	}
	return sum, err
}

// startup loads the runtime config (with the flag overrides) and the
// start-up script of --controller and --commands.
func (c *simCmd) startup() (*runtime.Config, *runtime.Script, error) {
	cfg, err := simrun.Config(c.Config, simrun.Overrides{Kp: c.Kp, Kd: c.Kd, Rate: c.Rate}, c.Dt)
	if err != nil {
		return nil, nil, err
	}
	script, err := simrun.Script(cfg, c.Commands, c.Controller)
	if err == nil {
		script, err = simrun.AddPushes(script, c.PushAt)
	}
	if err != nil {
		return nil, nil, err
	}
	return cfg, script, nil
}

// simRobot builds the world of the flags and the simulated robot on it,
// printing the scene's notes.
func (c *simCmd) simRobot() (*simhal.Robot, error) {
	robot, notes, err := simrun.Robot(c.spec(), c.Noise, c.Seed)
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, "stride sim: note:", n)
	}
	return robot, err
}

func printSummary(s *simrun.Summary) {
	fmt.Printf("model %s, controller %s, %s clock\n", s.Model, s.Controller, s.Clock)
	fmt.Printf("simulated %.3f s in %.3f s wall: %.1f× real time, %.0f steps/s (%d steps)\n",
		s.SimTime, s.WallTime, s.RealTimeFactor, s.StepsPerSecond, s.Steps)
	if s.Interrupted != "" {
		fmt.Printf("interrupted by %s after %.3f s simulated: the robot was put to damping, the log closed\n", s.Interrupted, s.SimTime)
	}
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
	for _, r := range []*esteval.Report{s.Estimator, s.Baseline} {
		if r != nil {
			fmt.Println(r)
		}
	}
	if s.Locomotion != nil {
		fmt.Println(s.Locomotion)
	}
	if s.Log != nil {
		fmt.Printf("log %s: %d ticks, %d events, %d bytes, %d dropped\n", s.Log.Path, s.Log.Ticks, s.Log.Events, s.Log.Bytes, s.Log.DroppedTicks)
	}
	if s.Error != "" {
		fmt.Printf("stopped early: %s\n", s.Error)
	}
}

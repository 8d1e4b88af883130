package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/stride-robotics/stride/hal/canbus"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/tools/robotrun"
	"github.com/stride-robotics/stride/tools/simrun"
)

var simParamsNone = sim.SensorParams{}

type robotRunCmd struct {
	busFlags
	Config       string        `help:"Runtime config (YAML; 'stride config print'). loop.rate must be the robot file's rate." type:"path"`
	Commands     string        `help:"Command script (YAML; docs/commands.md)." type:"path"`
	Controller   string        `default:"stand" enum:"stand,locomotion,policy,none" help:"What is asked at the start: stand (standup, then stand), locomotion (then the walking controller, driven by --commands, UDP or the gamepad), policy (the same with --policy in locomotion mode; docs/policy.md) or none (damping until a command source asks)."`
	Policy       string        `help:"With --controller policy: the learned policy (ONNX)." type:"path"`
	PolicyConfig string        `help:"With --controller policy: the policy's config (YAML; docs/policy.md)." type:"path"`
	Model        string        `help:"The robot's model (MJCF or URDF), for the estimator and the walker; the built-in robot when omitted." type:"path"`
	Estimator    string        `default:"inekf" enum:"inekf,linear,imu" help:"Base-state estimator."`
	Duration     time.Duration `help:"Stop after this long (0: until Ctrl-C)."`
	Log          string        `help:"Telemetry log (docs/telemetry.md)." type:"path"`
	Force        bool          `help:"Replace --log if it exists."`
	JSON         bool          `help:"Print the summary as JSON (the shape of 'stride sim --json')."`
}

func (c *robotRunCmd) Run() error {
	if c.Duration < 0 {
		return fmt.Errorf("--duration %v: want a positive duration, or 0 for no limit", c.Duration)
	}
	if err := checkOutputs(c.Force, nonEmpty(c.Robot, c.Config, c.Commands, c.Model, c.Policy, c.PolicyConfig), c.Log); err != nil {
		return err
	}
	f, err := canbus.Load(c.Robot)
	if err != nil {
		return err
	}
	loco, err := robotPolicy(c.Controller, c.Policy, c.PolicyConfig, f.Info().JointNames())
	if err != nil {
		return err
	}
	cfg, err := simrun.Config(c.Config, simrun.Overrides{Rate: &f.Rate}, time.Second/time.Duration(f.Rate))
	if err != nil {
		return err
	}
	script, err := simrun.Script(cfg, c.Commands, c.Controller)
	if err != nil {
		return err
	}
	run := &robotrun.Run{File: f, BusDir: c.BusDir, Config: cfg, Script: script, Controller: c.Controller,
		Duration: c.Duration, LogPath: c.Log, LogForce: c.Force, ModelPath: c.Model, Estimator: c.Estimator, Stderr: os.Stderr, Locomotion: loco,
		Logf: func(format string, a ...any) { fmt.Fprintf(os.Stderr, "stride robot: "+format+"\n", a...) }}
	ctx, stop := simrun.NotifySignals(context.Background())
	defer stop()
	sum, err := run.Execute(ctx)
	if sum == nil {
		return err
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err2 := enc.Encode(sum); err2 != nil {
			return err2
		}
		return err
	}
	fmt.Printf("robot %s, controller %s, %.3f s wall, final mode %s, halted %v, disabled %v\n", sum.Model, sum.Controller, sum.WallTime, sum.FinalMode, sum.Halted, sum.Disabled)
	l := sum.Loop
	fmt.Printf("loop: %d ticks, compute p99 %.1f µs; lateness p50 %.1f µs p99 %.1f µs max %.1f µs; missed %d (%.3f %%), overruns %d\n",
		l.Ticks, l.Compute.P99*1e6, l.Lateness.P50*1e6, l.Lateness.P99*1e6, l.Lateness.Max*1e6, l.Missed, l.MissedPercent, l.Overruns)
	fmt.Printf("stand tracking over %d ticks: RMS %.4f rad, max %.4f rad\n", sum.Tracking.Ticks, sum.Tracking.RMS, sum.Tracking.Max)
	for _, b := range sum.Buses {
		fmt.Printf("bus %s: %d cycles, %d replies missed, %d late, %d garbled, bus-off %v; hand-over→send %.0f µs (max %.1f ms), send→last reply %.0f µs (max %.1f ms)\n",
			b.Bus, b.Cycles, b.Drops, b.Late, b.Garbled, b.Dead, b.SendDelayMean*1e6, b.SendDelayMax*1e3, b.ReplyDelayMean*1e6, b.ReplyDelayMax*1e3)
	}
	for _, e := range sum.Events {
		fmt.Println("  event", e)
	}
	if sum.Log != nil {
		fmt.Printf("log %s: %d ticks, %d events, %d bytes, %d dropped\n", sum.Log.Path, sum.Log.Ticks, sum.Log.Events, sum.Log.Bytes, sum.Log.DroppedTicks)
	}
	return err
}

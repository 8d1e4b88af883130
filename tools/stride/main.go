package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/alecthomas/kong"
)

// cli is the command tree; kong fills it from the arguments.
type cli struct {
	Model  modelCmd  `cmd:"" help:"Inspect a robot model and evaluate its dynamics."`
	Sim    simCmd    `cmd:"" help:"Run a robot in the simulator."`
	Log    logCmd    `cmd:"" help:"Read telemetry logs: info, export (CSV, MCAP), plot, replay, rerun."`
	Bench  benchCmd  `cmd:"" help:"Benchmarks: simulator step throughput, real-time loop timing."`
	Config configCmd `cmd:"" help:"Show the runtime configuration."`
	Robot  robotCmd  `cmd:"" help:"Deploy on a robot: CAN drives and an IMU (check, run, zero, example, compare; docs/robot.md)."`
	Policy policyCmd `cmd:"" help:"Inspect learned locomotion policies (ONNX): info, check."`
	Sweep  sweepCmd  `cmd:"" help:"Parameter sweeps and a CMA-ES optimiser over simulated rollouts, sharded across a cluster."`
}

func main() {
	var c cli
	ctx := kong.Parse(&c,
		kong.Name("stride"),
		kong.Description("Stride: humanoid locomotion runtime and simulator."),
		kong.UsageOnError(),
	)
	if err := ctx.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "stride:", err)
		var ec interface{ ExitCode() int }
		if errors.As(err, &ec) { // a run stopped by a signal: 128 + its number
			os.Exit(ec.ExitCode())
		}
		os.Exit(1)
	}
}

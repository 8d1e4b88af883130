// Command stride is Stride's one command-line tool: model inspection, the
// simulator, the robot runtime, telemetry logs and benchmarks.
//
//	stride model info [FILE] [--json]     print a model
//	stride model fd [FILE] < states.csv   forward/inverse dynamics per CSV row
//	stride model export                   print the built-in robot's MJCF
//	stride sim [--headless] [--duration 10s]  the robot in the simulator (what `make run` runs)
//	stride config print [--config FILE]   the effective runtime config
//	stride log info|export|plot|replay|rerun FILE   telemetry logs
//	stride bench sim|rbd|loop             benchmarks (sim and rbd beside MuJoCo with --peer auto)
//
// FILE is an MJCF (.xml) or URDF (.urdf) file; without it the built-in
// PM01-class robot is used.
//
// This is where a backend is chosen and the packages are wired together: it
// may import every package of the module, and nothing imports it.
package main

import (
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
		os.Exit(1)
	}
}

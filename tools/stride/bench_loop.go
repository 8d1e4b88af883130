package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/tools/bench"
)

// benchLoopCmd times the real-time loop against a bare baseline.
type benchLoopCmd struct {
	Duration time.Duration `default:"60s" help:"Measured time of each loop (the full loop and the baseline each run this long, interleaved)."`
	Segment  time.Duration `default:"5s" help:"The two loops alternate in segments this long, so both see the same machine load."`
	Config   string        `help:"Runtime config (loop.rate, loop.spin, GC settings, …)." type:"path"`
	Log      string        `help:"Telemetry log of the full loop (default: a temporary file, removed at the end)." type:"path"`
	JSON     bool          `help:"Print JSON."`
	Force    bool          `help:"Replace an existing --log (never the --config file)."`
}

func (c *benchLoopCmd) Run() error {
	if err := checkOutputs(c.Force, nonEmpty(c.Config), c.Log); err != nil {
		return err
	}
	cfg, err := runtime.Load(c.Config)
	if err != nil {
		return err
	}
	res, runErr := bench.Loop(bench.LoopOptions{Config: cfg, Duration: c.Duration, Segment: c.Segment, Log: c.Log, Force: c.Force, Stderr: os.Stderr})
	if res == nil {
		return runErr
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		printBenchLoop(res)
	}
	return runErr
}

func printBenchLoop(r *bench.LoopResult) {
	us := func(s float64) string { return fmt.Sprintf("%8.1f", s*1e6) }
	fmt.Printf("loop at %g Hz, spin %g µs, %d interleaved segments; load average %s → %s (shared machine)\n",
		r.Rate, r.Spin*1e6, r.Segments, r.LoadAvgBefore, r.LoadAvgAfter)
	fmt.Printf("%-32s %8s %8s %8s %8s  %s\n", "lateness (µs)", "p50", "p99", "p99.9", "max", "missed deadlines / overruns")
	for _, f := range []bench.LoopFigures{r.Baseline, r.Full} {
		l := f.Health.Lateness
		fmt.Printf("%-32s %s %s %s %s  %d of %d (%.3f %%) / %d\n", f.Name, us(l.P50), us(l.P99), us(l.P999), us(l.Max),
			f.Health.Missed, f.Health.Deadlines, f.Health.MissedPercent, f.Overruns)
	}
	c := r.Full.Health.Compute
	fmt.Printf("%-32s %s %s %s %s\n", "full loop compute (µs)", us(c.P50), us(c.P99), us(c.P999), us(c.Max))
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Printf("p99.9 lateness full/baseline = %.2f (goal ≤ 1.5: %s); missed %.3f %% (goal ≤ 0.1 %%: %s)\n",
		r.RatioP999, verdict(r.GoalRatio), r.Full.Health.MissedPercent, verdict(r.GoalMissed))
	fmt.Printf("telemetry: %d ticks, %d events written, %d ticks dropped; final mode %s\n",
		r.Telemetry.Ticks, r.Telemetry.Events, r.Telemetry.DroppedTicks, r.FinalMode)
	for _, f := range r.Faults {
		fmt.Println("fault:", f)
	}
	for _, w := range r.Warnings {
		fmt.Println("warning:", w)
	}
}

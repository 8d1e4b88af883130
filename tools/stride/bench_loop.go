package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/tools/simrun"
)

// benchLoopCmd times the real-time loop against a bare baseline.
type benchLoopCmd struct {
	Duration time.Duration `default:"60s" help:"Measured time of each loop (the full loop and the baseline each run this long, interleaved)."`
	Segment  time.Duration `default:"5s" help:"The two loops alternate in segments this long, so both see the same machine load."`
	Config   string        `help:"Runtime config (loop.rate, loop.spin, GC settings, …)." type:"path"`
	Log      string        `help:"Telemetry log of the full loop (default: a temporary file, removed at the end)." type:"path"`
	JSON     bool          `help:"Print JSON."`
}

// loopFigures are one loop's timing figures.
type loopFigures struct {
	Name     string               `json:"name"`
	Health   runtime.HealthReport `json:"health"`
	Overruns uint64               `json:"overruns"`
}

type benchLoopResult struct {
	Rate          float64         `json:"rate_hz"`
	Spin          float64         `json:"spin_s"`
	Segments      int             `json:"segments"`
	Baseline      loopFigures     `json:"baseline"`
	Full          loopFigures     `json:"full"`
	RatioP999     float64         `json:"full_over_baseline_p999"`
	GoalRatio     bool            `json:"goal_p999_within_1_5x"`
	GoalMissed    bool            `json:"goal_missed_at_most_0_1pct"`
	FinalMode     string          `json:"final_mode"`
	Faults        []string        `json:"faults"`
	Telemetry     telemetry.Stats `json:"telemetry"`
	LoadAvgBefore string          `json:"loadavg_before"`
	LoadAvgAfter  string          `json:"loadavg_after"`
	Warnings      []string        `json:"warnings,omitempty"`
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// Run measures two loops in the same process, alternating segments:
//
//   - full: the runtime loop on the wall clock at loop.rate — the simulated
//     robot stepped one period per tick, standup then stand, the safety
//     layer, and a telemetry log written by its goroutine;
//   - baseline: the same wall clock (same sleep and spin, same thread, same
//     GC settings) with no work at all.
//
// Both count lateness (tick start − deadline) and missed deadlines the same
// way (late by more than loop.late_tolerance, or skipped).
func (c *benchLoopCmd) Run() error {
	if c.Duration <= 0 || c.Segment <= 0 {
		return fmt.Errorf("--duration and --segment must be positive")
	}
	cfg, err := runtime.Load(c.Config)
	if err != nil {
		return err
	}
	m, err := loadModel("")
	if err != nil {
		return err
	}
	opt := sim.DefaultOptions()
	opt.Timestep = cfg.Period()
	w, err := sim.NewWorld(m, nil, opt)
	if err != nil {
		return fmt.Errorf("loop.rate %g Hz as the physics timestep: %w", cfg.Loop.Rate, err)
	}
	robot, err := simhal.New(w, sim.SensorParams{})
	if err != nil {
		return err
	}
	logPath := c.Log
	if logPath == "" {
		dir, err := os.MkdirTemp("", "stride-bench-loop-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		logPath = filepath.Join(dir, "bench.stl")
	}
	log, err := simrun.OpenLog(logPath, robot, "", cfg, false)
	if err != nil {
		return err
	}
	loop, err := simrun.NewLoop(robot, simrun.LoopSetup{Config: cfg, Realtime: true, Recorder: log, Truth: true,
		Logf: func(string, ...any) {}})
	if err != nil {
		log.Close()
		return err
	}
	_ = loop.Commands().Send(runtime.SourceAPI, runtime.Command{Mode: runtime.ModeStandup})

	res := benchLoopResult{Rate: cfg.Loop.Rate, Spin: cfg.Loop.Spin, LoadAvgBefore: loadavg(), Faults: []string{}}
	period := cfg.Period()
	segTicks := int64(math.Max(1, math.Round(c.Segment.Seconds()/period)))
	totalTicks := int64(math.Round(c.Duration.Seconds() / period))
	res.Segments = int((totalTicks + segTicks - 1) / segTicks)

	pol, _ := runtime.ParseOverrunPolicy(cfg.Loop.Overrun)
	lateTol := time.Duration(cfg.Loop.LateTolerance * 1e9)
	var base runtime.Health
	bare := &runtime.WallClock{Spin: time.Duration(cfg.Loop.Spin * 1e9), Policy: pol, MaxCatchup: cfg.Loop.MaxCatchup, CPU: -1}
	ctx := context.Background()
	fmt.Fprintf(os.Stderr, "stride bench loop: %d segments of %v each for the full loop and the baseline at %g Hz (about %v); load average %s\n",
		res.Segments, c.Segment, cfg.Loop.Rate, 2*c.Duration, res.LoadAvgBefore)
	var runErr error
	for done := int64(0); done < totalTicks && runErr == nil; done += segTicks {
		n := min(segTicks, totalTicks-done)
		// The full loop (its clock locks this goroutine's thread and tunes
		// the GC on the first segment; the baseline shares both).
		if wc, ok := loopClock(loop); ok && done > 0 {
			wc.Rebase()
		}
		runErr = loop.Run(ctx, n)
		// The baseline: the same clock, no work.
		if err := bare.Start(period); err != nil {
			runErr = err
			break
		}
		for i := int64(0); i < n; i++ {
			b, err := bare.Wait()
			if err != nil {
				runErr = err
				break
			}
			base.Observe(&b, lateTol)
		}
		bare.Stop()
	}
	if wc, ok := loopClock(loop); ok {
		res.Warnings = wc.Warnings
	}
	res.FinalMode = loop.Mode().String()
	for _, e := range loop.Events() {
		if e.Kind == telemetry.EventFault {
			res.Faults = append(res.Faults, fmt.Sprintf("%.3f s: %s", e.Time, e.Text()))
		}
	}
	full := loop.Health()
	res.Full = loopFigures{Name: "full loop (sim + safety + log)", Health: full.Report(), Overruns: full.Overruns}
	res.Baseline = loopFigures{Name: "baseline (sleep + spin only)", Health: base.Report(), Overruns: base.Overruns}
	if err := loop.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if err := log.Close(); err != nil && runErr == nil {
		runErr = err
	}
	res.Telemetry = log.Stats()
	res.LoadAvgAfter = loadavg()
	if p := res.Baseline.Health.Lateness.P999; p > 0 {
		res.RatioP999 = res.Full.Health.Lateness.P999 / p
	}
	res.GoalRatio = res.RatioP999 <= 1.5
	res.GoalMissed = res.Full.Health.MissedPercent <= 0.1
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		printBenchLoop(&res)
	}
	return runErr
}

// loopClock digs the wall clock out of the loop's options (the bench made it).
func loopClock(l *runtime.Loop) (*runtime.WallClock, bool) {
	wc, ok := l.Clock().(*runtime.WallClock)
	return wc, ok
}

func printBenchLoop(r *benchLoopResult) {
	us := func(s float64) string { return fmt.Sprintf("%8.1f", s*1e6) }
	fmt.Printf("loop at %g Hz, spin %g µs, %d interleaved segments; load average %s → %s (shared machine)\n",
		r.Rate, r.Spin*1e6, r.Segments, r.LoadAvgBefore, r.LoadAvgAfter)
	fmt.Printf("%-32s %8s %8s %8s %8s  %s\n", "lateness (µs)", "p50", "p99", "p99.9", "max", "missed deadlines / overruns")
	for _, f := range []loopFigures{r.Baseline, r.Full} {
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

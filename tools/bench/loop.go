package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/tools/simrun"
)

// LoopFigures are one loop's timing figures.
type LoopFigures struct {
	Name     string               `json:"name"`
	Health   runtime.HealthReport `json:"health"`
	Overruns uint64               `json:"overruns"`
}

// LoopResult is what Loop measured.
type LoopResult struct {
	Rate          float64         `json:"rate_hz"`
	Spin          float64         `json:"spin_s"`
	Segments      int             `json:"segments"`
	Baseline      LoopFigures     `json:"baseline"`
	Full          LoopFigures     `json:"full"`
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

// LoopOptions are the loop benchmark's settings.
type LoopOptions struct {
	Config   *runtime.Config // loop.rate, loop.spin, GC settings, …
	Duration time.Duration   // measured time of each loop
	Segment  time.Duration   // the two loops alternate in segments this long
	Log      string          // telemetry log of the full loop ("": a temporary file, removed at the end)
	Force    bool            // Log may replace an existing file
	Stderr   io.Writer       // the start line
}

// Loop measures two loops in the same process, alternating segments:
//
//   - full: the runtime loop on the wall clock at loop.rate — the simulated
//     robot stepped one period per tick, standup then stand, the safety
//     layer, and a telemetry log written by its goroutine;
//   - baseline: the same wall clock (same sleep and spin, same thread, same
//     GC settings) with no work at all.
//
// Both count lateness (tick start − deadline) and missed deadlines the same
// way (late by more than loop.late_tolerance, or skipped).
func Loop(c LoopOptions) (*LoopResult, error) {
	if c.Duration <= 0 || c.Segment <= 0 {
		return nil, fmt.Errorf("--duration and --segment must be positive")
	}
	cfg := c.Config
	if c.Stderr == nil {
		c.Stderr = io.Discard
	}
	m, err := models.Builtin()
	if err != nil {
		return nil, err
	}
	opt := sim.DefaultOptions()
	opt.Timestep = cfg.Period()
	w, err := sim.NewWorld(m, nil, opt)
	if err != nil {
		return nil, fmt.Errorf("loop.rate %g Hz as the physics timestep: %w", cfg.Loop.Rate, err)
	}
	robot, err := simhal.New(w, sim.SensorParams{})
	if err != nil {
		return nil, err
	}
	logPath := c.Log
	if logPath == "" {
		dir, err := os.MkdirTemp("", "stride-bench-loop-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		logPath = filepath.Join(dir, "bench.stl")
	}
	log, err := simrun.OpenLog(logPath, c.Force, robot, "", cfg, false, nil, "")
	if err != nil {
		return nil, err
	}
	script, err := simrun.Script(cfg, "", "stand") // standup at the start, then stand: the start-up of stride sim
	if err != nil {
		log.Close()
		return nil, err
	}
	loop, err := simrun.NewLoop(robot, simrun.LoopSetup{Config: cfg, Realtime: true, Recorder: log, Truth: true,
		Script: script, Logf: func(string, ...any) {}})
	if err != nil {
		log.Close()
		return nil, err
	}

	res := &LoopResult{Rate: cfg.Loop.Rate, Spin: cfg.Loop.Spin, LoadAvgBefore: loadavg(), Faults: []string{}}
	period := cfg.Period()
	segTicks := int64(math.Max(1, math.Round(c.Segment.Seconds()/period)))
	totalTicks := int64(math.Round(c.Duration.Seconds() / period))
	res.Segments = int((totalTicks + segTicks - 1) / segTicks)

	pol, _ := runtime.ParseOverrunPolicy(cfg.Loop.Overrun)
	lateTol := time.Duration(cfg.Loop.LateTolerance * 1e9)
	var base runtime.Health
	bare := &runtime.WallClock{Spin: time.Duration(cfg.Loop.Spin * 1e9), Policy: pol, MaxCatchup: cfg.Loop.MaxCatchup, CPU: -1}
	ctx := context.Background()
	fmt.Fprintf(c.Stderr, "stride bench loop: %d segments of %v each for the full loop and the baseline at %g Hz (about %v); load average %s\n",
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
	res.Full = LoopFigures{Name: "full loop (sim + safety + log)", Health: full.Report(), Overruns: full.Overruns}
	res.Baseline = LoopFigures{Name: "baseline (sleep + spin only)", Health: base.Report(), Overruns: base.Overruns}
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
	return res, runErr
}

// loopClock digs the wall clock out of the loop's options (the bench made it).
func loopClock(l *runtime.Loop) (*runtime.WallClock, bool) {
	wc, ok := l.Clock().(*runtime.WallClock)
	return wc, ok
}

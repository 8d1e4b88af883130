package sweep

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/sim/scene"
	"github.com/stride-robotics/stride/tools/simrun"
)

// Row is one rollout's result: a line of the results file.
type Row struct {
	Sweep  string         `json:"sweep"` // SweepID
	N      int            `json:"n"`     // rollouts in the sweep
	ID     string         `json:"id"`
	Index  int            `json:"index"`
	Set    int            `json:"set"`
	Seed   uint64         `json:"seed"`
	Params map[string]any `json:"params"` // numbers as float64, other values as text
	Fell   bool           `json:"fell"`
	// Reason says why a rollout failed: the first fault, or the run's
	// error; empty when it ran clean.
	Reason  string             `json:"reason,omitempty"`
	Metrics map[string]float64 `json:"metrics"`
}

// startScript is the start-up sequence of controller (simrun.Script's).
func startScript(c *runtime.Config, controller string) ([]runtime.ScriptStep, error) {
	sc, err := simrun.Script(c, "", controller)
	if err != nil || sc == nil {
		return nil, err
	}
	return sc.Steps, nil
}

// Run runs rollout r in this goroutine — its own world, robot and loop —
// and returns its row. logPath, when set, keeps the rollout's telemetry
// log there (replacing a file of that name). ctx cancels the run (the row
// is then incomplete and the error says so).
func (s *Spec) Run(ctx context.Context, r Rollout, logPath string) (Row, error) {
	row := Row{ID: r.ID, Index: r.Index, Set: r.Set, Seed: r.Seed, Params: map[string]any{}}
	for _, v := range r.Vals {
		if x, ok := v.float(); ok {
			row.Params[v.Key] = x
		} else {
			row.Params[v.Key] = v.Text
		}
	}
	cfg, script, err := s.Setup(r.Vals)
	if err != nil {
		return row, err
	}
	sc := &s.Scenario
	robot, _, err := simrun.Robot(scene.Spec{Model: sc.Model, Timestep: sc.Dt.Seconds(), Integrator: sc.Integrator, Terrain: sc.Terrain}, sc.Noise, r.Seed)
	if err != nil {
		return row, err
	}
	run := &simrun.Run{Config: cfg, Script: script, Controller: sc.Controller, Duration: sc.Duration,
		Estimator: sc.Estimator, ModelPath: sc.Model, LogPath: logPath, LogForce: logPath != "",
		Logf: func(string, ...any) {}}
	sum, err := run.Simulate(ctx, robot)
	if sum == nil {
		return row, err
	}
	if ctx.Err() != nil {
		return row, ctx.Err()
	}
	row.Fell = sum.Fell
	switch {
	case len(sum.Faults) > 0:
		row.Reason = sum.Faults[0]
	case sum.Error != "":
		row.Reason = sum.Error
	}
	if row.Metrics, err = metrics(sum, s.Timing); err != nil {
		return row, err
	}
	return row, nil
}

// metrics flattens a run's summary into named numbers: every number and
// boolean (1/0) of `stride sim --json`'s summary by its dotted JSON path
// (arrays by index), plus faults (their count). Wall-clock measurements
// (wall time, real-time factor, steps per second, the loop's compute and
// lateness, the solvers' time percentiles) differ from run to run; they
// are kept only with timing.
func metrics(sum *simrun.Summary, timing bool) (map[string]float64, error) {
	b, err := json.Marshal(sum)
	if err != nil {
		return nil, err
	}
	var tree map[string]any
	if err := json.Unmarshal(b, &tree); err != nil {
		return nil, err
	}
	out := map[string]float64{"faults": float64(len(sum.Faults))}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(join(prefix, k), e)
			}
		case []any:
			for i, e := range x {
				walk(join(prefix, fmt.Sprint(i)), e)
			}
		case float64:
			if !math.IsNaN(x) && !math.IsInf(x, 0) && (timing || !isTiming(prefix)) {
				out[prefix] = x
			}
		case bool:
			if x {
				out[prefix] = 1
			} else {
				out[prefix] = 0
			}
		}
	}
	for k, v := range tree {
		switch k {
		case "udp", "log", "faults", "events", "fell": // fell: the row's own column
			continue
		}
		walk(k, v)
	}
	return out, nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// isTiming says a metric is a wall-clock measurement.
func isTiming(k string) bool {
	switch k {
	case "wall_time_s", "real_time_factor", "steps_per_s":
		return true
	}
	if strings.HasPrefix(k, "loop.compute.") || strings.HasPrefix(k, "loop.lateness.") {
		return true
	}
	return strings.Contains(k, "_solve_us.") && !strings.HasSuffix(k, ".n")
}

// MetricNames lists the metric names of rows, sorted.
func MetricNames(rows []Row) []string {
	seen := map[string]bool{}
	for _, r := range rows {
		for k := range r.Metrics {
			seen[k] = true
		}
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/stride-robotics/stride/tools/simrun"
	"github.com/stride-robotics/stride/tools/sweep"
)

// defaultReportMetrics are shown beside the objective when present.
var defaultReportMetrics = []string{"locomotion.mean_speed_mps", "locomotion.speed_error_rms_mps", "locomotion.cost_of_transport"}

type sweepReportCmd struct {
	Spec    string   `arg:"" help:"The sweep's spec (its objective, constraints and output)." type:"existingfile"`
	Out     string   `help:"The sweep's output directory (default: the spec's output); results.jsonl is read from it." type:"path"`
	Metrics []string `help:"Metrics to show and plot (default: the objective, mean speed, speed error, cost of transport)." sep:","`
	Top     int      `default:"20" help:"Rows of the ranked table (0: all)."`
	Plots   string   `help:"Directory for the PNG plots (default: OUT/plots; \"-\": none)." type:"path"`
}

func (c *sweepReportCmd) Run() error {
	spec, err := sweep.Load(c.Spec)
	if err != nil {
		return err
	}
	out := c.Out
	if out == "" {
		out = spec.Output
	}
	rows, err := sweep.ReadRows(filepath.Join(out, "results.jsonl"))
	if err != nil {
		return fmt.Errorf("%w (run the sweep, or gather its shards, first)", err)
	}
	if len(rows) == 0 {
		return fmt.Errorf("%s: no rows", out)
	}
	if rows[0].N != len(rows) {
		fmt.Fprintf(os.Stderr, "stride sweep report: %d of %d rollouts in the results: the report covers those\n", len(rows), rows[0].N)
	}
	metrics := c.Metrics
	if len(metrics) == 0 {
		have := map[string]bool{}
		for _, m := range sweep.MetricNames(rows) {
			have[m] = true
		}
		if o := spec.Objective.Metric; o != "" {
			metrics = append(metrics, o)
		}
		for _, m := range defaultReportMetrics {
			if have[m] && m != spec.Objective.Metric {
				metrics = append(metrics, m)
			}
		}
	}
	params := sweep.ParamNames(rows)
	sets := sweep.Summarise(rows, spec.Limits)
	ranked := sweep.Rank(sets, spec.Objective)
	falls := 0
	for _, r := range rows {
		if r.Fell {
			falls++
		}
	}
	fmt.Printf("%s: %d rollouts in %d parameter sets, %d fell (%.1f %%); ranked by %s (%s), feasible first\n\n",
		spec.Name, len(rows), len(ranked), falls, 100*float64(falls)/float64(len(rows)), spec.Objective.Metric, spec.Objective.Goal)
	sweep.WriteTable(os.Stdout, ranked, params, metrics, c.Top)
	if c.Plots == "-" {
		return nil
	}
	dir := c.Plots
	if dir == "" {
		dir = filepath.Join(out, "plots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := sweep.Plot(dir, sets, params, metrics)
	if len(files) > 0 {
		fmt.Printf("\nplots: %s\n", strings.Join(files, ", "))
	}
	return err
}

type sweepOptimizeCmd struct {
	Spec    string `arg:"" help:"Spec with an optimize section (docs/sweep.md)." type:"existingfile"`
	Out     string `help:"Output directory (default: the spec's output); the state file optimize.jsonl goes there." type:"path"`
	Workers int    `default:"0" help:"Rollouts in parallel (0: one per CPU)."`
}

func (c *sweepOptimizeCmd) Run() error {
	spec, err := sweep.Load(c.Spec)
	if err != nil {
		return err
	}
	if spec.Optimize == nil {
		return fmt.Errorf("%s: no optimize section", c.Spec)
	}
	out := c.Out
	if out == "" {
		out = spec.Output
	}
	if out == "" {
		return fmt.Errorf("no output directory: give output in the spec or --out")
	}
	ctx, stop := simrun.NotifySignals(context.Background())
	defer stop()
	bar := newSweepProgress("optimize " + spec.Name)
	bar.unit = "points"
	o := spec.Optimize
	pop := o.Population
	if pop == 0 {
		pop = 4 + int(3*math.Log(float64(len(o.Params))))
	}
	total := 2 + o.Generations*pop // the default, the start, the generations
	res, err := spec.RunOptimize(ctx, out, c.Workers, func(n int, best *sweep.Eval) {
		if best != nil {
			bar.name = fmt.Sprintf("optimize %s (best score %.4g)", spec.Name, best.Score)
		}
		bar.update(min(n, total), total, 0)
	})
	bar.finish()
	if res != nil {
		fmt.Printf("%s: %d points evaluated now, %d read back, %d generations\n", res.State, res.Evals, res.Resumed, res.Generations)
	}
	if err != nil {
		return err
	}
	show := func(name string, e *sweep.Eval) {
		if e == nil {
			return
		}
		var keys []string
		for k := range e.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var ps []string
		for _, k := range keys {
			ps = append(ps, fmt.Sprintf("%s=%.4g", k, e.Params[k]))
		}
		m := spec.Objective.Metric
		feas := "feasible"
		if !e.Feas {
			feas = "infeasible: " + e.Why
		}
		fmt.Printf("%-7s %s = %.4g ± %.2g over %d seeds, %d fell, %s\n        %s\n", name, m, e.Mean[m], e.Std[m], e.N, e.Falls, feas, strings.Join(ps, " "))
	}
	plotPath := filepath.Join(out, "search.png")
	if err := sweep.PlotSearch(plotPath, res.Points, spec.Objective, res.Default); err != nil {
		return err
	}
	fmt.Println("plot", plotPath)
	show("default", res.Default)
	show("start", res.Start)
	show("best", res.Best)
	return nil
}

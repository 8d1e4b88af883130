package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/stride-robotics/stride/tools/simrun"
	"github.com/stride-robotics/stride/tools/sweep"
)

// sweepCmd is `stride sweep …`: parameter sweeps and the optimiser
// (tools/sweep; docs/sweep.md).
type sweepCmd struct {
	Run      sweepRunCmd      `cmd:"" help:"Run a sweep spec's rollouts in parallel; results as JSON lines and CSV, resumable."`
	Report   sweepReportCmd   `cmd:"" help:"Rank a sweep's parameter sets (mean and spread over the seeds, fall rate) and plot metrics against parameters."`
	Gather   sweepGatherCmd   `cmd:"" help:"Merge the shard files of a sharded sweep in DIR into results.jsonl and results.csv."`
	Optimize sweepOptimizeCmd `cmd:"" help:"Search the spec's optimize parameters with CMA-ES for the best objective under the constraints; resumable."`
}

type sweepRunCmd struct {
	Spec    string `arg:"" help:"Sweep spec (YAML; docs/sweep.md)." type:"existingfile"`
	Out     string `help:"Output directory (default: the spec's output)." type:"path"`
	Workers int    `default:"0" help:"Rollouts in parallel (0: one per CPU)."`
	Shard   string `help:"Run shard I of N (I/N, I from 0): the rollouts whose index is I mod N." placeholder:"I/N"`
	Shards  int    `help:"Run one of N shards, its index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm array, --array=0-(N-1))."`
}

func (c *sweepRunCmd) Run() error {
	spec, err := sweep.Load(c.Spec)
	if err != nil {
		return err
	}
	out := c.Out
	if out == "" {
		out = spec.Output
	}
	i, n, err := shardOf(c.Shard, c.Shards)
	if err != nil {
		return err
	}
	if c.Workers < 0 {
		return fmt.Errorf("--workers %d: want 0 (one per CPU) or more", c.Workers)
	}
	ctx, stop := simrun.NotifySignals(context.Background())
	defer stop()
	o := sweep.Options{Out: out, Workers: c.Workers, Shard: i, Shards: n}
	bar := newSweepProgress("sweep " + spec.Name)
	o.Progress = bar.update
	res, err := spec.RunSweep(ctx, o)
	bar.finish()
	if res != nil {
		fmt.Printf("%s: %d rollouts (%d resumed, %d run), %d fell\n", res.File, res.Resumed+res.Ran, res.Resumed, res.Ran, res.Fell)
	}
	if err != nil {
		return err
	}
	logs, err := spec.KeepLogsOf(ctx, out, res.Rows)
	for _, l := range logs {
		fmt.Println("log", l)
	}
	return err
}

// shardOf reads --shard I/N, or --shards N with the index from the
// scheduler's environment.
func shardOf(shard string, shards int) (int, int, error) {
	switch {
	case shard != "" && shards != 0:
		return 0, 0, fmt.Errorf("--shard %s and --shards %d: give one", shard, shards)
	case shard != "":
		a, b, ok := strings.Cut(shard, "/")
		i, err1 := strconv.Atoi(a)
		n, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
			return 0, 0, fmt.Errorf("--shard %q: want I/N with 0 ≤ I < N, e.g. 0/4", shard)
		}
		return i, n, nil
	case shards < 0:
		return 0, 0, fmt.Errorf("--shards %d: want a positive count", shards)
	case shards == 0:
		return 0, 1, nil
	}
	var idx []string
	for _, k := range []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"} {
		if v := os.Getenv(k); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < 0 || i >= shards {
				return 0, 0, fmt.Errorf("--shards %d: %s=%q: want an index from 0 to %d", shards, k, v, shards-1)
			}
			return i, shards, nil
		}
		idx = append(idx, k)
	}
	return 0, 0, fmt.Errorf("--shards %d: neither %s is set; give --shard I/N", shards, strings.Join(idx, " nor "))
}

// sweepProgress is a progress bar with an ETA on a terminal, else a line
// every 10 s (cluster logs).
type sweepProgress struct {
	name  string
	unit  string // what is counted: "rollouts" or "points"
	bar   *progressbar.ProgressBar
	last  time.Time
	start time.Time
	first int
}

func newSweepProgress(name string) *sweepProgress {
	return &sweepProgress{name: name, unit: "rollouts", start: time.Now(), first: -1}
}

func (p *sweepProgress) update(done, total, fell int) {
	if p.first < 0 {
		p.first = done
		if term.IsTerminal(int(os.Stderr.Fd())) {
			p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription(p.name), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
				progressbar.OptionSetItsString(p.unit), progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
			_ = p.bar.Set(done)
		}
		return
	}
	if p.bar != nil {
		_ = p.bar.Set(done)
		p.bar.Describe(fmt.Sprintf("%s (%d fell)", p.name, fell))
		return
	}
	if time.Since(p.last) >= 10*time.Second || done == total {
		p.last = time.Now()
		eta := "?"
		if ran := done - p.first; ran > 0 {
			eta = (time.Duration(float64(time.Since(p.start)) / float64(ran) * float64(total-done))).Round(time.Second).String()
		}
		fmt.Fprintf(os.Stderr, "%s: %d/%d %s, %d fell, ETA %s\n", p.name, done, total, p.unit, fell, eta)
	}
}

func (p *sweepProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

type sweepGatherCmd struct {
	Dir string `arg:"" help:"Directory holding the shard files (shard-I-of-N.jsonl)." type:"existingdir"`
}

func (c *sweepGatherCmd) Run() error {
	rows, err := sweep.Gather(c.Dir)
	if err != nil {
		return err
	}
	fell := 0
	for _, r := range rows {
		if r.Fell {
			fell++
		}
	}
	fmt.Printf("%s: %d rollouts gathered into results.jsonl and results.csv, %d fell\n", c.Dir, len(rows), fell)
	return nil
}

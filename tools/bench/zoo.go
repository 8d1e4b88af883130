package bench

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/peer"
	"github.com/stride-robotics/stride/sim/rbd"
)

// mjstatC times MuJoCo's step on the PD-stand scenario and counts its
// solver's work (csrc/mjstat.c).
//
//go:embed csrc/mjstat.c
var mjstatC []byte

// Count is a per-step count over a run: its mean and its largest value.
type Count struct {
	Mean float64 `json:"mean"`
	Max  int     `json:"max"`
}

func (c *Count) add(x int) {
	c.Mean += float64(x)
	c.Max = max(c.Max, x)
}

// StrideRun is one timed run of Stride: CPU µs per step and the Newton
// solver's work per step.
type StrideRun struct {
	CPUMicros float64 `json:"cpu_us_per_step"`
	Iter      Count   `json:"newton_iterations"`
	LineEvals Count   `json:"line_search_evaluations"`
	Factor    Count   `json:"hessian_factorizations"`
	Contacts  float64 `json:"mean_contacts"`
	FinalZ    float64 `json:"final_base_z_m"`
}

// MujocoRun is one timed run of MuJoCo 2.2.2 (csrc/mjstat.c): CPU µs per
// mj_step and its solver's work per step (mjData.solver_iter; the sums over
// the iterations of mjSolverStat.neval and .nupdate).
type MujocoRun struct {
	CPUMicros float64 `json:"cpu_us_per_step"`
	Iter      Count   `json:"solver_iter"`
	Neval     Count   `json:"line_search_evaluations"`
	Nupdate   Count   `json:"cholesky_updates"`
	Contacts  float64 `json:"mean_contacts"`
	FinalZ    float64 `json:"final_base_z_m"`
	Line      string  `json:"line"`
}

// timeStride runs steps PD-stand steps of w from its keyframe 0 and returns
// the CPU time per step (process CPU time: the step allocates nothing, so
// the collector is idle) and the solver's counts.
func timeStride(w *sim.World, steps int, kp, kd float64, q0 []float64) (StrideRun, error) {
	var r StrideRun
	if err := w.Reset(0); err != nil {
		return r, err
	}
	copy(q0, w.Qpos)
	contacts := 0
	t0 := cpuTime()
	for i := 0; i < steps; i++ {
		pdCtrl(w, q0, kp, kd)
		if err := w.Step(); err != nil {
			return r, err
		}
		contacts += len(w.Contacts)
		r.Iter.add(w.SolverIterations)
		r.LineEvals.add(w.SolverLineEvals)
		r.Factor.add(w.SolverFactorizations)
	}
	r.CPUMicros = (cpuTime() - t0) / float64(steps) * 1e6
	n := float64(steps)
	r.Iter.Mean /= n
	r.LineEvals.Mean /= n
	r.Factor.Mean /= n
	r.Contacts = float64(contacts) / n
	r.FinalZ = w.Qpos[2]
	return r, nil
}

// cpuTime returns the process's user + system CPU time in seconds.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + 1e-6*float64(ru.Utime.Usec+ru.Stime.Usec)
}

// mujoco runs the MuJoCo side of the benchmark: mjstat built once.
type mujoco struct {
	bin, dir string
}

// newMujoco builds csrc/mjstat.c with gcc against libmujoco into a temporary
// directory (errors wrap peer.ErrUnavailable when that cannot happen here),
// or uses bin when it is not "auto".
func newMujoco(bin string) (*mujoco, error) {
	if bin != "auto" {
		return &mujoco{bin: bin}, nil
	}
	dir, err := os.MkdirTemp("", "stride-mjstat-")
	if err != nil {
		return nil, err
	}
	src := filepath.Join(dir, "mjstat.c")
	if err := os.WriteFile(src, mjstatC, 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	out := filepath.Join(dir, "mjstat")
	if err := peer.Build(src, out); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &mujoco{bin: out, dir: dir}, nil
}

func (p *mujoco) close() {
	if p.dir != "" {
		os.RemoveAll(p.dir)
	}
}

// run times one run of steps steps on the model (mjcf text, else the file)
// at timestep dt.
func (p *mujoco) run(mjcf []byte, file string, dt float64, steps int, kp, kd float64) (MujocoRun, error) {
	args := []string{"-t", strconv.FormatFloat(dt, 'g', -1, 64), "-n", strconv.Itoa(steps),
		"-p", strconv.FormatFloat(kp, 'g', -1, 64), "-d", strconv.FormatFloat(kd, 'g', -1, 64)}
	var out []byte
	var err error
	if mjcf != nil {
		out, err = peer.RunMJCF(p.bin, mjcf, args...)
	} else {
		out, err = peer.Run(p.bin, file, args...)
	}
	if err != nil {
		return MujocoRun{}, err
	}
	return parseMjstat(out)
}

// parseMjstat reads mjstat's "mjstat key value …" line.
func parseMjstat(out []byte) (MujocoRun, error) {
	var r MujocoRun
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "mjstat" {
			continue
		}
		kv := map[string]float64{}
		for i := 1; i+1 < len(f); i += 2 {
			x, err := strconv.ParseFloat(f[i+1], 64)
			if err != nil {
				return r, fmt.Errorf("mjstat: %s is %q: %v", f[i], f[i+1], err)
			}
			kv[f[i]] = x
		}
		for _, k := range []string{"cpu_us", "iter_mean", "iter_max", "neval_mean", "neval_max", "nupdate_mean", "nupdate_max", "ncon_mean", "z"} {
			if _, ok := kv[k]; !ok {
				return r, fmt.Errorf("mjstat: no %s in %q", k, line)
			}
		}
		r = MujocoRun{CPUMicros: kv["cpu_us"],
			Iter:     Count{kv["iter_mean"], int(kv["iter_max"])},
			Neval:    Count{kv["neval_mean"], int(kv["neval_max"])},
			Nupdate:  Count{kv["nupdate_mean"], int(kv["nupdate_max"])},
			Contacts: kv["ncon_mean"], FinalZ: kv["z"], Line: line}
		return r, nil
	}
	return r, fmt.Errorf("no mjstat line in MuJoCo's output:\n%s", out)
}

// ZooRow is one model's figures: every run of both simulators, interleaved
// (Stride, MuJoCo, Stride, …), and their medians.
type ZooRow struct {
	Name     string      `json:"name"`
	About    string      `json:"about"`
	Nv       int         `json:"nv"`
	Timestep float64     `json:"timestep_s"`
	Stride   []StrideRun `json:"stride"`
	Mujoco   []MujocoRun `json:"mujoco"`
	StrideUs float64     `json:"stride_cpu_us_per_step"` // median
	MujocoUs float64     `json:"mujoco_cpu_us_per_step"` // median
	Speedup  float64     `json:"speedup"`                // median over the rounds of MuJoCo's time / Stride's
}

// ZooOptions are the zoo benchmark's settings.
type ZooOptions struct {
	Steps, Reps int
	Only        []string // model names; all when empty
	Peer        string   // mjstat binary, or "auto" to build it
}

// RunZoo times every zoo model in Stride and MuJoCo 2.2.2 at the same
// timestep, the runs interleaved so that both see the same machine load.
func RunZoo(c ZooOptions) ([]ZooRow, error) {
	if c.Steps < 1 || c.Reps < 1 {
		return nil, fmt.Errorf("--steps and --reps must be at least 1")
	}
	zoo, err := Zoo()
	if err != nil {
		return nil, err
	}
	if c.Peer == "" {
		c.Peer = "auto"
	}
	mj, err := newMujoco(c.Peer)
	if err != nil {
		return nil, err
	}
	defer mj.close()
	var rows []ZooRow
	for i := range zoo {
		z := &zoo[i]
		if len(c.Only) > 0 && !contains(c.Only, z.Name) {
			continue
		}
		row, err := runPair(z, mj, c.Steps, c.Reps)
		if err != nil {
			return nil, fmt.Errorf("zoo model %s: %w", z.Name, err)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no zoo model named %s", strings.Join(c.Only, ", "))
	}
	return rows, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// runPair runs reps interleaved rounds of the model in both simulators.
func runPair(z *ZooModel, mj *mujoco, steps, reps int) (ZooRow, error) {
	row := ZooRow{Name: z.Name, About: z.About, Timestep: z.Dt}
	m, err := z.stride()
	if err != nil {
		return row, err
	}
	row.Nv = m.Nv
	w, err := newStrideWorld(m, z.Dt)
	if err != nil {
		return row, err
	}
	q0 := make([]float64, m.Nq)
	var ratios []float64
	for r := 0; r < reps; r++ {
		s, err := timeStride(w, steps, z.Kp, z.Kd, q0)
		if err != nil {
			return row, err
		}
		p, err := mj.run(z.MJCF, z.PeerFile, z.Dt, steps, z.Kp, z.Kd)
		if err != nil {
			return row, err
		}
		row.Stride = append(row.Stride, s)
		row.Mujoco = append(row.Mujoco, p)
		ratios = append(ratios, p.CPUMicros/s.CPUMicros)
	}
	var su, mu []float64
	for r := range row.Stride {
		su = append(su, row.Stride[r].CPUMicros)
		mu = append(mu, row.Mujoco[r].CPUMicros)
	}
	row.StrideUs, row.MujocoUs, row.Speedup = median(su), median(mu), median(ratios)
	return row, nil
}

func newStrideWorld(m *rbd.Model, dt float64) (*sim.World, error) {
	opt := sim.DefaultOptions()
	opt.Timestep = dt
	return sim.NewWorld(m, nil, opt)
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// FormatZoo writes the zoo table: per model the medians of CPU µs per step,
// the speed-up (MuJoCo's time over Stride's, median of the rounds) and the
// solver counts per step, Stride's beside MuJoCo's (mean/max of the median
// round by Stride's time).
func FormatZoo(rows []ZooRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-11s %3s %5s %9s %9s %7s  %-11s %-11s  %-11s %-11s  %-9s %-9s  %s\n",
		"model", "nv", "dt ms", "stride µs", "mujoco µs", "speedup", "iter S", "iter M", "ls evals S", "ls evals M", "factor S", "chol up M", "contacts S/M")
	for _, r := range rows {
		s, m := r.Stride[medianRun(r)], r.Mujoco[medianRun(r)]
		fmt.Fprintf(&b, "%-11s %3d %5g %9.2f %9.2f %6.2fx  %-11s %-11s  %-11s %-11s  %-9s %-9s  %.1f/%.1f\n",
			r.Name, r.Nv, r.Timestep*1e3, r.StrideUs, r.MujocoUs, r.Speedup,
			count(s.Iter), count(m.Iter), count(s.LineEvals), count(m.Neval), count(s.Factor), count(m.Nupdate), s.Contacts, m.Contacts)
	}
	return b.String()
}

// medianRun is the index of the round whose Stride time is the median.
func medianRun(r ZooRow) int {
	idx := make([]int, len(r.Stride))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return r.Stride[idx[a]].CPUMicros < r.Stride[idx[b]].CPUMicros })
	return idx[len(idx)/2]
}

func count(c Count) string { return fmt.Sprintf("%.2f/%d", c.Mean, c.Max) }

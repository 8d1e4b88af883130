package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"gonum.org/v1/gonum/optimize"
)

// Eval is one evaluated point of the optimiser: a line of its state file.
type Eval struct {
	U      []float64          `json:"u"` // the point, each parameter scaled to [0, 1] over its bounds
	Params map[string]float64 `json:"params"`
	// Scenario identifies what the point was run on (the scenario and the
	// seeds); a state file of another is refused.
	Scenario string             `json:"scenario"`
	Score    float64            `json:"score"`             // what CMA-ES minimises (recomputed from the rest when read)
	Refused  string             `json:"refused,omitempty"` // the config refused the point: nothing ran
	N        int                `json:"n"`
	Falls    int                `json:"falls"`
	Feas     bool               `json:"feasible"`
	Why      string             `json:"why,omitempty"`
	Mean     map[string]float64 `json:"mean"`
	Std      map[string]float64 `json:"std"`
	order    int                // evaluation number (this run's)
}

// OptResult is what an optimiser run found.
type OptResult struct {
	State string
	// Default is the scenario as it stands (the config's values, none of
	// the optimize parameters set); Start the search's start (those
	// values clamped to the bounds, which derived keys such as
	// gait.step_frequency may change); Best the best point.
	Default, Start, Best *Eval
	Points               []*Eval // every point of the search, in the order evaluated (or read back)
	Evals, Resumed       int     // points evaluated now, and read back from the state file
	Generations          int
}

// Penalties of the score: an infeasible point scores above every feasible
// one (its falls and broken bounds graded, so the search has a slope), a
// point outside the bounds is evaluated at the nearest bound plus a
// quadratic penalty.
const (
	infeasible = 1e3
	outside    = 1
)

// stateKey identifies a point by its bits.
func stateKey(u []float64) string {
	var b strings.Builder
	for _, x := range u {
		fmt.Fprintf(&b, "%x,", math.Float64bits(x))
	}
	return b.String()
}

// RunOptimize runs CMA-ES (gonum's CmaEsChol, seeded with the spec's
// optimize.seed) over the spec's optimize parameters for the objective under
// the constraints; each point is the scenario over every seed, the
// population's points in flight together and their rollouts on workers
// goroutines. Every evaluated point is appended to dir/optimize.jsonl. The
// state of gonum's CMA-ES cannot be saved, so a resumed run starts the
// search again from the same seed and answers every point the file already
// holds from the file (same point, same bits, same score): the search
// retraces its path without running those rollouts, then carries on. The
// path depends only on the spec, whatever the worker count.
func (s *Spec) RunOptimize(ctx context.Context, dir string, workers int, progress func(evals int, best *Eval)) (*OptResult, error) {
	o := s.Optimize
	if o == nil {
		return nil, errors.New(s.Path + ": no optimize section")
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	res := &OptResult{State: filepath.Join(dir, "optimize.jsonl"), Generations: o.Generations}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	f, err := os.OpenFile(res.State, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	defer f.Close()
	cache, err := s.readState(f, res.State)
	if err != nil {
		return nil, err
	}
	res.Resumed = len(cache)
	n := len(o.Params)
	start := make([]float64, n)
	for i, p := range o.Params {
		start[i] = (o.Start[i] - p.From) / (p.To - p.From)
	}
	var (
		mu      sync.Mutex
		sem     = make(chan struct{}, workers)
		runErr  error
		order   int
		evalled []*Eval
	)
	eval := func(u []float64) float64 {
		key := stateKey(u)
		mu.Lock()
		if e, ok := cache[key]; ok {
			order++
			c := *e
			c.order = order
			evalled = append(evalled, &c)
			mu.Unlock()
			return e.Score
		}
		failed := runErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			return math.NaN()
		}
		e, err := s.evaluate(ctx, u, sem)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if runErr == nil && ctx.Err() == nil { // a cancelled run is reported as interrupted
				runErr = err
			}
			return math.NaN()
		}
		line, err := json.Marshal(e)
		if err == nil {
			_, err = f.Write(append(line, '\n'))
		}
		if err == nil {
			err = f.Sync()
		}
		if err != nil && runErr == nil {
			runErr = fmt.Errorf("%s: %w", res.State, err)
		}
		cache[key] = e
		order++
		e.order = order
		evalled = append(evalled, e)
		res.Evals++
		if progress != nil {
			progress(len(evalled), bestOf(evalled))
		}
		return e.Score
	}
	pop := o.Population
	if pop == 0 {
		pop = 4 + int(3*math.Log(float64(n)))
	}
	method := &optimize.CmaEsChol{InitStepSize: o.Step, Population: pop, Src: rand.NewPCG(o.Seed, 0x5eed), StopLogDet: math.NaN()}
	settings := &optimize.Settings{MajorIterations: o.Generations, Concurrent: pop,
		Converger: &optimize.FunctionConverge{Absolute: math.Inf(-1), Iterations: math.MaxInt32}}
	if cache[stateKey(nil)] == nil && ctx.Err() == nil {
		e, err := s.evaluate(ctx, nil, sem)
		if err != nil {
			return res, err
		}
		line, _ := json.Marshal(e)
		if _, err := f.Write(append(line, '\n')); err != nil {
			return res, fmt.Errorf("%s: %w", res.State, err)
		}
		cache[stateKey(nil)] = e
	}
	res.Default = cache[stateKey(nil)]
	eval(start) // the start, scored whether or not the method asks for it
	_, err = optimize.Minimize(optimize.Problem{Func: eval}, start, settings, method)
	if runErr != nil {
		return res, runErr
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("interrupted after %d points (%s); run the same command again to resume", len(evalled), res.State)
	}
	if err != nil {
		return res, fmt.Errorf("cma-es: %w", err)
	}
	res.Start = cache[stateKey(start)]
	res.Best = s.bestFeasible(evalled)
	res.Points = evalled
	return res, nil
}

// bestFeasible is the point with the best objective among those meeting
// the constraints — the values it ran with, whatever the bounds penalty
// that guided the search — or, when none does, the lowest score.
func (s *Spec) bestFeasible(es []*Eval) *Eval {
	var best *Eval
	for _, e := range es {
		if !e.Feas {
			continue
		}
		x := e.Mean[s.Objective.Metric]
		if s.Objective.Goal == "max" {
			x = -x
		}
		if best == nil {
			best = e
			continue
		}
		y := best.Mean[s.Objective.Metric]
		if s.Objective.Goal == "max" {
			y = -y
		}
		if x < y || (x == y && stateKey(e.U) < stateKey(best.U)) {
			best = e
		}
	}
	if best == nil {
		return bestOf(es)
	}
	return best
}

// bestOf is the lowest score, ties to the smaller point (so the answer
// does not hang on which evaluation finished first).
func bestOf(es []*Eval) *Eval {
	var best *Eval
	for _, e := range es {
		if best == nil || e.Score < best.Score || (e.Score == best.Score && stateKey(e.U) < stateKey(best.U)) {
			best = e
		}
	}
	return best
}

// Values maps a scaled point to parameter values (clamped to the bounds)
// and the squared distance outside them.
func (o *OptimizeSpec) Values(u []float64) ([]Value, float64) {
	var vals []Value
	var d2 float64
	for i, p := range o.Params {
		c := min(max(u[i], 0), 1)
		d2 += (u[i] - c) * (u[i] - c)
		vals = append(vals, Value{p.Key, num(p.From + (p.To-p.From)*c)})
	}
	return vals, d2
}

// evaluate runs a point over every seed and scores it; u nil is the
// scenario as it stands (none of the optimize parameters set).
func (s *Spec) evaluate(ctx context.Context, u []float64, sem chan struct{}) (*Eval, error) {
	var vals []Value
	if u != nil {
		vals, _ = s.Optimize.Values(u)
	}
	// The sweep's own parameters (a list of one value each) apply too.
	for _, p := range s.Params {
		if !p.Random && len(p.Values) == 1 {
			vals = append(vals, Value{p.Key, p.Values[0]})
		}
	}
	if _, _, err := s.Setup(vals); err != nil {
		// A point the config refuses (e.g. crossed timing): infeasible.
		e := &Eval{U: append([]float64(nil), u...), Params: map[string]float64{}, Refused: err.Error(), Scenario: s.stateID()}
		for _, v := range vals {
			e.Params[v.Key], _ = v.float()
		}
		s.score(e)
		return e, nil
	}
	rows := make([]Row, len(s.Seeds))
	errs := make([]error, len(s.Seeds))
	var wg sync.WaitGroup
	for i, seed := range s.Seeds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rows[i], errs[i] = s.Run(ctx, s.rollout(i, 0, seed, vals), "")
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sum := Summarise(rows, s.Limits)[0]
	e := &Eval{U: append([]float64(nil), u...), Params: map[string]float64{}, N: sum.N, Falls: sum.Falls,
		Mean: sum.Mean, Std: sum.Std, Scenario: s.stateID()}
	for _, v := range vals {
		e.Params[v.Key], _ = v.float()
	}
	s.score(e)
	return e, nil
}

// score sets e's feasibility and score from its results, the objective and
// the constraints (so a state file stays good when they change).
func (s *Spec) score(e *Eval) {
	var d2 float64
	if e.U != nil {
		_, d2 = s.Optimize.Values(e.U)
	}
	ss := SetSummary{N: e.N, Falls: e.Falls, Mean: e.Mean}
	e.Feas, e.Why = s.Limits.check(&ss)
	obj, ok := e.Mean[s.Objective.Metric]
	switch {
	case e.Refused != "":
		e.Score, e.Feas, e.Why = 2*infeasible, false, e.Refused
	case !ok:
		e.Score = 2 * infeasible
		e.Feas, e.Why = false, s.Objective.Metric+" missing (the rollouts did not walk?)"
	case !e.Feas:
		e.Score = infeasible + 100*float64(e.Falls)/float64(max(1, e.N)) + math.Tanh(math.Abs(obj))
	case s.Objective.Goal == "max":
		e.Score = -obj
	default:
		e.Score = obj
	}
	e.Score += outside * d2
}

// stateID identifies the scenario and seeds the optimiser's points run on.
func (s *Spec) stateID() string {
	return fmt.Sprintf("%x", hash([]byte(fmt.Sprint(s.Scenario.digest, s.Seeds))))[:16]
}

// readState reads the evaluated points of a state file; a last line cut
// short is cut off.
func (s *Spec) readState(f *os.File, name string) (map[string]*Eval, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(data, '\n'); i+1 < len(data) {
		if err := f.Truncate(int64(i + 1)); err != nil {
			return nil, err
		}
		data = data[:i+1]
	}
	cache := map[string]*Eval{}
	for k, line := range bytes.Split(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var e Eval
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("%s:%d: not an optimiser point: %v", name, k+1, err)
		}
		if e.Scenario != s.stateID() {
			return nil, fmt.Errorf("%s:%d: a point of another scenario or seeds (%s; this spec's %s): choose another output directory or remove the file", name, k+1, e.Scenario, s.stateID())
		}
		s.score(&e)
		cache[stateKey(e.U)] = &e
	}
	return cache, nil
}

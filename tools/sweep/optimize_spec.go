package sweep

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// OptimizeSpec is the optimiser's section of a spec: continuous parameters
// with their bounds, the CMA-ES settings and the generations to run.
type OptimizeSpec struct {
	Params      []Param // From, To: the bounds; Start: where the search starts
	Start       []float64
	Generations int
	Population  int     // 0: CMA-ES's default, 4 + ⌊3 ln n⌋
	Step        float64 // initial step size, as a fraction of each parameter's range
	Seed        uint64  // the sampler's seed
}

type optimizeFile struct {
	Parameters  yaml.Node `yaml:"parameters"`
	Generations int       `yaml:"generations"`
	Population  int       `yaml:"population"`
	Step        float64   `yaml:"step"`
	Seed        uint64    `yaml:"seed"`
}

func (s *Spec) optimize(f *optimizeFile, name string, root *yaml.Node, fail func(string, string, ...any) error) (*OptimizeSpec, error) {
	o := &OptimizeSpec{Generations: f.Generations, Population: f.Population, Step: f.Step, Seed: f.Seed}
	if o.Generations < 1 || o.Generations > 10000 {
		return nil, fail("optimize.generations", "%d: want 1 to 10000", o.Generations)
	}
	if o.Population < 0 || o.Population == 1 || o.Population > 10000 {
		return nil, fail("optimize.population", "%d: want 2 to 10000 (0: the CMA-ES default)", o.Population)
	}
	if o.Step == 0 {
		o.Step = 0.3
	}
	if !(o.Step > 0 && o.Step <= 1) {
		return nil, fail("optimize.step", "%g: want a fraction of the ranges in (0, 1]", o.Step)
	}
	if s.Objective.Metric == "" {
		return nil, fail("objective", "the optimiser needs objective.metric")
	}
	n := &f.Parameters
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil, &Error{File: name, Line: lineOf(root, "optimize"), Msg: "optimize.parameters: want a mapping of keys to {from, to}"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		perr := func(format string, a ...any) error {
			return &Error{File: name, Line: k.Line, Msg: "optimize.parameters: " + k.Value + ": " + fmt.Sprintf(format, a...)}
		}
		var r struct {
			From float64 `yaml:"from"`
			To   float64 `yaml:"to"`
		}
		if err := v.Decode(&r); err != nil {
			return nil, yamlErrors(name, err)
		}
		if !(r.To > r.From) {
			return nil, perr("from %g to %g: want from < to", r.From, r.To)
		}
		for _, p := range o.Params {
			if p.Key == k.Value {
				return nil, perr("given twice")
			}
		}
		for _, p := range s.Params {
			if p.Key == k.Value {
				return nil, perr("also a sweep parameter (line %d)", p.Line)
			}
		}
		for _, x := range []float64{r.From, r.To} {
			c := s.Scenario.baseCfg.Clone()
			if err := s.set(c, &Walk{}, k.Value, num(x)); err != nil {
				return nil, perr("%v", err)
			}
		}
		// Start from the base value, clamped into the bounds.
		start := (r.From + r.To) / 2
		if t, ok := s.baseValue(k.Value); ok {
			start = min(max(t, r.From), r.To)
		}
		o.Params = append(o.Params, Param{Key: k.Value, Line: k.Line, Random: true, From: r.From, To: r.To})
		o.Start = append(o.Start, start)
	}
	return o, nil
}

// baseValue is a key's value in the scenario (config or walk command).
func (s *Spec) baseValue(key string) (float64, bool) {
	w := s.Scenario.Walk
	switch key {
	case keyVx, keyVy, keyYawRate:
		if w == nil {
			return 0, false
		}
		return map[string]float64{keyVx: w.Vx, keyVy: w.Vy, keyYawRate: w.YawRate}[key], true
	case keyStepHz:
		return 2 / s.Scenario.baseCfg.Walker.Timing.PeriodMin, true
	}
	t, ok := s.Scenario.baseCfg.Get(key)
	if !ok {
		return 0, false
	}
	x, err := strconv.ParseFloat(t, 64)
	return x, err == nil
}

package sweep

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/stride-robotics/stride/runtime"
)

// Value is one parameter's value in a set: the key and its YAML text.
type Value struct {
	Key, Text string
}

// Rollout is one run of the scenario: a parameter set and a seed.
type Rollout struct {
	Index int // position in the sweep: Set·len(Seeds) + the seed's position
	Set   int
	Seed  uint64
	Vals  []Value
	ID    string // hash of the scenario, the values and the seed
}

// maxRollouts bounds a sweep's size.
const maxRollouts = 10_000_000

// Sets lists the parameter sets: the product of the value lists and grids
// (the last parameter varying fastest), times Samples draws of the random
// parameters (draw i from a PCG seeded with RandomSeed and i, so a draw
// depends on nothing else).
func (s *Spec) Sets() [][]Value {
	sets := [][]Value{nil}
	for _, p := range s.Params {
		if p.Random {
			continue
		}
		var next [][]Value
		for _, set := range sets {
			for _, v := range p.Values {
				next = append(next, append(append([]Value(nil), set...), Value{p.Key, v}))
			}
		}
		sets = next
	}
	var out [][]Value
	for _, set := range sets {
		for i := 0; i < s.Samples; i++ {
			r := rand.New(rand.NewPCG(s.RandomSeed, uint64(i)))
			vals := append([]Value(nil), set...)
			for _, p := range s.Params {
				if p.Random {
					vals = append(vals, Value{p.Key, num(p.From + (p.To-p.From)*r.Float64())})
				}
			}
			out = append(out, s.order(vals))
		}
	}
	return out
}

// order puts vals in the spec's parameter order.
func (s *Spec) order(vals []Value) []Value {
	pos := map[string]int{}
	for i, p := range s.Params {
		pos[p.Key] = i
	}
	sort.SliceStable(vals, func(i, j int) bool { return pos[vals[i].Key] < pos[vals[j].Key] })
	return vals
}

// count is the number of rollouts, without listing them.
func (s *Spec) count() int {
	n := s.Samples * len(s.Seeds)
	for _, p := range s.Params {
		if !p.Random {
			n *= len(p.Values)
			if n > maxRollouts {
				return n
			}
		}
	}
	return n
}

// Rollouts lists every rollout of the sweep, in index order.
func (s *Spec) Rollouts() []Rollout {
	var out []Rollout
	for i, set := range s.Sets() {
		for _, seed := range s.Seeds {
			out = append(out, s.rollout(len(out), i, seed, set))
		}
	}
	return out
}

func (s *Spec) rollout(index, set int, seed uint64, vals []Value) Rollout {
	return Rollout{Index: index, Set: set, Seed: seed, Vals: vals, ID: s.id(vals, seed)}
}

// id identifies a rollout by what determines it.
func (s *Spec) id(vals []Value, seed uint64) string {
	b, _ := json.Marshal(struct {
		S string
		V []Value
		N uint64
	}{s.Scenario.digest, vals, seed})
	return fmt.Sprintf("%x", hash(b))[:20]
}

// SweepID identifies the whole sweep (its rollouts' ids in order).
func SweepID(rs []Rollout) string {
	h := sha256.New()
	for _, r := range rs {
		h.Write([]byte(r.ID))
	}
	return fmt.Sprintf("%x", h.Sum(nil))[:16]
}

func hash(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// Setup is a rollout's config and start-up script.
func (s *Spec) Setup(vals []Value) (*runtime.Config, *runtime.Script, error) {
	c := s.Scenario.baseCfg.Clone()
	var w Walk
	if s.Scenario.Walk != nil {
		w = *s.Scenario.Walk
	}
	for _, v := range vals {
		if err := s.set(c, &w, v.Key, v.Text); err != nil {
			return nil, nil, fmt.Errorf("%s = %s: %w", v.Key, v.Text, err)
		}
	}
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	if n := c.Period() / s.Scenario.Dt.Seconds(); n < 1 || n != float64(int(n)) {
		return nil, nil, fmt.Errorf("loop.rate %g Hz: the control period must be a whole number of physics timesteps (%v)", c.Loop.Rate, s.Scenario.Dt)
	}
	cc := &c.Commands
	lim := runtime.Limits{MaxVx: cc.MaxVx, MaxVy: cc.MaxVy, MaxYawRate: cc.MaxYawRate, MinHeight: cc.MinHeight, MaxHeight: cc.MaxHeight}
	script := &runtime.Script{}
	if s.Scenario.Commands != "" {
		sc, err := runtime.ParseScript(s.Scenario.Commands, s.Scenario.script, lim)
		if err != nil {
			return nil, nil, err
		}
		script = sc
	}
	if s.Scenario.Walk != nil {
		text := fmt.Sprintf("steps:\n  - {t: %s, gait: walk, vx: %s, vy: %s, yaw_rate: %s}\n", num(w.T), num(w.Vx), num(w.Vy), num(w.YawRate))
		sc, err := runtime.ParseScript("scenario.walk", []byte(text), lim)
		if err != nil {
			return nil, nil, err
		}
		script.Steps = append(script.Steps, sc.Steps...)
		sort.SliceStable(script.Steps, func(i, j int) bool { return script.Steps[i].T < script.Steps[j].T })
	}
	start, err := startScript(c, s.Scenario.Controller)
	if err != nil {
		return nil, nil, err
	}
	script.Steps = append(start, script.Steps...)
	sort.SliceStable(script.Steps, func(i, j int) bool { return script.Steps[i].T < script.Steps[j].T })
	return c, script, nil
}

// checkSets refuses a sweep with too many rollouts or a parameter set the
// config or the command limits reject, naming the spec's line.
func (s *Spec) checkSets() error {
	if n := s.count(); n > maxRollouts {
		return &Error{File: s.Path, Line: s.Params[0].Line, Msg: fmt.Sprintf("parameters: %d rollouts or more; at most %d", n, maxRollouts)}
	}
	for _, set := range s.Sets() {
		if _, _, err := s.Setup(set); err != nil {
			line := 0
			if len(s.Params) > 0 {
				line = s.Params[0].Line
			}
			desc := ""
			for _, v := range set {
				desc += " " + v.Key + "=" + v.Text
			}
			return &Error{File: s.Path, Line: line, Msg: fmt.Sprintf("parameters: the set%s is refused: %v", desc, err)}
		}
	}
	return nil
}

// float reads a value's text as a number (NaN when it is not one).
func (v Value) float() (float64, bool) {
	x, err := strconv.ParseFloat(v.Text, 64)
	return x, err == nil
}

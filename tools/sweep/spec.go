package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/tools/esteval"
	"github.com/stride-robotics/stride/tools/simrun"
)

// Spec is a loaded, checked sweep spec.
type Spec struct {
	Path     string // the spec file
	Name     string
	Scenario Scenario
	Params   []Param // in file order
	Samples  int     // random draws of the random parameters (1 when none)
	Seeds    []uint64
	// RandomSeed seeds the random parameters' draws.
	RandomSeed uint64
	Objective  Objective
	Limits     Constraints
	Timing     bool     // keep wall-clock metrics (solve times, real-time factor): not reproducible
	Output     string   // output directory ("" when the spec names none)
	KeepLogs   []string // best, worst, fell
	Optimize   *OptimizeSpec
}

// Scenario is what every rollout of a sweep runs.
type Scenario struct {
	Model      string // "" built-in
	Terrain    string
	Dt         time.Duration
	Integrator string
	Duration   time.Duration
	Controller string
	Estimator  string
	Noise      bool
	ConfigPath string // base runtime config ("" defaults)
	Commands   string // command script file ("" none)
	Walk       *Walk  // a walk step the command.* parameters set (nil: none)
	base       []byte // the base config's text
	script     []byte // the command script's text
	digest     string // identifies the scenario's content (rollout ids)
	baseCfg    *runtime.Config
}

// Walk is the scenario's walk command: a `gait: walk` step at T.
type Walk struct {
	T, Vx, Vy, YawRate float64
}

// Objective is the metric a report ranks by and the optimiser minimises
// (Goal "min") or maximises ("max").
type Objective struct {
	Metric string
	Goal   string
}

// Constraints are what a parameter set must satisfy over its seeds to
// count as feasible (report) and to score without penalty (optimize).
type Constraints struct {
	MaxFalls int                // falls allowed over the seeds (-1: any)
	Max, Min map[string]float64 // bounds on metrics' means over the seeds
}

// Param is one swept parameter: its values (Values, as YAML scalar text) or
// a random range (From, To, drawn Samples times).
type Param struct {
	Key      string
	Line     int
	Values   []string
	Random   bool
	From, To float64
}

// specFile is the YAML form.
type specFile struct {
	Name        string        `yaml:"name"`
	Scenario    scenarioFile  `yaml:"scenario"`
	Parameters  yaml.Node     `yaml:"parameters"`
	Samples     int           `yaml:"samples"`
	RandomSeed  uint64        `yaml:"random_seed"`
	Seeds       yaml.Node     `yaml:"seeds"`
	Objective   objectiveFile `yaml:"objective"`
	Constraints constrFile    `yaml:"constraints"`
	Timing      bool          `yaml:"timing"`
	Output      string        `yaml:"output"`
	KeepLogs    []string      `yaml:"keep_logs"`
	Optimize    *optimizeFile `yaml:"optimize"`
}

type scenarioFile struct {
	Model      string    `yaml:"model"`
	Terrain    string    `yaml:"terrain"`
	Dt         string    `yaml:"dt"`
	Integrator string    `yaml:"integrator"`
	Duration   string    `yaml:"duration"`
	Controller string    `yaml:"controller"`
	Estimator  string    `yaml:"estimator"`
	Noise      bool      `yaml:"noise"`
	Config     string    `yaml:"config"`
	Commands   string    `yaml:"commands"`
	Walk       *walkFile `yaml:"walk"`
}

type walkFile struct {
	T       float64 `yaml:"t"`
	Vx      float64 `yaml:"vx"`
	Vy      float64 `yaml:"vy"`
	YawRate float64 `yaml:"yaw_rate"`
}

type objectiveFile struct {
	Metric string `yaml:"metric"`
	Goal   string `yaml:"goal"`
}

type constrFile struct {
	MaxFalls *int               `yaml:"max_falls"`
	Max      map[string]float64 `yaml:"max"`
	Min      map[string]float64 `yaml:"min"`
}

type paramFile struct {
	Values []yaml.Node `yaml:"values"`
	Grid   *struct {
		From  float64 `yaml:"from"`
		To    float64 `yaml:"to"`
		Count int     `yaml:"count"`
	} `yaml:"grid"`
	Random *struct {
		From float64 `yaml:"from"`
		To   float64 `yaml:"to"`
	} `yaml:"random"`
}

// Error is a spec problem at a line of its file.
type Error struct {
	File string
	Line int // 0: the file as a whole
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlErrors turns yaml.v3's "line N: …" errors into file:line errors.
func yamlErrors(file string, err error) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var out []error
	for _, m := range msgs {
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			n, _ := strconv.Atoi(g[1])
			msg := strings.Replace(g[2], "in type sweep.", "in ", 1)
			out = append(out, &Error{File: file, Line: n, Msg: msg})
		} else {
			out = append(out, &Error{File: file, Msg: m})
		}
	}
	return errors.Join(out...)
}

// Derived keys besides the config's: the scenario's walk command and the
// step frequency (both timing periods at 2/f: a step is half a stride).
const (
	keyVx      = "command.vx"
	keyVy      = "command.vy"
	keyYawRate = "command.yaw_rate"
	keyStepHz  = "gait.step_frequency"
)

// Load reads and checks the spec at path: its keys, its scenario's files
// (read once: the rollouts use what was read), every parameter value and
// every parameter set against the config schema. Nothing runs.
func Load(path string) (*Spec, error) {
	data, err := fileio.ReadFile(path, fileio.LimitConfig)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse is Load for the spec's text; name is its file (relative paths in
// the spec are relative to its directory).
func Parse(name string, data []byte) (*Spec, error) {
	var f specFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Msg: "empty spec: want scenario, parameters and seeds"}
		}
		return nil, yamlErrors(name, err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	at := func(key string) int { return lineOf(&root, key) }
	fail := func(key, format string, a ...any) error {
		return &Error{File: name, Line: at(key), Msg: key + ": " + fmt.Sprintf(format, a...)}
	}
	dir := filepath.Dir(name)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	s := &Spec{Path: name, Name: f.Name, Samples: f.Samples, RandomSeed: f.RandomSeed, Timing: f.Timing, Output: rel(f.Output)}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	if err := s.scenario(&f.Scenario, rel, fail); err != nil {
		return nil, err
	}
	if err := s.seeds(&f.Seeds, name); err != nil {
		return nil, err
	}
	s.Objective = Objective{Metric: f.Objective.Metric, Goal: f.Objective.Goal}
	if s.Objective.Goal == "" {
		s.Objective.Goal = "min"
	}
	if s.Objective.Goal != "min" && s.Objective.Goal != "max" {
		return nil, fail("objective.goal", "%q: want min or max", s.Objective.Goal)
	}
	s.Limits = Constraints{MaxFalls: -1, Max: f.Constraints.Max, Min: f.Constraints.Min}
	if f.Constraints.MaxFalls != nil {
		if *f.Constraints.MaxFalls < 0 {
			return nil, fail("constraints.max_falls", "%d: want 0 or more", *f.Constraints.MaxFalls)
		}
		s.Limits.MaxFalls = *f.Constraints.MaxFalls
	}
	for _, k := range f.KeepLogs {
		if k != "best" && k != "worst" && k != "fell" {
			return nil, fail("keep_logs", "%q: want best, worst or fell", k)
		}
		if k != "fell" && s.Objective.Metric == "" {
			return nil, fail("keep_logs", "%q needs objective.metric to rank by", k)
		}
		s.KeepLogs = append(s.KeepLogs, k)
	}
	if err := s.params(&f.Parameters, name, fail); err != nil {
		return nil, err
	}
	if f.Optimize != nil {
		o, err := s.optimize(f.Optimize, name, &root, fail)
		if err != nil {
			return nil, err
		}
		s.Optimize = o
	}
	if len(s.Params) == 0 && s.Optimize == nil {
		return nil, &Error{File: name, Line: at("parameters"), Msg: "parameters: none given; a sweep needs at least one (or an optimize section)"}
	}
	if s.Samples < 0 || s.Samples > 1e6 {
		return nil, fail("samples", "%d: want 1 to 1000000", s.Samples)
	}
	random := false
	for _, p := range s.Params {
		random = random || p.Random
	}
	switch {
	case random && s.Samples == 0:
		s.Samples = 1
	case !random && s.Samples > 0:
		return nil, fail("samples", "%d: only random parameters are drawn; none is random", s.Samples)
	case !random:
		s.Samples = 1
	}
	if len(s.Params) > 0 {
		if err := s.checkSets(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Spec) scenario(f *scenarioFile, rel func(string) string, fail func(string, string, ...any) error) error {
	sc := Scenario{Model: rel(f.Model), Terrain: f.Terrain, Integrator: f.Integrator, Controller: f.Controller,
		Estimator: f.Estimator, Noise: f.Noise, ConfigPath: rel(f.Config), Commands: rel(f.Commands)}
	if sc.Terrain == "" {
		sc.Terrain = "flat"
	}
	if sc.Integrator == "" {
		sc.Integrator = "euler"
	}
	if sc.Integrator != "euler" && sc.Integrator != "rk4" {
		return fail("scenario.integrator", "%q: want euler or rk4", sc.Integrator)
	}
	if sc.Controller == "" {
		sc.Controller = "locomotion"
	}
	if sc.Estimator == "" {
		sc.Estimator = esteval.Default
	}
	if !contains(esteval.Names, sc.Estimator) {
		return fail("scenario.estimator", "%q: want one of %s", sc.Estimator, strings.Join(esteval.Names, ", "))
	}
	if !contains(simrun.Controllers, sc.Controller) {
		return fail("scenario.controller", "%q: want one of %s", sc.Controller, strings.Join(simrun.Controllers, ", "))
	}
	var err error
	if sc.Dt, err = duration(f.Dt, time.Millisecond); err != nil || sc.Dt <= 0 || sc.Dt > 10*time.Millisecond {
		return fail("scenario.dt", "%q: want a physics timestep such as 1ms (at most 10ms)", f.Dt)
	}
	if sc.Duration, err = duration(f.Duration, 0); err != nil || sc.Duration <= 0 || sc.Duration > time.Hour {
		return fail("scenario.duration", "%q: want a simulated duration such as 8s (at most 1h)", f.Duration)
	}
	if sc.ConfigPath != "" {
		if sc.base, err = fileio.ReadFile(sc.ConfigPath, fileio.LimitConfig); err != nil {
			return fail("scenario.config", "%v", err)
		}
	}
	if sc.baseCfg, err = runtime.Parse(sc.ConfigPath, sc.base); err != nil {
		if sc.ConfigPath == "" {
			return err
		}
		return fmt.Errorf("%s: scenario.config: %w", s.Path, err)
	}
	if sc.Commands != "" {
		if sc.script, err = fileio.ReadFile(sc.Commands, fileio.LimitConfig); err != nil {
			return fail("scenario.commands", "%v", err)
		}
	}
	if f.Walk != nil {
		w := f.Walk
		sc.Walk = &Walk{T: w.T, Vx: w.Vx, Vy: w.Vy, YawRate: w.YawRate}
		if !(w.T >= 0) || w.T >= sc.Duration.Seconds() {
			return fail("scenario.walk", "t %g s: want a time from 0 to before the duration (%v)", w.T, sc.Duration)
		}
	}
	if sc.Model != "" {
		if _, err := fileio.ReadFile(sc.Model, fileio.LimitModel); err != nil {
			return fail("scenario.model", "%v", err)
		}
	}
	s.Scenario = sc
	// The scenario's identity: its settings and its files' contents.
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%v|%s|%v|%s|%s|%v|", sc.Model, sc.Terrain, sc.Dt, sc.Integrator, sc.Duration, sc.Controller, sc.Estimator, sc.Noise)
	fmt.Fprintf(&b, "%x|%x|%+v|", hash(sc.base), hash(sc.script), sc.Walk)
	if sc.Model != "" {
		m, _ := fileio.ReadFile(sc.Model, fileio.LimitModel)
		fmt.Fprintf(&b, "%x", hash(m))
	}
	s.Scenario.digest = fmt.Sprintf("%x", hash([]byte(b.String())))
	return nil
}

func (s *Spec) seeds(n *yaml.Node, name string) error {
	fail := func(line int, format string, a ...any) error {
		return &Error{File: name, Line: line, Msg: "seeds: " + fmt.Sprintf(format, a...)}
	}
	switch n.Kind {
	case 0:
		s.Seeds = []uint64{1}
	case yaml.SequenceNode:
		seen := map[uint64]bool{}
		for _, e := range n.Content {
			v, err := strconv.ParseUint(e.Value, 10, 64)
			if err != nil || e.Kind != yaml.ScalarNode {
				return fail(e.Line, "%q: want a whole number ≥ 0", e.Value)
			}
			if seen[v] {
				return fail(e.Line, "%d given twice", v)
			}
			seen[v] = true
			s.Seeds = append(s.Seeds, v)
		}
	case yaml.MappingNode:
		var c struct {
			Count int    `yaml:"count"`
			First uint64 `yaml:"first"`
		}
		if err := n.Decode(&c); err != nil {
			return yamlErrors(name, err)
		}
		if c.Count < 1 || c.Count > 100000 {
			return fail(n.Line, "count %d: want 1 to 100000", c.Count)
		}
		for i := 0; i < c.Count; i++ {
			s.Seeds = append(s.Seeds, c.First+uint64(i))
		}
	default:
		return fail(n.Line, "want a list of seeds or {count: N, first: S}")
	}
	if len(s.Seeds) == 0 {
		return fail(n.Line, "empty list: want at least one seed")
	}
	if len(s.Seeds) > 1 && !s.Scenario.Noise {
		return fail(n.Line, "%d seeds but scenario.noise is off: the seed is the sensor noise's, so every seed would give the same rollout", len(s.Seeds))
	}
	return nil
}

func (s *Spec) params(n *yaml.Node, name string, fail func(string, string, ...any) error) error {
	if n.Kind == 0 {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &Error{File: name, Line: n.Line, Msg: "parameters: want a mapping of keys to {values: […]}, {grid: {from, to, count}} or {random: {from, to}}"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		perr := func(line int, format string, a ...any) error {
			return &Error{File: name, Line: line, Msg: "parameters: " + k.Value + ": " + fmt.Sprintf(format, a...)}
		}
		for _, p := range s.Params {
			if p.Key == k.Value {
				return perr(k.Line, "given twice (first on line %d)", p.Line)
			}
		}
		var pf paramFile
		if err := v.Decode(&pf); err != nil {
			return yamlErrors(name, err)
		}
		if v.Kind != yaml.MappingNode || len(v.Content) != 2 {
			return perr(v.Line, "want exactly one of values, grid or random")
		}
		p := Param{Key: k.Value, Line: k.Line}
		switch {
		case pf.Grid != nil:
			g := pf.Grid
			if g.Count < 1 || g.Count > 100000 {
				return perr(v.Line, "grid count %d: want 1 to 100000", g.Count)
			}
			if g.Count == 1 && g.From != g.To {
				return perr(v.Line, "grid of 1 value from %g to %g: give to equal to from, or count ≥ 2", g.From, g.To)
			}
			for j := 0; j < g.Count; j++ {
				x := g.From
				if g.Count > 1 {
					x = g.From + (g.To-g.From)*float64(j)/float64(g.Count-1)
				}
				p.Values = append(p.Values, num(x))
			}
		case pf.Random != nil:
			r := pf.Random
			if !(r.To > r.From) || math.IsInf(r.From, 0) || math.IsInf(r.To, 0) {
				return perr(v.Line, "random range from %g to %g: want finite from < to", r.From, r.To)
			}
			p.Random, p.From, p.To = true, r.From, r.To
		default:
			if len(pf.Values) == 0 {
				return perr(v.Line, "empty list of values")
			}
			for _, e := range pf.Values {
				if e.Kind != yaml.ScalarNode {
					return perr(e.Line, "want plain values")
				}
				p.Values = append(p.Values, e.Value)
			}
		}
		// Every value against the schema, at its line.
		check := p.Values
		if p.Random {
			check = []string{num(p.From), num(p.To)}
		}
		for j, x := range check {
			line := v.Line
			if len(pf.Values) > j {
				line = pf.Values[j].Line
			}
			c := s.Scenario.baseCfg.Clone()
			if err := s.set(c, &Walk{}, p.Key, x); err != nil {
				return perr(line, "%v", err)
			}
		}
		s.Params = append(s.Params, p)
	}
	return nil
}

// set applies one parameter to the config c and the walk command w.
func (s *Spec) set(c *runtime.Config, w *Walk, key, text string) error {
	f := func() (float64, error) {
		x, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("%q: want a finite number", text)
		}
		return x, nil
	}
	switch key {
	case keyVx, keyVy, keyYawRate:
		if s.Scenario.Walk == nil {
			return fmt.Errorf("%s sets the scenario's walk command: give scenario.walk", key)
		}
		x, err := f()
		if err != nil {
			return err
		}
		switch key {
		case keyVx:
			w.Vx = x
		case keyVy:
			w.Vy = x
		default:
			w.YawRate = x
		}
		return nil
	case keyStepHz:
		x, err := f()
		if err != nil {
			return err
		}
		if !(x > 0) {
			return fmt.Errorf("%g Hz: want a positive step frequency", x)
		}
		p := num(2 / x)
		if err := c.Set("walker.timing.period0", p); err != nil {
			return fmt.Errorf("%g Hz is a stride period of %s s: %w", x, p, err)
		}
		if err := c.Set("walker.timing.period_min", p); err != nil {
			return fmt.Errorf("%g Hz is a stride period of %s s: %w", x, p, err)
		}
		return nil
	}
	if err := c.Set(key, text); err != nil {
		var ce *runtime.ConfigError
		if errors.As(err, &ce) && strings.Contains(ce.Msg, "is not a key") {
			return fmt.Errorf("%w (or one of %s, %s, %s, %s)", err, keyVx, keyVy, keyYawRate, keyStepHz)
		}
		return err
	}
	return nil
}

// num formats x so that it parses back to the same bits.
func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func duration(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		if def == 0 {
			return 0, errors.New("missing")
		}
		return def, nil
	}
	return time.ParseDuration(s)
}

func contains(list []string, x string) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// lineOf finds a dotted key's line in the document (0 if absent).
func lineOf(root *yaml.Node, key string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(key, ".") {
		if n == nil || n.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				line, next = n.Content[i].Line, n.Content[i+1]
			}
		}
		n = next
	}
	return line
}

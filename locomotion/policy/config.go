package policy

import (
	"fmt"
	"math"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config is a policy's deployment config (YAML, docs/policy.md): how the
// network's input is assembled and its output turned into joint targets.
type Config struct {
	Preset     string  // "", isaaclab, legged_gym or humanoid_gym: the defaults below
	Input      string  // the ONNX input the observation goes to ("": the net's only input)
	Output     string  // the ONNX output holding the actions ("": the net's only output)
	Decimation int     // loop ticks per policy step (20: 50 Hz at 1 kHz)
	Quaternion string  // component order of the base_quat term: "wxyz" or "xyzw"
	ClipObs    float64 // |o| ≤ ClipObs on the whole scaled observation; 0: none
	History    History
	Joints     []Joint // the policy's joint order
	Hold       Gains   // PD gains for robot joints the policy does not drive (held at the home pose)
	HoldSet    bool    // Hold was given
	Terms      []Term  // the observation, in order
}

// Gains are PD gains.
type Gains struct{ Kp, Kd float64 }

// Joint is one joint of the policy, in the policy's order.
type Joint struct {
	Name    string
	Default float64 // rad, q₀: joint_pos is q − q₀, the target q₀ + scale·a
	Scale   float64 // action scale
	Clip    float64 // |a| ≤ Clip on the raw action, before scaling; +Inf: none
	Kp, Kd  float64 // N·m/rad, N·m·s/rad
	Line    int
}

// History stacks whole observation frames.
type History struct {
	Frames      int  // frames stacked (1: none)
	NewestFirst bool // the newest frame first (default: oldest first)
	FillZeros   bool // the first step fills the past with zeros (default: copies of the first frame)
}

// TermKind is an observation term.
type TermKind uint8

// Observation terms; docs/policy.md gives each one's formula and frame.
const (
	TermJointPos   TermKind = iota // q − q₀, policy joint order
	TermJointVel                   // q̇, policy joint order
	TermLastAction                 // the previous step's (clipped) raw action
	TermAngVel                     // base angular velocity, base frame
	TermLinVel                     // base linear velocity from the estimator, base frame
	TermGravity                    // Rᵀ·(0, 0, −1): gravity's direction in the base frame
	TermQuat                       // base orientation quaternion in the config's order
	TermEuler                      // roll, pitch, yaw (x-y-z Euler angles)
	TermCommand                    // vx, vy, yaw rate
	TermPhase                      // sin, cos of 2π·t/period
	TermHeight                     // base height from the estimator
	numTerms
)

var termNames = [numTerms]string{"joint_pos", "joint_vel", "last_action", "base_ang_vel", "base_lin_vel",
	"projected_gravity", "base_quat", "base_euler", "command", "gait_phase", "base_height"}

func (k TermKind) String() string {
	if k < numTerms {
		return termNames[k]
	}
	return fmt.Sprintf("TermKind(%d)", k)
}

// Term is one observation term.
type Term struct {
	Kind     TermKind
	Scale    []float64 // per component (one value: every component)
	Clip     float64   // |x| ≤ Clip on the raw value, before Scale; +Inf: none
	History  int       // frames of this term stacked, oldest first (1: none)
	Period   float64   // s, gait_phase only
	CosFirst bool      // gait_phase: cos before sin
	Unique   bool      // base_quat: the sign with w ≥ 0 (Isaac Lab's make_quat_unique)
	Line     int
}

// Size returns the term's values per frame for n policy joints.
func (t *Term) Size(n int) int {
	switch t.Kind {
	case TermJointPos, TermJointVel, TermLastAction:
		return n
	case TermQuat:
		return 4
	case TermPhase:
		return 2
	case TermHeight:
		return 1
	}
	return 3
}

// FrameSize returns the values of one observation frame (each term's size
// times its own history).
func (c *Config) FrameSize() int {
	s := 0
	for i := range c.Terms {
		s += c.Terms[i].Size(len(c.Joints)) * c.Terms[i].History
	}
	return s
}

// ObsSize returns the length of the network's input: FrameSize times
// History.Frames.
func (c *Config) ObsSize() int { return c.FrameSize() * c.History.Frames }

// Presets are the conventions of the training frameworks: what a key left
// out of a config means under each.
var Presets = []string{"isaaclab", "legged_gym", "humanoid_gym"}

// preset holds a framework's defaults.
type preset struct {
	quat      string
	clipObs   float64
	clipAct   float64
	frames    int
	fillZeros bool
	scales    map[TermKind][]float64
}

var presets = map[string]preset{
	// Isaac Lab (rsl_rl): root_quat_w is (w, x, y, z); terms clip then
	// scale; scales 1 unless the task sets them; per-term history fills
	// with the first frame.
	"isaaclab": {quat: "wxyz", clipAct: math.Inf(1), frames: 1},
	// legged_gym / unitree_rl_gym: Isaac Gym's (x, y, z, w); the whole
	// scaled observation and the raw actions clipped at 100; obs_scales.
	"legged_gym": {quat: "xyzw", clipObs: 100, clipAct: 100, frames: 1, scales: map[TermKind][]float64{
		TermLinVel: {2}, TermAngVel: {0.25}, TermJointPos: {1}, TermJointVel: {0.05}, TermCommand: {2, 2, 0.25}}},
	// humanoid-gym: (x, y, z, w); clip_observations and clip_actions 18;
	// 15 frames, oldest first, the past zeros at the start.
	"humanoid_gym": {quat: "xyzw", clipObs: 18, clipAct: 18, frames: 15, fillZeros: true, scales: map[TermKind][]float64{
		TermLinVel: {2}, TermAngVel: {1}, TermJointPos: {1}, TermJointVel: {0.05}, TermQuat: {1}, TermCommand: {2, 2, 1}}},
	"": {quat: "", clipAct: math.Inf(1), frames: 1},
}

// ConfigError is a config error at a line and column.
type ConfigError struct {
	File      string
	Line, Col int
	Key       string
	Msg       string
}

func (e *ConfigError) Error() string {
	loc := fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	if e.Key != "" {
		return loc + ": " + e.Key + ": " + e.Msg
	}
	return loc + ": " + e.Msg
}

// ParseConfig reads a policy config; file names it in errors, which give
// the line and column and say what is expected.
func ParseConfig(file string, data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line := 1
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
			msg = msg[strings.Index(msg, ":")+2:]
		}
		return nil, &ConfigError{File: file, Line: line, Col: 1, Msg: "not valid YAML: " + msg}
	}
	d := &decoder{file: file}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, &ConfigError{File: file, Line: 1, Col: 1, Msg: "empty config: want a mapping with joints and observations"}
	}
	c, err := d.config(root.Content[0])
	if err != nil {
		return nil, err
	}
	return c, nil
}

type decoder struct{ file string }

func (d *decoder) fail(n *yaml.Node, key, format string, a ...any) error {
	return &ConfigError{File: d.file, Line: n.Line, Col: n.Column, Key: key, Msg: fmt.Sprintf(format, a...)}
}

// mapping calls fn for each key of mapping n, refusing keys not in keys and
// keys given twice.
func (d *decoder) mapping(n *yaml.Node, key string, keys []string, fn func(k string, v *yaml.Node) error) error {
	if n.Kind == yaml.AliasNode {
		return d.fail(n, key, "aliases are not supported in a policy config")
	}
	if n.Kind != yaml.MappingNode {
		return d.fail(n, key, "want a mapping with the keys %s, found %s", strings.Join(keys, ", "), describe(n))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		full := name
		if key != "" {
			full = key + "." + name
		}
		if k.Kind != yaml.ScalarNode {
			return d.fail(k, key, "want a key, found %s", describe(k))
		}
		if l, ok := seen[name]; ok {
			return d.fail(k, full, "set twice (first on line %d)", l)
		}
		seen[name] = k.Line
		known := false
		for _, x := range keys {
			known = known || x == name
		}
		if !known {
			return d.fail(k, key, "%q is not a key here; the keys are %s", name, strings.Join(keys, ", "))
		}
		if v.Kind == yaml.AliasNode {
			return d.fail(v, full, "aliases are not supported in a policy config")
		}
		if err := fn(name, v); err != nil {
			return err
		}
	}
	return nil
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return fmt.Sprintf("%q", v)
}

func (d *decoder) number(n *yaml.Node, key string) (float64, error) {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, nil
		}
	}
	return 0, d.fail(n, key, "want a finite number, found %s", describe(n))
}

func (d *decoder) numberIn(n *yaml.Node, key string, lo, hi float64) (float64, error) {
	f, err := d.number(n, key)
	if err == nil && (f < lo || f > hi) {
		err = d.fail(n, key, "%g is out of range: want %g to %g", f, lo, hi)
	}
	return f, err
}

func (d *decoder) integer(n *yaml.Node, key string, lo, hi int) (int, error) {
	f, err := d.number(n, key)
	if err != nil || f != math.Trunc(f) {
		return 0, d.fail(n, key, "want a whole number, found %s", describe(n))
	}
	if f < float64(lo) || f > float64(hi) {
		return 0, d.fail(n, key, "%g is out of range: want %d to %d", f, lo, hi)
	}
	return int(f), nil
}

func (d *decoder) text(n *yaml.Node, key string, choices ...string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", d.fail(n, key, "want a name, found %s", describe(n))
	}
	if len(choices) > 0 {
		for _, c := range choices {
			if n.Value == c {
				return c, nil
			}
		}
		return "", d.fail(n, key, "%s: want %s", describe(n), strings.Join(choices, ", "))
	}
	return n.Value, nil
}

func (d *decoder) boolean(n *yaml.Node, key string) (bool, error) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		return false, d.fail(n, key, "want true or false, found %s", describe(n))
	}
	return b, nil
}

// numbers reads one number or a list of them.
func (d *decoder) numbers(n *yaml.Node, key string) ([]float64, error) {
	if n.Kind != yaml.SequenceNode {
		f, err := d.number(n, key)
		return []float64{f}, err
	}
	if len(n.Content) == 0 {
		return nil, d.fail(n, key, "an empty list: want a number or a list of numbers")
	}
	var r []float64
	for i, e := range n.Content {
		f, err := d.number(e, fmt.Sprintf("%s[%d]", key, i))
		if err != nil {
			return nil, err
		}
		r = append(r, f)
	}
	return r, nil
}

// clip reads a clip bound: a positive number.
func (d *decoder) clip(n *yaml.Node, key string) (float64, error) {
	f, err := d.number(n, key)
	if err == nil && !(f > 0) {
		err = d.fail(n, key, "%g: want a positive bound (leave the key out for no clipping)", f)
	}
	return f, err
}

var topKeys = []string{"preset", "input", "output", "decimation", "quaternion", "clip_observations", "history",
	"action", "joints", "hold", "observations"}

func (d *decoder) config(n *yaml.Node) (*Config, error) {
	c := &Config{Decimation: 0}
	// The preset first: it sets what the other keys default to.
	var nodes = map[string]*yaml.Node{}
	if err := d.mapping(n, "", topKeys, func(k string, v *yaml.Node) error {
		nodes[k] = v
		return nil
	}); err != nil {
		return nil, err
	}
	var err error
	if v := nodes["preset"]; v != nil {
		if c.Preset, err = d.text(v, "preset", Presets...); err != nil {
			return nil, err
		}
	}
	p := presets[c.Preset]
	c.Quaternion, c.ClipObs = p.quat, p.clipObs
	c.History = History{Frames: p.frames, FillZeros: p.fillZeros}
	for _, k := range []string{"input", "output"} {
		if v := nodes[k]; v != nil {
			s, err := d.text(v, k)
			if err != nil {
				return nil, err
			}
			if k == "input" {
				c.Input = s
			} else {
				c.Output = s
			}
		}
	}
	v := nodes["decimation"]
	if v == nil {
		return nil, d.fail(n, "", "decimation is required: loop ticks per policy step (20 for a 50 Hz policy at 1 kHz)")
	}
	if c.Decimation, err = d.integer(v, "decimation", 1, 1000); err != nil {
		return nil, err
	}
	if v := nodes["quaternion"]; v != nil {
		if c.Quaternion, err = d.text(v, "quaternion", "wxyz", "xyzw"); err != nil {
			return nil, err
		}
	}
	if v := nodes["clip_observations"]; v != nil {
		if c.ClipObs, err = d.clip(v, "clip_observations"); err != nil {
			return nil, err
		}
	}
	if v := nodes["history"]; v != nil {
		if err := d.history(v, &c.History); err != nil {
			return nil, err
		}
	}
	def := Joint{Scale: math.NaN(), Clip: p.clipAct, Kp: math.NaN(), Kd: math.NaN()}
	if v := nodes["action"]; v != nil {
		if err := d.joint(v, "action", &def, false); err != nil {
			return nil, err
		}
	}
	v = nodes["joints"]
	if v == nil {
		return nil, d.fail(n, "", "joints is required: the policy's joints in its own order, each with name and default")
	}
	if err := d.joints(v, def, c); err != nil {
		return nil, err
	}
	if v := nodes["hold"]; v != nil {
		c.HoldSet = true
		if err := d.mapping(v, "hold", []string{"kp", "kd"}, func(k string, x *yaml.Node) error {
			f, err := d.numberIn(x, "hold."+k, 0, 1e4)
			if k == "kp" {
				c.Hold.Kp = f
			} else {
				c.Hold.Kd = f
			}
			return err
		}); err != nil {
			return nil, err
		}
	}
	v = nodes["observations"]
	if v == nil {
		return nil, d.fail(n, "", "observations is required: the terms of the network's input, in order")
	}
	if err := d.terms(v, p, c); err != nil {
		return nil, err
	}
	if c.Quaternion == "" {
		for _, t := range c.Terms {
			if t.Kind == TermQuat {
				return nil, d.fail(n, "", "quaternion is required with a base_quat term and no preset: wxyz (Isaac Lab) or xyzw (Isaac Gym)")
			}
		}
		c.Quaternion = "wxyz"
	}
	if c.ObsSize() > maxElements {
		return nil, d.fail(n, "", "the observation would have %d values", c.ObsSize())
	}
	return c, nil
}

func (d *decoder) history(n *yaml.Node, h *History) error {
	return d.mapping(n, "history", []string{"frames", "order", "fill"}, func(k string, v *yaml.Node) error {
		var err error
		switch k {
		case "frames":
			h.Frames, err = d.integer(v, "history.frames", 1, 1000)
		case "order":
			var s string
			s, err = d.text(v, "history.order", "oldest_first", "newest_first")
			h.NewestFirst = s == "newest_first"
		case "fill":
			var s string
			s, err = d.text(v, "history.fill", "first", "zeros")
			h.FillZeros = s == "zeros"
		}
		return err
	})
}

// joint reads a joint's settings (named: a joint of the list) over j.
func (d *decoder) joint(n *yaml.Node, key string, j *Joint, named bool) error {
	keys := []string{"scale", "clip", "kp", "kd"}
	if named {
		keys = append([]string{"name", "default"}, keys...)
	}
	hasDefault := false
	if err := d.mapping(n, key, keys, func(k string, v *yaml.Node) error {
		var err error
		kk := key + "." + k
		switch k {
		case "name":
			j.Name, err = d.text(v, kk)
		case "default":
			j.Default, err = d.numberIn(v, kk, -100, 100)
			hasDefault = true
		case "scale":
			j.Scale, err = d.numberIn(v, kk, -1e3, 1e3)
		case "clip":
			j.Clip, err = d.clip(v, kk)
		case "kp":
			j.Kp, err = d.numberIn(v, kk, 0, 1e4)
		case "kd":
			j.Kd, err = d.numberIn(v, kk, 0, 1e3)
		}
		return err
	}); err != nil {
		return err
	}
	if named {
		j.Line = n.Line
		if j.Name == "" {
			return d.fail(n, key, "name is required")
		}
		if !hasDefault {
			return d.fail(n, key, "joint %q: default is required (q₀, rad: the pose the policy's joint_pos is relative to)", j.Name)
		}
		for _, f := range []struct {
			v    float64
			name string
		}{{j.Scale, "scale"}, {j.Kp, "kp"}, {j.Kd, "kd"}} {
			if math.IsNaN(f.v) {
				return d.fail(n, key, "joint %q: %s is required (here or under action:)", j.Name, f.name)
			}
		}
	}
	return nil
}

func (d *decoder) joints(n *yaml.Node, def Joint, c *Config) error {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return d.fail(n, "joints", "want a list of joints ({name: …, default: …}), found %s", describe(n))
	}
	seen := map[string]int{}
	for i, e := range n.Content {
		j := def
		key := fmt.Sprintf("joints[%d]", i)
		if err := d.joint(e, key, &j, true); err != nil {
			return err
		}
		if l, ok := seen[j.Name]; ok {
			return d.fail(e, key, "joint %q is listed twice (first on line %d)", j.Name, l)
		}
		seen[j.Name] = e.Line
		c.Joints = append(c.Joints, j)
	}
	return nil
}

func (d *decoder) terms(n *yaml.Node, p preset, c *Config) error {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return d.fail(n, "observations", "want a list of terms ({term: joint_pos, scale: 1}), found %s", describe(n))
	}
	for i, e := range n.Content {
		key := fmt.Sprintf("observations[%d]", i)
		t := Term{History: 1, Clip: math.Inf(1), Line: e.Line}
		var kindNode, scaleNode, periodNode, cosNode, uniqueNode *yaml.Node
		if err := d.mapping(e, key, []string{"term", "scale", "clip", "history", "period", "cos_first", "unique"}, func(k string, v *yaml.Node) error {
			var err error
			switch k {
			case "term":
				kindNode = v
			case "scale":
				scaleNode = v
			case "clip":
				t.Clip, err = d.clip(v, key+".clip")
			case "history":
				t.History, err = d.integer(v, key+".history", 1, 1000)
			case "period":
				periodNode = v
			case "cos_first":
				cosNode = v
			case "unique":
				uniqueNode = v
			}
			return err
		}); err != nil {
			return err
		}
		if kindNode == nil {
			return d.fail(e, key, "term is required: one of %s", strings.Join(termNames[:], ", "))
		}
		name, err := d.text(kindNode, key+".term", termNames[:]...)
		if err != nil {
			return err
		}
		for k, tn := range termNames {
			if tn == name {
				t.Kind = TermKind(k)
			}
		}
		size := t.Size(len(c.Joints))
		t.Scale = []float64{1}
		if s, ok := p.scales[t.Kind]; ok {
			t.Scale = s
		}
		if scaleNode != nil {
			if t.Scale, err = d.numbers(scaleNode, key+".scale"); err != nil {
				return err
			}
		}
		if len(t.Scale) != 1 && len(t.Scale) != size {
			where := e
			if scaleNode != nil {
				where = scaleNode
			}
			return d.fail(where, key+".scale", "%d values: want one, or one per component (%s has %d)", len(t.Scale), name, size)
		}
		if (periodNode != nil || cosNode != nil) != (t.Kind == TermPhase) && (periodNode != nil || cosNode != nil) {
			return d.fail(e, key, "period and cos_first belong to gait_phase only")
		}
		if uniqueNode != nil {
			if t.Kind != TermQuat {
				return d.fail(e, key, "unique belongs to base_quat only")
			}
			if t.Unique, err = d.boolean(uniqueNode, key+".unique"); err != nil {
				return err
			}
		}
		if t.Kind == TermPhase {
			if periodNode == nil {
				return d.fail(e, key, "gait_phase needs period (s, one gait cycle)")
			}
			if t.Period, err = d.numberIn(periodNode, key+".period", 1e-3, 100); err != nil {
				return err
			}
			if cosNode != nil {
				if t.CosFirst, err = d.boolean(cosNode, key+".cos_first"); err != nil {
					return err
				}
			}
		}
		c.Terms = append(c.Terms, t)
	}
	return nil
}

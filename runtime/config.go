package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/internal/yamlnode"
	"github.com/stride-robotics/stride/locomotion"
	"gopkg.in/yaml.v3"
)

// Config holds every setting of the runtime: loop timing, mode parameters
// and gains, safety limits and command sources. Defaults gives the built-in
// values; Load reads a YAML file over them and validates the result.
//
// Units are SI (s, rad, N·m) unless a key's name says otherwise. Each field's
// tags give its YAML key, its allowed range (range:"lo,hi"), its unit and a
// help text; Validate, Print and the reload diff are all driven by them, so
// the ranges in errors and in `stride config print` are the ones enforced.
// A field tagged reload:"restart" cannot change while the loop runs: a hot
// reload that changes it keeps the old value and logs that.
type Config struct {
	Loop       LoopConfig       `yaml:"loop" help:"the fixed-rate loop and its clock"`
	Damping    DampingConfig    `yaml:"damping" help:"damping mode: the safe default"`
	Standup    StandupConfig    `yaml:"standup" help:"standup mode: from wherever the joints are to the home pose"`
	Stand      StandConfig      `yaml:"stand" help:"stand mode (and the locomotion placeholder): joint PD to the home pose"`
	Transition TransitionConfig `yaml:"transition" help:"switching between modes"`
	EStop      EStopConfig      `yaml:"estop" help:"estop mode: latched damping"`
	Safety     SafetyConfig     `yaml:"safety" help:"checks run every tick before the write"`
	Commands   CommandsConfig   `yaml:"commands" help:"command limits and sources"`
	Reload     ReloadConfig     `yaml:"reload" help:"hot reload of this file (simulation)"`
	Walker     WalkerConfig     `yaml:"walker" help:"the walking controller run in locomotion mode (locomotion.Walker): gait timing, swing, balance gains"`
}

// LoopConfig sets the loop's rate, clock and overrun policy.
type LoopConfig struct {
	Rate          float64 `yaml:"rate" range:"10,10000" unit:"Hz" reload:"restart" help:"control rate"`
	Overrun       string  `yaml:"overrun" enum:"skip,catchup,fault" help:"what a late tick does: skip the deadlines already passed; catch up by running them back to back (at most max_catchup); or skip and fault to damping after fault_after overruns in a row"`
	MaxCatchup    int     `yaml:"max_catchup" range:"1,1000" help:"catchup: most ticks run back to back before the loop skips instead"`
	FaultAfter    int     `yaml:"fault_after" range:"1,100000" help:"fault: consecutive overruns that trip the overrun fault"`
	LateTolerance float64 `yaml:"late_tolerance" range:"0,1" unit:"s" help:"a tick starting later than this after its deadline counts as a missed deadline (must be below the period)"`
	Spin          float64 `yaml:"spin" range:"0,0.01" unit:"s" reload:"restart" help:"wall clock: sleep until this long before the deadline, then spin (0: sleep only; must be below the period)"`
	LockThread    bool    `yaml:"lock_thread" reload:"restart" help:"wall clock: run the loop on a locked OS thread"`
	TimerSlackNs  int     `yaml:"timer_slack_ns" range:"1,50000000" unit:"ns" reload:"restart" help:"wall clock: the locked thread's timer slack (PR_SET_TIMERSLACK)"`
	GCPercent     int     `yaml:"gc_percent" range:"-1,1000" reload:"restart" help:"wall clock: GOGC while the loop runs (-1: off; the memory limit then triggers collection)"`
	MemoryLimitMB int     `yaml:"memory_limit_mb" range:"16,1000000" unit:"MiB" reload:"restart" help:"wall clock: GOMEMLIMIT while the loop runs"`
	CPU           int     `yaml:"cpu" range:"-1,1023" reload:"restart" help:"wall clock: pin the loop thread to this CPU (-1: no pinning)"`
	Priority      int     `yaml:"priority" range:"0,99" reload:"restart" help:"wall clock: SCHED_FIFO priority of the loop thread (0: normal scheduling; needs CAP_SYS_NICE)"`
}

// DampingConfig sets damping mode: zero torque and velocity damping.
type DampingConfig struct {
	Kd float64 `yaml:"kd" range:"0,100" unit:"N·m·s/rad" help:"joint damping"`
}

// StandupConfig sets standup mode.
type StandupConfig struct {
	Duration float64 `yaml:"duration" range:"0.1,30" unit:"s" help:"time to move the joints from where they are to the home pose (minimum-jerk profile)"`
	GainRamp float64 `yaml:"gain_ramp" range:"0,30" unit:"s" help:"time over which stiffness rises from 0 and damping from damping.kd to the stand gains"`
}

// StandConfig sets the stand gains; Joints overrides them per joint by name.
type StandConfig struct {
	Kp     float64               `yaml:"kp" range:"0,5000" unit:"N·m/rad" help:"joint stiffness"`
	Kd     float64               `yaml:"kd" range:"0,200" unit:"N·m·s/rad" help:"joint damping"`
	Joints map[string]JointGains `yaml:"joints" help:"per-joint gains by joint name, overriding kp and kd"`
}

// JointGains are one joint's PD gains.
type JointGains struct {
	Kp float64 `yaml:"kp" range:"0,5000" unit:"N·m/rad" help:"joint stiffness"`
	Kd float64 `yaml:"kd" range:"0,200" unit:"N·m·s/rad" help:"joint damping"`
}

// TransitionConfig sets how modes hand over.
type TransitionConfig struct {
	Blend float64 `yaml:"blend" range:"0,5" unit:"s" help:"requested switches and gain reloads blend the joint torque from the old command to the new over this time (faults switch at once)"`
}

// EStopConfig sets estop mode.
type EStopConfig struct {
	Kd float64 `yaml:"kd" range:"0,100" unit:"N·m·s/rad" help:"joint damping while e-stopped"`
}

// SafetyConfig sets the checks of the safety layer.
type SafetyConfig struct {
	PositionMargin     float64 `yaml:"position_margin" range:"0,1" unit:"rad" help:"a measured joint position this far past its range is flagged; persisting, it trips damping"`
	PositionHardMargin float64 `yaml:"position_hard_margin" range:"0,3" unit:"rad" help:"this far past its range trips damping at once"`
	VelocityFactor     float64 `yaml:"velocity_factor" range:"0.1,10" help:"a measured joint speed above this times its limit is flagged; persisting, it trips damping"`
	VelocityHardFactor float64 `yaml:"velocity_hard_factor" range:"0.1,10" help:"above this times its limit trips damping at once"`
	TorqueFactor       float64 `yaml:"torque_factor" range:"0.1,10" help:"a command whose torque at the measured state exceeds this times the joint's effort limit is flagged; persisting, it trips damping"`
	TorqueHardFactor   float64 `yaml:"torque_hard_factor" range:"0.1,100" help:"a feed-forward torque above this times the effort limit trips damping at once"`
	Persist            float64 `yaml:"persist" range:"0,10" unit:"s" help:"how long a flagged limit may persist before it trips damping"`
	Watchdog           float64 `yaml:"watchdog" range:"0.0001,10" unit:"s" help:"sensors whose sequence number has not advanced for this long trip damping"`
	MaxTilt            float64 `yaml:"max_tilt" range:"0.05,3.1416" unit:"rad" help:"base tilt from upright (from the IMU orientation) that trips damping"`
	MinHeight          float64 `yaml:"min_height" range:"0,5" unit:"m" help:"base height below which damping trips (only when the estimator knows the height)"`
}

// CommandsConfig sets the command limits and sources.
type CommandsConfig struct {
	MaxVx      float64       `yaml:"max_vx" range:"0,10" unit:"m/s" help:"largest forward/backward speed a command may ask"`
	MaxVy      float64       `yaml:"max_vy" range:"0,5" unit:"m/s" help:"largest lateral speed"`
	MaxYawRate float64       `yaml:"max_yaw_rate" range:"0,10" unit:"rad/s" help:"largest yaw rate"`
	MinHeight  float64       `yaml:"min_height" range:"-1,0" unit:"m" help:"lowest standing-height offset"`
	MaxHeight  float64       `yaml:"max_height" range:"0,1" unit:"m" help:"highest standing-height offset"`
	Timeout    float64       `yaml:"timeout" range:"0,60" unit:"s" help:"velocities fall to zero when the live source (not a script) is silent this long (0: never)"`
	UDP        UDPConfig     `yaml:"udp" help:"JSON messages on a UDP port (docs/commands.md)"`
	Gamepad    GamepadConfig `yaml:"gamepad" help:"a Linux joystick device"`
}

// UDPConfig sets the UDP command port.
type UDPConfig struct {
	Listen  string  `yaml:"listen" reload:"restart" help:"address to listen on, \"\" for none; a port alone (\":47800\") binds 127.0.0.1"`
	MaxRate float64 `yaml:"max_rate" range:"1,100000" unit:"1/s" reload:"restart" help:"messages per second accepted (token bucket); the rest are counted and dropped"`
	Burst   int     `yaml:"burst" range:"1,100000" reload:"restart" help:"messages accepted back to back"`
}

// GamepadConfig sets the gamepad source and its mapping.
type GamepadConfig struct {
	Device        string  `yaml:"device" reload:"restart" help:"joystick device such as /dev/input/js0, \"\" for none"`
	Deadzone      float64 `yaml:"deadzone" range:"0,0.9" reload:"restart" help:"stick travel (fraction) read as zero"`
	AxisVx        int     `yaml:"axis_vx" range:"0,31" reload:"restart" help:"axis for forward speed (pushed forward = positive)"`
	AxisVy        int     `yaml:"axis_vy" range:"0,31" reload:"restart" help:"axis for lateral speed (left = positive)"`
	AxisYaw       int     `yaml:"axis_yaw" range:"0,31" reload:"restart" help:"axis for yaw rate (left = positive)"`
	ButtonStandup int     `yaml:"button_standup" range:"0,31" reload:"restart" help:"button requesting standup"`
	ButtonWalk    int     `yaml:"button_walk" range:"0,31" reload:"restart" help:"button requesting locomotion"`
	ButtonStand   int     `yaml:"button_stand" range:"0,31" reload:"restart" help:"button requesting stand"`
	ButtonDamping int     `yaml:"button_damping" range:"0,31" reload:"restart" help:"button requesting damping"`
	ButtonEStop   int     `yaml:"button_estop" range:"0,31" reload:"restart" help:"button triggering the e-stop"`
	ButtonReset   int     `yaml:"button_reset" range:"0,31" reload:"restart" help:"button releasing the e-stop (to damping)"`
}

// ReloadConfig sets the hot reload of the config file in simulation.
type ReloadConfig struct {
	Poll float64 `yaml:"poll" range:"0.05,60" unit:"s" reload:"restart" help:"how often the file's modification time is checked"`
}

// Defaults returns the built-in configuration.
func Defaults() *Config {
	return &Config{
		Loop: LoopConfig{
			Rate: 1000, Overrun: "skip", MaxCatchup: 5, FaultAfter: 20,
			LateTolerance: 0.00025, Spin: 0.0002, LockThread: true, TimerSlackNs: 1,
			GCPercent: -1, MemoryLimitMB: 1024, CPU: -1, Priority: 0,
		},
		Damping:    DampingConfig{Kd: 4},
		Standup:    StandupConfig{Duration: 2, GainRamp: 0.1},
		Stand:      StandConfig{Kp: 300, Kd: 8, Joints: map[string]JointGains{}},
		Transition: TransitionConfig{Blend: 0.1},
		EStop:      EStopConfig{Kd: 4},
		Safety: SafetyConfig{
			PositionMargin: 0.05, PositionHardMargin: 0.2,
			VelocityFactor: 1.0, VelocityHardFactor: 1.5,
			TorqueFactor: 1.0, TorqueHardFactor: 2.0,
			Persist: 0.1, Watchdog: 0.005, MaxTilt: 0.8, MinHeight: 0.35,
		},
		Commands: CommandsConfig{
			MaxVx: 4.5, MaxVy: 0.5, MaxYawRate: 1.5, MinHeight: -0.2, MaxHeight: 0.05, Timeout: 0.5,
			UDP: UDPConfig{Listen: "", MaxRate: 100, Burst: 20},
			Gamepad: GamepadConfig{Deadzone: 0.08, AxisVx: 1, AxisVy: 0, AxisYaw: 3,
				ButtonStandup: 0, ButtonDamping: 1, ButtonWalk: 2, ButtonStand: 3, ButtonReset: 6, ButtonEStop: 7},
		},
		Reload: ReloadConfig{Poll: 0.5},
		Walker: walkerSection(locomotion.DefaultWalkerConfig()),
	}
}

// Clone returns a deep copy of c.
func (c *Config) Clone() *Config {
	d := *c
	d.Stand.Joints = make(map[string]JointGains, len(c.Stand.Joints))
	for k, v := range c.Stand.Joints {
		d.Stand.Joints[k] = v
	}
	return &d
}

// Period returns the loop period, 1/rate, in seconds.
func (c *Config) Period() float64 { return 1 / c.Loop.Rate }

// ConfigError is one invalid setting: the key, where it was given (file and
// line, when it came from a file) and what is allowed.
type ConfigError struct {
	File string
	Line int    // 0 when unknown (a default, or not from a file)
	Col  int    // 0 when unknown
	Key  string // dotted YAML path, e.g. "safety.max_tilt"
	Msg  string // the value and what is allowed
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
			if e.Col > 0 {
				b.WriteString(":" + strconv.Itoa(e.Col))
			}
		}
		b.WriteString(": ")
	}
	b.WriteString("config: ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Validate checks every setting against its allowed range and the settings
// against each other. It returns all problems, joined, each a *ConfigError
// naming the key.
func (c *Config) Validate() error {
	var errs []error
	walkConfig(reflect.ValueOf(c).Elem(), "", func(f leaf) {
		if msg := f.check(); msg != "" {
			errs = append(errs, &ConfigError{Key: f.path, Msg: msg})
		}
	})
	cross := func(key, msg string) { errs = append(errs, &ConfigError{Key: key, Msg: msg}) }
	period := c.Period()
	rateOK := c.Loop.Rate >= 10 && c.Loop.Rate <= 10000
	if rateOK && c.Loop.LateTolerance >= period {
		cross("loop.late_tolerance", fmt.Sprintf("%g s is not below the period (%g s at loop.rate %g Hz)", c.Loop.LateTolerance, period, c.Loop.Rate))
	}
	if rateOK && c.Loop.Spin >= period {
		cross("loop.spin", fmt.Sprintf("%g s is not below the period (%g s at loop.rate %g Hz)", c.Loop.Spin, period, c.Loop.Rate))
	}
	if c.Safety.VelocityHardFactor < c.Safety.VelocityFactor {
		cross("safety.velocity_hard_factor", fmt.Sprintf("%g is below safety.velocity_factor (%g)", c.Safety.VelocityHardFactor, c.Safety.VelocityFactor))
	}
	if c.Safety.TorqueHardFactor < c.Safety.TorqueFactor {
		cross("safety.torque_hard_factor", fmt.Sprintf("%g is below safety.torque_factor (%g)", c.Safety.TorqueHardFactor, c.Safety.TorqueFactor))
	}
	if c.Safety.PositionHardMargin < c.Safety.PositionMargin {
		cross("safety.position_hard_margin", fmt.Sprintf("%g rad is below safety.position_margin (%g rad)", c.Safety.PositionHardMargin, c.Safety.PositionMargin))
	}
	if c.Standup.GainRamp > c.Standup.Duration {
		cross("standup.gain_ramp", fmt.Sprintf("%g s is longer than standup.duration (%g s)", c.Standup.GainRamp, c.Standup.Duration))
	}
	c.Walker.validate(cross)
	if a := c.Commands.UDP.Listen; a != "" {
		if _, err := udpAddress(a); err != nil {
			cross("commands.udp.listen", err.Error())
		}
	}
	return errors.Join(errs...)
}

// Load reads a YAML config file over the defaults and validates it. Keys the
// file leaves out keep their defaults; unknown keys, values of the wrong type
// and values out of range are errors naming the file, line and key. An empty
// path returns the defaults.
func Load(path string) (*Config, error) {
	c := Defaults()
	if path == "" {
		return c, nil
	}
	data, err := fileio.ReadFile(path, fileio.LimitConfig)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := c.decode(path, data); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse is Load for YAML text; name is used in errors.
func Parse(name string, data []byte) (*Config, error) {
	c := Defaults()
	if err := c.decode(name, data); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) decode(name string, data []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		se := yamlnode.SyntaxError(data, err)
		return &ConfigError{File: name, Line: se.Line, Col: se.Col, Msg: se.Msg}
	}
	if len(root.Content) == 0 { // empty file: the defaults
		return c.Validate()
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return &ConfigError{File: name, Line: doc.Line, Msg: "the file must be a mapping of sections (loop:, stand:, safety:, …)"}
	}
	var d yamlnode.Decoder
	if err := d.Decode(doc, c); err != nil {
		var ne *yamlnode.Error
		if errors.As(err, &ne) {
			msg := ne.Msg
			if ne.Unknown {
				msg += " (`stride config print` lists them all)"
			}
			return &ConfigError{File: name, Line: ne.Line, Col: ne.Col, Key: ne.Key, Msg: msg}
		}
		return fmt.Errorf("%s: config: %w", name, err)
	}
	err := c.Validate()
	if err == nil {
		return nil
	}
	// Point each error at the line that set the key.
	var out []error
	for _, e := range unjoin(err) {
		if ce, ok := e.(*ConfigError); ok {
			ce.File = name
			var found bool
			ce.Line, found = lineOf(doc, ce.Key)
			if !found {
				ce.Msg += " (the built-in default; the file does not set it)"
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// lineOf finds the line of a dotted key in a YAML mapping. When the key is
// not there it returns the line of its nearest enclosing section (0 if none)
// and false.
func lineOf(n *yaml.Node, key string) (int, bool) {
	line := 0
	for _, part := range strings.Split(key, ".") {
		if n == nil || n.Kind != yaml.MappingNode {
			return line, false
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				line = n.Content[i].Line
				next = n.Content[i+1]
				break
			}
		}
		if next == nil {
			return line, false
		}
		n = next
	}
	return line, true
}

// leaf is one setting met while walking a Config.
type leaf struct {
	path  string
	field reflect.StructField
	v     reflect.Value
}

// walkConfig calls fn for every leaf setting under v (a struct), in field
// order; map values (per-joint gains) are walked in key order.
func walkConfig(v reflect.Value, prefix string, fn func(leaf)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.Struct:
			walkConfig(fv, path, fn)
		case reflect.Map:
			keys := fv.MapKeys()
			sort.Slice(keys, func(a, b int) bool { return keys[a].String() < keys[b].String() })
			for _, k := range keys {
				e := reflect.New(fv.Type().Elem()).Elem()
				e.Set(fv.MapIndex(k))
				walkConfig(e, path+"."+k.String(), fn)
			}
		default:
			fn(leaf{path: path, field: f, v: fv})
		}
	}
}

// bounds returns the field's allowed range, if it has one.
func (f leaf) bounds() (lo, hi float64, ok bool) {
	r := f.field.Tag.Get("range")
	if r == "" {
		return 0, 0, false
	}
	a, b, _ := strings.Cut(r, ",")
	lo, err1 := strconv.ParseFloat(a, 64)
	hi, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		panic("runtime: bad range tag on " + f.path) // a programming error in this file
	}
	return lo, hi, true
}

func (f leaf) unit() string {
	if u := f.field.Tag.Get("unit"); u != "" {
		return " " + u
	}
	return ""
}

// allowed describes what the field accepts, e.g. "[10, 10000] Hz".
func (f leaf) allowed() string {
	if lo, hi, ok := f.bounds(); ok {
		return fmt.Sprintf("[%g, %g]%s", lo, hi, f.unit())
	}
	if e := f.field.Tag.Get("enum"); e != "" {
		return "one of " + strings.ReplaceAll(e, ",", ", ")
	}
	return ""
}

// check returns what is wrong with the field's value, or "".
func (f leaf) check() string {
	var x float64
	switch f.v.Kind() {
	case reflect.Float64:
		x = f.v.Float()
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprintf("%v is not a finite number; allowed range %s", x, f.allowed())
		}
	case reflect.Int:
		x = float64(f.v.Int())
	case reflect.String:
		if e := f.field.Tag.Get("enum"); e != "" {
			for _, s := range strings.Split(e, ",") {
				if f.v.String() == s {
					return ""
				}
			}
			return fmt.Sprintf("%q is not allowed; want %s", f.v.String(), f.allowed())
		}
		return ""
	default:
		return ""
	}
	if lo, hi, ok := f.bounds(); ok && (x < lo || x > hi) {
		return fmt.Sprintf("%g%s is out of range; allowed range %s", x, f.unit(), f.allowed())
	}
	return ""
}

// Print writes c as YAML, every key commented with its unit, allowed range
// and meaning: the effective config, loadable again with Load.
func (c *Config) Print() ([]byte, error) {
	root := structNode(reflect.ValueOf(c).Elem())
	root.HeadComment = "Stride runtime configuration. Units are SI unless a key's name says otherwise;\n" +
		"keys left out of a file keep these values. Ranges are enforced at load."
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func structNode(v reflect.Value) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: strings.Split(f.Tag.Get("yaml"), ",")[0]}
		fv := v.Field(i)
		var val *yaml.Node
		switch fv.Kind() {
		case reflect.Struct:
			val = structNode(fv)
			k.HeadComment = f.Tag.Get("help")
		case reflect.Map:
			val = &yaml.Node{Kind: yaml.MappingNode}
			keys := fv.MapKeys()
			sort.Slice(keys, func(a, b int) bool { return keys[a].String() < keys[b].String() })
			for _, mk := range keys {
				val.Content = append(val.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: mk.String()}, structNode(fv.MapIndex(mk)))
			}
			if len(keys) == 0 {
				val.Style = yaml.FlowStyle
			}
			k.HeadComment = f.Tag.Get("help")
		default:
			val = &yaml.Node{}
			if err := val.Encode(fv.Interface()); err != nil {
				panic(err) // plain scalars always encode
			}
			l := leaf{field: f, v: fv}
			comment := f.Tag.Get("help")
			if a := l.allowed(); a != "" {
				comment = a + "; " + comment
			} else if u := l.unit(); u != "" {
				comment = strings.TrimSpace(u) + "; " + comment
			}
			if f.Tag.Get("reload") == "restart" {
				comment += " (restart to change)"
			}
			val.LineComment = comment
		}
		n.Content = append(n.Content, k, val)
	}
	return n
}

// Change is one setting that differs between two configs.
type Change struct {
	Key      string
	Old, New string  // the values as text
	OldF     float64 // numeric values (NaN for text settings)
	NewF     float64
	Restart  bool // the key cannot change while the loop runs
}

// Diff lists the settings that differ from old to c, in key order.
func (c *Config) Diff(old *Config) []Change {
	a := map[string]leaf{}
	walkConfig(reflect.ValueOf(old).Elem(), "", func(f leaf) { a[f.path] = f })
	var out []Change
	seen := map[string]bool{}
	walkConfig(reflect.ValueOf(c).Elem(), "", func(f leaf) {
		seen[f.path] = true
		o, ok := a[f.path]
		nv := fmt.Sprint(f.v.Interface())
		ov := "(none)"
		of := math.NaN()
		if ok {
			ov = fmt.Sprint(o.v.Interface())
			of = numeric(o.v)
		}
		if ok && ov == nv {
			return
		}
		out = append(out, Change{Key: f.path, Old: ov, New: nv, OldF: of, NewF: numeric(f.v), Restart: f.field.Tag.Get("reload") == "restart"})
	})
	for p, o := range a {
		if !seen[p] {
			out = append(out, Change{Key: p, Old: fmt.Sprint(o.v.Interface()), New: "(none)", OldF: numeric(o.v), NewF: math.NaN()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func numeric(v reflect.Value) float64 {
	switch v.Kind() {
	case reflect.Float64:
		return v.Float()
	case reflect.Int:
		return float64(v.Int())
	case reflect.Bool:
		if v.Bool() {
			return 1
		}
		return 0
	}
	return math.NaN()
}

// keepRestartKeys copies into c the values of old for every setting that
// needs a restart, so a hot reload leaves them alone.
func (c *Config) keepRestartKeys(old *Config) {
	copyRestart(reflect.ValueOf(c).Elem(), reflect.ValueOf(old).Elem())
}

func copyRestart(dst, src reflect.Value) {
	t := dst.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		switch {
		case dst.Field(i).Kind() == reflect.Struct:
			copyRestart(dst.Field(i), src.Field(i))
		case f.Tag.Get("reload") == "restart":
			dst.Field(i).Set(src.Field(i))
		}
	}
}

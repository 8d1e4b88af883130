package runtime

import (
	"errors"
	"fmt"
	"math"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/internal/yamlnode"
	"gopkg.in/yaml.v3"

	"github.com/stride-robotics/stride/locomotion"
)

// Script is a list of timed commands for reproducible runs (`stride sim
// --commands FILE`). The loop sends each step to its Mux on the first tick
// whose loop time has reached the step's time, so a lock-step simulation
// replays it identically. The file format is in docs/commands.md:
//
//	steps:
//	  - {t: 0, mode: standup}
//	  - {t: 3, mode: locomotion, vx: 0.3, gait: walk}
//	  - {t: 6, push: [20, 0, 0]}
//	  - {t: 8, estop: true}
//
// A push step (simulation only) pushes the robot's base through
// hal.Disturber: New refuses a script with one for a robot that cannot be
// pushed.
type Script struct {
	Name  string // the file, for errors
	Steps []ScriptStep
	next  int
}

// ScriptStep is one timed command, a push, or both.
type ScriptStep struct {
	T    float64 // s, loop time
	Cmd  Command // nothing to send when zero
	Line int     // where the step starts in its file
	// HasPush says the step pushes the base by Push (N·s, heading frame:
	// x forward, y left, z up) over PushDuration.
	HasPush bool
	Push    [3]float64
}

// PushDuration is how long a script's push lasts: its impulse is applied
// as a constant force over this time.
const PushDuration = 0.05 // s

// MaxPush bounds a script push's impulse (N·s): enough to throw a 40 kg
// robot at 5 m/s; a larger one is a typo.
const MaxPush = 200.0

// scriptFile and scriptStep are the YAML form.
type scriptFile struct {
	Steps []scriptStep `yaml:"steps"`
}

type scriptStep struct {
	T       *float64  `yaml:"t"`
	Vx      *float64  `yaml:"vx"`
	Vy      *float64  `yaml:"vy"`
	YawRate *float64  `yaml:"yaw_rate"`
	Height  *float64  `yaml:"height"`
	Gait    string    `yaml:"gait"`
	Mode    string    `yaml:"mode"`
	EStop   bool      `yaml:"estop"`
	Reset   bool      `yaml:"reset"`
	Push    []float64 `yaml:"push"`
	line    int
}

// SetLine keeps the line the step starts on (yamlnode.Decoder calls it).
func (s *scriptStep) SetLine(line int) { s.line = line }

// LoadScript reads a command script and checks every step against lim: each
// step needs a time t ≥ 0, not before the step above it; set-points must be
// within the limits; modes and gaits must exist. Errors name the file, line
// and step.
func LoadScript(path string, lim Limits) (*Script, error) {
	data, err := fileio.ReadFile(path, fileio.LimitScript)
	if err != nil {
		return nil, fmt.Errorf("commands: %w", err)
	}
	return ParseScript(path, data, lim)
}

// ParseScript is LoadScript for text; name is used in errors.
func ParseScript(name string, data []byte, lim Limits) (*Script, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		se := yamlnode.SyntaxError(data, err)
		return nil, fmt.Errorf("%s:%d:%d: commands: %s", name, se.Line, se.Col, se.Msg)
	}
	if root.Kind == 0 || len(root.Content) == 0 { // empty, or only comments
		return nil, fmt.Errorf("%s: commands: no steps (want a top-level \"steps:\" list)", name)
	}
	var f scriptFile
	d := yamlnode.Decoder{Elem: func(_ string, i int) string { return fmt.Sprintf("step %d", i+1) }}
	if err := d.Decode(&root, &f); err != nil {
		var ne *yamlnode.Error
		if errors.As(err, &ne) {
			msg := ne.Msg
			if ne.Key != "" {
				msg = ne.Key + ": " + msg
			}
			return nil, fmt.Errorf("%s:%d:%d: commands: %s", name, ne.Line, ne.Col, msg)
		}
		return nil, fmt.Errorf("%s: commands: %w", name, err)
	}
	if len(f.Steps) == 0 {
		return nil, fmt.Errorf("%s: commands: no steps (want a top-level \"steps:\" list)", name)
	}
	s := &Script{Name: name}
	var errs []error
	last := math.Inf(-1)
	for i, st := range f.Steps {
		fail := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("%s:%d: commands: step %d: %s", name, st.line, i+1, fmt.Sprintf(format, a...)))
		}
		if st.T == nil {
			fail("no time t (seconds of loop time)")
			continue
		}
		t := *st.T
		if math.IsNaN(t) || math.IsInf(t, 0) || t < 0 {
			fail("t = %g: want a time ≥ 0 s", t)
			continue
		}
		if t < last {
			fail("t = %g s is before the step above (%g s): steps must be in time order", t, last)
		}
		last = t
		c := Command{}
		if st.Vx != nil || st.Vy != nil || st.YawRate != nil {
			c.Set |= SetVelocity
			c.Vx, c.Vy, c.YawRate = deref(st.Vx), deref(st.Vy), deref(st.YawRate)
		}
		if st.Height != nil {
			c.Set |= SetHeight
			c.Height = *st.Height
		}
		if st.Gait != "" {
			g, err := locomotion.ParseGait(st.Gait)
			if err != nil {
				fail("%v", err)
				continue
			}
			c.Set |= SetGait
			c.Gait = g
		}
		if st.Mode != "" {
			m, err := ParseMode(st.Mode)
			if err != nil {
				fail("%v", err)
				continue
			}
			c.Mode = m
		}
		c.EStop, c.Reset = st.EStop, st.Reset
		if err := lim.Check(&c); err != nil {
			fail("%v", err)
			continue
		}
		step := ScriptStep{T: t, Cmd: c, Line: st.line}
		if st.Push != nil {
			if err := checkPush(st.Push); err != nil {
				fail("push: %v", err)
				continue
			}
			step.HasPush = true
			copy(step.Push[:], st.Push)
		}
		if c == (Command{}) && !step.HasPush {
			fail("the step sets nothing")
			continue
		}
		s.Steps = append(s.Steps, step)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// checkPush checks a push's impulse: three finite values (N·s) of at most
// MaxPush in all.
func checkPush(p []float64) error {
	if len(p) != 3 {
		return fmt.Errorf("want an impulse [px, py, pz] in N·s (heading frame), found %d values", len(p))
	}
	for i, v := range p {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("value %d is %v: want a finite impulse in N·s", i+1, v)
		}
	}
	if n := math.Sqrt(p[0]*p[0] + p[1]*p[1] + p[2]*p[2]); n > MaxPush {
		return fmt.Errorf("%.4g N·s: at most %g N·s", n, MaxPush)
	}
	return nil
}

// PushStep returns a script step pushing the base by impulse (N·s, heading
// frame) at loop time t (for pushes given outside a script file, such as
// `stride sim --push-at`), or an error naming what is wrong.
func PushStep(t float64, impulse [3]float64) (ScriptStep, error) {
	if math.IsNaN(t) || math.IsInf(t, 0) || t < 0 {
		return ScriptStep{}, fmt.Errorf("push at t = %g: want a time ≥ 0 s", t)
	}
	if err := checkPush(impulse[:]); err != nil {
		return ScriptStep{}, fmt.Errorf("push at t = %g s: %w", t, err)
	}
	return ScriptStep{T: t, HasPush: true, Push: impulse}, nil
}

// firstPush returns the index of the first push step, or −1.
func (s *Script) firstPush() int {
	for i := range s.Steps {
		if s.Steps[i].HasPush {
			return i
		}
	}
	return -1
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// End returns the time of the last step.
func (s *Script) End() float64 {
	if len(s.Steps) == 0 {
		return 0
	}
	return s.Steps[len(s.Steps)-1].T
}

// feed sends every step due by loop time now, and hands a push step to
// push (nil: pushes are not fed). A step the sink rejects (its limits were
// reloaded tighter) is skipped; the sink counts it.
func (s *Script) feed(now float64, sink Sink, push func(*ScriptStep)) {
	for s.next < len(s.Steps) && s.Steps[s.next].T <= now+1e-9 {
		st := &s.Steps[s.next]
		if st.Cmd != (Command{}) {
			_ = sink.Send(SourceScript, st.Cmd)
		}
		if st.HasPush && push != nil {
			push(st)
		}
		s.next++
	}
}

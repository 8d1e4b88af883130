package runtime

import (
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/stride-robotics/stride/hal/fileio"
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
//	  - {t: 8, estop: true}
type Script struct {
	Steps []ScriptStep
	next  int
}

// ScriptStep is one timed command.
type ScriptStep struct {
	T    float64 // s, loop time
	Cmd  Command
	Line int // where the step starts in its file
}

// scriptFile and scriptStep are the YAML form.
type scriptFile struct {
	Steps []scriptStep `yaml:"steps"`
}

type scriptStep struct {
	T       *float64 `yaml:"t"`
	Vx      *float64 `yaml:"vx"`
	Vy      *float64 `yaml:"vy"`
	YawRate *float64 `yaml:"yaw_rate"`
	Height  *float64 `yaml:"height"`
	Gait    string   `yaml:"gait"`
	Mode    string   `yaml:"mode"`
	EStop   bool     `yaml:"estop"`
	Reset   bool     `yaml:"reset"`
	line    int
}

// setLine keeps the line the step starts on (nodeDecoder calls it).
func (s *scriptStep) setLine(line int) { s.line = line }

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
		se := yamlSyntaxError(data, err)
		return nil, fmt.Errorf("%s:%d:%d: commands: %s", name, se.Line, se.Col, se.Msg)
	}
	if root.Kind == 0 || len(root.Content) == 0 { // empty, or only comments
		return nil, fmt.Errorf("%s: commands: no steps (want a top-level \"steps:\" list)", name)
	}
	var f scriptFile
	d := nodeDecoder{elem: func(_ string, i int) string { return fmt.Sprintf("step %d", i+1) }}
	if err := d.decode(&root, reflect.ValueOf(&f).Elem(), "", 0); err != nil {
		var ne *nodeError
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
	s := &Script{}
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
		if c == (Command{}) {
			fail("the step sets nothing")
			continue
		}
		s.Steps = append(s.Steps, ScriptStep{T: t, Cmd: c, Line: st.line})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
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

// feed sends every step due by loop time now. A step the sink rejects (its
// limits were reloaded tighter) is skipped; the sink counts it.
func (s *Script) feed(now float64, sink Sink) {
	for s.next < len(s.Steps) && s.Steps[s.next].T <= now+1e-9 {
		_ = sink.Send(SourceScript, s.Steps[s.next].Cmd)
		s.next++
	}
}

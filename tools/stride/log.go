package main

import (
	"fmt"
	"math"
	"path"
	"sort"
	"strings"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// logCmd is `stride log …`: tools for telemetry logs (docs/telemetry.md).
type logCmd struct {
	Info   logInfoCmd   `cmd:"" help:"Summarise a log: duration, ticks, rate, channels, dropped records, faults, gaps, damage."`
	Export logExportCmd `cmd:"" help:"Export a log as CSV (--csv) or MCAP (--mcap, for Foxglove Studio and PlotJuggler)."`
	Plot   logPlotCmd   `cmd:"" help:"Plot channels of a log against time into a PNG, one panel per --channels."`
	Replay logReplayCmd `cmd:"" help:"Play a log back in the viewer (ground truth or estimate) with pause, speed and scrub; --text prints the states."`
	Rerun  logRerunCmd  `cmd:"" help:"Feed a log's recorded sensors through the controller again and report the difference from the logged commands."`
}

// column is one value per tick that a tool prints or plots: a channel of
// the log, or a quantity derived from channels.
type column struct {
	Name, Unit string
	Integer    bool // print without a fraction
	get        func(*telemetry.Tick) float64
}

// derived are the columns computed from channels, available wherever
// channels are selected.
func derivedColumns(h *telemetry.Header) []column {
	speed := func(p func(*telemetry.Tick) *telemetry.BaseState) func(*telemetry.Tick) float64 {
		return func(t *telemetry.Tick) float64 { v := p(t).LinVel; return math.Hypot(v[0], v[1]) }
	}
	cols := []column{{Name: "est.speed", Unit: "m/s", get: speed(func(t *telemetry.Tick) *telemetry.BaseState { return &t.Estimate })}}
	if h.Truth {
		cols = append(cols, column{Name: "truth.speed", Unit: "m/s", get: speed(func(t *telemetry.Tick) *telemetry.BaseState { return &t.Truth })})
	}
	return cols
}

// allColumns lists the log's channels and the derived columns.
func allColumns(h *telemetry.Header) []column {
	acc := telemetry.Accessors(h.Channels, h.Joints, h.Truth)
	cols := make([]column, 0, len(acc)+2)
	for i := range acc {
		a := &acc[i]
		cols = append(cols, column{Name: a.Name, Unit: a.Unit, Integer: a.Type != telemetry.F64, get: a.Value})
	}
	return append(cols, derivedColumns(h)...)
}

// selectColumns returns the columns matching the comma-separated glob
// patterns (path.Match syntax: q.*, cmd.tau.left_*), in pattern order.
func selectColumns(h *telemetry.Header, patterns []string) ([]column, error) {
	all := allColumns(h)
	var out []column
	seen := map[string]bool{}
	for _, group := range patterns {
		for _, p := range strings.Split(group, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("--channels %q: bad pattern: %v", p, err)
			}
			n := 0
			for _, c := range all {
				if ok, _ := path.Match(p, c.Name); ok {
					n++
					if !seen[c.Name] {
						seen[c.Name] = true
						out = append(out, c)
					}
				}
			}
			if n == 0 {
				return nil, fmt.Errorf("--channels %q matches no channel of this log; channels look like time, q.%s, cmd.tau.*, imu.gyro.z%s (stride log info FILE --channels lists them)",
					p, firstJoint(h), map[bool]string{true: ", truth.pos.z, truth.speed", false: ""}[h.Truth])
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--channels: no channel selected")
	}
	return out, nil
}

func firstJoint(h *telemetry.Header) string {
	if len(h.Joints) > 0 {
		return h.Joints[0]
	}
	return "JOINT"
}

// timeRange checks --from/--to.
func timeRange(from, to float64) error {
	if math.IsNaN(from) || math.IsNaN(to) || to < from {
		return fmt.Errorf("--from %g --to %g: want from ≤ to (seconds of log time)", from, to)
	}
	return nil
}

// nameOf returns names[i] or the number.
func nameOf(names []string, i int) string {
	if i >= 0 && i < len(names) && names[i] != "" {
		return names[i]
	}
	return fmt.Sprint(i)
}

// bitNames lists the names of the set bits of f.
func bitNames(f uint32, names []string) string {
	if f == 0 {
		return "none"
	}
	var s []string
	for i := 0; i < 32; i++ {
		if f&(1<<i) != 0 {
			if i < len(names) && names[i] != "" {
				s = append(s, names[i])
			} else {
				s = append(s, fmt.Sprintf("bit %d", i))
			}
		}
	}
	return strings.Join(s, ", ")
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

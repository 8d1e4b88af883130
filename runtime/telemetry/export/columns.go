package export

import (
	"fmt"
	"math"
	"path"
	"sort"
	"strings"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// Column is one value per tick that a tool prints or plots: a channel of
// the log, or a quantity derived from channels.
type Column struct {
	Name, Unit string
	Integer    bool                          // print without a fraction
	Get        func(*telemetry.Tick) float64 // the value on a tick
}

// DerivedColumns are the columns computed from channels, available wherever
// channels are selected.
func DerivedColumns(h *telemetry.Header) []Column {
	speed := func(p func(*telemetry.Tick) *telemetry.BaseState) func(*telemetry.Tick) float64 {
		return func(t *telemetry.Tick) float64 { v := p(t).LinVel; return math.Hypot(v[0], v[1]) }
	}
	cols := []Column{{Name: "est.speed", Unit: "m/s", Get: speed(func(t *telemetry.Tick) *telemetry.BaseState { return &t.Estimate })}}
	if h.Truth {
		cols = append(cols, Column{Name: "truth.speed", Unit: "m/s", Get: speed(func(t *telemetry.Tick) *telemetry.BaseState { return &t.Truth })})
	}
	return cols
}

// AllColumns lists the log's channels and the derived columns.
func AllColumns(h *telemetry.Header) []Column {
	acc := telemetry.Accessors(h.Channels, h.Joints, h.Truth)
	cols := make([]Column, 0, len(acc)+2)
	for i := range acc {
		a := &acc[i]
		cols = append(cols, Column{Name: a.Name, Unit: a.Unit, Integer: a.Type != telemetry.F64, Get: a.Value})
	}
	return append(cols, DerivedColumns(h)...)
}

// Select returns the columns matching the comma-separated glob
// patterns (path.Match syntax: q.*, cmd.tau.left_*), in pattern order.
func Select(h *telemetry.Header, patterns []string) ([]Column, error) {
	all := AllColumns(h)
	var out []Column
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
					p, FirstJoint(h), map[bool]string{true: ", truth.pos.z, truth.speed", false: ""}[h.Truth])
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--channels: no channel selected")
	}
	return out, nil
}

// FirstJoint is the log's first joint name, or JOINT.
func FirstJoint(h *telemetry.Header) string {
	if len(h.Joints) > 0 {
		return h.Joints[0]
	}
	return "JOINT"
}

// CheckRange checks --from/--to.
func CheckRange(from, to float64) error {
	if math.IsNaN(from) || math.IsNaN(to) || to < from {
		return fmt.Errorf("--from %g --to %g: want from ≤ to (seconds of log time)", from, to)
	}
	return nil
}

// NameOf returns names[i] or the number.
func NameOf(names []string, i int) string {
	if i >= 0 && i < len(names) && names[i] != "" {
		return names[i]
	}
	return fmt.Sprint(i)
}

// BitNames lists the names of the set bits of f.
func BitNames(f uint32, names []string) string {
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

// SortedKeys returns m's keys in order.
func SortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

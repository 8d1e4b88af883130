package telemetry

import (
	"fmt"
	"strings"
)

// Registry collects the channels a controller or estimator declares, and
// hands each the part of a tick's Values slab it writes. The runtime makes
// one over its tick record before the log is created; its Declared list
// goes in the log's header (Header.Declared).
type Registry struct {
	tick     *Tick
	declared []Declared
	used     int
}

// NewRegistry returns a registry whose channels' values live in t.Values.
func NewRegistry(t *Tick) *Registry {
	return &Registry{tick: t}
}

// Declare declares a channel of size values per tick, in unit, and returns
// the slice of the tick's Values it is written through: write the values
// each tick before the tick is recorded (the slice is the tick record's
// own memory; writing allocates nothing). The name is dotted like the
// built-in channels ("mpc.force.left"); its first part may not be a
// built-in group (time, q, cmd, est, truth, …).
func (r *Registry) Declare(name, unit string, size int) ([]float64, error) {
	d := Declared{Name: name, Unit: unit, Size: size}
	if err := checkDeclared(append(r.declared[:len(r.declared):len(r.declared)], d)); err != nil {
		return nil, err
	}
	r.declared = append(r.declared, d)
	v := r.tick.Values[r.used : r.used+size : r.used+size]
	r.used += size
	return v, nil
}

// Declared returns the channels declared so far, in order.
func (r *Registry) Declared() []Declared { return append([]Declared(nil), r.declared...) }

// Used returns the number of Values the declared channels take.
func (r *Registry) Used() int { return r.used }

// builtinGroups are the first name parts of the built-in channels.
var builtinGroups = func() map[string]bool {
	g := map[string]bool{}
	for _, c := range Channels([]string{"j"}, true) {
		g[strings.SplitN(c.Name, ".", 2)[0]] = true
	}
	return g
}()

// checkDeclared validates a list of declared channels: names, units, sizes
// and room.
func checkDeclared(decl []Declared) error {
	total := 0
	cols := map[string]int{}
	names := map[string]bool{}
	for i := range decl {
		d := &decl[i]
		switch {
		case names[d.Name]:
			return fmt.Errorf("telemetry: channel %q declared twice", d.Name)
		case d.Name == "" || strings.ContainsAny(d.Name, " ,*?[]\t\n\\") || strings.HasPrefix(d.Name, ".") ||
			strings.HasSuffix(d.Name, ".") || strings.Contains(d.Name, ".."):
			return fmt.Errorf("telemetry: declared channel %d: name %q is empty, has spaces, commas, glob characters or empty parts", i, d.Name)
		case builtinGroups[strings.SplitN(d.Name, ".", 2)[0]]:
			return fmt.Errorf("telemetry: declared channel %q: %q is a built-in channel group; use a group of your own (mpc., wbc., policy., …)",
				d.Name, strings.SplitN(d.Name, ".", 2)[0])
		case strings.ContainsAny(d.Unit, "\t\n"):
			return fmt.Errorf("telemetry: declared channel %q: unit %q has control characters", d.Name, d.Unit)
		case d.Size < 1 || d.Size > MaxValues:
			return fmt.Errorf("telemetry: declared channel %q: size %d: want 1 to %d", d.Name, d.Size, MaxValues)
		}
		names[d.Name] = true
		total += d.Size
		if total > MaxValues {
			return fmt.Errorf("telemetry: declared channel %q (size %d): the declared channels need %d values, room is %d (telemetry.MaxValues)",
				d.Name, d.Size, total, MaxValues)
		}
		for k := 0; k < d.Size; k++ {
			c := d.Column(k)
			if j, dup := cols[c]; dup {
				return fmt.Errorf("telemetry: declared channels %q and %q both have a column %q", decl[j].Name, d.Name, c)
			}
			cols[c] = i
		}
	}
	// A column may not be a group of another (mpc.force and mpc.force.x):
	// exports nest the names (MCAP's JSON: {"force": {"x": …}}).
	for c, i := range cols {
		for p := c; ; {
			k := strings.LastIndexByte(p, '.')
			if k < 0 {
				break
			}
			p = p[:k]
			if j, ok := cols[p]; ok {
				return fmt.Errorf("telemetry: declared channels %q and %q: column %q is also a group of column %q", decl[j].Name, decl[i].Name, p, c)
			}
		}
	}
	return nil
}

package urdf

import (
	"fmt"
	"strings"
)

// warnings collects the loader's warnings in order of first occurrence.
// Grouped warnings (one per kind of ignored element) list their occurrences.
type warnings struct {
	list  []*warnEntry
	group map[string]*warnEntry
}

type warnEntry struct {
	msg   string
	items []string
}

// maxWarnItems bounds the occurrences listed in one grouped warning.
const maxWarnItems = 8

func (w *warnings) add(format string, args ...any) {
	w.list = append(w.list, &warnEntry{msg: fmt.Sprintf(format, args...)})
}

// addTo records one occurrence under a grouped warning.
func (w *warnings) addTo(key, msg, item string) {
	if w.group == nil {
		w.group = map[string]*warnEntry{}
	}
	e := w.group[key]
	if e == nil {
		e = &warnEntry{msg: msg}
		w.group[key] = e
		w.list = append(w.list, e)
	}
	e.items = append(e.items, item)
}

func (w *warnings) strings() []string {
	out := make([]string, 0, len(w.list))
	for _, e := range w.list {
		if len(e.items) == 0 {
			out = append(out, e.msg)
			continue
		}
		items := e.items
		more := ""
		if len(items) > maxWarnItems {
			more = fmt.Sprintf(" and %d more", len(items)-maxWarnItems)
			items = items[:maxWarnItems]
		}
		n := "1 occurrence"
		if len(e.items) > 1 {
			n = fmt.Sprintf("%d occurrences", len(e.items))
		}
		out = append(out, fmt.Sprintf("%s (%s: %s%s)", e.msg, n, strings.Join(items, ", "), more))
	}
	return out
}

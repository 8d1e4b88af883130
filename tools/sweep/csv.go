package sweep

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
)

// ParamNames lists the parameter names of rows, sorted.
func ParamNames(rows []Row) []string {
	seen := map[string]bool{}
	for _, r := range rows {
		for k := range r.Params {
			seen[k] = true
		}
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// WriteCSV writes rows as CSV (atomically): index, id, set, seed, the
// parameters, fell (0/1), reason, then every metric by name; a metric a
// row lacks is empty.
func WriteCSV(path string, rows []Row) error {
	params, mets := ParamNames(rows), MetricNames(rows)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"index", "id", "set", "seed"}
	head = append(head, params...)
	head = append(head, "fell", "reason")
	head = append(head, mets...)
	if err := w.Write(head); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{strconv.Itoa(r.Index), r.ID, strconv.Itoa(r.Set), strconv.FormatUint(r.Seed, 10)}
		for _, p := range params {
			switch v := r.Params[p].(type) {
			case float64:
				rec = append(rec, num(v))
			case nil:
				rec = append(rec, "")
			default:
				rec = append(rec, fmt.Sprint(v))
			}
		}
		fell := "0"
		if r.Fell {
			fell = "1"
		}
		rec = append(rec, fell, r.Reason)
		for _, m := range mets {
			if v, ok := r.Metrics[m]; ok {
				rec = append(rec, num(v))
			} else {
				rec = append(rec, "")
			}
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return writeAtomic(path, buf.Bytes())
}

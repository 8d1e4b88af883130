package sweep

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
)

// maxFellLogs bounds the logs kept of rollouts that fell.
const maxFellLogs = 5

// KeepLogsOf runs again, with a telemetry log, the rollouts of rows the
// spec's keep_logs chooses — best and worst by the objective among those
// that did not fall, and up to five that fell — and writes the logs to
// dir/logs/KIND-INDEX.tlm. A rollout depends only on its parameters and
// seed, so the logged run is the one in the table; its row is checked
// against the table's and a difference is an error.
func (s *Spec) KeepLogsOf(ctx context.Context, dir string, rows []Row) ([]string, error) {
	if len(s.KeepLogs) == 0 || len(rows) == 0 {
		return nil, nil
	}
	type pick struct {
		kind string
		row  Row
	}
	var picks []pick
	var ok []Row
	for _, r := range rows {
		if _, has := r.Metrics[s.Objective.Metric]; has && !r.Fell {
			ok = append(ok, r)
		}
	}
	better := func(a, b Row) bool {
		x, y := a.Metrics[s.Objective.Metric], b.Metrics[s.Objective.Metric]
		if s.Objective.Goal == "max" {
			return x > y
		}
		return x < y
	}
	sort.SliceStable(ok, func(i, j int) bool { return better(ok[i], ok[j]) })
	for _, k := range s.KeepLogs {
		switch k {
		case "best":
			if len(ok) > 0 {
				picks = append(picks, pick{"best", ok[0]})
			}
		case "worst":
			if len(ok) > 0 {
				picks = append(picks, pick{"worst", ok[len(ok)-1]})
			}
		case "fell":
			n := 0
			for _, r := range rows {
				if r.Fell && n < maxFellLogs {
					picks = append(picks, pick{"fell", r})
					n++
				}
			}
		}
	}
	if len(picks) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	byIndex := map[int]Rollout{}
	for _, r := range s.Rollouts() {
		byIndex[r.Index] = r
	}
	var out []string
	for _, p := range picks {
		r, found := byIndex[p.row.Index]
		if !found || r.ID != p.row.ID {
			return out, fmt.Errorf("rollout %d (%s) is not in this spec", p.row.Index, p.row.ID)
		}
		path := filepath.Join(dir, "logs", fmt.Sprintf("%s-%d.tlm", p.kind, r.Index))
		row, err := s.Run(ctx, r, path)
		if err != nil {
			return out, err
		}
		out = append(out, path)
		if !s.Timing && (row.Fell != p.row.Fell || !reflect.DeepEqual(row.Metrics, p.row.Metrics)) {
			return out, fmt.Errorf("rollout %d logged again gave different metrics than in the table: the rollout is not reproducible", r.Index)
		}
	}
	return out, nil
}

package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Options are a sweep run's settings.
type Options struct {
	Out     string // output directory
	Workers int    // parallel rollouts; 0: the number of CPUs
	// Shard and Shards select every Shards-th rollout from the Shard-th (0-based);
	// Shards 0 or 1 runs them all.
	Shard, Shards int
	// Progress, when set, is called after each finished rollout (from one
	// goroutine): rollouts finished (resumed ones included), the shard's
	// total, and how many fell.
	Progress func(done, total, fell int)
}

// Result says what a run did.
type Result struct {
	File    string // the results file
	Total   int    // rollouts of this shard
	Resumed int    // found finished in the file
	Ran     int    // run now
	Fell    int    // rows that fell (resumed included)
	Rows    []Row  // every row of the shard, in index order, when complete
	Logs    []string
}

// ResultsFile is the results file of shard i of n (n ≤ 1: the whole sweep)
// in dir.
func ResultsFile(dir string, i, n int) string {
	if n <= 1 {
		return filepath.Join(dir, "results.jsonl")
	}
	return filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d.jsonl", i, n))
}

// Shard returns the rollouts of shard i of n: those whose index is i mod n.
func Shard(rs []Rollout, i, n int) []Rollout {
	if n <= 1 {
		return rs
	}
	var out []Rollout
	for _, r := range rs {
		if r.Index%n == i {
			out = append(out, r)
		}
	}
	return out
}

// RunSweep runs the spec's rollouts of the chosen shard that the results
// file does not hold yet, on o.Workers goroutines, appending each row to
// the file as one write of one whole line (a line cut short by a crash is
// dropped on the next start). Once every row is there the file is
// rewritten in index order (and, unsharded, results.csv written beside
// it), so an interrupted and resumed run ends with the same bytes as an
// uninterrupted one. Cancelling ctx stops the run after the rollouts in
// flight are abandoned; what finished is kept.
func (s *Spec) RunSweep(ctx context.Context, o Options) (*Result, error) {
	if o.Shards > 1 && (o.Shard < 0 || o.Shard >= o.Shards) {
		return nil, fmt.Errorf("shard %d/%d: want an index from 0 to %d", o.Shard, o.Shards, o.Shards-1)
	}
	if o.Out == "" {
		return nil, errors.New("no output directory: give output in the spec or --out")
	}
	all := s.Rollouts()
	sweep := SweepID(all)
	mine := Shard(all, o.Shard, o.Shards)
	res := &Result{File: ResultsFile(o.Out, o.Shard, o.Shards), Total: len(mine)}
	f, done, err := openResults(res.File, sweep)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var todo []Rollout
	for _, r := range mine {
		if line, ok := done[r.ID]; ok {
			res.Resumed++
			if bytes.Contains(line, []byte(`"fell":true`)) {
				res.Fell++
			}
		} else {
			todo = append(todo, r)
		}
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	if o.Progress != nil {
		o.Progress(res.Resumed, res.Total, res.Fell)
	}
	jobs := make(chan Rollout)
	type out struct {
		row Row
		err error
	}
	results := make(chan out)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < min(workers, max(1, len(todo))); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				row, err := s.Run(ctx, r, "")
				results <- out{row, err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, r := range todo {
			select {
			case jobs <- r:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var firstErr error
	for o2 := range results {
		if o2.err != nil {
			if firstErr == nil && ctx.Err() == nil {
				firstErr = fmt.Errorf("rollout %d (%s): %w", o2.row.Index, o2.row.ID, o2.err)
				cancel()
			}
			continue
		}
		row := o2.row
		row.Sweep, row.N = sweep, len(all)
		line, err := json.Marshal(row)
		if err != nil {
			return nil, err
		}
		line = append(line, '\n')
		if _, err := f.Write(line); err != nil { // one write: the line lands whole or not at all
			return nil, fmt.Errorf("%s: %w", res.File, err)
		}
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("%s: %w", res.File, err)
		}
		done[row.ID] = line
		res.Ran++
		if row.Fell {
			res.Fell++
		}
		if o.Progress != nil {
			o.Progress(res.Resumed+res.Ran, res.Total, res.Fell)
		}
	}
	if firstErr != nil {
		return res, firstErr
	}
	if err := ctx.Err(); err != nil || res.Resumed+res.Ran < res.Total {
		return res, fmt.Errorf("interrupted with %d of %d rollouts in %s; run the same command again to resume", res.Resumed+res.Ran, res.Total, res.File)
	}
	lines := make([][]byte, 0, len(mine))
	for _, r := range mine {
		lines = append(lines, done[r.ID])
	}
	if err := writeAtomic(res.File, bytes.Join(lines, nil)); err != nil {
		return res, err
	}
	if res.Rows, err = parseRows(res.File, lines); err != nil {
		return res, err
	}
	if o.Shards <= 1 {
		if err := WriteCSV(filepath.Join(o.Out, "results.csv"), res.Rows); err != nil {
			return res, err
		}
	}
	return res, nil
}

// openResults opens (creating) a results file for appending and reads the
// rows already in it, by id; a last line cut short is cut off. Rows of
// another sweep are refused.
func openResults(path, sweep string) (*os.File, map[string][]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, fmt.Errorf("output: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("output: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if i := bytes.LastIndexByte(data, '\n'); i+1 < len(data) {
		if err := f.Truncate(int64(i + 1)); err != nil { // a crash mid-line
			f.Close()
			return nil, nil, err
		}
		data = data[:i+1]
	}
	done := map[string][]byte{}
	for n, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r Row
		if err := json.Unmarshal(line, &r); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s:%d: not a result row: %v", path, n+1, err)
		}
		if r.Sweep != sweep {
			f.Close()
			return nil, nil, fmt.Errorf("%s:%d: a row of another sweep (%s; this spec's is %s): choose another output directory or remove the file", path, n+1, r.Sweep, sweep)
		}
		done[r.ID] = line
	}
	return f, done, nil
}

func parseRows(name string, lines [][]byte) ([]Row, error) {
	rows := make([]Row, 0, len(lines))
	for i, l := range lines {
		var r Row
		if err := json.Unmarshal(l, &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, i+1, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// ReadRows reads a results file.
func ReadRows(path string) ([]Row, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
		lines = lines[:n-1]
	}
	return parseRows(path, lines)
}

// writeAtomic replaces path with data through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Gather merges the shard files in dir (shard-I-of-N.jsonl) into
// results.jsonl (in index order) and results.csv. Every shard of the same
// sweep must be there and complete; a rollout found in two files must have
// the same bytes in both.
func Gather(dir string) ([]Row, error) {
	files, err := filepath.Glob(filepath.Join(dir, "shard-*-of-*.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no shard files (shard-I-of-N.jsonl)", dir)
	}
	sort.Strings(files)
	byIndex := map[int][]byte{}
	sweep, total := "", -1
	shards := map[string]bool{}
	for _, name := range files {
		base := strings.TrimSuffix(filepath.Base(name), ".jsonl")
		parts := strings.Split(strings.TrimPrefix(base, "shard-"), "-of-")
		if len(parts) != 2 {
			return nil, fmt.Errorf("%s: not a shard file name (shard-I-of-N.jsonl)", name)
		}
		if _, err := strconv.Atoi(parts[1]); err != nil {
			return nil, fmt.Errorf("%s: not a shard file name (shard-I-of-N.jsonl)", name)
		}
		shards[parts[1]] = true
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		for n, line := range bytes.SplitAfter(data, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			if line[len(line)-1] != '\n' {
				return nil, fmt.Errorf("%s:%d: a line cut short (the shard was interrupted: run it again to finish)", name, n+1)
			}
			var r Row
			if err := json.Unmarshal(line, &r); err != nil {
				return nil, fmt.Errorf("%s:%d: not a result row: %v", name, n+1, err)
			}
			if sweep == "" {
				sweep, total = r.Sweep, r.N
			}
			if r.Sweep != sweep {
				return nil, fmt.Errorf("%s:%d: a row of sweep %s among rows of sweep %s", name, n+1, r.Sweep, sweep)
			}
			if old, ok := byIndex[r.Index]; ok && !bytes.Equal(old, line) {
				return nil, fmt.Errorf("%s:%d: rollout %d differs from the same rollout in another shard", name, n+1, r.Index)
			}
			byIndex[r.Index] = line
		}
	}
	if len(shards) > 1 {
		return nil, fmt.Errorf("%s: shard files of different shard counts", dir)
	}
	var missing []int
	lines := make([][]byte, 0, total)
	for i := 0; i < total; i++ {
		if l, ok := byIndex[i]; ok {
			lines = append(lines, l)
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		show := fmt.Sprint(missing[:min(10, len(missing))])
		return nil, fmt.Errorf("%s: %d of %d rollouts missing (indexes %s…): a shard is missing or unfinished", dir, len(missing), total, show)
	}
	out := filepath.Join(dir, "results.jsonl")
	if err := writeAtomic(out, bytes.Join(lines, nil)); err != nil {
		return nil, err
	}
	rows, err := parseRows(out, lines)
	if err != nil {
		return nil, err
	}
	return rows, WriteCSV(filepath.Join(dir, "results.csv"), rows)
}

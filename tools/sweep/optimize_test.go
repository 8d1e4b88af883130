package sweep

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func stateKeys(t *testing.T, path string) []string {
	t.Helper()
	var keys []string
	for _, l := range bytes.Split(read(t, path), []byte("\n")) {
		if len(l) > 0 {
			keys = append(keys, string(l))
		}
	}
	sort.Strings(keys)
	return keys
}

// The optimiser evaluates the defaults, the start and two generations of
// four; a run resumed from half its state file (with another worker
// count) retraces the same path — the same points with the same scores —
// reading the finished points back instead of running them, and finds the
// same best.
func TestOptimizeResume(t *testing.T) {
	s, err := Load("testdata/quick-opt.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, err := s.RunOptimize(context.Background(), dir, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Default == nil || a.Start == nil || a.Best == nil {
		t.Fatalf("default %v start %v best %v", a.Default != nil, a.Start != nil, a.Best != nil)
	}
	const m = "locomotion.cost_of_transport"
	if !a.Best.Feas || (a.Start.Feas && a.Best.Mean[m] > a.Start.Mean[m]) {
		t.Fatalf("best %v (feasible %v) is not better than the start %v", a.Best.Mean[m], a.Best.Feas, a.Start.Mean[m])
	}
	if a.Evals < 1+2*4 {
		t.Fatalf("%d points evaluated, want at least the start and 2 generations of 4", a.Evals)
	}
	full := stateKeys(t, a.State)
	lines := bytes.SplitAfter(read(t, a.State), []byte("\n"))
	half := len(lines) / 2
	dir2 := t.TempDir()
	cut := append(bytes.Join(lines[:half], nil), lines[half][:10]...)
	if err := os.WriteFile(filepath.Join(dir2, "optimize.jsonl"), cut, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := s.RunOptimize(context.Background(), dir2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.Resumed != half || b.Evals != len(full)-half {
		t.Errorf("resumed %d and evaluated %d; want %d and %d", b.Resumed, b.Evals, half, len(full)-half)
	}
	got := stateKeys(t, b.State)
	if len(got) != len(full) {
		t.Fatalf("resumed state has %d points, the uninterrupted %d", len(got), len(full))
	}
	for i := range got {
		if got[i] != full[i] {
			t.Fatalf("resumed state differs:\n%s\nwant\n%s", got[i], full[i])
		}
	}
	if stateKey(b.Best.U) != stateKey(a.Best.U) || b.Best.Score != a.Best.Score || b.Best.Mean[m] != a.Best.Mean[m] {
		t.Fatalf("best %v (%g) after resuming, %v (%g) uninterrupted", b.Best.U, b.Best.Score, a.Best.U, a.Best.Score)
	}
}

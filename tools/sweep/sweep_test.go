package sweep

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func loadQuick(t *testing.T) *Spec {
	t.Helper()
	s, err := Load("testdata/quick.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The unsharded reference run of testdata/quick.yaml with one worker,
// shared by the tests (its directory is not written to again).
var ref struct {
	once sync.Once
	dir  string
	res  *Result
	err  error
}

func reference(t *testing.T) (string, *Result) {
	t.Helper()
	ref.once.Do(func() {
		s, err := Load("testdata/quick.yaml")
		if err != nil {
			ref.err = err
			return
		}
		ref.dir, ref.err = os.MkdirTemp("", "sweep-ref-")
		if ref.err == nil {
			ref.res, ref.err = s.RunSweep(context.Background(), Options{Out: ref.dir, Workers: 1})
		}
	})
	if ref.err != nil {
		t.Fatal(ref.err)
	}
	return ref.dir, ref.res
}

func TestMain(m *testing.M) {
	code := m.Run()
	if ref.dir != "" {
		os.RemoveAll(ref.dir)
	}
	os.Exit(code)
}

func runAll(t *testing.T, s *Spec, dir string, o Options) *Result {
	t.Helper()
	o.Out = dir
	res, err := s.RunSweep(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The union of N shards is the unsharded run, row for row and bit for bit
// (N = 1, 3, 7), and neither depends on the worker count.
func TestShardsEqualUnsharded(t *testing.T) {
	s := loadQuick(t)
	if n := len(s.Rollouts()); n != 8 {
		t.Fatalf("%d rollouts, want 8", n)
	}
	ref, res := reference(t)
	if res.Ran != 8 || len(res.Rows) != 8 {
		t.Fatalf("ran %d, %d rows", res.Ran, len(res.Rows))
	}
	walked := 0
	for _, r := range res.Rows {
		if r.Metrics["locomotion.steps"] > 0 {
			walked++
		}
	}
	if walked != 8 {
		t.Fatalf("%d of 8 rollouts stepped", walked)
	}
	want, wantCSV := read(t, ResultsFile(ref, 0, 1)), read(t, filepath.Join(ref, "results.csv"))
	for _, n := range []int{1, 3, 7} {
		dir := t.TempDir()
		for i := 0; i < n; i++ {
			runAll(t, s, dir, Options{Workers: 3, Shard: i, Shards: n})
		}
		if n == 1 {
			if got := read(t, ResultsFile(dir, 0, 1)); !bytes.Equal(got, want) {
				t.Fatalf("3 workers differ from 1:\n%s\n%s", got, want)
			}
			continue
		}
		if _, err := Gather(dir); err != nil {
			t.Fatal(err)
		}
		if got := read(t, filepath.Join(dir, "results.jsonl")); !bytes.Equal(got, want) {
			t.Errorf("%d shards gathered differ from the unsharded run:\n%s\nwant\n%s", n, got, want)
		}
		if got := read(t, filepath.Join(dir, "results.csv")); !bytes.Equal(got, wantCSV) {
			t.Errorf("%d shards: the CSV differs", n)
		}
		if n == 3 { // a shard missing: gather refuses, naming what is missing
			if err := os.Remove(ResultsFile(dir, 1, 3)); err != nil {
				t.Fatal(err)
			}
			if _, err := Gather(dir); err == nil || !strings.Contains(err.Error(), "3 of 8 rollouts missing (indexes [1 4 7]") {
				t.Errorf("gather without shard 1: %v", err)
			}
		}
	}
}

// An interrupted sweep resumes without redoing finished rollouts, and a
// line cut short by a crash is dropped and redone; the end result is the
// uninterrupted run's bytes.
func TestResume(t *testing.T) {
	s := loadQuick(t)
	ref, _ := reference(t)
	want := read(t, ResultsFile(ref, 0, 1))
	lines := bytes.SplitAfter(want, []byte("\n"))
	dir := t.TempDir()
	// Three rows finished, the fourth cut short mid-line.
	part := append(bytes.Join(lines[:3], nil), lines[3][:20]...)
	if err := os.WriteFile(ResultsFile(dir, 0, 1), part, 0o644); err != nil {
		t.Fatal(err)
	}
	res := runAll(t, s, dir, Options{Workers: 2})
	if res.Resumed != 3 || res.Ran != 5 {
		t.Fatalf("resumed %d, ran %d; want 3 and 5", res.Resumed, res.Ran)
	}
	if got := read(t, ResultsFile(dir, 0, 1)); !bytes.Equal(got, want) {
		t.Fatalf("resumed run differs:\n%s\nwant\n%s", got, want)
	}
	// Run again: nothing to do.
	if res = runAll(t, s, dir, Options{}); res.Ran != 0 || res.Resumed != 8 {
		t.Fatalf("a finished sweep ran %d again", res.Ran)
	}
	// Cancelled before it starts: an error saying how to resume.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.RunSweep(ctx, Options{Out: t.TempDir()})
	if err == nil {
		t.Fatal("a cancelled sweep reported success")
	}
	if !strings.Contains(err.Error(), "run the same command again to resume") {
		t.Fatalf("error %q", err)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stride-robotics/stride/tools/bench"
)

// `stride bench loop` runs both loops and fills every figure (timing itself
// is for the benchmark's user, not a test).
func TestBenchLoopRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time run")
	}
	c := parse(t, "bench", "loop", "--duration", "300ms", "--segment", "100ms", "--json")
	old := os.Stdout
	r, w, _ := os.Pipe()
	os.Stdout = w
	err := c.Bench.Loop.Run()
	w.Close()
	os.Stdout = old
	if err != nil {
		t.Fatal(err)
	}
	var res bench.LoopResult
	if err := json.NewDecoder(r).Decode(&res); err != nil {
		t.Fatal(err)
	}
	if res.Segments != 3 || res.Full.Health.Ticks != 300 || res.Baseline.Health.Ticks != 300 || res.Telemetry.Ticks != 300 {
		t.Errorf("result %+v", res)
	}
	if res.Full.Health.Compute.P50 <= 0 || res.Full.Health.Compute.P50 > float64(time.Second) {
		t.Errorf("compute %+v", res.Full.Health.Compute)
	}
}

// Every file of the command parses flags, calls packages and prints: none
// is over 200 lines (the library logic lives in packages with their own
// tests). The command's tests are held to it too.
func TestThinCLI(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) < 10 {
		t.Fatalf("found %d Go files: %v", len(files), err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(b, []byte("\n")); n > 200 {
			t.Errorf("%s has %d lines: move its logic into a package (the limit is 200)", f, n)
		}
	}
}

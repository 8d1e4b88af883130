package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/export"
	"github.com/stride-robotics/stride/runtime/telemetry/telemetrytest"
)

// standLog makes a 2 s log of the built-in robot standing, pushed at 1 s.
func standLog(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "run.tlm")
	if _, err := telemetrytest.Log(p, telemetrytest.Run{Duration: 2, PushAt: 1, PushFor: 0.2, PushForce: [3]float64{80, 0, 0},
		// Chunks of exactly 100 ticks: cut by count, never by wall time, so a
		// slow machine does not change the chunk count the tests check.
		Options: &telemetry.Options{Block: true, NoSync: true, ChunkTicks: 100, FlushEvery: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	return p
}

// runLog runs `stride log ARGS…` in-process and returns what it printed.
func runLog(t *testing.T, args ...string) (string, error) {
	t.Helper()
	c := parse(t, append([]string{"log"}, args...)...)
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = f
	switch args[0] {
	case "info":
		err = c.Log.Info.Run()
	case "export":
		err = c.Log.Export.Run()
	case "plot":
		err = c.Log.Plot.Run()
	case "replay":
		err = c.Log.Replay.Run()
	case "rerun":
		err = c.Log.Rerun.Run()
	}
	os.Stdout = old
	f.Seek(0, io.SeekStart)
	out, _ := io.ReadAll(f)
	f.Close()
	return string(out), err
}

func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestLogInfo(t *testing.T) {
	p := standLog(t)
	out, err := runLog(t, "info", p)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out, "Stride telemetry v2", ", indexed", "robot      stride-pm01 (sha256:", "duration   1.999 s",
		"ticks      2000 (numbers 0 … 1999), 20 chunks", "rate       1000 Hz (measured 1000.00 Hz)",
		"channels   294 per tick, ground truth included", "dropped    0 ticks, 0 events", "gaps       none",
		"events     3:", "mode  → standup: damping → standup: requested by script", "mode  → stand: standup → stand: standup complete", "note  push 80 N for 0.20 s", "stand.kp: 300")
	out, err = runLog(t, "info", p, "--verify", "--channels")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out, "every chunk's checksum and records verified", "timing     lateness max", "  q.left_hip_pitch rad",
		"  truth.speed m/s", "  cmd.kd.head_yaw N·m·s/rad")
	out, err = runLog(t, "info", p, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var in export.Info
	if err := json.Unmarshal([]byte(out), &in); err != nil || in.Ticks != 2000 || in.Events != 3 || !in.Indexed {
		t.Fatalf("json: %v %+v", err, in)
	}

	// A crashed writer (the log cut mid-chunk) and a flipped byte: info
	// rebuilds the index, names what was lost, and reads the rest.
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	c5, _ := r.Chunk(5)
	c12, _ := r.Chunk(12)
	r.Close()
	b = b[:c12.Offset+c12.Length/2]
	b[c5.Offset+c5.Length/2] ^= 0x40
	bad := filepath.Join(t.TempDir(), "crashed.tlm")
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runLog(t, "info", bad, "--verify")
	if err == nil || !strings.Contains(err.Error(), "2 damaged parts") {
		t.Fatalf("--verify on a damaged log: %v, want an error (exit status 1)", err)
	}
	mustContain(t, out, "no index: the writer did not close the log", "ticks      1200 (numbers 0 … 1199), 12 chunks; 1100 readable, the rest in damaged chunks",
		"2 damaged parts, 200 ticks lost",
		"chunk 5, bytes", "checksum mismatch", "lost 100 ticks (500–599", "the writer stopped while writing it; lost 100 ticks (1200–1299",
		"largest time step 101.000 ms")
}

// TestLogInfoVerifyConcatenated: a log appended to itself with cat reads
// as the one log (2000 ticks, not 4000) and --verify fails naming the
// second copies.
func TestLogInfoVerifyConcatenated(t *testing.T) {
	p := standLog(t)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	n := r.NumChunks() // about 20: chunks are cut at 100 ticks or 100 ms of wall time
	r.Close()
	twice := filepath.Join(t.TempDir(), "twice.tlm")
	if err := os.WriteFile(twice, append(b, b...), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runLog(t, "info", twice)
	if err != nil { // without --verify, damage is listed, the status is 0
		t.Fatal(err)
	}
	mustContain(t, out, fmt.Sprintf("ticks      2000 (numbers 0 … 1999), %d chunks", n), "second copy of this log's header",
		fmt.Sprintf("a second copy of chunk %d ", n-1))
	if _, err = runLog(t, "info", twice, "--verify"); err == nil || !strings.Contains(err.Error(), fmt.Sprintf(" %d damaged parts", n+1)) {
		t.Fatalf("--verify: %v, want %d damaged parts", err, n+1)
	}
	if _, err = runLog(t, "info", p, "--verify"); err != nil {
		t.Fatalf("--verify on the intact log: %v", err)
	}
	// The command's exit status (the test binary run as the CLI).
	for file, want := range map[string]int{twice: 1, p: 0} {
		cmd := cliCommand(context.Background(), "log", "info", file, "--verify", "--events", "0")
		if err := cmd.Run(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != want {
			t.Errorf("stride log info %s --verify: %v, want exit status %d", filepath.Base(file), err, want)
		}
	}
}

func TestLogInfoGapsAndDrops(t *testing.T) {
	h := telemetry.Header{Robot: "two", Rate: 1000, Joints: []string{"a", "b"}, Meta: map[string]string{}}
	p := filepath.Join(t.TempDir(), "gaps.tlm")
	w, err := telemetry.CreateWith(p, h, telemetry.Options{Block: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		if i >= 100 && i < 150 { // the loop skipped these ticks
			continue
		}
		tk := telemetry.Tick{Time: float64(i) / 1000, Tick: uint64(i), Faults: 1 << 9}
		tk.Sensors.JointFaults[1] = 2
		w.Record(&tk)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := runLog(t, "info", p)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out, "gaps       50 ticks missing in 1 gaps:", "50 ticks after tick 99 (t = 0.099 s)",
		"faults     runtime: bit 9; drives and bus: over-temperature")
}

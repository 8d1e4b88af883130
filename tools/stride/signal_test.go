package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGINT, SIGTERM and SIGHUP stop `stride sim` in order: the robot is put to
// damping, the log gets a note and is closed and indexed (it verifies), the
// summary (JSON and text) says which signal interrupted the run, and the
// exit status is 128 + the signal's number.
func TestSimStopsInOrderOnSignals(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		name string
		code int
		json bool
	}{
		{syscall.SIGTERM, "SIGTERM", 143, true},
		{syscall.SIGINT, "SIGINT", 130, true},
		{syscall.SIGHUP, "SIGHUP", 129, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "run.stl")
			args := []string{"sim", "--headless", "--realtime", "--duration", "120s", "--log", log}
			if tc.json {
				args = append(args, "--json")
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := cliCommand(ctx, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until the run is under way: the log has its first chunk.
			for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
				if fi, err := os.Stat(log); err == nil && fi.Size() > 100_000 {
					break
				}
				if time.Since(start) > 30*time.Second {
					cmd.Process.Kill()
					t.Fatalf("the run did not start\n%s", stderr.String())
				}
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Fatalf("exit status %d (%v), want %d\nstdout:\n%s\nstderr:\n%s", code, err, tc.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stderr.String(), "stride: interrupted by "+tc.name+": the robot was put to damping and the log closed") {
				t.Errorf("stderr:\n%s", stderr.String())
			}
			if tc.json {
				var sum struct {
					Interrupted string
					Halted      bool
					SimTime     float64 `json:"sim_time_s"`
					Events      []string
					Log         struct{ Ticks, DroppedTicks int64 }
				}
				if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
					t.Fatalf("summary: %v\n%s", err, stdout.String())
				}
				if sum.Interrupted != tc.name || !sum.Halted || sum.SimTime <= 0 || sum.SimTime >= 120 || sum.Log.Ticks == 0 {
					t.Errorf("summary %+v", sum)
				}
				if last := sum.Events[len(sum.Events)-1]; !strings.Contains(last, "note: run interrupted by "+tc.name) {
					t.Errorf("last event %q", last)
				}
			} else if !strings.Contains(stdout.String(), "interrupted by "+tc.name+" after") {
				t.Errorf("text summary:\n%s", stdout.String())
			}
			out, code := stride(t, "log", "info", "--verify", log)
			if code != 0 || !strings.Contains(out, "indexed") || !strings.Contains(out, "run interrupted by "+tc.name) {
				t.Errorf("log info --verify: exit %d\n%s", code, out)
			}
		})
	}
}

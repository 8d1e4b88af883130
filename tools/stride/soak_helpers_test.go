package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// soakGC is the soak's loop.gc_percent: 100, or STRIDE_SOAK_GC.
func soakGC() int {
	if n, err := strconv.Atoi(os.Getenv("STRIDE_SOAK_GC")); err == nil {
		return n
	}
	return 100
}

// soakPriority is the soak's loop.priority (SCHED_FIFO of the loop thread):
// 0, or STRIDE_SOAK_PRIORITY.
func soakPriority() int {
	n, _ := strconv.Atoi(os.Getenv("STRIDE_SOAK_PRIORITY"))
	return n
}

// soakSampleEvery is the long soak's memory sampling interval: a minute, or
// STRIDE_SOAK_SAMPLE (a duration of at least 1s) to look closer.
func soakSampleEvery() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("STRIDE_SOAK_SAMPLE")); err == nil && d >= time.Second {
		return d
	}
	return time.Minute
}

// writeSoakConfig writes the soak's config through a temporary file and a
// rename (the reloader never sees half a file), with UDP commands on addr
// and the stand gain kd (the value a reload changes).
//
// loop.gc_percent 100: with the collector off (the default, -1) the resident
// memory climbs by the garbage of the non-tick goroutines (log writer, UDP)
// until loop.memory_limit_mb, which says nothing about leaks; with it on,
// growth is live memory.
func writeSoakConfig(path, addr string, kd float64) error {
	cfg := fmt.Sprintf("loop:\n  gc_percent: %d\n  priority: %d\ncommands:\n  udp:\n    listen: %q\n    max_rate: 400\n    burst: 40\nreload:\n  poll: 0.1\nstand:\n  kd: %g\n", soakGC(), soakPriority(), addr, kd)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(cfg), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// cliCommand returns a command running the stride command line (this test
// binary re-executed; see TestMain) with args.
func cliCommand(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "STRIDE_TEST_AS_CLI=1")
	return cmd
}

// rssKB reads a process's resident set size from /proc.
func rssKB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// sendCommands sends velocity commands to addr over UDP at 100 Hz until
// stop is closed, counting in sent the datagrams written.
func sendCommands(t *testing.T, addr string, stop <-chan struct{}, sent *atomic.Int64) {
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Error(err)
		return
	}
	defer conn.Close()
	tk := time.NewTicker(10 * time.Millisecond)
	defer tk.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-tk.C:
		}
		msg := fmt.Sprintf(`{"vx": %.2f, "yaw_rate": %.2f}`, 0.1*float64(i%3), 0.05*float64(i%2))
		if _, err := conn.Write([]byte(msg)); err == nil {
			sent.Add(1)
		}
	}
}

// soakSummary is the part of `stride sim --json` the soak checks.
type soakSummary struct {
	Steps int64
	Loop  struct {
		Ticks, Deadlines, Skipped int64
		MissedPercent             float64 `json:"missed_percent"`
	}
	UDP struct {
		Received, Accepted, Malformed, Rejected int64
		RateLimited                             int64 `json:"rate_limited"`
	} `json:"udp"`
	Log    struct{ Ticks, DroppedTicks, DroppedEvents int64 }
	Events []string
}

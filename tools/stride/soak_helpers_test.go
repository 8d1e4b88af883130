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

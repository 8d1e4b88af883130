package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak runs `stride sim --headless --realtime --log` with UDP commands at
// 100 Hz to loopback and the config file rewritten (a hot reload) at a fixed
// interval, sampling the resident memory and the Go heap, then checks that
// the log writer dropped no tick, that every reload was applied, that the
// commands arrived, that the log verifies and that memory stayed flat.
//
// In `go test` it runs for 6 s (reload every 1 s, memory sampled every 0.5 s,
// growth after the first 2 s at most 1 MB). The long soak is the same test
// with the duration in STRIDE_SOAK (reload every minute, memory sampled every
// minute or STRIDE_SOAK_SAMPLE, growth after the first minute at most 1 MB),
// its progress written to STRIDE_SOAK_OUT; docs/runtime.md gives the command.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc for the resident memory")
	}
	dur, reloadEvery, sampleEvery, warmup, maxGrowthKB := 6*time.Second, time.Second, 500*time.Millisecond, 2*time.Second, int64(1<<10)
	if s := os.Getenv("STRIDE_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 2*time.Minute {
			t.Fatalf("STRIDE_SOAK=%q: want a duration of at least 2m", s)
		}
		dur, reloadEvery, sampleEvery, warmup, maxGrowthKB = d, time.Minute, soakSampleEvery(), time.Minute, 1<<10
	}
	var out io.Writer = io.Discard
	if p := os.Getenv("STRIDE_SOAK_OUT"); p != "" {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		out = f
	}
	report := func(format string, a ...any) {
		msg := fmt.Sprintf(format, a...)
		t.Log(msg)
		fmt.Fprintf(out, "%s %s\n", time.Now().UTC().Format(time.RFC3339), msg)
	}

	dir := t.TempDir()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	cfgPath := filepath.Join(dir, "soak.yaml")
	writeCfg := func(kd float64) {
		if err := writeSoakConfig(cfgPath, addr, kd); err != nil {
			t.Error(err)
		}
	}
	writeCfg(3)
	logPath := filepath.Join(dir, "soak.stride")
	ctx, cancel := context.WithTimeout(context.Background(), dur+5*time.Minute)
	defer cancel()
	cmd := cliCommand(ctx, "sim", "--headless", "--realtime", "--duration", dur.String(), "--controller", "stand",
		"--config", cfgPath, "--log", logPath, "--json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	probe, err := startWithMemProbe(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.close()
	report("soak: started pid %d for %v: UDP commands at 100 Hz to %s, config reload every %v", cmd.Process.Pid, dur, addr, reloadEvery)

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var sent atomic.Int64
	stopSend := make(chan struct{})
	go sendCommands(t, addr, stopSend, &sent)
	type sample struct {
		at  time.Duration
		kB  int64
		mem memStats
	}
	var samples []sample
	reloads := 0
	nextReload, nextSample := reloadEvery, time.Duration(0)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var runErr error
wait:
	for {
		select {
		case runErr = <-done:
			break wait
		case <-tick.C:
		}
		el := time.Since(start)
		if el >= nextSample {
			nextSample += sampleEvery
			mem, merr := probe.read()
			if kB, err := rssKB(cmd.Process.Pid); err == nil && merr == nil {
				samples = append(samples, sample{el, kB, mem})
				report("soak: t=%v rss=%d kB %v sent=%d reloads=%d", el.Round(time.Second), kB, mem, sent.Load(), reloads)
			}
		}
		if el >= nextReload && el < dur-reloadEvery/2 {
			nextReload += reloadEvery
			reloads++
			writeCfg(3 + float64(reloads%2)) // stand.kd 3 ↔ 4: a change to apply
		}
	}
	close(stopSend)
	if runErr != nil {
		t.Fatalf("stride sim: %v\n%s", runErr, stderr.String())
	}
	var sum soakSummary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatalf("summary: %v\n%s", err, stdout.String())
	}
	applied := 0
	for _, e := range sum.Events {
		if strings.Contains(e, "stand.kd") {
			applied++
		}
	}
	report("soak: done in %v: %d ticks of %d deadlines (%.3f %% missed: the wall clock, on a shared machine), log %d ticks, %d dropped ticks, %d dropped events; UDP sent %d received %d accepted %d malformed %d rejected %d rate-limited %d; %d reloads written, %d stand.kd changes applied",
		time.Since(start).Round(time.Second), sum.Loop.Ticks, sum.Loop.Deadlines, sum.Loop.MissedPercent, sum.Log.Ticks, sum.Log.DroppedTicks, sum.Log.DroppedEvents,
		sent.Load(), sum.UDP.Received, sum.UDP.Accepted, sum.UDP.Malformed, sum.UDP.Rejected, sum.UDP.RateLimited, reloads, applied)
	if sum.Log.DroppedTicks != 0 || sum.Log.DroppedEvents != 0 {
		t.Errorf("the log writer dropped %d ticks and %d events", sum.Log.DroppedTicks, sum.Log.DroppedEvents)
	}
	if sum.Log.Ticks != sum.Loop.Ticks {
		t.Errorf("log holds %d ticks, the loop ran %d", sum.Log.Ticks, sum.Loop.Ticks)
	}
	if applied < reloads-1 || reloads == 0 { // the last may land after the end
		t.Errorf("%d reloads written, %d applied", reloads, applied)
	}
	// Every message received is accounted for (the counts are read after
	// the server stopped): none malformed, none out of range. Only the rate
	// limit may drop any, when a stalled machine delivers a burst of more
	// than 40 at once: at most a tenth of a percent.
	u := sum.UDP
	if u.Received < sent.Load()*95/100 || u.Accepted+u.Malformed+u.Rejected+u.RateLimited != u.Received ||
		u.Malformed != 0 || u.Rejected != 0 || u.RateLimited > u.Received/1000 {
		t.Errorf("UDP: sent %d, received %d, accepted %d, malformed %d, rejected %d, rate-limited %d",
			sent.Load(), u.Received, u.Accepted, u.Malformed, u.Rejected, u.RateLimited)
	}

	verify := cliCommand(ctx, "log", "info", "--verify", logPath)
	vout, err := verify.CombinedOutput()
	report("soak: log info --verify: %v", err)
	if err != nil {
		t.Errorf("log info --verify: %v\n%s", err, vout)
	}
	sc := bufio.NewScanner(bytes.NewReader(vout))
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "damage") || strings.HasPrefix(l, "ticks") || strings.HasPrefix(l, "dropped") {
			report("soak:   %s", l)
		}
	}

	var base, peak int64
	var baseMem memStats
	for _, s := range samples {
		if s.at >= warmup && base == 0 {
			base, baseMem = s.kB, s.mem
		}
		if base != 0 && s.kB > peak {
			peak = s.kB
		}
	}
	if base == 0 {
		t.Fatalf("no memory sample after the warm-up (%d samples)", len(samples))
	}
	last := samples[len(samples)-1]
	report("soak: resident memory after %v %d kB (live heap %d kB), highest after that %d kB, last %d kB (live heap %d kB): growth %d kB (limit %d kB)",
		warmup, base, baseMem.LiveKB, peak, last.kB, last.mem.LiveKB, peak-base, maxGrowthKB)
	if peak-base > maxGrowthKB {
		t.Errorf("resident memory grew %d kB after the warm-up (limit %d kB)", peak-base, maxGrowthKB)
	}
}

package telemetry

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestReplayStateByTime(t *testing.T) {
	ticks := sequentialTicks(21, 3000, 4, true)
	r := mustOpen(t, writeTestLog(t, testHeader(4, true), Options{}, ticks, nil))
	p, err := NewReplay(r, SourceTruth)
	if err != nil {
		t.Fatal(err)
	}
	if p.Start() != 0 || p.End() != 2.999 || !p.Paused() || p.Time() != 0 {
		t.Fatalf("new replay: start %g end %g paused %v time %g", p.Start(), p.End(), p.Paused(), p.Time())
	}
	var s State
	for _, tc := range []struct {
		t    float64
		tick uint64
	}{{0, 0}, {-5, 0}, {0.0005, 0}, {0.001, 1}, {1.2345, 1234}, {0.0999, 99}, {0.1, 100}, {2.999, 2999}, {100, 2999}, {1.5, 1500}} {
		if err := p.At(tc.t, &s); err != nil {
			t.Fatal(err)
		}
		want := &ticks[tc.tick]
		if s.Tick != tc.tick || s.Time != want.Time || s.Base != want.Truth || s.Q != want.Sensors.Q || s.N != 4 {
			t.Fatalf("At(%g): tick %d, want %d (base or joints differ: %v)", tc.t, s.Tick, tc.tick, s.Base != want.Truth)
		}
	}
	est, err := NewReplay(r, SourceEstimate)
	if err != nil {
		t.Fatal(err)
	}
	if err := est.At(1, &s); err != nil || s.Base != ticks[1000].Estimate {
		t.Fatalf("estimate source: %v", err)
	}

	// The clock: paused until Play; runs at speed; pauses at the end; seeks
	// and steps are clamped.
	if p.Advance(time.Second); p.Time() != 0 {
		t.Fatal("a paused replay advanced")
	}
	p.Play()
	p.SetSpeed(0.5)
	if got := p.Advance(time.Second); got != 0.5 {
		t.Fatalf("1 s at half speed: %g", got)
	}
	p.Pause()
	p.Step(3)
	if err := p.Current(&s); err != nil || s.Tick != 503 {
		t.Fatalf("step 3 from 0.5 s: tick %d (%v)", s.Tick, err)
	}
	p.Play()
	p.SetSpeed(10)
	p.Advance(time.Second)
	if p.Time() != p.End() || !p.Paused() {
		t.Fatalf("past the end: time %g paused %v", p.Time(), p.Paused())
	}
	p.Play() // from the end, Play restarts
	if p.Time() != p.Start() {
		t.Fatalf("Play at the end: time %g", p.Time())
	}
	p.Seek(-1)
	if p.Time() != 0 {
		t.Fatalf("Seek(-1): %g", p.Time())
	}
}

func TestReplaySkipsDamagedChunks(t *testing.T) {
	ticks := sequentialTicks(22, 1000, 2, true)
	path := writeTestLog(t, testHeader(2, true), Options{}, ticks, nil)
	b := fileBytes(t, path)
	r0 := mustOpen(t, path)
	c, _ := r0.Chunk(3)
	b[c.Offset+c.Length-5] ^= 0xff
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewReplay(r, SourceTruth)
	if err != nil {
		t.Fatal(err)
	}
	var s State
	if err := p.At((c.T0+c.T1)/2, &s); err != nil || s.Tick != c.FirstTick-1 {
		t.Fatalf("At a damaged chunk: tick %d (%v), want the last readable tick before it, %d", s.Tick, err, c.FirstTick-1)
	}
	if len(r.Damage()) != 1 || r.Damage()[0].Chunk != 3 {
		t.Fatalf("damage %v", r.Damage())
	}
	if _, err := NewReplay(mustOpen(t, writeTestLog(t, testHeader(2, false), Options{}, sequentialTicks(1, 5, 2, false), nil)), SourceTruth); err == nil ||
		!strings.Contains(err.Error(), "no ground truth") {
		t.Fatalf("truth replay of a robot log: %v", err)
	}
}

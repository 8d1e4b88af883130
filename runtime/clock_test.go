package runtime

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/hal"
)

// fakeTime drives a WallClock without real time: sleeping jumps the clock,
// work advances it explicitly.
type fakeTime struct{ t int64 }

func (f *fakeTime) install(c *WallClock) {
	c.now = func() int64 { return f.t }
	c.sleep = func(until int64) { f.t = max(f.t, until) }
}

func (f *fakeTime) work(d time.Duration) { f.t += int64(d) }

func newFakeWall(p OverrunPolicy, catchup int) (*WallClock, *fakeTime) {
	c := &WallClock{Policy: p, MaxCatchup: catchup, CPU: -1}
	ft := &fakeTime{t: 1e9}
	ft.install(c)
	return c, ft
}

func wait(t *testing.T, c Clock) Beat {
	t.Helper()
	b, err := c.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWallClockOnTime(t *testing.T) {
	c, ft := newFakeWall(OverrunSkip, 0)
	must(t, c.Start(0.001))
	defer c.Stop()
	for i := 0; i < 10; i++ {
		b := wait(t, c)
		if b.Index != uint64(i) || b.Lateness != 0 || b.Overran || b.Skipped != 0 {
			t.Fatalf("tick %d: %+v", i, b)
		}
		approx(t, "beat time", b.Time, float64(i)*0.001, 1e-12)
		ft.work(300 * time.Microsecond)
	}
}

// Skip: a tick that ran past the next deadline drops the deadlines already
// passed; the next tick starts on time at the next deadline ahead.
func TestWallClockSkip(t *testing.T) {
	c, ft := newFakeWall(OverrunSkip, 0)
	must(t, c.Start(0.001))
	defer c.Stop()
	for i := 0; i < 3; i++ {
		wait(t, c)
		ft.work(100 * time.Microsecond)
	}
	wait(t, c)                       // tick 3 starts at 3 ms …
	ft.work(2500 * time.Microsecond) // … and ends at 5.5 ms
	b := wait(t, c)
	if !b.Overran || b.Skipped != 2 || b.Index != 6 || b.Lateness != 0 {
		t.Fatalf("after the overrun: %+v, want index 6, 2 skipped, on time", b)
	}
}

// Catch-up: the passed deadlines' ticks run back to back, late, keeping the
// count; after MaxCatchup late ticks in a row it skips.
func TestWallClockCatchUp(t *testing.T) {
	c, ft := newFakeWall(OverrunCatchUp, 5)
	must(t, c.Start(0.001))
	defer c.Stop()
	wait(t, c)
	ft.work(2500 * time.Microsecond) // tick 0 ends at 2.5 ms
	var got []Beat
	for i := 0; i < 4; i++ {
		got = append(got, wait(t, c))
		ft.work(300 * time.Microsecond)
	}
	// Tick 1 starts at 2.5 ms (1.5 late), tick 2 at 2.8 (0.8 late), tick 3 at
	// 3.1 (0.1 late), tick 4 sleeps to 4 ms.
	wantLate := []time.Duration{1500 * time.Microsecond, 800 * time.Microsecond, 100 * time.Microsecond, 0}
	for i, b := range got {
		if b.Index != uint64(i+1) || b.Skipped != 0 || b.Lateness != wantLate[i] {
			t.Errorf("tick %d: %+v, want lateness %v", i+1, b, wantLate[i])
		}
	}
	// Far behind: at most MaxCatchup late ticks, then a skip.
	wait(t, c)
	ft.work(20 * time.Millisecond)
	skipped := false
	for i := 0; i < 7 && !skipped; i++ {
		b := wait(t, c)
		skipped = b.Skipped > 0
		if !skipped && i >= 5 {
			t.Fatalf("still catching up after %d late ticks", i+1)
		}
	}
	if !skipped {
		t.Fatal("never skipped")
	}
}

// The fault policy trips damping after loop.fault_after overruns in a row.
func TestOverrunFault(t *testing.T) {
	r := newFakeRobot(2)
	cfg := testConfig()
	cfg.Loop.Overrun = "fault"
	cfg.Loop.FaultAfter = 3
	c, ft := newFakeWall(OverrunFault, 0)
	l, err := New(r, Options{Config: cfg, Clock: c, Home: []float64{0, 0}})
	must(t, err)
	run(t, l, 5)
	_ = l.Commands().Send(SourceAPI, Command{Mode: ModeStandup})
	run(t, l, 1)
	r.mutate = func(*hal.Sensors) { ft.work(1200 * time.Microsecond) } // every tick overruns
	// A tick's overrun is seen when the next one starts.
	for i := 0; i < 3; i++ {
		run(t, l, 1)
		if l.Mode() != ModeStandup {
			t.Fatalf("tripped after %d overruns, want 3", i)
		}
	}
	run(t, l, 1)
	if l.Mode() != ModeDamping || l.Faults()&FaultOverrun == 0 {
		t.Fatalf("mode %v faults %v after 3 overruns", l.Mode(), l.Faults())
	}
	h := l.Health()
	if h.Overruns != 3 || h.MaxOverrunRun != 3 || h.Skipped != 3 || h.Missed != 3 {
		t.Errorf("health %+v", h.Report())
	}
	e, _ := lastEvent(l, 2)
	if !strings.Contains(e.Text(), "overrun: 3 ticks in a row") {
		t.Errorf("event %q", e.Text())
	}
}

// The real clock: deadlines are whole periods from the start and ticks
// never start early. (Speed is for `stride bench loop`, not a unit test.)
func TestWallClockReal(t *testing.T) {
	cfg := Defaults().Loop
	cfg.Spin = 0.0001
	c, err := NewWallClock(&cfg)
	must(t, err)
	c.TuneGC = false
	must(t, c.Start(0.002))
	defer c.Stop()
	prev := -1
	for i := 0; i < 50; i++ {
		b := wait(t, c)
		if int(b.Index) <= prev || b.Lateness < 0 {
			t.Fatalf("beat %+v after index %d", b, prev)
		}
		approx(t, "beat time", b.Time, float64(b.Index)*0.002, 1e-9)
		prev = int(b.Index)
	}
	if n := testing.AllocsPerRun(20, func() { _, _ = c.Wait() }); n != 0 {
		t.Errorf("Wait allocates %.1f times", n)
	}
	if c.Since() < 100*time.Millisecond {
		t.Errorf("50 ticks of 2 ms took %v", c.Since())
	}
}

// The lock-step clock advances the simulation by one period per tick, not
// before the first.
func TestLockStep(t *testing.T) {
	var adv []float64
	c := &LockStep{Stepper: stepFunc(func(dt float64) error { adv = append(adv, dt); return nil })}
	must(t, c.Start(0.002))
	for i := 0; i < 4; i++ {
		b := wait(t, c)
		if b.Index != uint64(i) || b.Lateness != 0 {
			t.Fatalf("beat %+v", b)
		}
		approx(t, "time", b.Time, 0.002*float64(i), 1e-15)
	}
	if len(adv) != 3 || adv[0] != 0.002 {
		t.Errorf("advances %v", adv)
	}
	if err := (&LockStep{}).Start(0.001); err == nil {
		t.Error("lock-step without a stepper started")
	}
	failing := &LockStep{Stepper: stepFunc(func(float64) error { return errTest })}
	must(t, failing.Start(0.001))
	r := newFakeRobot(1)
	l, err := New(r, Options{Clock: failing, Home: []float64{0}})
	must(t, err)
	if err := l.Run(context.Background(), 5); err == nil || !strings.Contains(err.Error(), "test failure") {
		t.Errorf("Run with a failing simulation: %v", err)
	}
}

type stepFunc func(dt float64) error

func (f stepFunc) Advance(dt float64) error { return f(dt) }

// The histogram's quantiles are within 1/64 of the exact ones.
func TestHistogram(t *testing.T) {
	var h Histogram
	rng := rand.New(rand.NewPCG(1, 2))
	var vals []int64
	for i := 0; i < 20000; i++ {
		v := int64(math.Exp(rng.Float64() * math.Log(5e7)))
		vals = append(vals, v)
		h.Add(v)
	}
	h.Add(-5) // counts as 0
	vals = append(vals, 0)
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := float64(vals[int(math.Ceil(q*float64(len(vals))))-1])
		got := float64(h.Quantile(q))
		if math.Abs(got-exact) > exact/64+1 {
			t.Errorf("q%g = %g, exact %g", q, got, exact)
		}
	}
	if h.Max() != time.Duration(vals[len(vals)-1]) || h.Count() != uint64(len(vals)) {
		t.Errorf("max %v count %d", h.Max(), h.Count())
	}
	for v := int64(0); v < 1<<20; v = v*3/2 + 1 {
		lo, hi := histRange(histIndex(v))
		if v < lo || v > hi {
			t.Fatalf("%d in bucket [%d, %d]", v, lo, hi)
		}
	}
	if i := histIndex(math.MaxInt64); i >= histBuckets {
		t.Fatalf("max int64 in bucket %d of %d", i, histBuckets)
	}
	var empty Histogram
	if empty.Quantile(0.5) != 0 || empty.Mean() != 0 {
		t.Error("empty histogram")
	}
}

// In real-time simulation skipped deadlines are simulated too: the world
// does not wait for a late controller.
func TestWallClockSkipAdvancesSimulation(t *testing.T) {
	var simulated float64
	c, ft := newFakeWall(OverrunSkip, 0)
	c.Stepper = stepFunc(func(dt float64) error { simulated += dt; return nil })
	must(t, c.Start(0.001))
	defer c.Stop()
	wait(t, c)
	ft.work(2500 * time.Microsecond)
	b := wait(t, c)
	if b.Skipped != 2 {
		t.Fatalf("beat %+v", b)
	}
	approx(t, "simulated time at the tick", simulated, b.Time, 1e-12)
}

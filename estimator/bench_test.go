package estimator

import (
	"slices"
	"testing"
	"time"

	"github.com/stride-robotics/stride/hal"
)

// samples generates n synthetic sensor samples (both feet standing).
func samples(t *testing.T, n int) []hal.Sensors {
	g := newSynth(t, 9)
	out := make([]hal.Sensors, n)
	for i := range out {
		g.next(&out[i])
	}
	return out
}

// feed runs the estimator over the samples cyclically, keeping time and
// sequence advancing.
type feeder struct {
	ss  []hal.Sensors
	k   int
	cur hal.Sensors
}

func (f *feeder) next() *hal.Sensors {
	i := f.k % len(f.ss)
	f.cur = f.ss[i]
	f.cur.Time = float64(f.k+1) * 0.001
	f.cur.Seq = uint64(f.k + 1)
	f.k++
	return &f.cur
}

// Update allocates nothing, for both filters.
func TestUpdateAllocs(t *testing.T) {
	ss := samples(t, 500)
	g := newSynth(t, 9)
	e, err := NewInEKF(g.m, g.names, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLinear(g.m, g.names, DefaultLinearConfig())
	if err != nil {
		t.Fatal(err)
	}
	f := &feeder{ss: ss}
	e.Reset(f.next())
	l.Reset(&f.cur)
	var est Estimate
	if a := testing.AllocsPerRun(400, func() { e.Update(f.next(), &est) }); a != 0 {
		t.Errorf("InEKF.Update: %v allocations per call", a)
	}
	if a := testing.AllocsPerRun(400, func() { l.Update(f.next(), &est) }); a != 0 {
		t.Errorf("Linear.Update: %v allocations per call", a)
	}
}

// benchUpdate times update per call: wall clock (ns/op, p99-ns) and the
// calling thread's CPU time (cpu-ns/op, cpu-p99-ns). On a shared machine
// wall time also counts other processes' turns; the thread's CPU time is
// what the update costs (a call's CPU time includes about 0.1–0.3 µs of the
// clock read itself).
func benchUpdate(b *testing.B, update func(*hal.Sensors, *Estimate), reset func(*hal.Sensors), ss []hal.Sensors) {
	defer lockThread()()
	f := &feeder{ss: ss}
	reset(f.next())
	var est Estimate
	d := make([]time.Duration, 0, b.N)
	c := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := f.next()
		t0, c0 := time.Now(), threadCPU()
		update(s, &est)
		c = append(c, threadCPU()-c0)
		d = append(d, time.Since(t0))
	}
	b.StopTimer()
	var sum time.Duration
	for _, x := range c {
		sum += x
	}
	slices.Sort(d)
	slices.Sort(c)
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(sum.Nanoseconds())/float64(len(c)), "cpu-ns/op")
	b.ReportMetric(float64(c[len(c)/2].Nanoseconds()), "cpu-p50-ns")
	b.ReportMetric(float64(c[len(c)*99/100].Nanoseconds()), "cpu-p99-ns")
}

// BenchmarkInEKFUpdate times one tick of the invariant filter with both feet
// standing (the most work: propagation and two leg updates).
func BenchmarkInEKFUpdate(b *testing.B) {
	t := &testing.T{}
	ss := samples(t, 1000)
	g := newSynth(t, 9)
	e, err := NewInEKF(g.m, g.names, DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	benchUpdate(b, e.Update, e.Reset, ss)
}

// BenchmarkLinearUpdate times one tick of the baseline.
func BenchmarkLinearUpdate(b *testing.B) {
	t := &testing.T{}
	ss := samples(t, 1000)
	g := newSynth(t, 9)
	e, err := NewLinear(g.m, g.names, DefaultLinearConfig())
	if err != nil {
		b.Fatal(err)
	}
	benchUpdate(b, e.Update, e.Reset, ss)
}

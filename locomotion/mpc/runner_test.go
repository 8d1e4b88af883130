package mpc

import (
	"math"
	"sync"
	"testing"
	"time"
)

// TestTripleBuffer: a reader never sees a torn value and sees values in
// order, while a writer publishes as fast as it can (run with -race too).
func TestTripleBuffer(t *testing.T) {
	type pair struct{ a, b [64]uint64 }
	var tb triple[pair]
	tb.init()
	const n = 200000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := uint64(1); i <= n; i++ {
			s := tb.writeSlot()
			for j := range s.a {
				s.a[j], s.b[j] = i, i
			}
			tb.publish()
		}
	}()
	last := uint64(0)
	for last < n {
		s, isNew := tb.read()
		v := s.a[0]
		for j := range s.a {
			if s.a[j] != v || s.b[j] != v {
				t.Fatalf("torn read: a[%d]=%d b[%d]=%d, a[0]=%d", j, s.a[j], j, s.b[j], v)
			}
		}
		if v < last || (isNew && v == last && v != 0) {
			t.Fatalf("read %d after %d (new %v)", v, last, isNew)
		}
		last = v
	}
	wg.Wait()
}

// tickUntil plays a 1 kHz tick against r for up to limit, feeding in (with
// the tick's time) and stopping when done returns true. It returns the
// largest time one tick spent in SetInput + Latest.
func tickUntil(r *Runner, in *Input, limit time.Duration, done func(s *Solution) bool) (time.Duration, *Solution) {
	start := time.Now()
	worst := time.Duration(0)
	var s *Solution
	for time.Since(start) < limit {
		t0 := time.Now()
		in.Time = t0.Sub(start).Seconds()
		r.SetInput(in)
		s = r.Latest()
		worst = max(worst, time.Since(t0))
		if done(s) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	return worst, s
}

func TestRunnerDelivers(t *testing.T) {
	m := newTestMPC(t, 10)
	r := NewRunner(m, 10*time.Millisecond, time.Second)
	r.Start()
	defer r.Stop()
	in := standing(m)
	seen := 0
	lastSeq := uint64(0)
	mg := testMass * 9.81
	worst, s := tickUntil(r, in, 10*time.Second, func(s *Solution) bool {
		if s == nil || s.Seq == lastSeq {
			return false
		}
		if s.Seq < lastSeq {
			t.Fatalf("solution %d after %d", s.Seq, lastSeq)
		}
		if fz := s.Wrench[0][0][2] + s.Wrench[0][1][2]; math.Abs(fz-mg) > 0.01*mg {
			t.Fatalf("Σfz = %.1f N, want %.1f", fz, mg)
		}
		lastSeq = s.Seq
		seen++
		return seen >= 5
	})
	if seen < 5 {
		t.Fatalf("only %d solutions in 10 s (stats %+v)", seen, r.Stats())
	}
	st := r.Stats()
	if st.Published < 5 || st.Failed != 0 || st.LastSolve <= 0 || st.MaxSolve < st.LastSolve {
		t.Errorf("stats %+v", st)
	}
	t.Logf("worst tick-side SetInput+Latest %v, last solve %v, stats %+v", worst, s.SolveTime, st)
}

func TestRunnerKeepsPreviousOnFailure(t *testing.T) {
	m := newTestMPC(t, 10)
	r := NewRunner(m, 5*time.Millisecond, time.Second)
	r.Start()
	defer r.Stop()
	in := standing(m)
	_, s := tickUntil(r, in, 10*time.Second, func(s *Solution) bool { return s != nil })
	if s == nil {
		t.Fatal("no solution")
	}
	bad := *in
	bad.Pos[0] = math.NaN()
	_, s = tickUntil(r, &bad, 10*time.Second, func(*Solution) bool { return r.Stats().Failed >= 1 })
	if s == nil || r.Stats().Failed < 1 {
		t.Fatalf("bad input never failed: %+v", r.Stats())
	}
	// Every good solution was published before the first failure was
	// counted; from here on only bad problems are queued, so the tick must
	// keep this one.
	s = r.Latest()
	goodSeq, goodWrench := s.Seq, s.Wrench
	_, s = tickUntil(r, &bad, 10*time.Second, func(*Solution) bool { return r.Stats().Failed >= 4 })
	if r.Stats().Failed < 4 {
		t.Fatalf("bad input stopped failing: %+v", r.Stats())
	}
	if s == nil || s.Seq != goodSeq || s.Wrench != goodWrench {
		t.Errorf("after failed solves the tick sees another solution; want the previous one (seq %d)", goodSeq)
	}
	if r.LastError() == nil {
		t.Error("LastError is nil after failures")
	}
}

func TestRunnerDropsLate(t *testing.T) {
	m := newTestMPC(t, 10)
	r := NewRunner(m, 5*time.Millisecond, time.Nanosecond) // every solve is late
	r.Start()
	in := standing(m)
	_, s := tickUntil(r, in, 10*time.Second, func(*Solution) bool { return r.Stats().Late >= 3 })
	r.Stop()
	st := r.Stats()
	if st.Late < 3 || st.Published != 0 || s != nil {
		t.Errorf("stats %+v, latest %v: want late solves counted and none published", st, s)
	}
	r.Stop() // twice is fine
}

func TestRunnerTickAllocs(t *testing.T) {
	m := newTestMPC(t, 10)
	r := NewRunner(m, 2*time.Millisecond, time.Second)
	r.Start()
	defer r.Stop()
	in := standing(m)
	allocs := testing.AllocsPerRun(200, func() {
		r.SetInput(in)
		_ = r.Latest()
	})
	if allocs != 0 {
		t.Fatalf("tick side allocates %v per call", allocs)
	}
}

package mpc

import (
	"sync"
	"sync/atomic"
	"time"
)

// triple is a wait-free single-writer, single-reader triple buffer: the writer
// fills its back slot and swaps it with the middle one; the reader swaps its
// front slot with the middle one when the middle holds something fresh.
// Neither side ever waits for the other, and neither allocates.
type triple[T any] struct {
	buf   [3]T
	mid   atomic.Uint32 // index of the middle slot | fresh
	back  uint32        // writer's slot
	front uint32        // reader's slot
}

const fresh = 4

func (t *triple[T]) init() {
	t.front, t.back = 0, 2
	t.mid.Store(1)
}

// writeSlot returns the writer's slot.
func (t *triple[T]) writeSlot() *T { return &t.buf[t.back] }

// publish hands the writer's slot to the reader.
func (t *triple[T]) publish() { t.back = t.mid.Swap(t.back|fresh) &^ fresh }

// read returns the newest published slot (swapped in if fresh) and whether it
// is new since the last read. The slot is the reader's until its next read.
func (t *triple[T]) read() (*T, bool) {
	if t.mid.Load()&fresh == 0 {
		return &t.buf[t.front], false
	}
	t.front = t.mid.Swap(t.front) &^ fresh
	return &t.buf[t.front], true
}

// Stats counts a Runner's solves.
type Stats struct {
	Solves uint64 // solves attempted
	Late   uint64 // solves that finished after the deadline (result dropped)
	Failed uint64 // solves that returned an error (result dropped)
	// Published counts solutions handed to the tick.
	Published uint64
	// LastSolve and MaxSolve are the wall time of the latest and the longest
	// solve, late and failed ones included (each published solution carries
	// its own in Solution.SolveTime).
	LastSolve, MaxSolve time.Duration
}

// Runner solves an MPC in its own goroutine at a fixed period. The control
// tick hands it the newest problem with SetInput and takes the newest solution
// with Latest; both are wait-free and allocation-free, so the tick never waits
// for a solve. A solve that fails, or finishes later than the deadline after
// it started, is counted and dropped: the tick keeps the previous solution.
//
// SetInput and Latest must be called from one goroutine (the tick's). For a
// deterministic simulation call MPC.Solve from the tick instead, every N
// ticks.
type Runner struct {
	mpc      *MPC
	period   time.Duration
	deadline time.Duration

	in  triple[Input]
	out triple[Solution]
	has bool // tick side: a solution has been read

	solves, late, failed, published atomic.Uint64
	lastSolve, maxSolve             atomic.Int64 // ns
	lastErr                         atomic.Value // error of the last failed solve (errBox)

	startOnce, stopOnce sync.Once
	stop                chan struct{}
	done                chan struct{}
}

type errBox struct{ err error }

// NewRunner returns a stopped runner that will solve m every period, dropping
// results that take longer than deadline (0: one period). m must not be used
// elsewhere while the runner runs.
func NewRunner(m *MPC, period, deadline time.Duration) *Runner {
	if period <= 0 {
		period = 20 * time.Millisecond
	}
	if deadline <= 0 {
		deadline = period
	}
	r := &Runner{mpc: m, period: period, deadline: deadline,
		stop: make(chan struct{}), done: make(chan struct{})}
	r.in.init()
	r.out.init()
	return r
}

// Start launches the solving goroutine; later calls do nothing.
func (r *Runner) Start() {
	r.startOnce.Do(func() { go r.loop() })
}

// Stop ends the goroutine and waits for it (at most one solve). Safe to call
// more than once, and before Start.
func (r *Runner) Stop() {
	r.stopOnce.Do(func() { close(r.stop) })
	r.startOnce.Do(func() { close(r.done) }) // never started: nothing to wait for
	<-r.done
}

// SetInput publishes a copy of in as the newest problem (tick side).
func (r *Runner) SetInput(in *Input) {
	*r.in.writeSlot() = *in
	r.in.publish()
}

// Latest returns the newest solution, or nil before the first one (tick
// side). The solution stays valid and unchanged until the next Latest call.
func (r *Runner) Latest() *Solution {
	s, isNew := r.out.read()
	if isNew {
		r.has = true
	}
	if !r.has {
		return nil
	}
	return s
}

// Stats returns the counters; safe from any goroutine.
func (r *Runner) Stats() Stats {
	return Stats{Solves: r.solves.Load(), Late: r.late.Load(), Failed: r.failed.Load(), Published: r.published.Load(),
		LastSolve: time.Duration(r.lastSolve.Load()), MaxSolve: time.Duration(r.maxSolve.Load())}
}

// LastError returns the error of the most recent failed solve, or nil.
func (r *Runner) LastError() error {
	if b, ok := r.lastErr.Load().(errBox); ok {
		return b.err
	}
	return nil
}

func (r *Runner) loop() {
	defer close(r.done)
	tick := time.NewTicker(r.period)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-tick.C:
		}
		in, isNew := r.in.read()
		if !isNew {
			continue // no new problem since the last solve
		}
		r.solves.Add(1)
		start := time.Now()
		out := r.out.writeSlot()
		err := r.mpc.Solve(in, out)
		took := time.Since(start)
		r.lastSolve.Store(int64(took))
		if int64(took) > r.maxSolve.Load() {
			r.maxSolve.Store(int64(took)) // one writer: no race between load and store
		}
		if err != nil {
			r.failed.Add(1)
			r.lastErr.Store(errBox{err})
			continue
		}
		if took > r.deadline {
			r.late.Add(1)
			continue
		}
		r.out.publish()
		r.published.Add(1)
	}
}

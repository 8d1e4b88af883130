package runtime

import (
	"errors"
	"fmt"
	"math"
	goruntime "runtime"
	"runtime/debug"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Clock paces the loop. Start is called once from the loop's goroutine
// before the first tick, Wait before every tick (it returns at once the first
// time), Stop after the last. Wait must not allocate.
type Clock interface {
	// Start begins a run of ticks every period seconds.
	Start(period float64) error
	// Wait returns when the next tick is due.
	Wait() (Beat, error)
	// Stop ends the run and undoes what Start changed.
	Stop()
}

// Beat is a tick's place in time, as the clock saw it.
type Beat struct {
	Index    uint64        // the tick's deadline number since Start (0 for the first)
	Time     float64       // s, the deadline's time since Start (simulated time in lock-step)
	Lateness time.Duration // how long after the deadline the tick started (0 in lock-step)
	Skipped  uint64        // deadlines the overrun policy dropped just before this one
	Overran  bool          // the previous tick's work ran past this tick's deadline
}

// Stepper advances a simulation by dt seconds: hal/simhal's Robot. runtime
// does not import the simulator; tools hand the simulated robot in.
type Stepper interface {
	Advance(dt float64) error
}

// LockStep is the simulation clock: every Wait after the first advances the
// physics by exactly one period, as fast as the machine allows. Loop time is
// the number of periods advanced.
type LockStep struct {
	Stepper Stepper

	period  float64
	index   uint64
	started bool
}

var _ Clock = (*LockStep)(nil)

// Start implements Clock.
func (c *LockStep) Start(period float64) error {
	if c.Stepper == nil {
		return errors.New("runtime: lock-step clock without a simulation to step")
	}
	c.period, c.index, c.started = period, 0, false
	return nil
}

// Wait implements Clock.
func (c *LockStep) Wait() (Beat, error) {
	if c.started {
		if err := c.Stepper.Advance(c.period); err != nil {
			return Beat{}, err
		}
		c.index++
	}
	c.started = true
	return Beat{Index: c.index, Time: float64(c.index) * c.period}, nil
}

// Stop implements Clock.
func (c *LockStep) Stop() {}

// OverrunPolicy says what the wall clock does when a tick's work ran past the
// next deadline.
type OverrunPolicy uint8

// Overrun policies.
const (
	// OverrunSkip drops every deadline already passed; the next tick starts
	// on the next deadline still ahead, on time. Skipped deadlines count as
	// missed.
	OverrunSkip OverrunPolicy = iota
	// OverrunCatchUp runs the passed deadlines' ticks back to back, late,
	// keeping the tick count; after MaxCatchup late ticks in a row it skips.
	OverrunCatchUp
	// OverrunFault skips like OverrunSkip, and the loop trips the overrun
	// fault (to damping) after loop.fault_after overruns in a row.
	OverrunFault
)

// ParseOverrunPolicy reads loop.overrun.
func ParseOverrunPolicy(s string) (OverrunPolicy, error) {
	switch s {
	case "skip":
		return OverrunSkip, nil
	case "catchup":
		return OverrunCatchUp, nil
	case "fault":
		return OverrunFault, nil
	}
	return 0, fmt.Errorf("loop.overrun %q: want skip, catchup or fault", s)
}

// WallClock paces ticks to absolute deadlines on CLOCK_MONOTONIC, for the
// real robot and real-time simulation.
//
// Wait sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) until Spin
// before the deadline, then spins on the clock until the deadline: a relative
// time.Sleep overshoots by about a millisecond on a loaded machine, an
// absolute clock_nanosleep by tens of microseconds, the final spin by about
// a microsecond. Deadlines are absolute (start + k·period), so errors never
// accumulate into drift.
//
// Start, on the loop's goroutine, when asked:
//   - locks the goroutine to its OS thread (runtime.LockOSThread), so the
//     timer slack, CPU pinning and priority below apply to the loop;
//   - sets the thread's timer slack (prctl PR_SET_TIMERSLACK; Linux's default
//     of 50 µs delays every wake-up by up to that much);
//   - pins the thread to a CPU and gives it SCHED_FIFO priority (both need
//     privileges; failures become Warnings, the loop runs anyway);
//   - tunes the garbage collector: SetGCPercent(GCPercent) and
//     SetMemoryLimit(MemoryLimit), after a full collection. The tick
//     allocates nothing, so with GOGC off (−1) the collector runs only when
//     other goroutines' garbage (command decoding, the log writer) brings
//     the heap to the memory limit; its stop-the-world pauses are the main
//     source of late ticks on two cores. Stop restores both.
//
// When Stepper is set (real-time simulation) Wait first advances the physics
// by one period, then sleeps to the deadline: the physics counts as part of
// the tick's work for overrun accounting. Deadlines skipped by the overrun
// policy are simulated too (the world runs on under the last command while
// the controller is late), so simulated time keeps pace with the wall clock.
type WallClock struct {
	Spin        time.Duration // spin this long before each deadline (0: sleep only)
	Policy      OverrunPolicy
	MaxCatchup  int  // OverrunCatchUp: late ticks in a row before skipping
	LockThread  bool // lock the loop goroutine to its OS thread
	TimerSlack  int  // ns; 0 leaves the thread's timer slack alone
	TuneGC      bool // apply GCPercent and MemoryLimit during the run
	GCPercent   int
	MemoryLimit int64 // bytes
	CPU         int   // pin the loop thread to this CPU; −1: no pinning
	Priority    int   // SCHED_FIFO priority; 0: normal scheduling
	Stepper     Stepper

	// Warnings lists what Start could not set (missing privileges); the loop
	// runs without it.
	Warnings []string

	now   func() int64      // ns since base, monotonic
	sleep func(until int64) // sleep until now() ≥ until, roughly
	base  time.Time
	off   int64 // CLOCK_MONOTONIC − now()

	period, t0, next int64
	periodS          float64
	catchup          int
	started          bool
	locked           bool
	prio             bool
	oldGC            int
	oldLimit         int64
}

var _ Clock = (*WallClock)(nil)

// NewWallClock returns a wall clock set up from the loop config.
func NewWallClock(c *LoopConfig) (*WallClock, error) {
	pol, err := ParseOverrunPolicy(c.Overrun)
	if err != nil {
		return nil, err
	}
	return &WallClock{
		Spin: time.Duration(c.Spin * 1e9), Policy: pol, MaxCatchup: c.MaxCatchup,
		LockThread: c.LockThread, TimerSlack: c.TimerSlackNs,
		TuneGC: true, GCPercent: c.GCPercent, MemoryLimit: int64(c.MemoryLimitMB) << 20,
		CPU: c.CPU, Priority: c.Priority,
	}, nil
}

// Start implements Clock.
func (c *WallClock) Start(period float64) error {
	if !(period > 0) || period > 10 {
		return fmt.Errorf("runtime: wall clock period %g s: want (0, 10] s", period)
	}
	c.Warnings = c.Warnings[:0]
	if c.LockThread {
		goruntime.LockOSThread()
		c.locked = true
	}
	if c.TimerSlack > 0 {
		if err := unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(c.TimerSlack), 0, 0, 0); err != nil {
			c.Warnings = append(c.Warnings, fmt.Sprintf("timer slack %d ns: %v", c.TimerSlack, err))
		}
	}
	if c.CPU >= 0 {
		var set unix.CPUSet
		set.Set(c.CPU)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			c.Warnings = append(c.Warnings, fmt.Sprintf("pinning to CPU %d: %v", c.CPU, err))
		}
	}
	if c.Priority > 0 {
		attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: 1 /* SCHED_FIFO */, Priority: uint32(c.Priority)}
		if err := unix.SchedSetAttr(0, &attr, 0); err != nil {
			c.Warnings = append(c.Warnings, fmt.Sprintf("SCHED_FIFO priority %d: %v", c.Priority, err))
		} else {
			c.prio = true
		}
	}
	if c.TuneGC {
		goruntime.GC()
		c.oldGC = debug.SetGCPercent(c.GCPercent)
		c.oldLimit = debug.SetMemoryLimit(c.MemoryLimit)
	}
	if c.now == nil {
		c.base = time.Now()
		c.now = func() int64 { return int64(time.Since(c.base)) }
		c.sleep = c.nanosleep
		c.calibrate()
	}
	c.period = int64(math.Round(period * 1e9))
	c.periodS = period
	c.t0 = c.now()
	c.next = c.t0
	c.catchup = 0
	c.started = false
	return nil
}

// calibrate finds the offset from now() to CLOCK_MONOTONIC (the clock
// clock_nanosleep sleeps on), from the tightest of a few brackets.
func (c *WallClock) calibrate() {
	best := int64(math.MaxInt64)
	for i := 0; i < 16; i++ {
		var ts unix.Timespec
		a := c.now()
		_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
		b := c.now()
		if b-a < best {
			best = b - a
			c.off = ts.Nano() - (a+b)/2
		}
	}
}

// nanosleep sleeps until now() ≥ until with clock_nanosleep(TIMER_ABSTIME).
//
// It is a raw system call: the Go scheduler is not told, so it does not hand
// the loop's P to another goroutine while the loop sleeps. With an ordinary
// (entersyscall) sleep, sysmon retakes the P after ~20 µs; on waking, the
// loop thread must find a free P, and when the other goroutines (the log
// writer, command sources) hold them all it waits — measured here as late
// ticks of several hundred µs. The cost: a stop-the-world (rare, with GOGC
// off) waits for the sleep to end, at most one period.
func (c *WallClock) nanosleep(until int64) {
	ts := unix.NsecToTimespec(until + c.off)
	for {
		_, _, e := unix.RawSyscall6(unix.SYS_CLOCK_NANOSLEEP, unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME,
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e != unix.EINTR {
			return
		}
	}
}

// Wait implements Clock.
func (c *WallClock) Wait() (Beat, error) {
	var b Beat
	if c.started && c.Stepper != nil {
		if err := c.Stepper.Advance(c.periodS); err != nil {
			return b, err
		}
	}
	deadline := c.next
	now := c.now()
	if c.started && now > deadline {
		b.Overran = true
		if c.Policy == OverrunCatchUp && c.catchup < c.MaxCatchup {
			c.catchup++
		} else {
			k := (now-deadline)/c.period + 1
			deadline += k * c.period
			b.Skipped = uint64(k)
			c.catchup = 0
			if c.Stepper != nil {
				// The simulated world does not wait for a late controller: it
				// runs on through the skipped periods under the last command.
				if err := c.Stepper.Advance(float64(k) * c.periodS); err != nil {
					return b, err
				}
			}
		}
	} else {
		c.catchup = 0
	}
	if now < deadline-int64(c.Spin) {
		c.sleep(deadline - int64(c.Spin))
	}
	start := c.now()
	for start < deadline {
		start = c.now()
	}
	c.started = true
	c.next = deadline + c.period
	b.Index = uint64((deadline - c.t0) / c.period)
	b.Time = float64(deadline-c.t0) * 1e-9
	b.Lateness = time.Duration(start - deadline)
	return b, nil
}

// Rebase moves the schedule so that the next deadline is one period from
// now, keeping Index and Time continuous: a run that was deliberately paused
// (a benchmark interleaving two loops) resumes without counting the pause as
// overruns and skipped deadlines.
func (c *WallClock) Rebase() {
	if c.now == nil {
		return
	}
	shift := c.now() + c.period - c.next
	c.next += shift
	c.t0 += shift
}

// Stop implements Clock.
func (c *WallClock) Stop() {
	if c.TuneGC {
		debug.SetGCPercent(c.oldGC)
		debug.SetMemoryLimit(c.oldLimit)
	}
	if c.prio {
		attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: 0 /* SCHED_OTHER */}
		_ = unix.SchedSetAttr(0, &attr, 0)
		c.prio = false
	}
	if c.TimerSlack > 0 {
		_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 0, 0, 0, 0) // back to the default
	}
	if c.locked {
		goruntime.UnlockOSThread()
		c.locked = false
	}
}

// Since returns the wall time elapsed since Start, for the loop's compute
// measurements.
func (c *WallClock) Since() time.Duration {
	if c.now == nil {
		return 0
	}
	return time.Duration(c.now() - c.t0)
}

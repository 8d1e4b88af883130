package runtime

import (
	"math"
	"math/bits"
	"time"
)

// Histogram counts durations in log-linear buckets: exact below 128 ns, then
// 64 buckets per power of two, so any quantile it reports is within 1/64
// (1.6 %) of the true one. It is a fixed-size value: Add never allocates.
type Histogram struct {
	counts [histBuckets]uint64
	n      uint64
	max    int64
	sum    float64
}

const (
	histSub     = 64                     // buckets per power of two
	histExact   = 2 * histSub            // values below this have their own bucket
	histBuckets = histExact + 57*histSub // enough for any int64
	histShift   = 7                      // bits.Len64(histExact−1)
)

func histIndex(v int64) int {
	if v < histExact {
		return int(max(v, 0))
	}
	shift := bits.Len64(uint64(v)) - histShift
	m := int(uint64(v) >> shift) // in [64, 127]
	return histExact + (shift-1)*histSub + m - histSub
}

// histRange returns the smallest and largest value of bucket i.
func histRange(i int) (lo, hi int64) {
	if i < histExact {
		return int64(i), int64(i)
	}
	shift := (i-histExact)/histSub + 1
	m := int64((i-histExact)%histSub + histSub)
	return m << shift, (m+1)<<shift - 1
}

// Add counts one duration (ns; negative counts as 0).
func (h *Histogram) Add(ns int64) {
	h.counts[histIndex(ns)]++
	h.n++
	h.max = max(h.max, ns)
	h.sum += float64(max(ns, 0))
}

// Count returns the number of durations added.
func (h *Histogram) Count() uint64 { return h.n }

// Max returns the largest duration added.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean returns the mean duration.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of the durations added: the
// middle of the bucket holding the ⌈q·n⌉-th smallest, never above Max.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i]
		if seen >= rank {
			lo, hi := histRange(i)
			return time.Duration(min((lo+hi)/2, h.max))
		}
	}
	return time.Duration(h.max)
}

// Reset empties the histogram.
func (h *Histogram) Reset() { *h = Histogram{} }

// Health is the loop's timing record: per-tick lateness and compute time,
// overruns and missed deadlines.
//
//   - Lateness: how long after its deadline a tick started.
//   - Compute: from the tick's start to the end of its write.
//   - Overrun: a tick whose work (through the log, plus the physics step of a
//     real-time simulation) ran past the next tick's deadline.
//   - Missed deadline: a deadline whose tick started more than
//     loop.late_tolerance late, or that the overrun policy skipped.
type Health struct {
	Ticks     uint64 // ticks run
	Deadlines uint64 // deadlines passed: ticks run plus deadlines skipped
	Missed    uint64 // missed deadlines (late beyond tolerance, or skipped)
	Skipped   uint64 // deadlines skipped by the overrun policy
	Overruns  uint64 // ticks that ran past the next deadline
	// MaxOverrunRun is the longest streak of consecutive overruns.
	MaxOverrunRun uint64
	Lateness      Histogram
	Compute       Histogram

	overrunRun uint64
}

// Stats summarises a Histogram.
type Stats struct {
	P50  float64 `json:"p50_s"`
	P99  float64 `json:"p99_s"`
	P999 float64 `json:"p999_s"`
	Max  float64 `json:"max_s"`
	Mean float64 `json:"mean_s"`
}

// StatsOf summarises h (seconds).
func StatsOf(h *Histogram) Stats {
	return Stats{P50: h.Quantile(0.5).Seconds(), P99: h.Quantile(0.99).Seconds(),
		P999: h.Quantile(0.999).Seconds(), Max: h.Max().Seconds(), Mean: h.Mean().Seconds()}
}

// HealthReport is Health in a form for people and JSON.
type HealthReport struct {
	Ticks         uint64  `json:"ticks"`
	Deadlines     uint64  `json:"deadlines"`
	Missed        uint64  `json:"missed_deadlines"`
	MissedPercent float64 `json:"missed_percent"`
	Skipped       uint64  `json:"skipped"`
	Overruns      uint64  `json:"overruns"`
	MaxOverrunRun uint64  `json:"max_consecutive_overruns"`
	Lateness      Stats   `json:"lateness"`
	Compute       Stats   `json:"compute"`
}

// Report summarises h.
func (h *Health) Report() HealthReport {
	r := HealthReport{Ticks: h.Ticks, Deadlines: h.Deadlines, Missed: h.Missed, Skipped: h.Skipped,
		Overruns: h.Overruns, MaxOverrunRun: h.MaxOverrunRun,
		Lateness: StatsOf(&h.Lateness), Compute: StatsOf(&h.Compute)}
	if h.Deadlines > 0 {
		r.MissedPercent = 100 * float64(h.Missed) / float64(h.Deadlines)
	}
	return r
}

// Observe records the timing of a tick's start (the loop calls it every
// tick; a bare timing loop may call it too); it returns the current streak of
// consecutive overruns.
func (h *Health) Observe(b *Beat, lateTolerance time.Duration) uint64 {
	h.Ticks++
	h.Deadlines += 1 + b.Skipped
	h.Skipped += b.Skipped
	h.Missed += b.Skipped
	if b.Lateness > lateTolerance {
		h.Missed++
	}
	h.Lateness.Add(int64(b.Lateness))
	if b.Overran {
		h.Overruns++
		h.overrunRun++
		h.MaxOverrunRun = max(h.MaxOverrunRun, h.overrunRun)
	} else {
		h.overrunRun = 0
	}
	return h.overrunRun
}

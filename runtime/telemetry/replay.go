package telemetry

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/stride-robotics/stride/hal"
)

// Source selects which base state a replay shows.
type Source uint8

// Replay sources.
const (
	SourceTruth    Source = iota // the simulator's ground truth (simulator logs)
	SourceEstimate               // what the estimator believed
)

func (s Source) String() string {
	if s == SourceTruth {
		return "truth"
	}
	return "estimate"
}

// State is what a viewer draws at one instant of a log: the base from the
// chosen source and the measured joint positions.
type State struct {
	Time       float64
	Tick       uint64
	Base       BaseState
	N          int
	Q          [hal.MaxJoints]float64
	Mode, Gait uint8
}

// Replay plays a log back for a viewer: a clock over the log's time that
// runs, pauses, scrubs and steps, and the state at any time (the last tick
// at or before it), found through the index with the chunk around it
// cached. Nothing is loaded up front; scrubbing reads one chunk.
type Replay struct {
	r      *Reader
	src    Source
	cd     ChunkData
	cached int // chunk in cd, −1 for none
	start  float64
	end    float64

	t      float64
	speed  float64
	paused bool
}

// NewReplay makes a replay of r's ticks showing the base from src. The
// clock starts paused at the first tick, at speed 1.
func NewReplay(r *Reader, src Source) (*Replay, error) {
	if src == SourceTruth && !r.Header.Truth {
		return nil, errors.New("telemetry: replay: the log has no ground truth (not a simulator run); replay the estimate")
	}
	s := r.Summary()
	if s.Ticks == 0 {
		return nil, errors.New("telemetry: replay: the log has no readable ticks")
	}
	return &Replay{r: r, src: src, cached: -1, start: s.Start, end: s.End, t: s.Start, speed: 1, paused: true}, nil
}

// Start and End are the times of the first and last tick.
func (p *Replay) Start() float64 { return p.start }

// End is the time of the last tick.
func (p *Replay) End() float64 { return p.end }

// Time is the clock's position in log time.
func (p *Replay) Time() float64 { return p.t }

// Paused reports whether the clock is paused.
func (p *Replay) Paused() bool { return p.paused }

// Pause stops the clock.
func (p *Replay) Pause() { p.paused = true }

// Play starts the clock; at the end it starts again from the beginning.
func (p *Replay) Play() {
	if p.t >= p.end {
		p.t = p.start
	}
	p.paused = false
}

// SetSpeed sets the playback rate (1: real time; negative plays backwards).
func (p *Replay) SetSpeed(x float64) {
	if !math.IsNaN(x) && !math.IsInf(x, 0) {
		p.speed = x
	}
}

// Seek moves the clock to t (scrubbing), clamped to the log.
func (p *Replay) Seek(t float64) {
	if math.IsNaN(t) {
		return
	}
	p.t = min(max(t, p.start), p.end)
}

// Step moves the clock by n control periods (frame stepping while paused).
func (p *Replay) Step(n int) { p.Seek(p.t + float64(n)/p.r.Header.Rate) }

// Advance moves the clock by wall-clock dt times the speed unless paused,
// and pauses at either end. It returns the new time.
func (p *Replay) Advance(dt time.Duration) float64 {
	if p.paused {
		return p.t
	}
	t := p.t + dt.Seconds()*p.speed
	if t >= p.end || t <= p.start {
		p.paused = true
	}
	p.Seek(t)
	return p.t
}

// Current fills dst with the state at the clock's time.
func (p *Replay) Current(dst *State) error { return p.At(p.t, dst) }

// At fills dst with the state of the last tick at or before t (the first
// tick when t is before it). Damaged chunks are skipped: the state comes
// from the nearest readable tick before t.
func (p *Replay) At(t float64, dst *State) error {
	n := p.r.NumChunks()
	i, err := p.r.SeekChunk(t)
	if err != nil {
		return err
	}
	i = min(i, n-1)
	// Walk back from the chunk holding t to a readable tick at or before it.
	for j := i; j >= 0; j-- {
		ok, err := p.load(j)
		if err != nil {
			return err
		}
		if !ok || len(p.cd.Ticks) == 0 {
			continue
		}
		k := sort.Search(len(p.cd.Ticks), func(k int) bool { return p.cd.Ticks[k].Time > t })
		if k > 0 {
			p.fill(&p.cd.Ticks[k-1], dst)
			return nil
		}
	}
	// t is before every readable tick: show the first one.
	for j := 0; j < n; j++ {
		ok, err := p.load(j)
		if err != nil {
			return err
		}
		if ok && len(p.cd.Ticks) > 0 {
			p.fill(&p.cd.Ticks[0], dst)
			return nil
		}
	}
	return fmt.Errorf("telemetry: replay: no readable tick in the log")
}

// load caches chunk j; ok is false when it is damaged.
func (p *Replay) load(j int) (bool, error) {
	if p.cached == j {
		return true, nil
	}
	p.cached = -1
	if err := p.r.ReadChunk(j, &p.cd); err != nil {
		var de *DamageError
		if errors.As(err, &de) {
			return false, nil
		}
		return false, err
	}
	p.cached = j
	return true, nil
}

func (p *Replay) fill(t *Tick, s *State) {
	s.Time, s.Tick, s.Mode, s.Gait = t.Time, t.Tick, t.Mode, t.Gait
	s.Base = t.Estimate
	if p.src == SourceTruth {
		s.Base = t.Truth
	}
	s.N = len(p.r.Header.Joints)
	s.Q = t.Sensors.Q
}

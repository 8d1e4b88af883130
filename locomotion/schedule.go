package locomotion

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/estimator"
)

// Feet are indexed Left, Right everywhere in this package (as in
// estimator.ContactSchedule).
const (
	Left  = 0
	Right = 1
)

// Timing says how a gait's period and duty factor follow the commanded speed.
// Both are continuous in speed: the period falls linearly from Period0 at rest
// to PeriodMin at SpeedRef and stays there; the duty factor (the fraction of
// the period each foot is in stance) falls linearly from Duty0 at rest through
// 0.5 at WalkRunSpeed (single support only; below 0.5 flight phases appear) and
// is clamped at DutyMin.
type Timing struct {
	Period0      float64 // s, stride period (two steps) at rest: stepping in place
	PeriodMin    float64 // s, period at and above SpeedRef
	SpeedRef     float64 // m/s, speed at which the period reaches PeriodMin
	Duty0        float64 // duty factor at rest, > 0.5: double support between single supports
	WalkRunSpeed float64 // m/s, speed at which the duty factor passes 0.5
	DutyMin      float64 // lower clamp of the duty factor
}

// DefaultTiming is a PM01-class walking timing: 0.8 s strides (0.4 s steps)
// with 20 % double support when stepping in place, 0.6 s strides at 1.5 m/s,
// and the duty factor reaching 0.5 at 1.85 m/s (Froude 0.5 at a 0.7 m leg).
func DefaultTiming() Timing {
	return Timing{Period0: 0.8, PeriodMin: 0.6, SpeedRef: 1.5, Duty0: 0.6, WalkRunSpeed: 1.85, DutyMin: 0.3}
}

// Validate says what is wrong with t, naming the field.
func (t *Timing) Validate() error {
	switch {
	case !(t.Period0 > 0.1 && t.Period0 < 5):
		return fmt.Errorf("locomotion: timing period0 %g s outside (0.1, 5)", t.Period0)
	case !(t.PeriodMin > 0.1 && t.PeriodMin <= t.Period0):
		return fmt.Errorf("locomotion: timing period_min %g s outside (0.1, period0 %g]", t.PeriodMin, t.Period0)
	case !(t.SpeedRef > 0):
		return fmt.Errorf("locomotion: timing speed_ref %g m/s must be positive", t.SpeedRef)
	case !(t.Duty0 > 0.5 && t.Duty0 < 1):
		return fmt.Errorf("locomotion: timing duty0 %g outside (0.5, 1): walking needs double support", t.Duty0)
	case !(t.WalkRunSpeed > 0):
		return fmt.Errorf("locomotion: timing walk_run_speed %g m/s must be positive", t.WalkRunSpeed)
	case !(t.DutyMin > 0.1 && t.DutyMin <= 0.5):
		return fmt.Errorf("locomotion: timing duty_min %g outside (0.1, 0.5]", t.DutyMin)
	}
	return nil
}

// Period returns the stride period T(v) for speed v (m/s, magnitude).
func (t *Timing) Period(v float64) float64 {
	s := math.Min(math.Abs(v)/t.SpeedRef, 1)
	return t.Period0 + s*(t.PeriodMin-t.Period0)
}

// Duty returns the duty factor β(v) for speed v (m/s, magnitude).
func (t *Timing) Duty(v float64) float64 {
	b := t.Duty0 + (0.5-t.Duty0)*math.Abs(v)/t.WalkRunSpeed
	return math.Max(b, t.DutyMin)
}

// Scheduler is the phase clock: one phase φ ∈ [0, 1) per stride, the left
// foot's stance starting at φ = 0 and the right foot's at φ = 0.5, each
// lasting the duty factor β of the stride. With β > 0.5 the two double
// supports are φ ∈ [0, β−0.5) and [0.5, β). Standing is a gait too: the clock
// stops in a double support and both feet stay in stance. Walking starts from
// and stops in double support, so stand → walk → stand is continuous.
//
// The period and duty factor are re-evaluated each tick from the speed; the
// phase advances by dt/T, so a change of speed bends the clock without a jump.
type Scheduler struct {
	Timing Timing
	// Run clamps and rate-limits the duty factor for the walking and
	// running gaits (run.go); its zero value leaves the Timing curve as it is.
	Run RunConfig

	phase   float64 // φ ∈ [0, 1)
	period  float64 // s, current T
	duty    float64 // current β
	walking bool    // the clock runs
	stop    bool    // walking, asked to stop at the next double support
	strides int     // completed steps (touchdowns)
	run     bool    // the running gait is selected (SetRun)
	// blending: the duty factor is away from the walking curve (running,
	// or on its way back) and moves at Run.DutyRate.
	blending bool
}

// NewScheduler returns a standing scheduler with timing t.
func NewScheduler(t Timing) (*Scheduler, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	s := &Scheduler{Timing: t}
	s.Reset()
	return s, nil
}

// Reset stands the scheduler at the start of the left foot's stance.
func (s *Scheduler) Reset() {
	s.phase, s.walking, s.stop, s.strides, s.run, s.blending = 0, false, false, 0, false, false
	s.period, s.duty = s.Timing.Period(0), s.Timing.Duty(0)
}

// Update advances the clock by dt for a gait request (walk true: step; false:
// stand) at speed v (m/s, the magnitude of the commanded planar velocity).
// A stand request while walking keeps stepping until the next double support
// and stops there.
func (s *Scheduler) Update(dt float64, walk bool, v float64) {
	if !(dt > 0) {
		return
	}
	if walk {
		s.walking, s.stop = true, false
	} else if s.walking {
		s.stop = true
	}
	if !s.walking {
		return
	}
	s.period, s.duty = s.Timing.Period(v), s.nextDuty(dt, v)
	prev := s.phase
	next := prev + dt/s.period
	// Touchdowns: left at φ = 0 (1), right at 0.5.
	if prev < 0.5 && next >= 0.5 {
		s.strides++
	}
	if next >= 1 {
		next -= 1
		s.strides++
	}
	s.phase = next
	if s.stop && s.InDoubleSupport() {
		s.walking, s.stop = false, false
	}
}

// InDoubleSupport reports whether both feet are in planned stance.
func (s *Scheduler) InDoubleSupport() bool {
	st := s.Stance()
	return st[Left] && st[Right]
}

// Walking reports whether the clock runs (a stop request still stepping to
// double support counts as walking).
func (s *Scheduler) Walking() bool { return s.walking }

// Phase returns the stride phase φ ∈ [0, 1).
func (s *Scheduler) Phase() float64 { return s.phase }

// Period returns the current stride period T, s.
func (s *Scheduler) Period() float64 { return s.period }

// Duty returns the current duty factor β.
func (s *Scheduler) Duty() float64 { return s.duty }

// Steps returns the number of touchdowns since Reset.
func (s *Scheduler) Steps() int { return s.strides }

// footPhase returns foot i's own phase ψ ∈ [0, 1): stance for ψ < β.
func (s *Scheduler) footPhase(i int) float64 {
	// foot i's stance starts at φ = i/2: ψ = φ − i/2 mod 1
	p := s.phase - 0.5*float64(i)
	if p < 0 {
		p += 1
	}
	return p
}

// Stance returns the planned contact of each foot now.
func (s *Scheduler) Stance() [2]bool {
	if !s.walking {
		return [2]bool{true, true}
	}
	return [2]bool{s.footPhase(Left) < s.duty, s.footPhase(Right) < s.duty}
}

// FootTiming returns, for foot i, whether it is in planned stance, the
// progress 0..1 through its current stance or swing, the time left in it (s)
// and the total duration of that stance or swing (s). Standing, every foot is
// in stance with progress 0 and an infinite time left.
func (s *Scheduler) FootTiming(i int) (stance bool, progress, remaining, duration float64) {
	if !s.walking {
		return true, 0, math.Inf(1), math.Inf(1)
	}
	p := s.footPhase(i)
	if p < s.duty {
		return true, p / s.duty, (s.duty - p) * s.period, s.duty * s.period
	}
	sw := 1 - s.duty
	return false, (p - s.duty) / sw, (1 - p) * s.period, sw * s.period
}

// StanceDuration and SwingDuration return the current planned durations (s).
func (s *Scheduler) StanceDuration() float64 { return s.duty * s.period }

// SwingDuration returns the current planned swing duration (s).
func (s *Scheduler) SwingDuration() float64 { return (1 - s.duty) * s.period }

// Schedule writes the planned contact schedule for the estimator: each
// foot's planned stance, its progress through the current stance or swing
// and the time left in it (+Inf standing).
func (s *Scheduler) Schedule(cs *estimator.ContactSchedule) {
	cs.Valid = true
	for k := 0; k < 2; k++ {
		st, prog, rem, _ := s.FootTiming(k)
		cs.Stance[k], cs.Phase[k], cs.Remaining[k] = st, prog, rem
	}
}

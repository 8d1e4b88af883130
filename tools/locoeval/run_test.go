package locoeval

import (
	"math"
	"testing"
)

// synthRun is a synthetic run: the centre of mass moves at v along x; the
// feet alternate with T-second strides at duty factor beta (< 0.5: two
// flights of (0.5 − β)·T per stride), the left foot's stance starting at
// phase 0 and the right's at 0.5.
func synthRun(t0, v, T, beta float64, gait uint8, s *Sample) {
	ph := math.Mod(t0, T) / T
	s.Time = t0
	s.Locomotion = true
	s.Cmd = [3]float64{v, 0, 0}
	s.GaitPhase = ph
	s.Gait = gait
	s.Pos = [3]float64{v * t0, 0, 0.9}
	s.COM = s.Pos
	s.Vel = [3]float64{v, 0, 0}
	s.Contact = [2]bool{ph < beta, math.Mod(ph+0.5, 1) < beta}
	s.Tau[0], s.Tau[1] = 10, 20
	s.Qd[0], s.Qd[1] = 1, -1 // 10 W positive, 20 W negative
}

func TestMeterSyntheticRun(t *testing.T) {
	const v, T, beta = 4.0, 0.7, 0.4
	m, _ := New(0.001, 40, 9.81)
	s := &Sample{Tau: make([]float64, 2), Qd: make([]float64, 2), Limit: []float64{100, 100}}
	// 5 s walking (no switch counted from the first gait), 30 s running,
	// 5 s walking: two walk ↔ run switches.
	for tk := 0; tk < 40000; tk++ {
		tm := float64(tk) * 0.001
		g := GaitRun
		if tk < 5000 || tk >= 35000 {
			g = GaitWalk
		}
		synthRun(tm, v, T, beta, g, s)
		m.Add(s)
	}
	r := m.Report()
	t.Logf("%s", r)
	if r.GaitTransitions != 2 {
		t.Errorf("gait transitions %d, want 2", r.GaitTransitions)
	}
	// Strides that start and end inside the 30 s of running: 42 or so.
	if f := r.FlightTimePerStride; f.Strides < 40 || f.Strides > 43 ||
		math.Abs(f.Mean-2*(0.5-beta)*T) > 0.002 || math.Abs(f.Min-2*(0.5-beta)*T) > 0.002 {
		t.Errorf("flight %+v, want %g s per stride over ~42 strides", f, 2*(0.5-beta)*T)
	}
	if math.Abs(r.DutyFactor-beta) > 0.002 || math.Abs(r.StrideLengthM-v*T) > 0.005 || math.Abs(r.StrideFrequencyHz-1/T) > 0.005 {
		t.Errorf("duty %g (want %g), stride %g m (want %g), %g Hz (want %g)", r.DutyFactor, beta, r.StrideLengthM, v*T, r.StrideFrequencyHz, 1/T)
	}
	if r.WalkStrides.Strides < 10 || r.RunStrides.Strides != r.FlightTimePerStride.Strides {
		t.Errorf("walk strides %d, run strides %d", r.WalkStrides.Strides, r.RunStrides.Strides)
	}
	if math.Abs(r.PeakSpeedMps-v) > 0.01 {
		t.Errorf("peak speed %g, want %g", r.PeakSpeedMps, v)
	}
	if r.Best100mS == nil || math.Abs(*r.Best100mS-100/v) > 0.02 {
		t.Errorf("best 100 m %v, want %g s", r.Best100mS, 100/v)
	}
	// |τ·q̇| = 30 W for 40 s over 160 m.
	if want := 30 * 40 / (40 * 9.81 * 160); math.Abs(r.MechanicalCOT-want) > 1e-3 || math.Abs(r.AbsWorkJ-1200) > 0.1 {
		t.Errorf("mechanical COT %g (want %g), |work| %g J", r.MechanicalCOT, want, r.AbsWorkJ)
	}
}

// A walk with double support has no flight and no running strides; a run
// shorter than 100 m has no best 100 m; speeding up from 1 to 3 m/s shows
// the peak at the end.
func TestMeterRunEdges(t *testing.T) {
	m, _ := New(0.001, 40, 9.81)
	s := &Sample{Tau: make([]float64, 2), Qd: make([]float64, 2), Limit: []float64{100, 100}}
	for tk := 0; tk < 10000; tk++ {
		synthRun(float64(tk)*0.001, 0.5, 0.8, 0.6, GaitWalk, s)
		m.Add(s)
	}
	r := m.Report()
	if r.FlightTimePerStride.Strides != 0 || r.RunStrides.Strides != 0 || r.Best100mS != nil || math.Abs(r.DutyFactor-0.6) > 0.002 {
		t.Errorf("walk: %+v", r)
	}
	m, _ = New(0.001, 40, 9.81)
	x := 0.0
	for tk := 0; tk < 20000; tk++ {
		tm := float64(tk) * 0.001
		v := 1 + 2*tm/20
		x += v * 0.001
		synthRun(tm, v, 0.7, 0.4, GaitRun, s)
		s.COM[0], s.Pos[0] = x, x
		m.Add(s)
	}
	r = m.Report()
	if math.Abs(r.PeakSpeedMps-2.95) > 0.02 || r.Best100mS != nil {
		t.Errorf("ramp: peak %g (want 2.95: the last second's mean), best %v", r.PeakSpeedMps, r.Best100mS)
	}
}

// A swing foot brushing the ground for 2 ms mid-swing is no touchdown: the
// strides and their flights are those of the run without it.
func TestMeterRunScuff(t *testing.T) {
	var reps [2]*Report
	for i, scuff := range []bool{false, true} {
		m, _ := New(0.001, 40, 9.81)
		s := &Sample{Tau: make([]float64, 2), Qd: make([]float64, 2), Limit: []float64{100, 100}}
		for tk := 0; tk < 10000; tk++ {
			tm := float64(tk) * 0.001
			synthRun(tm, 2, 0.6, 0.4, GaitRun, s)
			if ph := math.Mod(tm, 0.6) / 0.6; scuff && ph >= 0.6 && ph < 0.6+0.002/0.6 {
				s.Contact[0] = true // the left foot, swinging, touches during the right's stance
			}
			m.Add(s)
		}
		reps[i] = m.Report()
	}
	a, b := reps[0], reps[1]
	if a.RunStrides.Strides != b.RunStrides.Strides || math.Abs(a.StrideFrequencyHz-b.StrideFrequencyHz) > 1e-9 || math.Abs(a.FlightTimePerStride.Mean-b.FlightTimePerStride.Mean) > 1e-9 {
		t.Errorf("with a scuff: %d strides at %.3f Hz, flight %.3f s; without: %d at %.3f Hz, %.3f s",
			b.RunStrides.Strides, b.StrideFrequencyHz, b.FlightTimePerStride.Mean, a.RunStrides.Strides, a.StrideFrequencyHz, a.FlightTimePerStride.Mean)
	}
}

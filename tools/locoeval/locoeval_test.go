package locoeval

import (
	"math"
	"testing"
	"time"
)

// synth is a synthetic walk: the base moves at v (world x) with a lateral
// sway of 3 cm at the stride frequency; the feet alternate with 0.7 s
// strides (60 % duty), the left foot slipping 2 mm during each stance; one
// of the two joints is at its effort limit on every other tick.
func synth(t0 float64, v float64, cmd [3]float64, s *Sample) {
	const T = 0.7
	ph := math.Mod(t0, T) / T
	s.Time = t0
	s.Locomotion = true
	s.Cmd = cmd
	s.GaitPhase = ph
	sway := 0.03 * math.Sin(2*math.Pi*ph)
	s.Pos = [3]float64{v * t0, sway, 0.9}
	s.COM = s.Pos
	s.Vel = [3]float64{v, 0.03 * 2 * math.Pi / T * math.Cos(2*math.Pi*ph), 0}
	s.Contact = [2]bool{ph < 0.6, ph >= 0.5 || ph < 0.1}
	if s.Contact[0] {
		s.Foot[0] = [3]float64{math.Floor(t0/T) + 0.002*ph/0.6, 0.1, 0}
	} else {
		s.Foot[0] = [3]float64{99, 0.1, 0.05}
	}
	s.Foot[1] = [3]float64{math.Floor((t0 - 0.5*T) / T), -0.1, 0}
	if !s.Contact[1] {
		s.Foot[1][2] = 0.05
	}
	s.Tau[0], s.Tau[1] = 10, 50
	if int(math.Round(t0*1000))%2 == 0 {
		s.Tau[1] = 100
	}
	s.Qd[0], s.Qd[1] = 1, -1 // joint 0 does 10 W of positive work, joint 1 negative
}

func TestMeterSyntheticWalk(t *testing.T) {
	m, err := New(0.001, 50, 9.81)
	if err != nil {
		t.Fatal(err)
	}
	s := &Sample{Tau: make([]float64, 2), Qd: make([]float64, 2), Limit: []float64{100, 100}}
	var tk int
	for ; tk < 500; tk++ { // standing, not in locomotion: ignored
		s.Time, s.Locomotion = float64(tk)*0.001, false
		m.Add(s)
	}
	if m.Report() != nil {
		t.Fatal("report before any locomotion tick")
	}
	for ; tk < 10500; tk++ {
		synth(float64(tk)*0.001, 0.5, [3]float64{0.5, 0, 0}, s)
		s.QPFailures = uint64(tk / 5000) // 0, then 1 from 5000
		if tk >= 8000 {
			s.QPFailures = uint64(tk / 9000) // restarted: 0, then 1 from 9000
		}
		s.WBCSolve = time.Duration(40+tk%20) * time.Microsecond
		m.Add(s)
	}
	r := m.Report()
	if r == nil {
		t.Fatal("no report")
	}
	t.Logf("%s", r)
	if math.Abs(r.Seconds-10) > 0.002 {
		t.Errorf("seconds %g, want 10", r.Seconds)
	}
	// Distance: the COM moves 0.5 m/s × 10 s (the sway, sampled once a
	// stride, adds at most a few mm).
	if math.Abs(r.DistanceM-5) > 0.02 {
		t.Errorf("distance %g m, want 5 ± 0.02", r.DistanceM)
	}
	if d := r.NetDisplacementM; math.Abs(d[0]-5) > 0.002 || math.Abs(d[1]) > 0.03 || r.HeadingChangeRad != 0 {
		t.Errorf("net displacement %v m, heading change %g rad", d, r.HeadingChangeRad)
	}
	if math.Abs(r.MeanSpeedMps-0.5) > 0.002 {
		t.Errorf("mean speed %g", r.MeanSpeedMps)
	}
	// Stride-averaged tracking removes the sway; per tick it does not.
	if r.SpeedErrorRMS > 0.01 || r.TrackingWindows < 10 {
		t.Errorf("speed error RMS %g over %d windows, want < 0.01", r.SpeedErrorRMS, r.TrackingWindows)
	}
	if want := 0.03 * 2 * math.Pi / 0.7 / math.Sqrt2; math.Abs(r.SpeedErrorTickRMS-want) > 0.01 {
		t.Errorf("per-tick speed error RMS %g, want the sway's %g", r.SpeedErrorTickRMS, want)
	}
	if r.YawRateErrorRMS > 1e-9 {
		t.Errorf("yaw-rate error %g", r.YawRateErrorRMS)
	}
	// 10 s / 0.7 s strides: 14 or 15 touchdowns per foot (the first contact
	// of the run is not a step).
	if r.Steps < 27 || r.Steps > 30 {
		t.Errorf("steps %d, want 28 ± 2", r.Steps)
	}
	if math.Abs(r.MaxFootSlipM-0.002) > 1e-4 {
		t.Errorf("max slip %g m, want 0.002", r.MaxFootSlipM)
	}
	if math.Abs(r.TorqueSatPercent-25) > 0.1 {
		t.Errorf("saturation %g %%, want 25", r.TorqueSatPercent)
	}
	if r.QPFailures != 2 {
		t.Errorf("QP failures %d, want 2", r.QPFailures)
	}
	if r.WBCSolveUs.N != 10000 || r.WBCSolveUs.Max != 59 || r.WBCSolveUs.P50 < 49 || r.WBCSolveUs.P50 > 51 || r.WBCSolveUs.P99 != 60 && r.WBCSolveUs.P99 != 59 {
		t.Errorf("WBC solve %+v", r.WBCSolveUs)
	}
	if want := 10 * 10.0 / (50 * 9.81 * r.DistanceM); math.Abs(r.CostOfTransport-want) > 1e-3 {
		t.Errorf("cost of transport %g, want %g", r.CostOfTransport, want)
	}
}

// A command change restarts the settling time: a robot that keeps walking
// at 0.5 m/s after a command of 0.3 m/s shows a 0.2 m/s error once settled.
func TestMeterTrackingError(t *testing.T) {
	m, _ := New(0.001, 50, 9.81)
	s := &Sample{Tau: make([]float64, 2), Qd: make([]float64, 2), Limit: []float64{math.Inf(1), math.Inf(1)}}
	for tk := 0; tk < 6000; tk++ {
		cmd := [3]float64{0.5, 0, 0}
		if tk >= 3000 {
			cmd[0] = 0.3
		}
		synth(float64(tk)*0.001, 0.5, cmd, s)
		m.Add(s)
	}
	r := m.Report()
	// Windows: ~2 s settled at each command; errors 0 and 0.2.
	if want := 0.2 / math.Sqrt2; math.Abs(r.SpeedErrorRMS-want) > 0.03 {
		t.Errorf("speed error RMS %g, want ≈ %g", r.SpeedErrorRMS, want)
	}
}

func TestMeterAllocs(t *testing.T) {
	m, _ := New(0.001, 50, 9.81)
	s := &Sample{Tau: make([]float64, 2), Qd: make([]float64, 2), Limit: []float64{100, 100}}
	tk := 0
	if a := testing.AllocsPerRun(1000, func() {
		synth(float64(tk)*0.001, 0.5, [3]float64{0.5, 0, 0}, s)
		s.WBCSolve = time.Duration(tk%100) * time.Microsecond
		m.Add(s)
		tk++
	}); a != 0 {
		t.Errorf("Add allocates %g times", a)
	}
}

func TestNewRejects(t *testing.T) {
	if _, err := New(0, 50, 9.81); err == nil {
		t.Error("zero period accepted")
	}
	if _, err := New(0.001, math.NaN(), 9.81); err == nil {
		t.Error("NaN mass accepted")
	}
}

// Turning in place at 0.5 rad/s for 10 s (across ±π): the heading change
// is unwrapped and the yaw-rate error of a matching command is zero.
func TestMeterTurning(t *testing.T) {
	m, _ := New(0.001, 50, 9.81)
	s := &Sample{Tau: make([]float64, 2), Qd: make([]float64, 2), Limit: []float64{math.Inf(1), math.Inf(1)}}
	for tk := 0; tk <= 10000; tk++ {
		synth(float64(tk)*0.001, 0, [3]float64{0, 0, 0.5}, s)
		s.Yaw = math.Remainder(2+0.5*s.Time, 2*math.Pi)
		s.YawRate = 0.5
		m.Add(s)
	}
	r := m.Report()
	if math.Abs(r.HeadingChangeRad-5) > 1e-6 || r.YawRateErrorRMS > 1e-6 || r.TrackingWindows < 10 {
		t.Errorf("heading change %g rad (want 5), yaw-rate error %g over %d windows", r.HeadingChangeRad, r.YawRateErrorRMS, r.TrackingWindows)
	}
}

package robotrun

import (
	"fmt"
	"math"
	"sort"

	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// Figures are one run's figures read back from its log.
type Figures struct {
	Path     string   `json:"path"`
	Source   string   `json:"source"`
	Ticks    uint64   `json:"ticks"`
	Tracking Tracking `json:"stand_tracking"`
	// Lag is the delay, in seconds, that best aligns the measured joint
	// positions with their targets during standup (the targets move
	// smoothly then): the latency from a command to its effect seen in the
	// measurement, at the tick's resolution.
	Lag          float64 `json:"standup_lag_s"`
	LagRMS       float64 `json:"standup_motion_rms_at_lag_rad"` // RMS of the 10-tick motion's mismatch at Lag
	LatenessP50  float64 `json:"lateness_p50_s"`
	LatenessP99  float64 `json:"lateness_p99_s"`
	LatenessMax  float64 `json:"lateness_max_s"`
	ModeAtEnd    string  `json:"final_mode"`
	StandupTicks int     `json:"standup_ticks"`
}

// Comparison sets a run beside a reference run (the same run in the
// simulator).
type Comparison struct {
	Run, Reference  Figures
	TrackingRMSDiff float64 `json:"tracking_rms_difference_rad"`
	AddedLatency    float64 `json:"added_latency_s"`
}

const (
	maxLag   = 40 // ticks searched
	diffSpan = 10 // ticks
)

// Read reads a log's figures.
func Read(path string) (*Figures, error) {
	r, err := telemetry.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h := &r.Header
	f := &Figures{Path: path, Source: h.Source}
	var pr probe
	var cmd, meas [][]float64 // standup ticks: targets and positions of the position-controlled joints
	var late []float64
	var lastMode uint8
	for t, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		f.Ticks++
		pr.Record(t)
		late = append(late, t.Lateness)
		lastMode = t.Mode
		if t.Mode == uint8(runtime.ModeStandup) {
			c, q := make([]float64, 0, t.Command.N), make([]float64, 0, t.Command.N)
			for i := 0; i < t.Command.N; i++ {
				c = append(c, t.Command.Joint[i].Q)
				q = append(q, t.Sensors.Q[i])
			}
			cmd, meas = append(cmd, c), append(meas, q)
		}
	}
	f.Tracking = pr.tracking()
	f.StandupTicks = len(cmd)
	if names := h.ModeNames; int(lastMode) < len(names) {
		f.ModeAtEnd = names[lastMode]
	}
	sort.Float64s(late)
	if n := len(late); n > 0 {
		f.LatenessP50, f.LatenessP99, f.LatenessMax = late[n/2], late[min(n-1, n*99/100)], late[n-1]
	}
	// Compared over diffSpan ticks (the motion, not the position: the
	// stance's sag under load would otherwise pull the fit to lag 0).
	best, bestErr := 0, math.Inf(1)
	for lag := 0; lag <= maxLag && lag+diffSpan < len(cmd); lag++ {
		var s float64
		var n int
		for k := lag + diffSpan; k < len(cmd); k++ {
			for i := range cmd[k] {
				e := (cmd[k-lag][i] - cmd[k-lag-diffSpan][i]) - (meas[k][i] - meas[k-diffSpan][i])
				s += e * e
				n++
			}
		}
		if n > 0 && s/float64(n) < bestErr {
			best, bestErr = lag, s/float64(n)
		}
	}
	f.Lag = float64(best) / h.Rate
	f.LagRMS = math.Sqrt(bestErr)
	return f, nil
}

// Compare reads both logs and sets them side by side.
func Compare(run, reference string) (*Comparison, error) {
	a, err := Read(run)
	if err != nil {
		return nil, err
	}
	b, err := Read(reference)
	if err != nil {
		return nil, err
	}
	return &Comparison{Run: *a, Reference: *b, TrackingRMSDiff: a.Tracking.RMS - b.Tracking.RMS, AddedLatency: a.Lag - b.Lag}, nil
}

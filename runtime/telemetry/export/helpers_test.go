package export

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// testLog writes a log of two joints with truth: ticks 0…n−1 at 1 kHz,
// except those skip reports, each tick's values a function of its number;
// events at the given ticks. Chunks are 100 ticks long.
func testLog(t *testing.T, n int, skip func(int) bool, events ...int) string {
	t.Helper()
	h := telemetry.Header{Robot: "two", Rate: 1000, Joints: []string{"a", "b"}, Truth: true,
		Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Meta: map[string]string{"k": "v"},
		ModeNames: []string{"", "damping", "stand"}, FaultNames: []string{"", "limit"}}
	p := filepath.Join(t.TempDir(), "t.tlm")
	w, err := telemetry.CreateWith(p, h, telemetry.Options{Block: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ev := map[int]bool{}
	for _, e := range events {
		ev[e] = true
	}
	for i := 0; i < n; i++ {
		if skip != nil && skip(i) {
			continue
		}
		tk := tickAt(i)
		w.Record(&tk)
		if ev[i] {
			e := telemetry.Event{Time: tk.Time, Tick: tk.Tick, Kind: telemetry.EventModeChange, Code: 2, Joint: -1}
			e.SetMsg("standing")
			w.Event(&e)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// tickAt is tick i of testLog.
func tickAt(i int) telemetry.Tick {
	tk := telemetry.Tick{Time: float64(i) / 1000, Tick: uint64(i), Mode: 2, HasTruth: true,
		Lateness: 1e-6 * float64(i%10), Compute: 2e-6}
	tk.Sensors.Q[0] = math.Sin(float64(i) / 7)
	tk.Sensors.Q[1] = 1 / 3.0 * float64(i)
	tk.Truth.Pos[2] = 0.7 + 1e-4*float64(i)
	tk.Truth.LinVel = [3]float64{3e-3 * float64(i), 4e-3 * float64(i), 0}
	if i == 5 {
		tk.Sensors.Q[1] = math.NaN()
	}
	return tk
}

func open(t *testing.T, p string) *telemetry.Reader {
	t.Helper()
	r, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

package logplot

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/export"
)

// sineLog writes n ticks at 1 kHz of two joints: q.a a sine of period 1 s
// with a spike of 5 at tick 1234, q.b a ramp.
func sineLog(t *testing.T, n int) *telemetry.Reader {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.tlm")
	w, err := telemetry.CreateWith(p, telemetry.Header{Robot: "two", Rate: 1000, Joints: []string{"a", "b"}}, telemetry.Options{Block: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		tk := telemetry.Tick{Time: float64(i) / 1000, Tick: uint64(i)}
		tk.Sensors.Q[0] = math.Sin(2 * math.Pi * tk.Time)
		if i == 1234 {
			tk.Sensors.Q[0] = 5
		}
		tk.Sensors.Q[1] = tk.Time
		w.Record(&tk)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// Reduction keeps every bucket's extremes: the spike survives, the point
// count stays within two per bucket.
func TestCollectSeries(t *testing.T) {
	r := sineLog(t, 3000)
	cols, err := export.Select(&r.Header, []string{"q.*"})
	if err != nil {
		t.Fatal(err)
	}
	data, n, err := collectSeries(r, [][]export.Column{cols}, math.Inf(-1), math.Inf(1), 100)
	if err != nil || n != 3000 {
		t.Fatalf("%d ticks, %v", n, err)
	}
	a := data[0][0].pts
	if len(a) > 2*101 || len(a) < 100 {
		t.Errorf("%d points for 100 buckets", len(a))
	}
	hi, lo := math.Inf(-1), math.Inf(1)
	for i, p := range a {
		hi, lo = math.Max(hi, p.Y), math.Min(lo, p.Y)
		if i > 0 && p.X < a[i-1].X {
			t.Fatalf("points out of time order at %d", i)
		}
	}
	if hi != 5 || math.Abs(lo+1) > 1e-4 {
		t.Errorf("extremes %g, %g; want the spike 5 and the sine's -1", hi, lo)
	}
	// A short range is drawn point for point.
	data, n, _ = collectSeries(r, [][]export.Column{cols}, 1, 1.05, 100)
	if n != 51 || len(data[0][1].pts) != 51 {
		t.Errorf("%d ticks, %d points", n, len(data[0][1].pts))
	}
}

func TestWrite(t *testing.T) {
	r := sineLog(t, 2000)
	a, _ := export.Select(&r.Header, []string{"q.a"})
	b, _ := export.Select(&r.Header, []string{"q.b,time"})
	out := filepath.Join(t.TempDir(), "p.png")
	n, err := Write(out, r, Spec{Panels: [][]export.Column{a, b}, Titles: []string{"q.a", "q.b,time"}, From: math.Inf(-1), To: math.Inf(1), Points: 200, Width: 640, Height: 480})
	if err != nil || n != 2000 {
		t.Fatalf("%d ticks, %v", n, err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X != 640 || s.Y != 480 {
		t.Errorf("image %v", s)
	}
	colours := map[uint32]bool{}
	for y := 0; y < 480; y += 3 {
		for x := 0; x < 640; x += 3 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|b>>8] = true
		}
	}
	if len(colours) < 5 {
		t.Errorf("%d colours: blank", len(colours))
	}
	if _, err := Write(out, r, Spec{Panels: [][]export.Column{a}, Titles: []string{"q.a"}, From: 50, To: 60, Points: 10, Width: 640, Height: 480}); err == nil ||
		!strings.Contains(err.Error(), "no ticks between --from 50 and --to 60 s") {
		t.Errorf("empty range: %v", err)
	}
}

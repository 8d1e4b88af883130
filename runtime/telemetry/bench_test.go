package telemetry

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"golang.org/x/sys/unix"
)

// TestMain removes the one-hour benchmark log, unless told to keep it.
func TestMain(m *testing.M) {
	code := m.Run()
	if hourLogMade && os.Getenv("STRIDE_BENCH_KEEP") == "" {
		os.Remove(hourLogPath())
	}
	os.Exit(code)
}

// benchTick is a full record of the built-in robot's size: 24 joints and
// ground truth, every value a non-trivial float.
func benchTick() Tick {
	return sequentialTicks(99, 1, 24, true)[0]
}

// BenchmarkRecord is the control loop's side: one Record of a full tick
// into the ring while the writer goroutine encodes and writes. The loop
// pauses (untimed) whenever 1024 ticks are waiting, so every Record takes
// the copy path, not the cheaper drop path.
func BenchmarkRecord(b *testing.B) {
	w, err := CreateWith(filepath.Join(b.TempDir(), "b.tlm"), testHeader(24, true), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	tk := benchTick()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tk.Tick, tk.Time = uint64(i), float64(i)/1000
		w.Record(&tk)
		if w.ticks.len() >= 1024 {
			b.StopTimer()
			for w.ticks.len() > 0 {
				time.Sleep(100 * time.Microsecond)
			}
			b.StartTimer()
		}
	}
	b.StopTimer()
	w.Close()
	st := w.Stats()
	b.ReportMetric(float64(st.DroppedTicks)/float64(b.N), "dropped/op")
}

// BenchmarkWriterThroughput is the writer goroutine's rate: full ticks
// encoded, checksummed and written per second (Block mode, so every tick
// is written), without and with the fsync after each chunk.
func BenchmarkWriterThroughput(b *testing.B) {
	b.Run("nosync", func(b *testing.B) { benchWriter(b, true) })
	b.Run("fsync", func(b *testing.B) { benchWriter(b, false) })
}

func benchWriter(b *testing.B, noSync bool) {
	path := filepath.Join(b.TempDir(), "b.tlm")
	w, err := CreateWith(path, testHeader(24, true), Options{NoSync: noSync, Block: true})
	if err != nil {
		b.Fatal(err)
	}
	tk := benchTick()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		tk.Tick, tk.Time = uint64(i), float64(i)/1000
		w.Record(&tk)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	el := time.Since(start).Seconds()
	b.StopTimer()
	st := w.Stats()
	if st.Ticks != uint64(b.N) {
		b.Fatalf("wrote %d of %d ticks", st.Ticks, b.N)
	}
	b.ReportMetric(float64(b.N)/el, "ticks/s")
	b.ReportMetric(float64(st.Bytes)/el/1e6, "MB/s")
	b.ReportMetric(float64(st.Bytes)/float64(b.N), "B/tick")
}

// BenchmarkEncodeTick is the encoding alone.
func BenchmarkEncodeTick(b *testing.B) {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	defs := channelDefs(jointNames(24), true, nil)
	tk := benchTick()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := encodeTick(enc, defs, &tk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadTicks streams a 10 s log: ticks decoded per second.
func BenchmarkReadTicks(b *testing.B) {
	ticks := make([]Tick, 10000)
	tk := benchTick()
	for i := range ticks {
		ticks[i] = tk
		ticks[i].Tick, ticks[i].Time = uint64(i), float64(i)/1000
	}
	r := mustOpen(b, writeTestLog(b, testHeader(24, true), Options{}, ticks, nil))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ticks/s")
}

// The one-hour log: 3.6 M full ticks at 1 kHz (about 8.7 GB), written once
// per test binary by the Writer itself, in the system's temporary
// directory, and removed at exit (STRIDE_BENCH_KEEP=1 keeps it for the next
// run).
var (
	hourLogOnce sync.Once
	hourLogMade bool
	hourLogErr  error
)

const hourTicks = 3_600_000

func hourLogPath() string { return filepath.Join(os.TempDir(), "stride-telemetry-bench-1h.tlm") }

func hourLog(b *testing.B) string {
	hourLogOnce.Do(func() {
		path := hourLogPath()
		if r, err := Open(path); err == nil {
			ok := r.Indexed() && r.Summary().Ticks == hourTicks
			r.Close()
			if ok {
				hourLogMade = true
				return
			}
		}
		start := time.Now()
		hourLogErr = writeSynthetic(path, hourTicks)
		hourLogMade = true
		fmt.Fprintf(os.Stderr, "telemetry bench: wrote the one-hour log (%d ticks) in %.1f s\n", hourTicks, time.Since(start).Seconds())
	})
	if hourLogErr != nil {
		b.Fatal(hourLogErr)
	}
	return hourLogPath()
}

// writeSynthetic writes n full ticks at 1 kHz with the Writer: values vary
// from tick to tick so nothing is repeated byte for byte.
func writeSynthetic(path string, n int) error {
	w, err := CreateWith(path, testHeader(24, true), Options{NoSync: true, Block: true, RingTicks: 1 << 12})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(5, 5))
	tk := benchTick()
	for i := 0; i < n; i++ {
		tk.Tick, tk.Time = uint64(i), float64(i)/1000
		j := i % 24
		tk.Sensors.Q[j] += rng.NormFloat64() * 1e-3
		tk.Command.Joint[j].Tau = rng.NormFloat64()
		tk.Truth.Pos[0] = float64(i) * 1e-4
		w.Record(&tk)
	}
	return w.Close()
}

// BenchmarkOpen opens a log and reads its index (indexed), or rebuilds it
// by a scan (no index, as after a crash) with the file in the page cache
// or evicted from it first (scan-cold), for a one-minute and a one-hour
// log. B/op shows what the memory depends on.
func BenchmarkOpen(b *testing.B) {
	minute := filepath.Join(b.TempDir(), "minute.tlm")
	if err := writeSynthetic(minute, 60_000); err != nil {
		b.Fatal(err)
	}
	for _, lg := range []struct {
		name string
		path func() string
	}{{"1min", func() string { return minute }}, {"1h", func() string { return hourLog(b) }}} {
		for _, mode := range []string{"indexed", "scan", "scan-cold", "scan-cold-noprefetch"} {
			scan, cold := mode != "indexed", strings.HasPrefix(mode, "scan-cold")
			b.Run(lg.name+"/"+mode, func(b *testing.B) {
				if mode == "scan-cold-noprefetch" {
					defer func(v int64) { prefetchMinSize = v }(prefetchMinSize)
					prefetchMinSize = math.MaxInt64
				}
				path := lg.path()
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				st, _ := f.Stat()
				size := st.Size()
				if scan {
					r, err := NewReader(f, size)
					if err != nil {
						b.Fatal(err)
					}
					c, _ := r.Chunk(r.NumChunks() - 1)
					size = c.Offset + c.Length // the log as the crash left it: no index
				}
				b.ReportAllocs()
				b.ResetTimer()
				var chunks int
				for i := 0; i < b.N; i++ {
					if cold { // evict this file from the page cache
						b.StopTimer()
						if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
							b.Skip("fadvise:", err)
						}
						b.StartTimer()
					}
					r, err := NewReader(f, size)
					if err != nil {
						b.Fatal(err)
					}
					if r.Indexed() == scan {
						b.Fatalf("indexed %v", r.Indexed())
					}
					chunks = r.NumChunks()
				}
				b.ReportMetric(float64(chunks), "chunks")
			})
		}
	}
}

// BenchmarkSeek seeks to a random time of the one-hour log and reads the
// tick there.
func BenchmarkSeek(b *testing.B) {
	r := mustOpen(b, hourLog(b))
	rng := rand.New(rand.NewPCG(8, 8))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at := math.Floor(rng.Float64()*3599000) / 1000
		for tk, err := range r.Ticks(at, math.Inf(1)) {
			if err != nil {
				b.Fatal(err)
			}
			if tk.Time != at {
				b.Fatalf("seek to %g found %g", at, tk.Time)
			}
			break
		}
	}
}

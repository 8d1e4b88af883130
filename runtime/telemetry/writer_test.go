package telemetry

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memSink is a Sink in memory whose writes can be stalled (a disk that
// stops answering) or made to fail.
type memSink struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	stall   atomic.Bool
	release chan struct{}
	failErr error
}

func newMemSink() *memSink { return &memSink{release: make(chan struct{})} }

func (s *memSink) Write(p []byte) (int, error) {
	if s.stall.Load() {
		<-s.release
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failErr != nil {
		return 0, s.failErr
	}
	return s.buf.Write(p)
}
func (s *memSink) Sync() error  { return nil }
func (s *memSink) Close() error { return nil }
func (s *memSink) bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.buf.Bytes())
}

func TestRecordAndEventAllocateNothing(t *testing.T) {
	w, err := NewWriter(newMemSink(), testHeader(24, true), Options{RingTicks: 1 << 14, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tk := sequentialTicks(1, 1, 24, true)[0]
	ev := Event{Kind: EventNote}
	ev.SetMsg("note")
	if a := testing.AllocsPerRun(2000, func() { tk.Tick++; w.Record(&tk) }); a != 0 {
		t.Errorf("Record: %v allocations per call", a)
	}
	if a := testing.AllocsPerRun(200, func() { w.Event(&ev) }); a != 0 {
		t.Errorf("Event: %v allocations per call", a)
	}
}

// TestRecordNeverBlocksOnAStalledDisk stalls the Sink, records far more
// ticks than the ring holds, and checks that every Record returned, the
// overflow was counted as dropped (also when dropping allocates nothing),
// and after the disk recovers the log holds exactly the ticks not dropped.
func TestRecordNeverBlocksOnAStalledDisk(t *testing.T) {
	s := newMemSink()
	w, err := NewWriter(s, testHeader(3, false), Options{RingTicks: 64, RingEvents: 4, ChunkTicks: 16, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s.stall.Store(true)
	ticks := sequentialTicks(2, 10000, 3, false)
	for i := range ticks {
		w.Record(&ticks[i]) // would hang the test if it blocked
	}
	ev := Event{Kind: EventNote}
	for i := 0; i < 50; i++ {
		w.Event(&ev)
	}
	st := w.Stats()
	if st.DroppedTicks < 10000-64-16-1 || st.DroppedEvents < 50-4-1 {
		t.Fatalf("stalled disk: %+v, want most records dropped", st)
	}
	extra := 0
	if a := testing.AllocsPerRun(100, func() { extra++; w.Record(&ticks[0]) }); a != 0 {
		t.Errorf("Record on a full ring: %v allocations", a)
	}
	close(s.release)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st = w.Stats()
	b := s.bytes()
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	got := readAllTicks(t, r)
	if uint64(len(got)) != st.Ticks || st.Ticks+st.DroppedTicks != uint64(10000+extra) {
		t.Fatalf("read %d ticks; stats %+v (%d recorded)", len(got), st, 10000+extra)
	}
	for _, tk := range got[:min(len(got), 64)] {
		if !sameBits(&tk, &ticks[tk.Tick]) {
			t.Fatalf("tick %d corrupted", tk.Tick)
		}
	}
	if sum := r.Summary(); sum.DroppedTicks != st.DroppedTicks || sum.DroppedEvents != st.DroppedEvents {
		t.Fatalf("index says dropped %d/%d, writer %d/%d", sum.DroppedTicks, sum.DroppedEvents, st.DroppedTicks, st.DroppedEvents)
	}
}

// TestChunkFlushedOnTimeBound records a few ticks and, without Close, waits
// for them to reach the disk: a power cut after that loses nothing of them.
func TestChunkFlushedOnTimeBound(t *testing.T) {
	s := newMemSink()
	w, err := NewWriter(s, testHeader(2, false), Options{FlushEvery: 50 * time.Millisecond, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ticks := sequentialTicks(3, 10, 2, false) // 9 ms of log time: only the wall-clock bound cuts the chunk
	for i := range ticks {
		w.Record(&ticks[i])
	}
	waitFor(t, "the chunk to be written", func() bool { return w.Stats().Chunks == 1 })
	b := s.bytes() // the "disk" at the moment of a power cut
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Indexed() {
		t.Fatal("an unclosed log claims an index")
	}
	if got := readAllTicks(t, r); len(got) != 10 || !sameBits(&got[9], &ticks[9]) {
		t.Fatalf("read %d ticks from the unclosed log", len(got))
	}
	if d := r.Damage(); len(d) != 0 {
		t.Fatalf("damage in a cleanly flushed log: %v", d)
	}
}

func TestChunksSpanAtMostFlushEvery(t *testing.T) {
	ticks := sequentialTicks(4, 1000, 2, false)
	path := writeTestLog(t, testHeader(2, false), Options{FlushEvery: 100 * time.Millisecond}, ticks, nil)
	r := mustOpen(t, path)
	if r.NumChunks() < 10 {
		t.Fatalf("1 s at 1 kHz in %d chunks, want at least 10", r.NumChunks())
	}
	var n uint64
	for i := 0; i < r.NumChunks(); i++ {
		c, err := r.Chunk(i)
		if err != nil {
			t.Fatal(err)
		}
		if c.T1-c.T0 >= 0.1 || c.Seq != uint64(i) || c.FirstTick != n || c.LastTick != n+c.Ticks-1 {
			t.Fatalf("chunk %d: %+v", i, c)
		}
		n += c.Ticks
	}
}

func TestWriteErrorIsReported(t *testing.T) {
	s := newMemSink()
	w, err := NewWriter(s, testHeader(2, false), Options{ChunkTicks: 10, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.failErr = errors.New("no space left on device")
	s.mu.Unlock()
	ticks := sequentialTicks(5, 100, 2, false)
	for i := range ticks {
		w.Record(&ticks[i])
	}
	err = w.Close()
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("Close: %v", err)
	}
	if st := w.Stats(); st.Ticks != 0 || st.DroppedTicks != 100 {
		t.Fatalf("after a failed write: %+v, want all 100 ticks counted as dropped", st)
	}
	w.Record(&ticks[0]) // after Close: counted, no panic
	if st := w.Stats(); st.DroppedTicks != 101 {
		t.Fatalf("Record after Close: %+v", st)
	}
	if err2 := w.Close(); err2 == nil {
		t.Fatal("second Close forgot the error")
	}
}

// TestBlockModeKeepsEverything: an offline producer much faster than the
// writer, with a tiny ring, loses nothing in Block mode.
func TestBlockModeKeepsEverything(t *testing.T) {
	ticks := sequentialTicks(6, 3000, 24, true)
	path := writeTestLog(t, testHeader(24, true), Options{RingTicks: 8}, ticks, nil)
	if got := readAllTicks(t, mustOpen(t, path)); len(got) != 3000 || math.Float64bits(got[2999].Time) != math.Float64bits(ticks[2999].Time) {
		t.Fatalf("read %d ticks", len(got))
	}
}

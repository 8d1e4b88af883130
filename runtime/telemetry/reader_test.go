package telemetry

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// smallLog is a log of 40 ticks of 1 joint in chunks of 5, with 3 events:
// small enough to damage at every byte.
type smallLog struct {
	b      []byte
	ticks  []Tick
	chunks []ChunkInfo
	hdrEnd int64
	idxAt  int64 // offset of the INDX frame: chunks end here
}

func makeSmallLog(t testing.TB) *smallLog {
	ticks := sequentialTicks(11, 40, 1, false)
	evs := []Event{{Tick: 0, Kind: EventModeChange, Code: 3}, {Time: 0.02, Tick: 20, Kind: EventFault, Code: 1},
		{Time: 0.035, Tick: 35, Kind: EventNote}}
	path := writeTestLog(t, testHeader(1, false), Options{ChunkTicks: 5}, ticks, evs)
	s := &smallLog{b: fileBytes(t, path), ticks: ticks}
	r, err := NewReader(bytes.NewReader(s.b), int64(len(s.b)))
	if err != nil {
		t.Fatal(err)
	}
	s.hdrEnd = r.start
	for i := 0; i < r.NumChunks(); i++ {
		c, _ := r.Chunk(i)
		s.chunks = append(s.chunks, c)
	}
	last := s.chunks[len(s.chunks)-1]
	s.idxAt = last.Offset + last.Length
	return s
}

// ticksOf returns the ticks of the chunks that pass keep.
func (s *smallLog) ticksOf(keep func(c ChunkInfo) bool) []Tick {
	var out []Tick
	for _, c := range s.chunks {
		if keep(c) {
			out = append(out, s.ticks[c.FirstTick:c.LastTick+1]...)
		}
	}
	return out
}

func sameTicks(t *testing.T, what string, got, want []Tick) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: read %d ticks, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !sameBits(&got[i], &want[i]) {
			t.Fatalf("%s: tick %d (number %d) differs", what, i, want[i].Tick)
		}
	}
}

// TestTruncatedAtEveryByte cuts a log at every length and checks that every
// chunk wholly before the cut is read back bit for bit, nothing else is, and
// a cut inside a frame is reported.
func TestTruncatedAtEveryByte(t *testing.T) {
	s := makeSmallLog(t)
	if len(s.chunks) < 8 {
		t.Fatalf("%d chunks", len(s.chunks))
	}
	boundary := map[int64]bool{s.hdrEnd: true, int64(len(s.b)) - tailLen: true} // …and the end of INDX
	for _, c := range s.chunks {
		boundary[c.Offset+c.Length] = true
	}
	for n := int64(0); n <= int64(len(s.b)); n++ {
		r, err := NewReader(bytes.NewReader(s.b[:n]), n)
		if n < s.hdrEnd {
			if err == nil {
				t.Fatalf("cut at %d (inside the header): no error", n)
			}
			continue
		}
		if err != nil {
			t.Fatalf("cut at %d: %v", n, err)
		}
		got := readAllTicks(t, r)
		damage, err := r.Verify()
		if err != nil {
			t.Fatal(err)
		}
		what := "cut at " + itoa(n)
		sameTicks(t, what, got, s.ticksOf(func(c ChunkInfo) bool { return c.Offset+c.Length <= n }))
		switch {
		case n == int64(len(s.b)):
			if len(damage) != 0 || !r.Indexed() {
				t.Fatalf("intact log: damage %v, indexed %v", damage, r.Indexed())
			}
		case boundary[n]:
			if len(damage) != 0 || r.Indexed() {
				t.Fatalf("%s (a frame boundary): damage %v, indexed %v", what, damage, r.Indexed())
			}
		default:
			if len(damage) != 1 || damage[0].Offset+damage[0].Length != n {
				t.Fatalf("%s: damage %v, want one report up to the cut", what, damage)
			}
			// With 6 bytes of the cut frame present its tag is known.
			if damage[0].Offset >= s.idxAt && n-damage[0].Offset >= 6 && !strings.Contains(damage[0].Reason, "index") {
				t.Fatalf("%s: %v does not say the index was cut", what, damage[0])
			}
			if n < s.idxAt && !strings.Contains(damage[0].Reason, "writer stopped") {
				t.Fatalf("%s: %v does not say the log was cut", what, damage[0])
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestFlippedBytes damages one chunk at a time (every byte of its prelude
// and metadata, some of its records) and checks that all other chunks are
// read back intact — with the index, and with the index gone (a scan) —
// and that the damaged chunk is reported.
func TestFlippedBytes(t *testing.T) {
	s := makeSmallLog(t)
	rng := rand.New(rand.NewPCG(1, 2))
	chunkHead := int64(layoutFor(FormatVersion).chunkHead)
	for ci, c := range s.chunks {
		var offs []int64
		for k := int64(0); k < preludeLen+chunkHead; k++ {
			offs = append(offs, k)
		}
		for k := 0; k < 8; k++ {
			offs = append(offs, preludeLen+chunkHead+rng.Int64N(c.Length-preludeLen-chunkHead))
		}
		offs = append(offs, c.Length-1)
		for _, k := range offs {
			for _, indexed := range []bool{true, false} {
				b := bytes.Clone(s.b)
				if !indexed {
					b = b[:s.idxAt]
				}
				b[c.Offset+k] ^= byte(1 << rng.IntN(8))
				r, err := NewReader(bytes.NewReader(b), int64(len(b)))
				if err != nil {
					t.Fatal(err)
				}
				got := readAllTicks(t, r)
				damage, err := r.Verify()
				if err != nil {
					t.Fatal(err)
				}
				what := "chunk " + itoa(int64(ci)) + " byte " + itoa(k)
				if !indexed {
					what += " (no index)"
				}
				want := s.ticksOf(func(o ChunkInfo) bool { return o.Seq != c.Seq })
				if len(got) == len(s.ticks) {
					// The flip hit a byte no reader looks at: only
					// possible in the metadata's dropped counts, which
					// the checksum still catches.
					t.Fatalf("%s: every tick read back, damage %v", what, damage)
				}
				sameTicks(t, what, got, want)
				if len(damage) == 0 {
					t.Fatalf("%s: no damage reported", what)
				}
				covered := false
				for _, d := range damage {
					covered = covered || (d.Offset <= c.Offset+k && c.Offset+k < d.Offset+d.Length)
				}
				if !covered {
					t.Fatalf("%s: damage %v does not cover offset %d", what, damage, c.Offset+k)
				}
			}
		}
	}
}

func TestIndexAgreesWithScan(t *testing.T) {
	s := makeSmallLog(t)
	a, err := NewReader(bytes.NewReader(s.b), int64(len(s.b)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewReader(bytes.NewReader(s.b[:s.idxAt]), s.idxAt)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Indexed() || b.Indexed() || a.NumChunks() != b.NumChunks() {
		t.Fatalf("indexed %v/%v, chunks %d/%d", a.Indexed(), b.Indexed(), a.NumChunks(), b.NumChunks())
	}
	for i := 0; i < a.NumChunks(); i++ {
		x, _ := a.Chunk(i)
		y, _ := b.Chunk(i)
		if x != y {
			t.Fatalf("chunk %d: index %+v, scan %+v", i, x, y)
		}
	}
	sa, sb := a.Summary(), b.Summary()
	sb.Indexed, sb.Bytes = true, sa.Bytes
	if sa != sb {
		t.Fatalf("summary: index %+v, scan %+v", sa, sb)
	}
	if sa.Ticks != 40 || sa.Events != 3 || sa.Start != 0 || sa.End != 0.039 || sa.LastTick != 39 {
		t.Fatalf("summary %+v", sa)
	}
}

func TestSeekAndRanges(t *testing.T) {
	ticks := sequentialTicks(12, 5000, 2, false)
	var evs []Event
	for i := 0; i < 5000; i += 250 {
		evs = append(evs, Event{Time: float64(i) / 1000, Tick: uint64(i), Kind: EventNote})
	}
	r := mustOpen(t, writeTestLog(t, testHeader(2, false), Options{}, ticks, evs))
	rng := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 50; k++ {
		from := rng.Float64()*5.2 - 0.1
		to := from + rng.Float64()*0.3
		var got []uint64
		for tk, err := range r.Ticks(from, to) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, tk.Tick)
		}
		var want []uint64
		for _, tk := range ticks {
			if tk.Time >= from && tk.Time <= to {
				want = append(want, tk.Tick)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("[%g, %g]: got ticks %v…, want %v…", from, to, head(got), head(want))
		}
		var gotEv []uint64
		for e, err := range r.Events(from, to) {
			if err != nil {
				t.Fatal(err)
			}
			gotEv = append(gotEv, e.Tick)
		}
		var wantEv []uint64
		for _, e := range evs {
			if e.Time >= from && e.Time <= to {
				wantEv = append(wantEv, e.Tick)
			}
		}
		if !slices.Equal(gotEv, wantEv) {
			t.Fatalf("[%g, %g]: events %v, want %v", from, to, gotEv, wantEv)
		}
	}
	// Stopping early stops reading.
	n := 0
	for range r.Ticks(1, math.Inf(1)) {
		n++
		if n == 3 {
			break
		}
	}
}

func head(s []uint64) []uint64 { return s[:min(len(s), 3)] }

func TestOpenErrors(t *testing.T) {
	valid := makeSmallLog(t).b
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"short", []byte{0x93, 0xa4}, "too short"},
		{"text", []byte("time,tick,q\n0,0,0.1\n0.001,1,0.1\n"), "not a Stride telemetry log"},
		{"header checksum", flip(valid, 30), "header checksum mismatch"},
		{"cut header", valid[:40], "header is cut short"},
	} {
		_, err := NewReader(bytes.NewReader(tc.b), int64(len(tc.b)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	// A newer format version is refused with a clear message.
	h := testHeader(1, false)
	h.Version, h.Channels = FormatVersion+1, Channels(h.Joints, false)
	hb, _ := h.marshal()
	f := make([]byte, preludeLen+len(hb))
	putPrelude(f, tagHead, hb)
	copy(f[preludeLen:], hb)
	if _, err := NewReader(bytes.NewReader(f), int64(len(f))); err == nil || !strings.Contains(err.Error(), "format version "+itoa(FormatVersion+1)) {
		t.Errorf("future version: %v", err)
	}
	// A header alone is a valid, empty log.
	h.Version, h.ID = FormatVersion, LogID{9}
	hb, _ = h.marshal()
	f = make([]byte, preludeLen+len(hb))
	putPrelude(f, tagHead, hb)
	copy(f[preludeLen:], hb)
	r, err := NewReader(bytes.NewReader(f), int64(len(f)))
	if err != nil || r.NumChunks() != 0 || len(readAllTicks(t, r)) != 0 {
		t.Errorf("header-only log: %v", err)
	}
}

func flip(b []byte, at int) []byte {
	c := bytes.Clone(b)
	c[at] ^= 0x10
	return c
}

// TestScanPrefetch forces the prefetching goroutines of a scan (normally
// only for logs over 256 MB) on a small log, damaged too: the scan's result
// is the same.
func TestScanPrefetch(t *testing.T) {
	s := makeSmallLog(t)
	b := bytes.Clone(s.b[:s.idxAt-30])
	b[s.chunks[2].Offset+3] ^= 0x20
	plain, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer func(v int64) { prefetchMinSize = v }(prefetchMinSize)
	prefetchMinSize = 0
	pre, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if pre.NumChunks() != plain.NumChunks() || pre.NumChunks() != len(s.chunks)-2 || len(pre.Damage()) != len(plain.Damage()) {
		t.Fatalf("prefetched scan: %d chunks, damage %v; plain: %d chunks, damage %v", pre.NumChunks(), pre.Damage(), plain.NumChunks(), plain.Damage())
	}
	sameTicks(t, "prefetched scan", readAllTicks(t, pre), readAllTicks(t, plain))
}

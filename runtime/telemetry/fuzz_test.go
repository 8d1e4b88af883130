package telemetry

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// fuzzLog is a small log made the same way every time: chunks are cut by
// count only.
func fuzzLog(t testing.TB, joints, ticks int, truth bool) []byte {
	ts := sequentialTicks(uint64(31+joints), ticks, joints, truth)
	evs := []Event{{Tick: 0, Kind: EventModeChange, Code: 3, Joint: -1}, {Time: 0.004, Tick: 4, Kind: EventFault, Code: 2, Joint: 1}}
	evs[1].SetMsg("over-temperature")
	path := writeTestLog(t, testHeader(joints, truth), Options{ChunkTicks: 4, FlushEvery: time.Hour}, ts, evs)
	return fileBytes(t, path)
}

// FuzzReader opens arbitrary bytes as a log and reads everything it offers:
// no panic, no hang, and never more ticks than the index lists.
func FuzzReader(f *testing.F) {
	log := fuzzLog(f, 1, 12, false)
	f.Add(log)
	f.Add(log[:len(log)-tailLen-7])
	f.Add(fuzzLog(f, 2, 6, true))
	f.Add(append(bytes.Clone(log), log...))
	f.Add(declaredLog(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		readEverything(t, b)
		// Mutations almost never keep a checksum right; fix them so the
		// fuzzer also reaches the decoders behind the checksums.
		readEverything(t, fixChecksums(b))
	})
}

// fixChecksums rewrites the CRC of every frame found by hopping from the
// start.
func fixChecksums(b []byte) []byte {
	b = bytes.Clone(b)
	for pos := int64(0); pos+preludeLen <= int64(len(b)); {
		p, ok := parsePrelude(b[pos:])
		end := pos + preludeLen + p.n
		if !ok || end > int64(len(b)) {
			break
		}
		putPrelude(b[pos:], p.tag, b[pos+preludeLen:end])
		pos = end
	}
	return b
}

func readEverything(t *testing.T, b []byte) {
	{
		r, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		sum := r.Summary()
		n := uint64(0)
		for _, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n > sum.Ticks {
			t.Fatalf("read %d ticks, the index lists %d", n, sum.Ticks)
		}
		for _, err := range r.Events(math.Inf(-1), math.Inf(1)) {
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := r.Verify(); err != nil {
			t.Fatal(err)
		}
		for _, d := range r.Damage() {
			_ = d.String()
		}
		if p, err := NewReplay(r, SourceEstimate); err == nil {
			var s State
			for _, at := range []float64{sum.Start, (sum.Start + sum.End) / 2, sum.End + 1} {
				_ = p.At(at, &s)
			}
		}
	}
}

// FuzzDamage cuts a valid log at one byte and flips bits of another, and
// checks the recovery promise: every chunk the damage did not touch is read
// back bit for bit, a touched chunk is never returned, and damage inside a
// chunk is reported.
func FuzzDamage(f *testing.F) {
	log := fuzzLog(f, 1, 24, false)
	orig := sequentialTicks(32, 24, 1, false)
	r0, err := NewReader(bytes.NewReader(log), int64(len(log)))
	if err != nil {
		f.Fatal(err)
	}
	var chunks []ChunkInfo
	for i := 0; i < r0.NumChunks(); i++ {
		c, _ := r0.Chunk(i)
		chunks = append(chunks, c)
	}
	f.Add(uint32(len(log)), uint32(0), byte(0))
	f.Add(uint32(chunks[3].Offset+40), uint32(0), byte(0))
	f.Add(uint32(len(log)), uint32(chunks[2].Offset+13), byte(0x01))
	f.Add(uint32(chunks[4].Offset), uint32(chunks[1].Offset+200), byte(0x80))
	f.Fuzz(func(t *testing.T, cut, at uint32, mask byte) {
		b := bytes.Clone(log)
		flip := int64(at) % int64(len(b))
		if mask != 0 {
			b[flip] ^= mask
		} else {
			flip = math.MaxInt64
		}
		n := int64(cut) % int64(len(b)+1)
		b = b[:n]
		r, err := NewReader(bytes.NewReader(b), n)
		if err != nil {
			if min(n, flip) < r0.start {
				return // the header is damaged: nothing to read
			}
			t.Fatalf("cut %d, flip %d: %v", n, flip, err)
		}
		touched := func(c ChunkInfo) bool { return c.Offset+c.Length > n || (flip >= c.Offset && flip < c.Offset+c.Length) }
		var want []Tick
		damaged := false
		for _, c := range chunks {
			if touched(c) {
				damaged = damaged || c.Offset < n
				continue
			}
			want = append(want, orig[c.FirstTick:c.LastTick+1]...)
		}
		var got []Tick
		for tk, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, *tk)
		}
		d, err := r.Verify()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("cut %d, flip %d: read %d ticks, want %d; damage %v", n, flip, len(got), len(want), d)
		}
		for i := range want {
			if !sameBits(&got[i], &want[i]) {
				t.Fatalf("cut %d, flip %d: tick %d differs", n, flip, want[i].Tick)
			}
		}
		if damaged && len(d) == 0 {
			t.Fatalf("cut %d, flip %d: a chunk was damaged, nothing reported", n, flip)
		}
	})
}

// TestWriteFuzzSeeds refreshes the seed corpus in testdata/fuzz from the
// seeds above: STRIDE_WRITE_FUZZ_SEEDS=1 go test -run TestWriteFuzzSeeds.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("STRIDE_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set STRIDE_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz")
	}
	log := fuzzLog(t, 1, 12, false)
	write := func(fuzz, name string, vals ...any) {
		dir := filepath.Join("testdata", "fuzz", fuzz)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		s := "go test fuzz v1\n"
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				s += "[]byte(" + strconv.Quote(string(v)) + ")\n"
			case uint32:
				s += fmt.Sprintf("uint32(%d)\n", v)
			case byte:
				s += fmt.Sprintf("byte('\\x%02x')\n", v)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("FuzzReader", "valid", log)
	write("FuzzReader", "no-index", log[:len(log)-tailLen-7])
	write("FuzzReader", "flipped-prelude", flip(log, int(r0start(t, log))+12))
	write("FuzzReader", "truth", fuzzLog(t, 2, 6, true))
	write("FuzzReader", "concatenated", append(bytes.Clone(log), fuzzLog(t, 1, 8, false)...))
	write("FuzzReader", "declared", declaredLog(t))
	write("FuzzDamage", "cut-in-chunk", uint32(len(log)/2), uint32(0), byte(0))
	write("FuzzDamage", "flip-length", uint32(1<<31), uint32(r0start(t, log)+14), byte(0x04))
	write("FuzzDamage", "flip-and-cut", uint32(len(log)-100), uint32(len(log)/3), byte(0xff))
}

// declaredLog is a small log with declared channels.
func declaredLog(t testing.TB) []byte {
	h := testHeader(1, false)
	h.Declared = []Declared{{"mpc.force", "N", 3}, {"qp.iters", "", 1}}
	ts := sequentialTicks(40, 6, 1, false)
	for i := range ts {
		ts[i].Values[0], ts[i].Values[3] = float64(i), -float64(i)
	}
	return fileBytes(t, writeTestLog(t, h, Options{ChunkTicks: 4, FlushEvery: time.Hour}, ts, nil))
}

func r0start(t *testing.T, b []byte) int64 {
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return r.start
}

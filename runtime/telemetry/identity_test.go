package telemetry

import (
	"bytes"
	"strings"
	"testing"
)

// splitFrames cuts an intact log into its frames.
func splitFrames(t *testing.T, b []byte) (head []byte, chunks [][]byte, tail []byte) {
	t.Helper()
	for pos := 0; pos < len(b); {
		p, ok := parsePrelude(b[pos:])
		if !ok {
			t.Fatalf("no frame at %d", pos)
		}
		f := b[pos : pos+preludeLen+int(p.n)]
		switch p.tag {
		case tagHead:
			head = f
		case tagChnk:
			chunks = append(chunks, f)
		default:
			tail = append(tail, f...)
		}
		pos += len(f)
	}
	return head, chunks, tail
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// identityLog is a version 2 log of 40 ticks in 8 chunks of 5, seeded.
func identityLog(t *testing.T, seed uint64) (b []byte, ticks []Tick) {
	ticks = sequentialTicks(seed, 40, 1, false)
	evs := []Event{{Tick: 0, Kind: EventModeChange, Code: 3}, {Time: 0.02, Tick: 20, Kind: EventNote}}
	return fileBytes(t, writeTestLog(t, testHeader(1, false), Options{ChunkTicks: 5}, ticks, evs)), ticks
}

// TestForeignAndMisplacedChunks builds the ways a log's chunks go wrong
// outside the writer — two logs joined with cat, a log appended to itself,
// a chunk appended twice, chunks swapped, another log's chunk spliced in,
// a chunk cut out — and checks that exactly the log's own chunks, each
// once and in order, are read, that the tick count is right, and that each
// fault is reported as damage.
func TestForeignAndMisplacedChunks(t *testing.T) {
	a, ticksA := identityLog(t, 1)
	b, _ := identityLog(t, 2)
	ha, ca, ta := splitFrames(t, a)
	hb, cb, _ := splitFrames(t, b)
	if len(ca) != 8 || bytes.Equal(ha, hb) {
		t.Fatalf("%d chunks", len(ca))
	}
	without := func(k ...int) []Tick { // ticksA without chunks k
		var out []Tick
		for i := range ticksA {
			if !containsInt(k, i/5) {
				out = append(out, ticksA[i])
			}
		}
		return out
	}
	chunksOf := func(cs [][]byte) []byte { return join(cs...) }
	swapped := append([][]byte{}, ca...)
	swapped[3], swapped[4] = swapped[4], swapped[3]
	for _, tc := range []struct {
		name    string
		file    []byte
		want    []Tick
		damage  []string // a substring of each damage's reason, in file order
		indexed bool
	}{
		{"intact", a, ticksA, nil, true},
		{"cat a b", join(a, b), ticksA, append([]string{"header of another log"}, repeat("chunk of another log", 8)...), false},
		{"cat a a", join(a, a), ticksA, append([]string{"second copy of this log's header"}, repeat("second copy of chunk", 8)...), false},
		{"crashed a, then b", join(ha, chunksOf(ca), b), ticksA, append([]string{"header of another log"}, repeat("chunk of another log", 8)...), false},
		{"chunk 3 appended again", join(a, ca[3]), ticksA, []string{"second copy of chunk 3"}, false},
		{"chunk 3 twice in place", join(ha, chunksOf(ca[:4]), ca[3], chunksOf(ca[4:]), ta), ticksA, []string{"second copy of chunk 3"}, false},
		{"chunks 3 and 4 swapped", join(ha, chunksOf(swapped)), without(3), []string{"chunk 3 out of order"}, false},
		{"foreign chunk spliced in", join(ha, chunksOf(ca[:5]), cb[5], chunksOf(ca[5:])), ticksA, []string{"chunk of another log"}, false},
		{"foreign chunk instead of chunk 5", join(ha, chunksOf(ca[:5]), cb[5], chunksOf(ca[6:])), without(5), []string{"chunk of another log", "chunk 5 is missing"}, false},
		{"chunk 2 cut out", join(ha, chunksOf(ca[:2]), chunksOf(ca[3:])), without(2), []string{"chunk 2 is missing"}, false},
	} {
		r, err := NewReader(bytes.NewReader(tc.file), int64(len(tc.file)))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.Indexed() != tc.indexed {
			t.Errorf("%s: indexed %v, want %v", tc.name, r.Indexed(), tc.indexed)
		}
		sameTicks(t, tc.name, readAllTicks(t, r), tc.want)
		if s := r.Summary(); s.Ticks != uint64(len(tc.want)) {
			t.Errorf("%s: summary says %d ticks, want %d", tc.name, s.Ticks, len(tc.want))
		}
		d, err := r.Verify()
		if err != nil {
			t.Fatal(err)
		}
		if len(d) != len(tc.damage) {
			t.Fatalf("%s: %d damage reports, want %d: %v", tc.name, len(d), len(tc.damage), d)
		}
		for i := range d {
			if !strings.Contains(d[i].Reason, tc.damage[i]) {
				t.Errorf("%s: damage %d is %q, want %q", tc.name, i, d[i].Reason, tc.damage[i])
			}
		}
	}
}

// TestIndexOfAnotherLogIsNotTrusted: a file whose trailer and index are
// intact but belong to another log (same length, same layout) is scanned.
func TestIndexOfAnotherLogIsNotTrusted(t *testing.T) {
	a, ticksA := identityLog(t, 1)
	b, _ := identityLog(t, 1) // same records, another id
	ha, ca, _ := splitFrames(t, a)
	_, _, tb := splitFrames(t, b)
	f := join(ha, join(ca...), tb)
	r, err := NewReader(bytes.NewReader(f), int64(len(f)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Indexed() {
		t.Fatal("another log's index was used")
	}
	sameTicks(t, "scan", readAllTicks(t, r), ticksA)
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

type countingReaderAt struct {
	r *bytes.Reader
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// Opening two logs joined with cat, or a log appended to itself, reads
// the chunks' metadata, not their records: the second log's chunks are
// plainly its own (its header was met) and the copies plainly copies, so
// opening stays cheap however long the logs are.
func TestConcatenatedOpensWithoutReadingRecords(t *testing.T) {
	a, _ := identityLog(t, 1)
	b, _ := identityLog(t, 2)
	for _, f := range [][]byte{join(a, b), join(a, a)} {
		c := &countingReaderAt{r: bytes.NewReader(f)}
		r, err := NewReader(c, int64(len(f)))
		if err != nil {
			t.Fatal(err)
		}
		if r.Summary().Ticks != 40 || len(r.Damage()) != 9 {
			t.Fatalf("%d ticks, damage %v", r.Summary().Ticks, r.Damage())
		}
		if c.n > int64(len(f))/4 {
			t.Errorf("opening read %d of %d bytes", c.n, len(f))
		}
	}
}

package telemetry

import (
	"path/filepath"
	"testing"
)

// A long log's index entries leave memory past 64 KiB for an unlinked spill
// file, and the index written from memory and file together is the same as
// one written from memory: the log opens through its index with every
// chunk, every tick bit for bit and no damage. Without a usable temporary
// directory the entries stay in memory and the log is just as complete.
func TestIndexSpillsAndReadsBack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tmpdir string // "" : the test's own
		spill  bool
	}{{"spill file", "", true}, {"no temporary directory", "/nonexistent/stride-test", false}} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "long.tlm")
			dir := tc.tmpdir
			if dir == "" {
				dir = t.TempDir()
			}
			t.Setenv("TMPDIR", dir)
			const n = 3000 // one tick a chunk: 3000 entries, several times indexSpillAt
			h := testHeader(3, false)
			ticks := sequentialTicks(5, n, 3, false)
			w, err := CreateWith(path, h, Options{Block: true, NoSync: true, ChunkTicks: 1})
			if err != nil {
				t.Fatal(err)
			}
			for i := range ticks {
				w.Record(&ticks[i])
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			// The writer goroutine has exited: its state can be read.
			maxMem := len(w.index.mem)
			if tc.spill {
				if w.index.spilled == 0 || maxMem > indexSpillAt {
					t.Errorf("spilled %d bytes, %d left in memory: want a spill and at most %d in memory", w.index.spilled, maxMem, indexSpillAt)
				}
			} else if w.index.spilled != 0 || !w.index.inMem {
				t.Errorf("with no temporary directory: spilled %d, inMem %v; want everything in memory", w.index.spilled, w.index.inMem)
			}
			r := mustOpen(t, path)
			if !r.Indexed() || r.NumChunks() != n || len(r.Damage()) != 0 {
				t.Fatalf("indexed %v, %d chunks, damage %v; want the index, %d chunks, none", r.Indexed(), r.NumChunks(), r.Damage(), n)
			}
			got := readAllTicks(t, r)
			if len(got) != n {
				t.Fatalf("read %d ticks, want %d", len(got), n)
			}
			for i := range got {
				if !sameBits(&got[i], &ticks[i]) {
					t.Fatalf("tick %d differs: %s", i, diffTick(&h, &got[i], &ticks[i]))
				}
			}
		})
	}
}

// The in-memory part is allocated once at its full size: adding entries,
// spilling included, makes no garbage.
func TestIndexStoreAddAllocatesNothing(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var s indexStore
	defer func() {
		if s.file != nil {
			s.file.Close()
		}
	}()
	e := make([]byte, 136)
	s.add(e)
	if cap(s.mem) != indexSpillAt {
		t.Fatalf("in-memory capacity %d, want %d", cap(s.mem), indexSpillAt)
	}
	s.add(e) // the spill file is made (allocating) on the first spill
	for s.spilled == 0 {
		s.add(e)
	}
	if n := testing.AllocsPerRun(2000, func() { s.add(e) }); n != 0 {
		t.Errorf("%v allocations per entry (%d spilled)", n, s.spilled)
	}
}

package telemetry

import (
	"hash/crc32"
	"os"
)

// indexSpillAt is how many bytes of index entries the writer keeps in memory
// before it moves them to its spill file: 64 KiB, about 480 chunks (48 s of a
// real-time 1 kHz log cut every 100 ms).
const indexSpillAt = 64 << 10

// indexStore holds the index entries the writer makes, one per chunk, until
// Close writes them as the index. The newest stay in memory; older ones go
// to an unlinked temporary file, so a writer's memory stays flat however
// long the run (an hour at 1 kHz cuts 36,000 chunks: about 4 MB of entries).
// When no temporary file can be made or written, every entry stays in
// memory: the index is still complete, only memory grows.
type indexStore struct {
	mem     []byte   // entries not spilled, in order
	file    *os.File // the spill file (already unlinked); nil until the first spill
	spilled int64    // bytes of entries in file, before mem's
	inMem   bool     // spilling failed: keep everything in memory from now on
}

func (s *indexStore) add(e []byte) {
	if s.mem == nil {
		// Sized up front: grown by doubling it would leave 64 KiB of
		// garbage in the first minute of every log.
		s.mem = make([]byte, 0, indexSpillAt)
	}
	if !s.inMem && len(s.mem)+len(e) > indexSpillAt {
		s.spill()
	}
	s.mem = append(s.mem, e...)
}

// spill moves mem to the end of the spill file.
func (s *indexStore) spill() {
	if s.file == nil {
		f, err := os.CreateTemp("", "stride-index-*")
		if err != nil {
			s.inMem = true
			return
		}
		os.Remove(f.Name()) // the open descriptor keeps it; nothing is left behind on a crash
		s.file = f
	}
	if _, err := s.file.WriteAt(s.mem, s.spilled); err != nil {
		s.inMem = true // entries already spilled stay valid: only [0, spilled) is read
		return
	}
	s.spilled += int64(len(s.mem))
	s.mem = s.mem[:0]
}

// size returns the bytes of entries held.
func (s *indexStore) size() int64 { return s.spilled + int64(len(s.mem)) }

// each calls fn with the entries' bytes in order, in pieces of at most
// indexSpillAt bytes; fn must not keep the slice.
func (s *indexStore) each(fn func([]byte) error) error {
	if s.spilled > 0 {
		buf := make([]byte, indexSpillAt)
		for at := int64(0); at < s.spilled; {
			n := min(int64(len(buf)), s.spilled-at)
			if _, err := s.file.ReadAt(buf[:n], at); err != nil {
				return err
			}
			if err := fn(buf[:n]); err != nil {
				return err
			}
			at += n
		}
	}
	if len(s.mem) > 0 {
		return fn(s.mem)
	}
	return nil
}

// crc returns the CRC-32C of head followed by the entries.
func (s *indexStore) crc(head []byte) (uint32, error) {
	c := crc32.Update(0, castagnoli, head)
	err := s.each(func(b []byte) error {
		c = crc32.Update(c, castagnoli, b)
		return nil
	})
	return c, err
}

// close releases the spill file.
func (s *indexStore) close() {
	if s.file != nil {
		s.file.Close()
		s.file = nil
	}
}

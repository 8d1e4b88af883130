package telemetry

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"iter"
	"math"
	"os"
	"sort"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// Reader reads a telemetry log without loading it: Open reads the header
// and the index (or, when the index is missing or damaged, rebuilds it by
// hopping from chunk to chunk), and records are decoded one chunk at a time
// as they are asked for. Every chunk's checksum is verified when it is read;
// a damaged chunk is skipped and reported in Damage, never returned.
//
// A Reader is used by one goroutine at a time.
type Reader struct {
	Header Header

	f       io.ReaderAt
	closer  io.Closer
	size    int64
	start   int64 // first byte after the header
	lay     layout
	plan    *decodePlan
	idx     chunkIndex
	totals  indexTotals
	indexed bool

	damage  []Damage
	damaged map[[2]int64]bool // offsets and lengths already reported

	buf []byte
	br  bytes.Reader
	dec *msgpack.Decoder
}

// Damage is a part of a log that could not be read.
type Damage struct {
	Offset int64  // first damaged byte
	Length int64  // bytes affected
	Chunk  int64  // chunk number, −1 when unknown
	Reason string // what is wrong

	// The records lost, when known (the chunk's metadata could be read).
	Ticks, Events       uint64
	FirstTick, LastTick uint64
	T0, T1              float64

	foreign bool // a chunk or header of another log: explains no gap in this log's chunks
}

func (d Damage) String() string {
	s := fmt.Sprintf("bytes %d–%d (%d B)", d.Offset, d.Offset+d.Length, d.Length)
	if d.Chunk >= 0 {
		s = fmt.Sprintf("chunk %d, %s", d.Chunk, s)
	}
	s += ": " + d.Reason
	if d.Ticks > 0 {
		s += fmt.Sprintf("; lost %d ticks (%d–%d, t = %.3f–%.3f s)", d.Ticks, d.FirstTick, d.LastTick, d.T0, d.T1)
	}
	if d.Events > 0 {
		s += fmt.Sprintf("; lost %d events", d.Events)
	}
	return s
}

// DamageError is returned by ReadChunk for a chunk that cannot be read.
type DamageError struct{ Damage }

func (e *DamageError) Error() string { return "telemetry: damaged log: " + e.Damage.String() }

// Summary is what the index says about a log.
type Summary struct {
	Chunks, Ticks, Events       uint64
	DroppedTicks, DroppedEvents uint64 // dropped by the writer (ring full)
	Faults, HalFaults           uint32 // OR of the ticks' runtime and hal fault bits
	FirstTick, LastTick         uint64
	Start, End                  float64 // time of the first and last tick, s
	Bytes                       int64
	Indexed                     bool // the index was read (false: rebuilt by a scan)
}

// Open opens a log.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	r, err := NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("telemetry: %s: %w", path, err)
	}
	r.closer = f
	return r, nil
}

// NewReader reads a log of size bytes from f. Close does not close f.
func NewReader(f io.ReaderAt, size int64) (*Reader, error) {
	r := &Reader{f: f, size: size, damaged: map[[2]int64]bool{}, dec: msgpack.NewDecoder(nil)}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	r.lay = layoutFor(r.Header.Version)
	plan, err := newDecodePlan(r.Header.Channels, r.Header.Joints, r.Header.Truth, r.Header.Declared)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	r.plan = plan
	if err := r.loadIndex(); err != nil {
		if err := r.scan(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Close closes the file.
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

func (r *Reader) readHeader() error {
	var pb [preludeLen]byte
	if n, _ := r.f.ReadAt(pb[:], 0); n < preludeLen {
		if n == 0 {
			return errors.New("empty file: not a Stride telemetry log")
		}
		return fmt.Errorf("%d bytes: too short for a Stride telemetry log", n)
	}
	p, ok := parsePrelude(pb[:])
	if !ok || p.tag != tagHead {
		return errors.New("not a Stride telemetry log (no HEAD frame at the start)")
	}
	if p.n > maxHeaderLen {
		return fmt.Errorf("header frame claims %d bytes (at most %d): damaged header", p.n, maxHeaderLen)
	}
	if preludeLen+p.n > r.size {
		return fmt.Errorf("header is cut short: %d of %d bytes present", r.size-preludeLen, p.n)
	}
	b := make([]byte, p.n)
	if _, err := r.f.ReadAt(b, preludeLen); err != nil {
		return fmt.Errorf("reading the header: %w", err)
	}
	if c := checksum(b); c != p.crc {
		return fmt.Errorf("header checksum mismatch (stored %08x, computed %08x): damaged header", p.crc, c)
	}
	h, err := unmarshalHeader(b)
	if err != nil {
		return err
	}
	r.Header = h
	r.start = preludeLen + p.n
	return nil
}

// Indexed reports whether the index written at close was used (false: the
// writer did not finish, or the index was damaged, and a scan rebuilt it).
func (r *Reader) Indexed() bool { return r.indexed }

// Size is the file's size in bytes.
func (r *Reader) Size() int64 { return r.size }

// NumChunks returns the number of readable chunks the index lists.
func (r *Reader) NumChunks() int { return r.idx.Len() }

// Chunk returns chunk i's description.
func (r *Reader) Chunk(i int) (ChunkInfo, error) { return r.idx.At(i) }

// Damage returns the damage found so far: by Open (a truncated tail,
// unreadable bytes) and by reads (checksum mismatches). Verify finds all.
func (r *Reader) Damage() []Damage { return r.damage }

// Summary returns the index's totals.
func (r *Reader) Summary() Summary {
	t := &r.totals
	return Summary{Chunks: t.Chunks, Ticks: t.Ticks, Events: t.Events, DroppedTicks: t.DroppedTicks,
		DroppedEvents: t.DroppedEvents, Faults: uint32(t.Faults), HalFaults: uint32(t.HalFaults),
		FirstTick: t.FirstTick, LastTick: t.LastTick, Start: t.TFirst, End: t.TLast, Bytes: r.size, Indexed: r.indexed}
}

func (r *Reader) report(d Damage) {
	if k := [2]int64{d.Offset, d.Length}; r.damaged[k] {
		return
	} else {
		r.damaged[k] = true
	}
	r.damage = append(r.damage, d)
}

// loadIndex reads the trailer and the index it points to.
func (r *Reader) loadIndex() error {
	l := &r.lay
	if r.size < r.start+tailLen+preludeLen+int64(l.indexHead) {
		return errors.New("no index")
	}
	var tb [tailLen]byte
	if _, err := r.f.ReadAt(tb[:], r.size-tailLen); err != nil {
		return err
	}
	p, ok := parsePrelude(tb[:])
	if !ok || p.tag != tagTail || p.n != 9 || checksum(tb[preludeLen:]) != p.crc {
		return errors.New("no trailer")
	}
	at64, ok := getU64(tb[preludeLen:])
	if !ok || at64 < uint64(r.start) || at64 > uint64(r.size-tailLen-preludeLen) {
		return errors.New("trailer points outside the file")
	}
	at := int64(at64)
	var pb [preludeLen]byte
	if _, err := r.f.ReadAt(pb[:], at); err != nil {
		return err
	}
	p, ok = parsePrelude(pb[:])
	if !ok || p.tag != tagIndx || at+preludeLen+p.n != r.size-tailLen || p.n < int64(l.indexHead) || p.n > maxIndexLen {
		return errors.New("trailer does not point at an index")
	}
	// Read the index in blocks, checking its checksum and every entry:
	// memory stays bounded, and a bad index is never trusted.
	head := make([]byte, l.indexHead)
	if _, err := r.f.ReadAt(head, at+preludeLen); err != nil {
		return err
	}
	if head[0] != msgpFixArr2 || head[1+l.totalsLen] != msgpArray32 {
		return errors.New("index layout")
	}
	var t indexTotals
	if err := l.getTotals(head[1:], &t); err != nil {
		return err
	}
	if t.Log != r.Header.ID {
		return errors.New("the index is another log's (its id differs from the header's)")
	}
	n := int64(binary.BigEndian.Uint32(head[2+l.totalsLen:]))
	entryLen := int64(l.entryLen)
	if int64(l.indexHead)+n*entryLen != p.n || uint64(n) != t.Chunks {
		return errors.New("index length does not match its entry count")
	}
	crc := crc32.Update(0, castagnoli, head)
	const perBlock = 1024 // entries per read: 118 KB
	blk := make([]byte, min(n, perBlock)*entryLen)
	prevEnd := r.start
	for i := int64(0); i < n; {
		k := min(n-i, perBlock)
		b := blk[:k*entryLen]
		if _, err := r.f.ReadAt(b, at+preludeLen+int64(l.indexHead)+i*entryLen); err != nil {
			return err
		}
		crc = crc32.Update(crc, castagnoli, b)
		for j := int64(0); j < k; j++ {
			var c ChunkInfo
			if err := l.getEntry(b[j*entryLen:], &c); err != nil {
				return err
			}
			// The writer writes chunks back to back after the header and
			// the index right after the last: anything else (a chunk
			// inserted, another log's index) sends the reader to a scan.
			if c.Seq != uint64(i+j) || c.Log != r.Header.ID || c.Offset != prevEnd || c.Offset+c.Length > at ||
				c.Length < preludeLen+int64(l.chunkHead)+10 || checkMeta(&c, c.Length-preludeLen) != nil {
				return fmt.Errorf("index entry %d is inconsistent", i+j)
			}
			prevEnd = c.Offset + c.Length
		}
		i += k
	}
	if crc != p.crc {
		return errors.New("index checksum mismatch")
	}
	if prevEnd != at {
		return errors.New("the index does not follow the last chunk")
	}
	r.idx = &fileIndex{f: r.f, lay: l, base: at + preludeLen + int64(l.indexHead), n: int(n), limit: at}
	r.totals = t
	r.indexed = true
	return nil
}

// scan rebuilds the index by hopping from frame to frame, reading each
// chunk's prelude and metadata (not its records). Unreadable bytes are
// skipped by searching for the next frame and reported as damage.
func (r *Reader) scan() error {
	defer r.prefetch()()
	var idx memIndex
	var t indexTotals
	l := &r.lay
	scanPeek := l.scanPeek
	peek := make([]byte, scanPeek)
	var chunks chunkFilter
	pos := r.start
	prev := int64(-1) // the frame we hopped from, if its length is unverified
	for pos < r.size {
		n, err := r.f.ReadAt(peek, pos)
		if err != nil && err != io.EOF {
			return err
		}
		p, ok := parsePrelude(peek[:n])
		if !ok {
			if prev >= 0 && !r.frameIntact(prev) {
				// The frame we came from lied about its length: drop it,
				// and search again from just after its start.
				if len(idx) > 0 && idx[len(idx)-1].Offset == prev {
					r.lose(&idx[len(idx)-1], "checksum mismatch (and a wrong length)")
					idx = idx[:len(idx)-1]
				}
				pos, prev = prev+1, -1
				continue
			}
			q, err := r.resync(pos + 1)
			if err != nil {
				return err
			}
			reason := "unreadable bytes between frames (a damaged frame)"
			if q == r.size && n < preludeLen {
				reason = "the log ends inside a frame: the writer stopped while writing it"
				if n >= 6 && peek[0] == msgpFixArr3 && peek[1] == msgpFixStr4 && (string(peek[2:6]) == tagIndx || string(peek[2:6]) == tagTail) {
					reason = indexCut
				}
			} else if q == r.size {
				reason = "unreadable bytes to the end of the log"
			}
			r.report(Damage{Offset: pos, Length: q - pos, Chunk: -1, Reason: reason})
			pos, prev = q, -1
			continue
		}
		end := pos + preludeLen + p.n
		if end > r.size || (p.tag == tagChnk && p.n > maxChunkLen) {
			q, err := r.resync(pos + 1)
			if err != nil {
				return err
			}
			d := Damage{Offset: pos, Length: q - pos, Chunk: -1}
			switch {
			case q < r.size:
				d.Reason = "a frame whose length runs past the next frame"
			case p.tag == tagIndx || p.tag == tagTail:
				d.Reason = indexCut
			default:
				d.Reason = fmt.Sprintf("the log ends inside a chunk (%d of %d bytes present): the writer stopped while writing it",
					r.size-pos, preludeLen+p.n)
			}
			if p.tag == tagChnk && n == scanPeek {
				var c ChunkInfo
				if peek[preludeLen] == msgpFixArr3 && l.getMeta(peek[preludeLen+1:], &c) == nil && checkMeta(&c, maxChunkLen) == nil {
					d.Chunk, d.Ticks, d.Events, d.FirstTick, d.LastTick, d.T0, d.T1 =
						int64(c.Seq), c.Ticks, c.Events, c.FirstTick, c.LastTick, c.T0, c.T1
				}
			}
			r.report(d)
			pos, prev = q, -1
			continue
		}
		switch p.tag {
		case tagChnk:
			c := ChunkInfo{Offset: pos, Length: preludeLen + p.n}
			if n < scanPeek || peek[preludeLen] != msgpFixArr3 || l.getMeta(peek[preludeLen+1:], &c) != nil || checkMeta(&c, p.n) != nil {
				// The prelude looked right; the chunk is not. Hop over it
				// if the next frame is where its length says, else search.
				q := end
				if !r.frameAt(end) {
					if q, err = r.resync(pos + 1); err != nil {
						return err
					}
				}
				r.report(Damage{Offset: pos, Length: q - pos, Chunk: -1, Reason: "unreadable chunk metadata"})
				pos, prev = q, -1
				continue
			}
			if chunks.accept(r, &idx, c) {
				idx = append(idx, c)
			}
			prev = pos
		case tagHead:
			// Another log's header: logs concatenated (cat a.tlm b.tlm).
			// Version 2 chunks carry their log's id; a version 1 log cannot
			// tell, so every chunk after it is left out.
			chunks.otherHead = true
			reason := "a second log header: another log's data follows (logs concatenated?)"
			hb, ok := r.frameHeader(pos, p)
			if ok {
				chunks.sawHead(hb.ID) // the zero id for a version 1 header
			}
			if ok && hb.Version >= 2 {
				if hb.ID == r.Header.ID {
					reason = "a second copy of this log's header (the log appended to itself?)"
				} else {
					reason = "the header of another log (id " + hb.ID.String() + "): logs concatenated?"
				}
			}
			r.report(Damage{Offset: pos, Length: preludeLen + p.n, Chunk: -1, Reason: reason, foreign: true})
			prev = pos
		default: // INDX, TAIL: nothing to index
			prev = pos
		}
		pos = end
	}
	chunks.gaps(r, idx)
	for i := range idx {
		t.add(&idx[i])
	}
	t.Version = uint64(r.Header.Version)
	r.idx, r.totals = idx, t
	r.indexed = false
	return nil
}

const indexCut = "the log ends inside its index: the writer stopped while closing (no records lost; index rebuilt)"

// prefetchMinSize is the log size from which a scan prefetches (a
// variable for the benchmark that measures without).
var prefetchMinSize int64 = 256 << 20

// prefetch speeds up a scan of a large log that is not in the page cache:
// the scan's hops depend on each other, one small random read at a time,
// so goroutines run ahead through later stretches of the file reading the
// same preludes, many reads in flight at once. They only warm the cache;
// the scan decides everything. The returned function waits for them.
func (r *Reader) prefetch() (wait func()) {
	const workers = 16
	if r.size < prefetchMinSize {
		return func() {}
	}
	var wg sync.WaitGroup
	seg := (r.size - r.start) / workers
	for k := int64(1); k < workers; k++ {
		from, to := r.start+k*seg, r.start+(k+1)*seg
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b [preludeLen]byte
			pos, err := r.resync(from)
			for err == nil && pos < to {
				if n, _ := r.f.ReadAt(b[:], pos); n < preludeLen {
					return
				}
				p, ok := parsePrelude(b[:])
				if !ok {
					pos, err = r.resync(pos + 1)
					continue
				}
				pos += preludeLen + p.n
			}
		}()
	}
	return wg.Wait
}

// frameAt reports whether a frame prelude starts at off (or off is the end).
func (r *Reader) frameAt(off int64) bool {
	if off == r.size {
		return true
	}
	var b [preludeLen]byte
	if n, _ := r.f.ReadAt(b[:], off); n < preludeLen {
		return false
	}
	_, ok := parsePrelude(b[:])
	return ok
}

// frameIntact reads the frame at off and checks its checksum.
func (r *Reader) frameIntact(off int64) bool {
	var b [preludeLen]byte
	if n, _ := r.f.ReadAt(b[:], off); n < preludeLen {
		return false
	}
	p, ok := parsePrelude(b[:])
	if !ok || off+preludeLen+p.n > r.size || p.n > maxIndexLen {
		return false
	}
	crc := uint32(0)
	blk := make([]byte, min(p.n, 1<<20))
	for k := int64(0); k < p.n; {
		n := min(int64(len(blk)), p.n-k)
		if _, err := r.f.ReadAt(blk[:n], off+preludeLen+k); err != nil {
			return false
		}
		crc = crc32.Update(crc, castagnoli, blk[:n])
		k += n
	}
	return crc == p.crc
}

// lose reports a chunk of the index as lost.
func (r *Reader) lose(c *ChunkInfo, reason string) {
	r.report(Damage{Offset: c.Offset, Length: c.Length, Chunk: int64(c.Seq), Reason: reason, Ticks: c.Ticks,
		Events: c.Events, FirstTick: c.FirstTick, LastTick: c.LastTick, T0: c.T0, T1: c.T1})
}

// resync returns the offset of the next frame prelude at or after from, or
// the file size.
func (r *Reader) resync(from int64) (int64, error) {
	const blk = 64 << 10
	b := make([]byte, blk+preludeLen)
	for off := from; off < r.size; off += blk {
		n, err := r.f.ReadAt(b, off)
		if err != nil && err != io.EOF {
			return 0, err
		}
		for i := 0; i < min(n, blk); i++ {
			if b[i] != msgpFixArr3 {
				continue
			}
			if i+preludeLen > n {
				return r.size, nil // a partial prelude at the very end
			}
			if _, ok := parsePrelude(b[i:]); ok {
				return off + int64(i), nil
			}
		}
	}
	return r.size, nil
}

// ChunkData is one decoded chunk. ReadChunk reuses its slices.
type ChunkData struct {
	Info   ChunkInfo
	Events []Event
	Ticks  []Tick
}

// ReadChunk reads, verifies and decodes chunk i into dst. A damaged chunk
// (checksum mismatch, records that do not decode) gives a *DamageError and
// is added to Damage; other errors are I/O errors.
func (r *Reader) ReadChunk(i int, dst *ChunkData) error {
	c, err := r.idx.At(i)
	if err != nil {
		return err
	}
	dst.Info = c
	dst.Ticks, dst.Events = dst.Ticks[:0], dst.Events[:0]
	if c.Length < preludeLen+int64(r.lay.chunkHead)+10 || c.Length > preludeLen+maxChunkLen || c.Offset < r.start || c.Offset+c.Length > r.size {
		return r.bad(&c, "the index gives a chunk outside the file")
	}
	r.buf = growTo(r.buf, int(c.Length))
	if _, err := r.f.ReadAt(r.buf, c.Offset); err != nil {
		return fmt.Errorf("telemetry: reading chunk %d: %w", c.Seq, err)
	}
	p, ok := parsePrelude(r.buf)
	if !ok || p.tag != tagChnk || preludeLen+p.n != c.Length {
		return r.bad(&c, "no chunk where the index says")
	}
	payload := r.buf[preludeLen:]
	if sum := checksum(payload); sum != p.crc {
		return r.bad(&c, fmt.Sprintf("checksum mismatch (stored %08x, computed %08x)", p.crc, sum))
	}
	if err := r.decodeChunk(payload, dst); err != nil {
		return r.bad(&c, err.Error())
	}
	return nil
}

func (r *Reader) bad(c *ChunkInfo, reason string) error {
	r.lose(c, reason)
	return &DamageError{Damage{Offset: c.Offset, Length: c.Length, Chunk: int64(c.Seq), Reason: reason, Ticks: c.Ticks,
		Events: c.Events, FirstTick: c.FirstTick, LastTick: c.LastTick, T0: c.T0, T1: c.T1}}
}

func (r *Reader) decodeChunk(p []byte, dst *ChunkData) error {
	if p[0] != msgpFixArr3 {
		return errors.New("chunk payload is not an array of 3")
	}
	var m ChunkInfo
	if err := r.lay.getMeta(p[1:], &m); err != nil {
		return err
	}
	if m.Seq != dst.Info.Seq || m.Ticks != dst.Info.Ticks || m.Events != dst.Info.Events || m.FirstTick != dst.Info.FirstTick ||
		m.Log != dst.Info.Log {
		return fmt.Errorf("chunk metadata (chunk %d, %d ticks) disagrees with the index (chunk %d, %d ticks)",
			m.Seq, m.Ticks, dst.Info.Seq, dst.Info.Ticks)
	}
	r.br.Reset(p[r.lay.chunkHead:])
	d := r.dec
	d.Reset(&r.br)
	ne, err := d.DecodeArrayLen()
	if err != nil || ne < 0 || uint64(ne) != m.Events || ne > r.br.Len()/minEventLen {
		return fmt.Errorf("events: array of %d, metadata says %d (%v)", ne, m.Events, err)
	}
	for k := 0; k < ne; k++ {
		dst.Events = append(dst.Events, Event{})
		if err := decodeEvent(d, &dst.Events[k]); err != nil {
			return fmt.Errorf("event %d: %w", k, err)
		}
	}
	nt, err := d.DecodeArrayLen()
	if err != nil || nt < 0 || uint64(nt) != m.Ticks || nt > r.br.Len()/(1+len(r.plan.col)) {
		return fmt.Errorf("ticks: array of %d, metadata says %d (%v)", nt, m.Ticks, err)
	}
	for k := 0; k < nt; k++ {
		dst.Ticks = append(dst.Ticks, Tick{})
		if err := r.plan.decodeTick(d, &dst.Ticks[k]); err != nil {
			return fmt.Errorf("tick record %d: %w", k, err)
		}
	}
	if r.br.Len() != 0 {
		return fmt.Errorf("%d bytes after the last record", r.br.Len())
	}
	return nil
}

func decodeEvent(d *msgpack.Decoder, e *Event) error {
	n, err := d.DecodeArrayLen()
	if err != nil {
		return err
	}
	if n != 7 {
		return fmt.Errorf("event record has %d values, want 7", n)
	}
	if e.Time, err = d.DecodeFloat64(); err != nil {
		return err
	}
	if e.Tick, err = d.DecodeUint64(); err != nil {
		return err
	}
	k, err := d.DecodeUint64()
	if err != nil || k > 255 {
		return fmt.Errorf("event kind %d (%v)", k, err)
	}
	e.Kind = EventKind(k)
	c, err := d.DecodeUint64()
	if err != nil || c > math.MaxUint32 {
		return fmt.Errorf("event code %d (%v)", c, err)
	}
	e.Code = uint32(c)
	j, err := d.DecodeInt64()
	if err != nil || j < math.MinInt16 || j > math.MaxInt16 {
		return fmt.Errorf("event joint %d (%v)", j, err)
	}
	e.Joint = int16(j)
	if n, err := d.DecodeArrayLen(); err != nil || n != len(e.Values) {
		return fmt.Errorf("event values: array of %d, want %d (%v)", n, len(e.Values), err)
	}
	for i := range e.Values {
		if e.Values[i], err = d.DecodeFloat64(); err != nil {
			return err
		}
	}
	m, err := d.DecodeBytesLen()
	if err != nil || m < 0 || m > len(e.Msg) {
		return fmt.Errorf("event text of %d bytes (at most %d) (%v)", m, len(e.Msg), err)
	}
	clear(e.Msg[:])
	return d.ReadFull(e.Msg[:m])
}

// SeekChunk returns the first chunk whose last record is at or after time t
// (NumChunks when none is): a binary search of the index.
func (r *Reader) SeekChunk(t float64) (int, error) {
	var ferr error
	i := sort.Search(r.idx.Len(), func(i int) bool {
		c, err := r.idx.At(i)
		if err != nil {
			ferr = err
			return true
		}
		return c.T1 >= t
	})
	return i, ferr
}

// Ticks yields the tick records with from ≤ Time ≤ to, in order, starting
// with a seek through the index. The *Tick is reused: copy what you keep.
// Damaged chunks are skipped (see Damage); the error is an I/O error, after
// which iteration stops.
func (r *Reader) Ticks(from, to float64) iter.Seq2[*Tick, error] {
	return func(yield func(*Tick, error) bool) {
		stop := func(c ChunkInfo) bool { return c.Ticks > 0 && c.T0 > to }
		for cd, err := range r.chunks(from, 0, stop, nil) {
			if err != nil {
				yield(nil, err)
				return
			}
			for k := range cd.Ticks {
				t := &cd.Ticks[k]
				if t.Time < from {
					continue
				}
				if t.Time > to || !yield(t, nil) {
					return
				}
			}
		}
	}
}

// Events yields the events with from ≤ Time ≤ to, in order, like Ticks.
func (r *Reader) Events(from, to float64) iter.Seq2[*Event, error] {
	return func(yield func(*Event, error) bool) {
		stop := func(c ChunkInfo) bool { return c.T0 > to }
		skip := func(c ChunkInfo) bool { return c.Events == 0 }
		// an event may be logged in the chunk before the one holding its tick
		for cd, err := range r.chunks(from, -1, stop, skip) {
			if err != nil {
				yield(nil, err)
				return
			}
			for k := range cd.Events {
				e := &cd.Events[k]
				if e.Time >= from && e.Time <= to && !yield(e, nil) {
					return
				}
			}
		}
	}
}

// chunks yields the readable chunks from the one SeekChunk(from) finds
// (shifted by back, never before the first) until stop says so, passing over
// those skip names and damaged ones. The *ChunkData is reused.
func (r *Reader) chunks(from float64, back int, stop, skip func(ChunkInfo) bool) iter.Seq2[*ChunkData, error] {
	return func(yield func(*ChunkData, error) bool) {
		var cd ChunkData
		i, err := r.SeekChunk(from)
		if err != nil {
			yield(nil, err)
			return
		}
		for i = max(i+back, 0); i < r.idx.Len(); i++ {
			c, err := r.idx.At(i)
			if err != nil {
				yield(nil, err)
				return
			}
			if stop(c) {
				return
			}
			if skip != nil && skip(c) {
				continue
			}
			if err := r.ReadChunk(i, &cd); err != nil {
				var de *DamageError
				if errors.As(err, &de) {
					continue
				}
				yield(nil, err)
				return
			}
			if !yield(&cd, nil) {
				return
			}
		}
	}
}

// Verify reads every chunk, checking checksums and decoding records, and
// returns all the damage in the log (also kept in Damage).
func (r *Reader) Verify() ([]Damage, error) {
	var cd ChunkData
	for i := 0; i < r.idx.Len(); i++ {
		if err := r.ReadChunk(i, &cd); err != nil {
			var de *DamageError
			if !errors.As(err, &de) {
				return r.damage, err
			}
		}
	}
	sort.Slice(r.damage, func(i, j int) bool { return r.damage[i].Offset < r.damage[j].Offset })
	return r.damage, nil
}

// chunkIndex lists a log's chunks.
type chunkIndex interface {
	Len() int
	At(i int) (ChunkInfo, error)
}

// memIndex is an index rebuilt by a scan.
type memIndex []ChunkInfo

func (m memIndex) Len() int { return len(m) }
func (m memIndex) At(i int) (ChunkInfo, error) {
	if i < 0 || i >= len(m) {
		return ChunkInfo{}, fmt.Errorf("telemetry: chunk %d of %d", i, len(m))
	}
	return m[i], nil
}

// fileIndex reads index entries from the file as they are needed, through
// a one-block cache: memory does not grow with the log.
type fileIndex struct {
	f     io.ReaderAt
	lay   *layout
	base  int64 // offset of entry 0
	n     int
	limit int64 // chunks end before this offset
	blk   []byte
	first int // entry number of blk[0]
	count int // entries in blk
}

const indexBlock = 256 // entries per cached block (30 KB)

func (x *fileIndex) Len() int { return x.n }

func (x *fileIndex) At(i int) (ChunkInfo, error) {
	if i < 0 || i >= x.n {
		return ChunkInfo{}, fmt.Errorf("telemetry: chunk %d of %d", i, x.n)
	}
	if i < x.first || i >= x.first+x.count {
		x.first = i - i%indexBlock
		x.count = min(indexBlock, x.n-x.first)
		x.blk = growTo(x.blk, x.count*x.lay.entryLen)
		if _, err := x.f.ReadAt(x.blk, x.base+int64(x.first*x.lay.entryLen)); err != nil {
			x.count = 0
			return ChunkInfo{}, fmt.Errorf("telemetry: reading the index: %w", err)
		}
	}
	var c ChunkInfo
	k := (i - x.first) * x.lay.entryLen
	if err := x.lay.getEntry(x.blk[k:k+x.lay.entryLen], &c); err != nil {
		return ChunkInfo{}, fmt.Errorf("telemetry: index entry %d: %w", i, err)
	}
	if c.Offset+c.Length > x.limit {
		return ChunkInfo{}, fmt.Errorf("telemetry: index entry %d points past the index", i)
	}
	return c, nil
}

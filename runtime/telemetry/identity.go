package telemetry

import (
	"fmt"
	"sort"
)

// chunkFilter decides, as a scan meets chunks in file order, which belong
// to the log: a chunk of another log (a different id; for version 1 logs,
// any chunk after a second header), a second copy of a chunk, or a chunk
// whose number is not after the last one kept (moved) is reported as
// damage and left out of the data. Only intact chunks are judged: when a
// chunk is out of line, its checksum and that of the last chunk kept are
// checked first, so one damaged chunk number cannot cast out the chunks
// after it.
type chunkFilter struct {
	otherHead bool           // a second HEAD frame was met
	heads     map[LogID]bool // ids of the intact HEAD frames met after the first
	intact    map[int64]bool // checksums checked, by frame offset
}

func (f *chunkFilter) sawHead(id LogID) {
	if f.heads == nil {
		f.heads = map[LogID]bool{}
	}
	f.heads[id] = true
}

// plainly reports whether an out-of-line chunk is plainly what judge says,
// with no need to read it to rule out a damaged number or id: a chunk of a
// log whose header was met, or a copy of a kept chunk with the same
// records. (Two logs joined with cat are then judged without reading the
// second one.)
func (f *chunkFilter) plainly(idx memIndex, c *ChunkInfo, d *Damage) bool {
	if d.foreign {
		return f.heads[c.Log]
	}
	j := sort.Search(len(idx), func(i int) bool { return idx[i].Seq >= c.Seq })
	if j < len(idx) && idx[j].Seq == c.Seq {
		k := &idx[j]
		return k.Log == c.Log && k.FirstTick == c.FirstTick && k.LastTick == c.LastTick && k.Ticks == c.Ticks &&
			k.Events == c.Events && k.T0 == c.T0 && k.T1 == c.T1 && k.Length == c.Length
	}
	return false
}

func (f *chunkFilter) isIntact(r *Reader, c *ChunkInfo) bool {
	if f.intact == nil {
		f.intact = map[int64]bool{}
	}
	ok, seen := f.intact[c.Offset]
	if !seen {
		ok = r.frameIntact(c.Offset)
		f.intact[c.Offset] = ok
	}
	return ok
}

// accept reports whether c (met after the chunks of idx) belongs to the log;
// it reports the damage when not. It may drop the last chunk of idx when
// that one turns out damaged.
func (f *chunkFilter) accept(r *Reader, idx *memIndex, c ChunkInfo) bool {
	for {
		d, inLine := f.judge(r, *idx, &c)
		if inLine {
			return true
		}
		if !(d.Reason != "" && f.plainly(*idx, &c, &d)) && !f.isIntact(r, &c) {
			r.lose(&c, "checksum mismatch")
			return false
		}
		if n := len(*idx); n > 0 && !f.isIntact(r, &(*idx)[n-1]) {
			r.lose(&(*idx)[n-1], "checksum mismatch")
			*idx = (*idx)[:n-1]
			continue
		}
		if d.Reason == "" { // only a gap, or a first chunk that is not chunk 0: kept (gaps reports it)
			return true
		}
		r.report(d)
		return false
	}
}

// judge says whether c follows the chunks kept in line (the next id'd
// chunk number); if not, the damage it is (no Reason: a gap).
func (f *chunkFilter) judge(r *Reader, idx memIndex, c *ChunkInfo) (Damage, bool) {
	d := Damage{Offset: c.Offset, Length: c.Length, Chunk: int64(c.Seq)}
	what := fmt.Sprintf("%d ticks, %d events", c.Ticks, c.Events)
	if c.Ticks > 0 {
		what += fmt.Sprintf(", t = %.3f–%.3f s", c.T0, c.T1)
	}
	next := uint64(0)
	if len(idx) > 0 {
		next = idx[len(idx)-1].Seq + 1
	}
	switch {
	case r.Header.Version >= 2 && c.Log != r.Header.ID:
		d.Chunk, d.foreign = -1, true // not a chunk number of this log
		id := c.Log.String()
		if id == "" {
			id = "none"
		}
		d.Reason = fmt.Sprintf("a chunk of another log (id %s, its chunk %d: %s): left out", id, c.Seq, what)
	case r.Header.Version < 2 && f.otherHead:
		d.Chunk, d.foreign = -1, true
		d.Reason = fmt.Sprintf("a chunk after a second log header (its chunk %d: %s; version 1 logs carry no id, so it is taken for another log's): left out",
			c.Seq, what)
	case c.Seq == next:
		return d, true
	case len(idx) > 0 && c.Seq < next:
		j := sort.Search(len(idx), func(i int) bool { return idx[i].Seq >= c.Seq })
		if j < len(idx) && idx[j].Seq == c.Seq {
			d.Reason = fmt.Sprintf("a second copy of chunk %d (the first is at byte %d; %s): left out", c.Seq, idx[j].Offset, what)
		} else {
			d.Reason = fmt.Sprintf("chunk %d out of order (after chunk %d): left out", c.Seq, next-1)
			d.Ticks, d.Events, d.FirstTick, d.LastTick, d.T0, d.T1 = c.Ticks, c.Events, c.FirstTick, c.LastTick, c.T0, c.T1
		}
	}
	return d, false
}

// gaps reports chunk numbers missing between the chunks kept that no
// damage already reported explains (chunks cut out of the file).
func (f *chunkFilter) gaps(r *Reader, idx memIndex) {
	prevSeq, prevEnd := int64(-1), r.start
	for i := range idx {
		c := &idx[i]
		if int64(c.Seq) > prevSeq+1 && !r.explained(prevSeq+1, int64(c.Seq)-1, prevEnd, c.Offset) {
			what := fmt.Sprintf("chunk %d is missing", prevSeq+1)
			if int64(c.Seq) > prevSeq+2 {
				what = fmt.Sprintf("chunks %d–%d are missing", prevSeq+1, c.Seq-1)
			}
			r.report(Damage{Offset: c.Offset, Chunk: prevSeq + 1, Reason: what + fmt.Sprintf(" (the log goes from chunk %d to chunk %d)", prevSeq, c.Seq)})
		}
		prevSeq, prevEnd = int64(c.Seq), c.Offset+c.Length
	}
}

// explained reports whether damage already reported covers chunk numbers
// from…to or lies in the bytes between off0 and off1.
func (r *Reader) explained(from, to, off0, off1 int64) bool {
	for _, d := range r.damage {
		if (d.Chunk >= from && d.Chunk <= to) || (d.Chunk < 0 && !d.foreign && d.Offset >= off0 && d.Offset < off1) {
			return true
		}
	}
	return false
}

// frameHeader decodes the HEAD frame at off (p its prelude), if it is
// intact.
func (r *Reader) frameHeader(off int64, p prelude) (Header, bool) {
	if p.n > maxHeaderLen || off+preludeLen+p.n > r.size {
		return Header{}, false
	}
	b := make([]byte, p.n)
	if _, err := r.f.ReadAt(b, off+preludeLen); err != nil || checksum(b) != p.crc {
		return Header{}, false
	}
	h, err := unmarshalHeader(b)
	return h, err == nil
}

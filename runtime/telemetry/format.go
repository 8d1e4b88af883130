package telemetry

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"math"
)

// The file is a sequence of frames. Every frame is one msgpack value, a
// 3-element array with a fixed 16-byte prelude:
//
//	0x93                fixarray(3)
//	0xa4 T A G S        fixstr(4): the frame's tag
//	0xce C C C C        uint32: CRC-32C (Castagnoli) of the payload bytes
//	0xc6 L L L L        bin32: payload length L
//	payload (L bytes)   msgpack, layout by tag
//
// Frames: one HEAD, then CHNK frames, then at close one INDX and one TAIL.
// See docs/telemetry.md for the payloads.

// FormatName and FormatVersion identify the log format in the header.
// Version 2 added the log's identity (Header.ID, in every chunk and in the
// index), declared channels (Header.Declared) and the stop event; version 1
// logs still read.
const (
	FormatName    = "stride-telemetry"
	FormatVersion = 2
)

const (
	preludeLen = 16
	tailLen    = preludeLen + 9 // TAIL: prelude and a uint64

	tagHead = "HEAD"
	tagChnk = "CHNK"
	tagIndx = "INDX"
	tagTail = "TAIL"

	maxHeaderLen = 4 << 20   // a header is a few KB
	maxChunkLen  = 64 << 20  // a chunk is at most Options.ChunkTicks records
	maxIndexLen  = 512 << 20 // 136 B per chunk: 3.9 M chunks, 109 h at 10 Hz chunks
	minEventLen  = 8         // fixarray and seven one-byte values: a lower bound

	// msgpack codes of the fixed layouts.
	msgpBin32   = 0xc6
	msgpUint32  = 0xce
	msgpUint64  = 0xcf
	msgpFloat64 = 0xcb
	msgpArray32 = 0xdd
	msgpFixStr4 = 0xa4
	msgpFixArr2 = 0x92
	msgpFixArr3 = 0x93
)

// layout holds the sizes of a format version's fixed-width parts: the
// chunk metadata, the index entries and the index totals, all arrays of
// 9-byte values. Version 2 adds the log's identity to each (two uint64
// halves of the 128-bit id).
type layout struct {
	version     int
	metaFields  int // chunk metadata: 11 (v1), 13 (v2)
	metaLen     int // fixarray and fixed-width fields
	entryFields int // offset, frame length, the meta's fields
	entryLen    int // 118 (v1), 136 (v2) bytes
	totalFields int // index totals: 12 (v1), 14 (v2)
	totalsLen   int
	indexHead   int // fixarray(2), totals, array32 header
	chunkHead   int // fixarray(3) and the meta; then events, ticks
	scanPeek    int // what a scan reads of each chunk
}

func layoutFor(version int) layout {
	l := layout{version: version, metaFields: 11, totalFields: 12}
	if version >= 2 {
		l.metaFields, l.totalFields = 13, 14
	}
	l.metaLen = 1 + l.metaFields*9
	l.entryFields = 2 + l.metaFields
	l.entryLen = 1 + l.entryFields*9
	l.totalsLen = 1 + l.totalFields*9
	l.indexHead = 1 + l.totalsLen + 5
	l.chunkHead = 1 + l.metaLen
	l.scanPeek = preludeLen + l.chunkHead
	return l
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// putPrelude writes a frame prelude into b[:16].
func putPrelude(b []byte, tag string, payload []byte) {
	putPreludeCRC(b, tag, checksum(payload), int64(len(payload)))
}

// putPreludeCRC writes the prelude of a frame whose payload of n bytes has
// the checksum crc (for a payload written in pieces).
func putPreludeCRC(b []byte, tag string, crc uint32, n int64) {
	b[0] = msgpFixArr3
	b[1] = msgpFixStr4
	copy(b[2:6], tag)
	b[6] = msgpUint32
	binary.BigEndian.PutUint32(b[7:11], crc)
	b[11] = msgpBin32
	binary.BigEndian.PutUint32(b[12:16], uint32(n))
}

// prelude is a decoded frame prelude.
type prelude struct {
	tag string
	crc uint32
	n   int64 // payload length
}

// parsePrelude decodes b[:16]; ok is false when the bytes are not a prelude
// of a known tag.
func parsePrelude(b []byte) (p prelude, ok bool) {
	if len(b) < preludeLen || b[0] != msgpFixArr3 || b[1] != msgpFixStr4 || b[6] != msgpUint32 || b[11] != msgpBin32 {
		return p, false
	}
	switch tag := string(b[2:6]); tag {
	case tagHead, tagChnk, tagIndx, tagTail:
		p.tag = tag
	default:
		return p, false
	}
	p.crc = binary.BigEndian.Uint32(b[7:11])
	p.n = int64(binary.BigEndian.Uint32(b[12:16]))
	return p, true
}

// LogID is a log's identity: 128 random bits drawn when the log is
// created, written in the header and in every chunk, so a reader tells the
// log's own chunks from another log's (two logs concatenated). Version 1
// logs have none (the zero LogID).
type LogID [16]byte

// NewLogID draws a random LogID.
func NewLogID() (LogID, error) {
	var id LogID
	if _, err := rand.Read(id[:]); err != nil {
		return id, fmt.Errorf("telemetry: drawing a log id: %w", err)
	}
	return id, nil
}

// String is the id as 32 lowercase hex digits ("" for the zero id).
func (id LogID) String() string {
	if id.IsZero() {
		return ""
	}
	return hex.EncodeToString(id[:])
}

// IsZero reports whether id is the zero LogID (no id: a version 1 log).
func (id LogID) IsZero() bool { return id == LogID{} }

func (id LogID) halves() (hi, lo uint64) {
	return binary.BigEndian.Uint64(id[:8]), binary.BigEndian.Uint64(id[8:])
}

func logIDOf(hi, lo uint64) (id LogID) {
	binary.BigEndian.PutUint64(id[:8], hi)
	binary.BigEndian.PutUint64(id[8:], lo)
	return id
}

func parseLogID(s string) (LogID, error) {
	var id LogID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("log id %q is not 32 hex digits", s)
	}
	copy(id[:], b)
	return id, nil
}

// ChunkInfo describes one chunk: where it is and what it holds. The index
// holds one per chunk; a scan rebuilds them from the chunks' own metadata.
type ChunkInfo struct {
	Offset int64 // file offset of the chunk's frame
	Length int64 // frame length, prelude included

	Log       LogID   // the log the chunk belongs to (zero in version 1 logs)
	Seq       uint64  // chunk number in its log, from 0
	FirstTick uint64  // tick number of the first and last tick record
	LastTick  uint64  //
	T0, T1    float64 // time of the first and last tick record (of the events when no ticks)
	Ticks     uint64  // tick records
	Events    uint64  // event records
	Faults    uint32  // OR of the ticks' runtime fault bits
	HalFaults uint32  // OR of the ticks' bus and joint fault bits (hal.Fault)

	// Records the writer had dropped (ring full) since the log began, as of
	// this chunk's end.
	DroppedTicks, DroppedEvents uint64
}

func putU64(b []byte, v uint64) { b[0] = msgpUint64; binary.BigEndian.PutUint64(b[1:9], v) }
func putF64(b []byte, v float64) {
	b[0] = msgpFloat64
	binary.BigEndian.PutUint64(b[1:9], math.Float64bits(v))
}

func getU64(b []byte) (uint64, bool) {
	if b[0] != msgpUint64 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b[1:9]), true
}

func getF64(b []byte) (float64, bool) {
	if b[0] != msgpFloat64 {
		return 0, false
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b[1:9])), true
}

// putMeta writes the chunk metadata (fixed width, l.metaLen bytes).
func (l *layout) putMeta(b []byte, c *ChunkInfo) {
	b[0] = 0x90 | byte(l.metaFields)
	putU64(b[1:], c.Seq)
	putU64(b[10:], c.FirstTick)
	putU64(b[19:], c.LastTick)
	putF64(b[28:], c.T0)
	putF64(b[37:], c.T1)
	putU64(b[46:], c.Ticks)
	putU64(b[55:], c.Events)
	putU64(b[64:], uint64(c.Faults))
	putU64(b[73:], uint64(c.HalFaults))
	putU64(b[82:], c.DroppedTicks)
	putU64(b[91:], c.DroppedEvents)
	if l.metaFields > 11 {
		hi, lo := c.Log.halves()
		putU64(b[100:], hi)
		putU64(b[109:], lo)
	}
}

// getMeta decodes chunk metadata written by putMeta.
func (l *layout) getMeta(b []byte, c *ChunkInfo) error {
	if len(b) < l.metaLen || b[0] != 0x90|byte(l.metaFields) {
		return fmt.Errorf("chunk metadata is not an array of %d", l.metaFields)
	}
	var u [13]uint64
	for k := 0; k < l.metaFields; k++ {
		f := b[1+9*k:]
		var ok bool
		if k == 3 || k == 4 {
			var v float64
			v, ok = getF64(f)
			u[k] = math.Float64bits(v)
		} else {
			u[k], ok = getU64(f)
		}
		if !ok {
			return fmt.Errorf("chunk metadata field %d has msgpack code %#x", k, f[0])
		}
	}
	if u[7] > math.MaxUint32 || u[8] > math.MaxUint32 {
		return fmt.Errorf("chunk metadata: fault bits out of range")
	}
	*c = ChunkInfo{Offset: c.Offset, Length: c.Length, Log: logIDOf(u[11], u[12]), Seq: u[0], FirstTick: u[1],
		LastTick: u[2], T0: math.Float64frombits(u[3]), T1: math.Float64frombits(u[4]), Ticks: u[5], Events: u[6],
		Faults: uint32(u[7]), HalFaults: uint32(u[8]), DroppedTicks: u[9], DroppedEvents: u[10]}
	return nil
}

// checkMeta rejects metadata that cannot describe a chunk of payload length n.
func checkMeta(c *ChunkInfo, n int64) error {
	switch {
	case math.IsNaN(c.T0) || math.IsNaN(c.T1) || c.T1 < c.T0:
		return fmt.Errorf("chunk %d: time range %g…%g is not ordered", c.Seq, c.T0, c.T1)
	case c.Ticks > uint64(n) || c.Events > uint64(n)/minEventLen:
		return fmt.Errorf("chunk %d: %d ticks and %d events cannot fit %d bytes", c.Seq, c.Ticks, c.Events, n)
	case c.Ticks > 0 && c.LastTick < c.FirstTick:
		return fmt.Errorf("chunk %d: tick range %d…%d is not ordered", c.Seq, c.FirstTick, c.LastTick)
	}
	return nil
}

func (l *layout) putEntry(b []byte, c *ChunkInfo) {
	b[0] = 0x90 | byte(l.entryFields)
	putU64(b[1:], uint64(c.Offset))
	putU64(b[10:], uint64(c.Length))
	var m [1 + 13*9]byte
	l.putMeta(m[:], c)
	copy(b[19:l.entryLen], m[1:]) // the meta's fields without its array header
}

func (l *layout) getEntry(b []byte, c *ChunkInfo) error {
	if len(b) < l.entryLen || b[0] != 0x90|byte(l.entryFields) {
		return fmt.Errorf("index entry is not an array of %d", l.entryFields)
	}
	off, ok1 := getU64(b[1:])
	n, ok2 := getU64(b[10:])
	if !ok1 || !ok2 || off > math.MaxInt64 || n > maxChunkLen+preludeLen {
		return fmt.Errorf("index entry: bad offset or length")
	}
	var m [1 + 13*9]byte
	m[0] = 0x90 | byte(l.metaFields)
	copy(m[1:], b[19:l.entryLen])
	c.Offset, c.Length = int64(off), int64(n)
	return l.getMeta(m[:], c)
}

// indexTotals sums a log's chunks; the index stores it before the entries.
type indexTotals struct {
	Chunks, Ticks, Events       uint64
	DroppedTicks, DroppedEvents uint64
	Faults, HalFaults           uint64
	FirstTick, LastTick         uint64
	TFirst, TLast               float64
	Version                     uint64
	Log                         LogID // version 2
}

func (s *indexTotals) add(c *ChunkInfo) {
	if c.Ticks > 0 {
		if s.Ticks == 0 {
			s.FirstTick, s.TFirst = c.FirstTick, c.T0
		}
		s.LastTick, s.TLast = c.LastTick, c.T1
	}
	s.Chunks++
	s.Ticks += c.Ticks
	s.Events += c.Events
	s.Faults |= uint64(c.Faults)
	s.HalFaults |= uint64(c.HalFaults)
	s.DroppedTicks = max(s.DroppedTicks, c.DroppedTicks)
	s.DroppedEvents = max(s.DroppedEvents, c.DroppedEvents)
}

func (l *layout) putTotals(b []byte, s *indexTotals) {
	b[0] = 0x90 | byte(l.totalFields)
	hi, lo := s.Log.halves()
	v := [14]uint64{s.Version, s.Chunks, s.Ticks, s.Events, s.DroppedTicks, s.DroppedEvents,
		s.Faults, s.HalFaults, s.FirstTick, s.LastTick, 0, 0, hi, lo}
	for k := 0; k < l.totalFields; k++ {
		putU64(b[1+9*k:], v[k])
	}
	putF64(b[1+9*10:], s.TFirst)
	putF64(b[1+9*11:], s.TLast)
}

func (l *layout) getTotals(b []byte, s *indexTotals) error {
	if len(b) < l.totalsLen || b[0] != 0x90|byte(l.totalFields) {
		return fmt.Errorf("index totals are not an array of %d", l.totalFields)
	}
	var u [14]uint64
	for k := 0; k < l.totalFields; k++ {
		if k == 10 || k == 11 {
			continue
		}
		var ok bool
		if u[k], ok = getU64(b[1+9*k:]); !ok {
			return fmt.Errorf("index totals: field %d has msgpack code %#x", k, b[1+9*k])
		}
	}
	t0, ok1 := getF64(b[1+9*10:])
	t1, ok2 := getF64(b[1+9*11:])
	if !ok1 || !ok2 {
		return fmt.Errorf("index totals: times are not float64")
	}
	*s = indexTotals{Version: u[0], Chunks: u[1], Ticks: u[2], Events: u[3], DroppedTicks: u[4], DroppedEvents: u[5],
		Faults: u[6], HalFaults: u[7], FirstTick: u[8], LastTick: u[9], TFirst: t0, TLast: t1, Log: logIDOf(u[12], u[13])}
	return nil
}

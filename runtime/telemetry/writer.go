package telemetry

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// Options tune a Writer. The zero value of a field means its default.
type Options struct {
	// RingTicks and RingEvents are the records the loop may run ahead of the
	// writer goroutine (rounded up to a power of two). Defaults: 4096 ticks
	// (4 s at 1 kHz, about 11 MB) and 256 events.
	RingTicks, RingEvents int
	// FlushEvery bounds a chunk's span, in log time and in wall time: a
	// chunk is written once its first record is this old, so a power cut
	// loses at most this much. Default 100 ms.
	FlushEvery time.Duration
	// ChunkTicks bounds the tick records of one chunk. Default 1000.
	ChunkTicks int
	// NoSync skips the fsync after each chunk (tests, benchmarks, tmpfs).
	NoSync bool
	// Block makes Record and Event wait for room when the ring is full
	// instead of dropping the record. Only for producers that are not a
	// real-time loop: a lock-step simulation running faster than real time,
	// a converter.
	Block bool
}

func (o *Options) fill() {
	if o.RingTicks <= 0 {
		o.RingTicks = 4096
	}
	if o.RingEvents <= 0 {
		o.RingEvents = 256
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = 100 * time.Millisecond
	}
	if o.ChunkTicks <= 0 {
		o.ChunkTicks = 1000
	}
}

// Stats counts what a Writer has done so far.
type Stats struct {
	Ticks, Events               uint64 // records written to the file
	DroppedTicks, DroppedEvents uint64 // records lost: ring full, or after a write error or Close
	Chunks                      uint64 // chunks written
	Bytes                       int64  // file size so far
}

// ring is a single-producer single-consumer queue of fixed-size records.
// The producer fills slot head and publishes it by advancing head; the
// consumer reads slot tail and frees it by advancing tail.
type ring[T any] struct {
	buf  []T
	mask uint64
	head atomic.Uint64
	_    [56]byte // head and tail on separate cache lines
	tail atomic.Uint64
}

func newRing[T any](n int) *ring[T] {
	size := 1
	for size < n {
		size <<= 1
	}
	r := &ring[T]{buf: make([]T, size), mask: uint64(size - 1)}
	// Touch every page now: fresh memory from the OS is mapped on first
	// write, and a page fault is not for the control loop's Record (nor
	// should resident memory creep up while the ring fills the first time).
	var zero T
	for i := range r.buf {
		r.buf[i] = zero
	}
	return r
}

func (r *ring[T]) len() uint64 { return r.head.Load() - r.tail.Load() }

// slot returns the next free slot, or nil when the ring is full.
func (r *ring[T]) slot() *T {
	h := r.head.Load()
	if h-r.tail.Load() > r.mask {
		return nil
	}
	return &r.buf[h&r.mask]
}

func (r *ring[T]) publish() { r.head.Add(1) }

// peek returns the oldest published record, or nil.
func (r *ring[T]) peek() *T {
	t := r.tail.Load()
	if t == r.head.Load() {
		return nil
	}
	return &r.buf[t&r.mask]
}

func (r *ring[T]) release() { r.tail.Add(1) }

// Sink is where a Writer's bytes go: an *os.File, a hal/fileio Output's
// file, or a test double.
type Sink interface {
	io.Writer
	Sync() error
	Close() error
}

// Writer writes a telemetry log. The control loop calls Record (and Event)
// once per tick: they copy the record into a preallocated ring and return
// without allocating or blocking. A goroutine encodes the records, cuts
// them into checksummed chunks and writes them. Close writes the index.
//
// Record is called by one goroutine at a time (the loop). Event may be
// called by several. Neither may run concurrently with Close.
type Writer struct {
	h       Header
	opt     Options
	lay     layout
	defs    []chanDef
	nValues int // Tick.Values the declared channels use
	out     Sink

	ticks  *ring[Tick]
	events *ring[Event]
	evMu   sync.Mutex // serialises Event's producers

	wake    chan struct{} // producer → writer: records waiting
	room    chan struct{} // writer → producer (Block): slots freed
	quit    chan struct{} // Close → writer
	done    chan struct{} // writer exited
	closing atomic.Bool
	once    sync.Once

	nTicks, nEvents, dropTicks, dropEvents, nChunks atomic.Uint64
	nBytes                                          atomic.Int64
	err                                             error // the writer's first write error; read after done

	// Writer goroutine state.
	enc     *msgpack.Encoder
	tickBuf bytes.Buffer
	evBuf   bytes.Buffer
	frame   []byte
	index   indexStore // encoded index entries, spilled to a temporary file past 64 KiB
	totals  indexTotals
	cur     ChunkInfo // the chunk being filled
	curWall time.Time
	offset  int64
	seq     uint64
}

// Create creates (or truncates) the log file at path, writes h with the
// channels of its joints and its declared channels, and starts the writer
// goroutine. Records are written with the default Options. When the header
// cannot be written, a file Create made is removed; a path that existed
// before (a file, a device node) is never removed.
func Create(path string, h Header) (*Writer, error) {
	return CreateWith(path, h, Options{})
}

// CreateWith is Create with options.
func CreateWith(path string, h Header, opt Options) (*Writer, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	created := true
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, fs.ErrExist) {
		created = false
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
	}
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	w, err := NewWriter(f, h, opt)
	if err != nil {
		f.Close()
		if created {
			os.Remove(path)
		}
		return nil, fmt.Errorf("telemetry: %s: %w", path, err)
	}
	return w, nil
}

// NewWriter writes a log to out (a file opened by the caller, e.g. through
// hal/fileio's guards): the header at once, the records from a goroutine.
// Close closes out.
func NewWriter(out Sink, h Header, opt Options) (*Writer, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	opt.fill()
	h.Version = FormatVersion
	if h.ID.IsZero() {
		id, err := NewLogID()
		if err != nil {
			return nil, err
		}
		h.ID = id
	}
	h.Joints = append([]string(nil), h.Joints...)
	h.Declared = append([]Declared(nil), h.Declared...)
	h.Channels = append(Channels(h.Joints, h.Truth), declaredChannels(h.Declared)...)
	if h.Meta == nil {
		h.Meta = map[string]string{}
	}
	w := &Writer{h: h, opt: opt, lay: layoutFor(FormatVersion), defs: channelDefs(h.Joints, h.Truth, h.Declared), out: out,
		ticks: newRing[Tick](opt.RingTicks), events: newRing[Event](opt.RingEvents),
		wake: make(chan struct{}, 1), room: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	for _, d := range h.Declared {
		w.nValues += d.Size
	}
	w.enc = msgpack.NewEncoder(nil)
	w.totals.Version = FormatVersion
	w.totals.Log = h.ID
	hb, err := h.marshal()
	if err != nil {
		return nil, fmt.Errorf("encoding the header: %w", err)
	}
	if err := w.writeFrame(tagHead, hb); err != nil {
		return nil, fmt.Errorf("writing the header: %w", err)
	}
	go w.run()
	return w, nil
}

// Header returns the header as written (with Version, ID and Channels).
func (w *Writer) Header() *Header { return &w.h }

// Record hands a tick to the writer: a copy into the ring, no allocation, no
// blocking (unless Options.Block). When the ring is full the tick is
// counted as dropped.
func (w *Writer) Record(t *Tick) {
	if w.closing.Load() {
		w.dropTicks.Add(1)
		return
	}
	s := w.ticks.slot()
	for s == nil {
		w.notify()
		if !w.opt.Block || !w.waitRoom() {
			w.dropTicks.Add(1)
			return
		}
		s = w.ticks.slot()
	}
	copyTick(s, t, w.nValues)
	w.ticks.publish()
	if w.ticks.len() > w.ticks.mask/4 {
		w.notify()
	}
}

// copyTick copies src into dst, of Values only the first n: a tick is about
// 3.7 KB, and the declared channels seldom fill the slab. Every field of
// Tick is listed (TestCopyTick checks none is missed).
func copyTick(dst, src *Tick, n int) {
	dst.Time, dst.Tick = src.Time, src.Tick
	dst.Mode, dst.Gait, dst.GaitPhase = src.Mode, src.Gait, src.GaitPhase
	dst.Sensors = src.Sensors
	dst.Command = src.Command
	dst.Estimate = src.Estimate
	dst.Input = src.Input
	dst.Lateness, dst.Compute, dst.Faults = src.Lateness, src.Compute, src.Faults
	dst.HasTruth = src.HasTruth
	dst.Truth = src.Truth
	copy(dst.Values[:n], src.Values[:n])
}

// Event hands an event to the writer, like Record. It is safe for
// concurrent use.
func (w *Writer) Event(e *Event) {
	if w.closing.Load() {
		w.dropEvents.Add(1)
		return
	}
	w.evMu.Lock()
	s := w.events.slot()
	for s == nil {
		w.notify()
		if !w.opt.Block || !w.waitRoom() {
			w.evMu.Unlock()
			w.dropEvents.Add(1)
			return
		}
		s = w.events.slot()
	}
	*s = *e
	w.events.publish()
	w.evMu.Unlock()
	w.notify()
}

func (w *Writer) notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// waitRoom waits until the writer frees a slot; false when it has stopped.
func (w *Writer) waitRoom() bool {
	select {
	case <-w.room:
		return true
	case <-w.done:
		return false
	}
}

// Stats returns the counts so far.
func (w *Writer) Stats() Stats {
	return Stats{Ticks: w.nTicks.Load(), Events: w.nEvents.Load(), DroppedTicks: w.dropTicks.Load(),
		DroppedEvents: w.dropEvents.Load(), Chunks: w.nChunks.Load(), Bytes: w.nBytes.Load()}
}

// Close writes the records still in the ring, the last chunk, the index and
// the trailer, and closes the file. It returns the first error the writer
// met. Records handed over after Close are dropped. Close may be called
// more than once.
func (w *Writer) Close() error {
	w.once.Do(func() {
		w.closing.Store(true)
		close(w.quit)
		<-w.done
		if err := w.out.Close(); err != nil && w.err == nil {
			w.err = err
		}
	})
	if w.err != nil {
		return fmt.Errorf("telemetry: %w", w.err)
	}
	return nil
}

// run is the writer goroutine.
func (w *Writer) run() {
	defer close(w.done)
	defer w.index.close()
	tick := time.NewTicker(max(w.opt.FlushEvery/4, time.Millisecond))
	defer tick.Stop()
	for {
		closing := w.closing.Load()
		w.drain()
		if w.cur.Ticks+w.cur.Events > 0 && time.Since(w.curWall) >= w.opt.FlushEvery {
			w.flush()
		}
		if closing {
			w.drain()
			w.flush()
			w.finish()
			return
		}
		select {
		case <-w.wake:
		case <-tick.C:
		case <-w.quit:
		}
	}
}

// drain encodes every record in the rings, events before the ticks they do
// not come after, and writes chunks as they fill.
func (w *Writer) drain() {
	freed := false
	for {
		t, e := w.ticks.peek(), w.events.peek()
		if t == nil && e == nil {
			break
		}
		if e != nil && (t == nil || e.Tick <= t.Tick) {
			w.addEvent(e)
			w.events.release()
		} else {
			w.addTick(t)
			w.ticks.release()
		}
		freed = true
	}
	if freed && w.opt.Block {
		select {
		case w.room <- struct{}{}:
		default:
		}
	}
}

func (w *Writer) startChunk(t float64) {
	w.cur = ChunkInfo{Log: w.h.ID, Seq: w.seq, T0: t, T1: t}
	w.curWall = time.Now()
	w.tickBuf.Reset()
	w.evBuf.Reset()
}

func (w *Writer) addTick(t *Tick) {
	span := time.Duration(math.Round((t.Time - w.cur.T0) * 1e9)) // to the ns: 0.3 − 0.2 is 100 ms
	if w.cur.Ticks > 0 && (span >= w.opt.FlushEvery || w.cur.Ticks >= uint64(w.opt.ChunkTicks) ||
		w.tickBuf.Len() >= maxChunkLen/2) {
		w.flush()
	}
	if w.cur.Ticks+w.cur.Events == 0 {
		w.startChunk(t.Time)
	}
	if w.err != nil {
		w.dropTicks.Add(1)
		return
	}
	w.enc.Reset(&w.tickBuf)
	if err := encodeTick(w.enc, w.defs, t); err != nil {
		w.fail(err)
		return
	}
	c := &w.cur
	if c.Ticks == 0 {
		c.FirstTick, c.T0, c.T1 = t.Tick, t.Time, t.Time
	}
	c.LastTick, c.T1 = t.Tick, max(c.T1, t.Time)
	c.Ticks++
	c.Faults |= t.Faults
	hf := uint32(t.Sensors.BusFault)
	for j := 0; j < len(w.h.Joints); j++ {
		hf |= uint32(t.Sensors.JointFaults[j])
	}
	c.HalFaults |= hf
}

func (w *Writer) addEvent(e *Event) {
	if w.cur.Events > 0 && (w.cur.Events >= uint64(w.opt.ChunkTicks) || w.evBuf.Len() >= maxChunkLen/4) {
		w.flush()
	}
	if w.cur.Ticks+w.cur.Events == 0 {
		w.startChunk(e.Time)
	}
	if w.err != nil {
		w.dropEvents.Add(1)
		return
	}
	w.enc.Reset(&w.evBuf)
	if err := encodeEvent(w.enc, e); err != nil {
		w.fail(err)
		return
	}
	c := &w.cur
	if c.Ticks == 0 {
		c.T0, c.T1 = min(c.T0, e.Time), max(c.T1, e.Time)
	}
	c.Events++
}

// fail records the writer's first error; from then on records are dropped.
func (w *Writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// flush writes the current chunk, if it holds anything.
func (w *Writer) flush() {
	c := &w.cur
	if c.Ticks+c.Events == 0 {
		return
	}
	if w.err != nil {
		w.dropTicks.Add(c.Ticks)
		w.dropEvents.Add(c.Events)
		*c = ChunkInfo{}
		return
	}
	c.DroppedTicks, c.DroppedEvents = w.dropTicks.Load(), w.dropEvents.Load()
	n := w.lay.chunkHead + 5 + w.evBuf.Len() + 5 + w.tickBuf.Len()
	w.frame = growTo(w.frame, preludeLen+n)
	p := w.frame[preludeLen:]
	p[0] = msgpFixArr3
	w.lay.putMeta(p[1:], c)
	k := w.lay.chunkHead
	p[k] = msgpArray32
	binary.BigEndian.PutUint32(p[k+1:], uint32(c.Events))
	k += 5 + copy(p[k+5:], w.evBuf.Bytes())
	p[k] = msgpArray32
	binary.BigEndian.PutUint32(p[k+1:], uint32(c.Ticks))
	k += 5 + copy(p[k+5:], w.tickBuf.Bytes())
	putPrelude(w.frame, tagChnk, p[:k])
	c.Offset, c.Length = w.offset, int64(preludeLen+k)
	if err := w.write(w.frame[:preludeLen+k]); err != nil {
		w.fail(err)
		w.dropTicks.Add(c.Ticks)
		w.dropEvents.Add(c.Events)
		*c = ChunkInfo{}
		return
	}
	if !w.opt.NoSync {
		if err := w.out.Sync(); err != nil {
			w.fail(err)
		}
	}
	var e [1 + 15*9]byte
	w.lay.putEntry(e[:], c)
	w.index.add(e[:w.lay.entryLen])
	w.totals.add(c)
	w.nTicks.Add(c.Ticks)
	w.nEvents.Add(c.Events)
	w.nChunks.Add(1)
	w.seq++
	*c = ChunkInfo{}
}

// finish writes the index and the trailer. The index entries are streamed
// from the index store (memory and its spill file), so writing the index of
// a long log makes no copy of it.
func (w *Writer) finish() {
	if w.err != nil {
		return
	}
	w.totals.DroppedTicks, w.totals.DroppedEvents = w.dropTicks.Load(), w.dropEvents.Load()
	l := &w.lay
	head := make([]byte, l.indexHead)
	head[0] = msgpFixArr2
	l.putTotals(head[1:], &w.totals)
	head[1+l.totalsLen] = msgpArray32
	binary.BigEndian.PutUint32(head[2+l.totalsLen:], uint32(w.totals.Chunks))
	crc, err := w.index.crc(head)
	if err != nil {
		w.fail(fmt.Errorf("reading back the index entries: %w", err))
		return
	}
	at := w.offset
	var pre [preludeLen]byte
	putPreludeCRC(pre[:], tagIndx, crc, int64(len(head))+w.index.size())
	err = w.write(pre[:])
	if err == nil {
		err = w.write(head)
	}
	if err == nil {
		err = w.index.each(w.write)
	}
	if err != nil {
		w.fail(err)
		return
	}
	var t [9]byte
	putU64(t[:], uint64(at))
	if err := w.writeFrame(tagTail, t[:]); err != nil {
		w.fail(err)
		return
	}
	if err := w.out.Sync(); err != nil && !w.opt.NoSync {
		w.fail(err)
	}
}

func (w *Writer) writeFrame(tag string, payload []byte) error {
	b := make([]byte, preludeLen+len(payload))
	putPrelude(b, tag, payload)
	copy(b[preludeLen:], payload)
	return w.write(b)
}

func (w *Writer) write(b []byte) error {
	n, err := w.out.Write(b)
	w.offset += int64(n)
	w.nBytes.Store(w.offset)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return err
}

func growTo(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n, n+n/4)
	}
	return b[:n]
}

// encodeEvent writes e as a msgpack array: time, tick, kind, code, joint,
// values, text (bin, trailing NULs dropped).
func encodeEvent(enc *msgpack.Encoder, e *Event) error {
	n := len(e.Msg)
	for n > 0 && e.Msg[n-1] == 0 {
		n--
	}
	err := errors.Join(enc.EncodeArrayLen(7), enc.EncodeFloat64(e.Time), enc.EncodeUint(e.Tick),
		enc.EncodeUint(uint64(e.Kind)), enc.EncodeUint(uint64(e.Code)), enc.EncodeInt(int64(e.Joint)),
		enc.EncodeArrayLen(len(e.Values)))
	for _, v := range e.Values {
		err = errors.Join(err, enc.EncodeFloat64(v))
	}
	return errors.Join(err, enc.EncodeBytes(e.Msg[:n]))
}

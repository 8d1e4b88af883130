package telemetry

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/stride-robotics/stride/hal"
)

// jointNames returns n joint names.
func jointNames(n int) []string {
	j := make([]string, n)
	for i := range j {
		j[i] = fmt.Sprintf("joint_%d", i)
	}
	return j
}

func testHeader(n int, truth bool) Header {
	info := &hal.Info{Name: "test-robot"}
	for _, name := range jointNames(n) {
		info.Joints = append(info.Joints, hal.JointInfo{Name: name})
	}
	h := NewHeader(info, 1000)
	h.Source, h.Truth = "test", truth
	h.Meta["note"] = "unit test"
	return h
}

// randomTick fills every field a log with n joints records with random bits
// (NaNs, infinities and subnormals included); fields the log does not hold
// (joints past n, truth when !truth) stay zero.
func randomTick(rng *rand.Rand, n int, truth bool) Tick {
	var t Tick
	fillRandom(rng, reflect.ValueOf(&t).Elem(), n)
	t.Sensors.N, t.Command.N = n, n
	t.Values = [MaxValues]float64{} // no declared channels
	if !truth {
		t.HasTruth, t.Truth = false, BaseState{}
	}
	return t
}

func fillRandom(rng *rand.Rand, v reflect.Value, n int) {
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fillRandom(rng, v.Field(i), n)
		}
	case reflect.Array:
		m := v.Len()
		if m == hal.MaxJoints {
			m = n
		}
		for i := 0; i < m; i++ {
			fillRandom(rng, v.Index(i), n)
		}
	case reflect.Float64:
		switch rng.IntN(8) {
		case 0:
			v.SetFloat(math.Float64frombits(rng.Uint64())) // any bits: NaN payloads, ±Inf, subnormals
		case 1:
			v.SetFloat(math.Copysign(0, -1))
		default:
			v.SetFloat(rng.NormFloat64() * 10)
		}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(rng.Uint64() >> (64 - v.Type().Bits()))
	case reflect.Int:
		v.SetInt(int64(n))
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 1)
	default:
		panic("randomTick: unhandled kind " + v.Kind().String())
	}
}

func randomEvent(rng *rand.Rand, i int) Event {
	e := Event{Time: float64(i) / 1000, Tick: uint64(i), Kind: EventKind(1 + rng.IntN(4)), Code: rng.Uint32(),
		Joint: int16(rng.IntN(40) - 1)}
	for k := range e.Values {
		e.Values[k] = math.Float64frombits(rng.Uint64())
	}
	e.SetMsg(fmt.Sprintf("event %d: ünïcödé %x", i, rng.Uint64()))
	return e
}

// bitsEqual compares two values field by field, floats by their bits.
func bitsEqual(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !bitsEqual(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Array:
		for i := 0; i < a.Len(); i++ {
			if !bitsEqual(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Float64:
		return math.Float64bits(a.Float()) == math.Float64bits(b.Float())
	default:
		return a.Equal(b)
	}
}

// sameBits compares two records bit for bit. Both are pointer-free; their
// padding is zero (records are built from zero values), so comparing their
// memory is exact and fast. bitsEqual cross-checks it in TestSameBits.
func sameBits[T Tick | Event](a, b *T) bool {
	n := unsafe.Sizeof(*a)
	return bytes.Equal(unsafe.Slice((*byte)(unsafe.Pointer(a)), n), unsafe.Slice((*byte)(unsafe.Pointer(b)), n))
}

// diffTick names the first channel where two ticks differ.
func diffTick(h *Header, a, b *Tick) string {
	for _, c := range channelDefs(h.Joints, h.Truth, h.Declared) {
		var x, y uint64
		switch {
		case c.f64 != nil:
			x, y = math.Float64bits(*c.f64(a)), math.Float64bits(*c.f64(b))
		case c.u64 != nil:
			x, y = *c.u64(a), *c.u64(b)
		case c.u32 != nil:
			x, y = uint64(*c.u32(a)), uint64(*c.u32(b))
		case c.u8 != nil:
			x, y = uint64(*c.u8(a)), uint64(*c.u8(b))
		case c.i != nil:
			x, y = uint64(*c.i(a)), uint64(*c.i(b))
		case c.b != nil:
			if *c.b(a) {
				x = 1
			}
			if *c.b(b) {
				y = 1
			}
		}
		if x != y {
			return fmt.Sprintf("channel %s: wrote %#x, read %#x", c.Name, x, y)
		}
	}
	return "a field that is not a channel"
}

// writeTestLog writes ticks (at 1 kHz from tick 0) and events to a new log
// and returns its path.
func writeTestLog(t testing.TB, h Header, opt Options, ticks []Tick, events []Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.tlm")
	opt.Block, opt.NoSync = true, true
	w, err := CreateWith(path, h, opt)
	if err != nil {
		t.Fatal(err)
	}
	ei := 0
	for i := range ticks {
		for ei < len(events) && events[ei].Tick <= ticks[i].Tick {
			w.Event(&events[ei])
			ei++
		}
		w.Record(&ticks[i])
	}
	for ; ei < len(events); ei++ {
		w.Event(&events[ei])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if s := w.Stats(); s.DroppedTicks+s.DroppedEvents != 0 {
		t.Fatalf("writer dropped records in Block mode: %+v", s)
	}
	return path
}

// sequentialTicks returns n random ticks numbered from 0 at 1 kHz.
func sequentialTicks(seed uint64, n, joints int, truth bool) []Tick {
	rng := rand.New(rand.NewPCG(seed, 1))
	ts := make([]Tick, n)
	for i := range ts {
		ts[i] = randomTick(rng, joints, truth)
		ts[i].Tick, ts[i].Time = uint64(i), float64(i)/1000
	}
	return ts
}

func readAllTicks(t testing.TB, r *Reader) []Tick {
	t.Helper()
	var out []Tick
	for tk, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *tk)
	}
	return out
}

func mustOpen(t testing.TB, path string) *Reader {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// waitFor polls cond for up to 10 s (a liveness bound, not a speed claim).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func fileBytes(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSameBits(t *testing.T) {
	ts := sequentialTicks(9, 50, 24, true)
	for i := 1; i < len(ts); i++ {
		a, b := ts[i], ts[i]
		if !sameBits(&a, &b) || !bitsEqual(reflect.ValueOf(a), reflect.ValueOf(b)) {
			t.Fatal("a copy differs")
		}
		if sameBits(&ts[i-1], &ts[i]) || bitsEqual(reflect.ValueOf(ts[i-1]), reflect.ValueOf(ts[i])) {
			t.Fatal("different ticks compare equal")
		}
		b.Command.Joint[23].Kd = math.Float64frombits(math.Float64bits(b.Command.Joint[23].Kd) ^ 1)
		if sameBits(&a, &b) || bitsEqual(reflect.ValueOf(a), reflect.ValueOf(b)) {
			t.Fatal("a one-bit change compares equal")
		}
	}
}

package telemetry

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// TestRoundTripBitForBit writes random ticks and events (every field a log
// holds set to random bits: NaN payloads, ±Inf, −0, subnormals) and reads
// them back. The ticks are compared whole, so a Tick field that no channel
// carries would come back zero and fail the test.
func TestRoundTripBitForBit(t *testing.T) {
	for _, tc := range []struct {
		joints int
		truth  bool
	}{{24, true}, {3, false}, {32, true}} {
		h := testHeader(tc.joints, tc.truth)
		ticks := sequentialTicks(uint64(tc.joints), 2500, tc.joints, tc.truth)
		rng := rand.New(rand.NewPCG(7, 7))
		var events []Event
		for i := 0; i < 2500; i += 37 {
			events = append(events, randomEvent(rng, i))
		}
		path := writeTestLog(t, h, Options{}, ticks, events)
		r := mustOpen(t, path)
		got := readAllTicks(t, r)
		if len(got) != len(ticks) {
			t.Fatalf("%d joints: read %d ticks, wrote %d", tc.joints, len(got), len(ticks))
		}
		for i := range ticks {
			if !sameBits(&got[i], &ticks[i]) {
				t.Fatalf("%d joints: tick %d differs: %s", tc.joints, i, diffTick(&r.Header, &ticks[i], &got[i]))
			}
		}
		var gotEv []Event
		for e, err := range r.Events(math.Inf(-1), math.Inf(1)) {
			if err != nil {
				t.Fatal(err)
			}
			gotEv = append(gotEv, *e)
		}
		if len(gotEv) != len(events) {
			t.Fatalf("read %d events, wrote %d", len(gotEv), len(events))
		}
		for i := range events {
			if !sameBits(&gotEv[i], &events[i]) {
				t.Fatalf("event %d: wrote %+v, read %+v", i, events[i], gotEv[i])
			}
		}
		if d := r.Damage(); len(d) != 0 || !r.Indexed() {
			t.Fatalf("intact log: damage %v, indexed %v", d, r.Indexed())
		}
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	h := testHeader(4, true)
	h.ModelHash = HashModel([]byte("<mujoco/>"))
	h.Start = time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.UTC)
	h.ModeNames = []string{"none", "damping", "stand"}
	h.FaultNames = []string{"watchdog"}
	h.Meta["git.revision"] = "abc123"
	path := writeTestLog(t, h, Options{}, sequentialTicks(1, 10, 4, true), nil)
	r := mustOpen(t, path)
	g := r.Header
	if g.Robot != "test-robot" || g.ModelHash != h.ModelHash || g.Rate != 1000 || !g.Start.Equal(h.Start) ||
		!slices.Equal(g.Joints, h.Joints) || !g.Truth || g.Source != "test" || g.Version != FormatVersion ||
		g.Meta["git.revision"] != "abc123" || g.Meta["note"] != "unit test" ||
		!slices.Equal(g.ModeNames, h.ModeNames) || !slices.Equal(g.FaultNames, h.FaultNames) {
		t.Fatalf("header read back as %+v", g)
	}
	if !slices.Equal(g.Channels, Channels(h.Joints, true)) {
		t.Fatalf("channels differ")
	}
	// Every log gets its own random id, read back from the header and
	// carried by every chunk and the index.
	if g.ID.IsZero() || len(g.ID.String()) != 32 {
		t.Fatalf("log id %q", g.ID)
	}
	for i := 0; i < r.NumChunks(); i++ {
		if c, err := r.Chunk(i); err != nil || c.Log != g.ID {
			t.Fatalf("chunk %d: id %v (%v), header %v", i, c.Log, err, g.ID)
		}
	}
	if r2 := mustOpen(t, writeTestLog(t, h, Options{}, nil, nil)); r2.Header.ID == g.ID {
		t.Fatal("two logs got the same id")
	}
	if !strings.HasPrefix(h.ModelHash, "sha256:") || len(h.ModelHash) != 7+64 {
		t.Fatalf("hash %q", h.ModelHash)
	}
}

func TestChannelTable(t *testing.T) {
	j := jointNames(24)
	ch := Channels(j, true)
	// tick 6, sensors 3 + 3n + 10 + n + 1, commands 1 + 5n, estimate 24,
	// input 6, loop 2, truth 1 + 24.
	if want := 6 + 3 + 3*24 + 10 + 24 + 1 + 1 + 5*24 + 24 + 6 + 2 + 25; len(ch) != want {
		t.Fatalf("%d channels, want %d", len(ch), want)
	}
	if n := len(Channels(j, false)); n != len(ch)-25 {
		t.Fatalf("without truth: %d channels", n)
	}
	seen := map[string]bool{}
	units := map[string]string{}
	for _, c := range ch {
		if seen[c.Name] {
			t.Fatalf("channel %q twice", c.Name)
		}
		seen[c.Name] = true
		units[c.Name] = c.Unit
	}
	for name, unit := range map[string]string{"time": "s", "q.joint_0": "rad", "qd.joint_23": "rad/s", "tau.joint_5": "N·m",
		"cmd.kp.joint_1": "N·m/rad", "imu.accel.z": "m/s²", "truth.linvel.x": "m/s", "est.force.right.z": "N",
		"loop.lateness": "s", "fault.bus": "", "truth.valid": ""} {
		if u, ok := units[name]; !ok || u != unit {
			t.Errorf("channel %q: unit %q (present %v), want %q", name, u, ok, unit)
		}
	}
}

func TestHeaderValidation(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		mut  func(h *Header)
		want string
	}{
		{func(h *Header) { h.Rate = 0 }, "rate 0 Hz"},
		{func(h *Header) { h.Rate = math.NaN() }, "rate NaN Hz"},
		{func(h *Header) { h.Joints = nil }, "0 joints"},
		{func(h *Header) { h.Joints = jointNames(33) }, "33 joints"},
		{func(h *Header) { h.Joints[2] = h.Joints[0] }, `joints 0 and 2 are both named "joint_0"`},
		{func(h *Header) { h.Joints[1] = "left hip" }, `joint 1: name "left hip"`},
	} {
		h := testHeader(3, false)
		tc.mut(&h)
		_, err := Create(dir+"/x.tlm", h)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
	}
	if _, err := Create(dir+"/no/such/dir/x.tlm", testHeader(3, false)); err == nil || !strings.Contains(err.Error(), "no/such/dir") {
		t.Errorf("unwritable path: got %v", err)
	}
}

// TestSchemaEvolution reads a log whose header has a channel this reader
// does not know (skipped) and lacks one it knows (left zero), written with
// the documented frame layout by hand.
func TestSchemaEvolution(t *testing.T) {
	h := testHeader(2, false)
	h.Version, h.ID = FormatVersion, LogID{1, 2, 3}
	defs := channelDefs(h.Joints, false, nil)
	var keep []chanDef
	for _, d := range defs {
		if d.Name != "loop.compute" {
			keep = append(keep, d)
		}
	}
	future := 0.0
	keep = append(keep, chanDef{Channel: Channel{Name: "future.thing", Unit: "m", Type: F64}, f64: func(*Tick) *float64 { return &future }})
	h.Channels = nil
	for _, d := range keep {
		h.Channels = append(h.Channels, d.Channel)
	}
	ticks := sequentialTicks(3, 5, 2, false)
	b := handBuiltLog(t, &h, keep, ticks)
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	got := readAllTicks(t, r)
	if len(got) != len(ticks) {
		t.Fatalf("read %d ticks", len(got))
	}
	for i := range ticks {
		want := ticks[i]
		want.Compute = 0
		if !sameBits(&got[i], &want) {
			t.Fatalf("tick %d: %s", i, diffTick(&r.Header, &want, &got[i]))
		}
	}
}

// handBuiltLog assembles a log from the format's description: a HEAD frame
// and one CHNK frame, no index.
func handBuiltLog(t *testing.T, h *Header, defs []chanDef, ticks []Tick) []byte {
	hb, err := h.marshal()
	if err != nil {
		t.Fatal(err)
	}
	var recs bytes.Buffer
	enc := msgpack.NewEncoder(&recs)
	for i := range ticks {
		if err := encodeTick(enc, defs, &ticks[i]); err != nil {
			t.Fatal(err)
		}
	}
	meta := ChunkInfo{FirstTick: ticks[0].Tick, LastTick: ticks[len(ticks)-1].Tick, T0: ticks[0].Time,
		T1: ticks[len(ticks)-1].Time, Ticks: uint64(len(ticks))}
	payload := []byte{0x93}
	l := layoutFor(h.Version)
	m := make([]byte, l.metaLen)
	meta.Log = h.ID
	l.putMeta(m, &meta)
	payload = append(payload, m...)
	payload = append(payload, 0xdd, 0, 0, 0, 0)
	payload = append(payload, 0xdd)
	payload = binary.BigEndian.AppendUint32(payload, uint32(len(ticks)))
	payload = append(payload, recs.Bytes()...)
	frame := func(tag string, p []byte) []byte {
		f := make([]byte, preludeLen, preludeLen+len(p))
		putPrelude(f, tag, p)
		return append(f, p...)
	}
	return append(frame(tagHead, hb), frame(tagChnk, payload)...)
}

func TestEventSetMsg(t *testing.T) {
	var e Event
	e.SetMsg(strings.Repeat("é", 60)) // 120 bytes: cut at a rune boundary
	if got := e.Text(); got != strings.Repeat("é", 48) {
		t.Fatalf("got %q (%d bytes)", got, len(got))
	}
	e.SetMsg("short")
	if e.Text() != "short" || e.Msg[5] != 0 {
		t.Fatalf("got %q", e.Text())
	}
}

package telemetry

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixtureTick is the tick i of the old-format fixtures in testdata: fields
// set by formula, so the test needs no other record of what was written.
func fixtureTick(i int) Tick {
	var t Tick
	x := float64(i)
	t.Time, t.Tick, t.Mode, t.Gait, t.GaitPhase = x/1000, uint64(i), 3, 0, math.Mod(x/40, 1)
	t.Faults = uint32(i % 3)
	t.Sensors.Time, t.Sensors.Seq, t.Sensors.N = x/1000+1e-5, uint64(i+7), 2
	for j := 0; j < 2; j++ {
		t.Sensors.Q[j] = math.Sin(x/17 + float64(j))
		t.Sensors.Qd[j] = math.Cos(x/13 - float64(j))
		t.Sensors.Tau[j] = 10 * math.Sin(x/29+float64(j))
		t.Command.Joint[j].Tau = -t.Sensors.Tau[j]
		t.Command.Joint[j].Q = 0.1 * float64(j+1)
		t.Command.Joint[j].Kp, t.Command.Joint[j].Kd = 300, 8
	}
	t.Command.N = 2
	t.Sensors.IMU.Quat = [4]float64{1, 0, 0, 0}
	t.Sensors.IMU.Gyro = [3]float64{x / 1e3, -x / 1e3, 0.5}
	t.Sensors.IMU.Accel = [3]float64{0, 0, 9.81}
	t.Estimate.Pos = [3]float64{x / 1e4, 0, 0.7}
	t.Estimate.Quat = [4]float64{1, 0, 0, 0}
	t.Estimate.Contact = [2]float64{1, 0.5}
	t.Input.Vx, t.Input.Source = 0.25, 2
	t.Lateness, t.Compute = 1e-6*x, 2e-5
	t.HasTruth = true
	t.Truth.Pos = [3]float64{x / 1e4, 0.01, 0.71}
	t.Truth.Quat = [4]float64{1, 0, 0, 0}
	t.Truth.Force[0] = [3]float64{1, 2, 300 + x}
	return t
}

// fixtureEvents are the events of the old-format fixtures.
func fixtureEvents() []Event {
	e := []Event{{Time: 0, Tick: 0, Kind: EventModeChange, Code: 3, Joint: -1, Values: [4]float64{2, 3}},
		{Time: 0.021, Tick: 21, Kind: EventFault, Code: 4, Joint: 1, Values: [4]float64{1.5, 1}},
		{Time: 0.05, Tick: 50, Kind: EventNote, Joint: -1}}
	e[0].SetMsg("standup → stand")
	e[1].SetMsg("joint_1 over its limit")
	e[2].SetMsg("a note")
	return e
}

// fixtureHeader is the header of the old-format fixtures.
func fixtureHeader() Header {
	h := testHeader(2, true)
	h.Start = time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	h.ModeNames = []string{"none", "damping", "standup", "stand", "locomotion", "estop"}
	h.Meta = map[string]string{"note": "version 1 fixture"}
	return h
}

// TestReadsVersion1 reads a log written by the version 1 writer (kept in
// testdata as it was written): every tick bit for bit and every event, with
// its index and, cut before the index, by a scan; no damage.
func TestReadsVersion1(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "v1.tlm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, indexed := range []bool{true, false} {
		data := b
		if !indexed {
			data = b[:v1IndexAt(t, b)]
		}
		r, err := NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if r.Header.Version != 1 || !r.Header.ID.IsZero() || r.Indexed() != indexed || len(r.Header.Declared) != 0 {
			t.Fatalf("indexed %v: version %d, id %v, indexed %v", indexed, r.Header.Version, r.Header.ID, r.Indexed())
		}
		want := fixtureHeader()
		if r.Header.Robot != want.Robot || !slices.Equal(r.Header.Joints, want.Joints) || !r.Header.Start.Equal(want.Start) ||
			r.Header.Meta["note"] != "version 1 fixture" || !slices.Equal(r.Header.ModeNames, want.ModeNames) {
			t.Fatalf("header: %+v", r.Header)
		}
		got := readAllTicks(t, r)
		if len(got) != 60 {
			t.Fatalf("indexed %v: read %d ticks, want 60", indexed, len(got))
		}
		for i := range got {
			w := fixtureTick(i)
			if !sameBits(&got[i], &w) {
				t.Fatalf("indexed %v: tick %d: %s", indexed, i, diffTick(&r.Header, &w, &got[i]))
			}
		}
		var evs []Event
		for e, err := range r.Events(math.Inf(-1), math.Inf(1)) {
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, *e)
		}
		wantEv := fixtureEvents()
		if len(evs) != len(wantEv) {
			t.Fatalf("read %d events, want %d", len(evs), len(wantEv))
		}
		for i := range evs {
			if !sameBits(&evs[i], &wantEv[i]) {
				t.Fatalf("event %d: %+v, want %+v", i, evs[i], wantEv[i])
			}
		}
		if d, err := r.Verify(); err != nil || len(d) != 0 {
			t.Fatalf("indexed %v: damage %v, %v", indexed, d, err)
		}
		s := r.Summary()
		if s.Ticks != 60 || s.Chunks != 3 || s.Events != 3 || s.LastTick != 59 {
			t.Fatalf("summary %+v", s)
		}
	}
}

// v1IndexAt is the offset of a version 1 log's INDX frame (from its TAIL).
func v1IndexAt(t *testing.T, b []byte) int {
	p, ok := parsePrelude(b[len(b)-tailLen:])
	if !ok || p.tag != tagTail {
		t.Fatal("fixture has no trailer")
	}
	at, _ := getU64(b[len(b)-tailLen+preludeLen:])
	return int(at)
}

// TestVersion1Concatenated: two version 1 logs joined with cat carry no ids,
// but the second header and the chunk numbers starting again give them
// away: the first log's ticks are read, the rest is reported.
func TestVersion1Concatenated(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "v1.tlm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{append(bytes.Clone(b), b...), append(bytes.Clone(b[:v1IndexAt(t, b)]), b...)} {
		r, err := NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		got := readAllTicks(t, r)
		d, err := r.Verify()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 60 || got[59].Tick != 59 || r.Summary().Ticks != 60 {
			t.Fatalf("read %d ticks (summary %d), want the first log's 60", len(got), r.Summary().Ticks)
		}
		if len(d) != 4 || !strings.Contains(d[0].Reason, "second log header") || !strings.Contains(d[1].Reason, "after a second log header") {
			t.Fatalf("damage %v: want the second header and its 3 chunks", d)
		}
	}
}

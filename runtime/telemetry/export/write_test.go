package export

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/foxglove/mcap/go/mcap"
)

// CSV values are exact, integers have no fraction, non-finite values are
// spelt NaN/+Inf/-Inf, and the range is inclusive.
func TestWriteCSV(t *testing.T) {
	r := open(t, testLog(t, 300, nil))
	cols, err := Select(&r.Header, []string{"time,tick,q.*,truth.speed"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	n, err := WriteCSV(&b, r, cols, 0.004, 0.150)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if n != 147 || len(lines) != 148 || lines[0] != "time,tick,q.a,q.b,truth.speed" {
		t.Fatalf("%d rows, %d lines, header %q", n, len(lines), lines[0])
	}
	if lines[2] != "0.005,5,"+strconv.FormatFloat(math.Sin(5.0/7), 'g', -1, 64)+",NaN,"+strconv.FormatFloat(math.Hypot(0.015, 0.02), 'g', -1, 64) {
		t.Errorf("tick 5 row %q", lines[2])
	}
	for i, l := range lines[1:] {
		f := strings.Split(l, ",")
		k := i + 4
		want := tickAt(k)
		q, _ := strconv.ParseFloat(f[2], 64)
		if f[1] != strconv.Itoa(k) || q != want.Sensors.Q[0] {
			t.Fatalf("row %d: %q, want tick %d q.a %v", i+1, l, k, want.Sensors.Q[0])
		}
	}
}

// The MCAP file reads back with the MCAP library: a topic per channel
// group, messages nested by name, non-finite values as null, events merged
// in time order, the header as metadata.
func TestWriteMCAP(t *testing.T) {
	r := open(t, testLog(t, 300, nil, 3, 150))
	cols := AllColumns(&r.Header)
	var b bytes.Buffer
	ticks, events, err := WriteMCAP(&b, r, cols, 0, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	if ticks != 201 || events != 2 {
		t.Fatalf("%d ticks, %d events; want 201, 2", ticks, events)
	}
	rd, err := mcap.NewReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	info, err := rd.Info()
	if err != nil {
		t.Fatal(err)
	}
	topics := len(info.Channels)
	if n := info.Statistics.MessageCount; n != uint64(201*(topics-1)+2) {
		t.Errorf("%d messages for %d topics, want 201 per tick topic and 2 events", n, topics)
	}
	if md := info.MetadataIndexes; len(md) != 2 {
		t.Errorf("%d metadata records, want stride.header and stride.meta", len(md))
	}
	it, err := rd.Messages(mcap.WithTopics([]string{"/q", "/truth", "/events"}))
	if err != nil {
		t.Fatal(err)
	}
	var last uint64
	var nq, nev int
	for {
		_, ch, msg, err := it.NextInto(nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if msg.LogTime < last {
			t.Fatalf("log time goes back at %s", ch.Topic)
		}
		last = msg.LogTime
		var m map[string]any
		if err := json.Unmarshal(msg.Data, &m); err != nil {
			t.Fatalf("%s: %v: %s", ch.Topic, err, msg.Data)
		}
		switch ch.Topic {
		case "/q":
			if nq == 5 && (m["b"] != nil || m["a"] != math.Sin(5.0/7) || m["t"] != 0.005) {
				t.Errorf("/q at tick 5: %s", msg.Data)
			}
			nq++
		case "/truth":
			if z := m["pos"].(map[string]any)["z"]; nq == 10 && z != tickAt(9).Truth.Pos[2] {
				t.Errorf("/truth at tick 9: pos.z %v", z)
			}
		case "/events":
			if nev == 0 && (m["tick"] != 3.0 || m["kind"] != "mode" || !strings.Contains(m["summary"].(string), "→ stand: standing")) {
				t.Errorf("first event %s", msg.Data)
			}
			nev++
		}
	}
	if nq != 201 || nev != 2 {
		t.Errorf("read %d /q and %d /events messages", nq, nev)
	}
}

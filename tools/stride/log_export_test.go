package main

import (
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/foxglove/mcap/go/mcap"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

func TestLogExportCSV(t *testing.T) {
	p := standLog(t)
	out := filepath.Join(t.TempDir(), "x.csv")
	msg, err := runLog(t, "export", p, "--csv", out, "--channels", "time,q.left_knee_pitch,truth.speed", "--channels", "tick", "--from", "0.5", "--to", "0.6")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, msg, "101 ticks × 4 channels")
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 102 || lines[0] != "time,q.left_knee_pitch,truth.speed,tick" {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
	r, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	k := r.Header.ChannelIndex("q.left_knee_pitch") - r.Header.ChannelIndex("q.left_hip_pitch")
	i := 1
	for tk, err := range r.Ticks(0.5, 0.6) {
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Split(lines[i], ",")
		q, _ := strconv.ParseFloat(f[1], 64)
		sp, _ := strconv.ParseFloat(f[2], 64)
		if math.Float64bits(q) != math.Float64bits(tk.Sensors.Q[k]) || sp != math.Hypot(tk.Truth.LinVel[0], tk.Truth.LinVel[1]) ||
			f[3] != strconv.FormatUint(tk.Tick, 10) {
			t.Fatalf("row %d: %q, tick %d q %v", i, lines[i], tk.Tick, tk.Sensors.Q[k])
		}
		i++
	}
	for _, tc := range []struct{ args, want string }{
		{"--channels,nope.*", `--channels "nope.*" matches no channel`},
		{"--from,2,--to,1", "want from ≤ to"},
		{"", "give exactly one of --csv OUT.csv or --mcap OUT.mcap"},
	} {
		args := []string{"export", p, "--csv", out, "--force"} // out exists: written above
		if tc.args == "" {
			args = []string{"export", p}
		} else {
			args = append(args, strings.Split(tc.args, ",")...)
		}
		if _, err := runLog(t, args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", args, err, tc.want)
		}
	}
}

// TestLogExportMCAP checks the MCAP file with the MCAP library's own reader:
// its index and statistics, a topic per channel group, and exact values.
func TestLogExportMCAP(t *testing.T) {
	p := standLog(t)
	out := filepath.Join(t.TempDir(), "x.mcap")
	if _, err := runLog(t, "export", p, "--mcap", out); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := mcap.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	info, err := rd.Info()
	if err != nil {
		t.Fatal(err)
	}
	topics := map[string]uint16{}
	for id, c := range info.Channels {
		topics[c.Topic] = id
		if c.MessageEncoding != "json" || info.Schemas[c.SchemaID].Encoding != "jsonschema" {
			t.Errorf("channel %s: encoding %s", c.Topic, c.MessageEncoding)
		}
	}
	for _, want := range []string{"/tick", "/q", "/qd", "/tau", "/imu", "/cmd", "/est", "/truth", "/loop", "/input", "/sensors", "/fault", "/events"} {
		if _, ok := topics[want]; !ok {
			t.Errorf("no topic %s in %v", want, topics)
		}
	}
	if n := info.Statistics.MessageCount; n != uint64(2000*(len(topics)-1)+3) {
		t.Errorf("%d messages, want 2000 per topic and 3 events", n)
	}
	if len(info.ChunkIndexes) == 0 || info.Statistics.ChannelCount != uint32(len(topics)) {
		t.Errorf("no chunk index, or channel count %d", info.Statistics.ChannelCount)
	}
	r, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var first telemetry.Tick
	for tk := range r.Ticks(0, 0) {
		first = *tk
	}
	it, err := rd.Messages(mcap.WithTopics([]string{"/q", "/truth", "/events"}))
	if err != nil {
		t.Fatal(err)
	}
	var seenQ, seenTruth, seenEvents int
	var lastTime uint64
	msg := new(mcap.Message)
	for {
		_, ch, msg, err := it.NextInto(msg)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if msg.LogTime < lastTime {
			t.Fatalf("log time goes back at %s", ch.Topic)
		}
		lastTime = msg.LogTime
		var m map[string]any
		if err := json.Unmarshal(msg.Data, &m); err != nil {
			t.Fatalf("%s: %v: %s", ch.Topic, err, msg.Data)
		}
		switch ch.Topic {
		case "/q":
			if seenQ == 0 && (m["t"] != 0.0 || m["left_knee_pitch"] != first.Sensors.Q[3]) {
				t.Errorf("/q first message %v, want left_knee_pitch %v", m, first.Sensors.Q[3])
			}
			seenQ++
		case "/truth":
			if seenTruth == 0 && m["pos"].(map[string]any)["z"] != first.Truth.Pos[2] {
				t.Errorf("/truth first message %v", m["pos"])
			}
			seenTruth++
		case "/events":
			seenEvents++
		}
	}
	if seenQ != 2000 || seenTruth != 2000 || seenEvents != 3 {
		t.Errorf("read %d /q, %d /truth, %d /events messages", seenQ, seenTruth, seenEvents)
	}
}

// A CSV selection without time gets the time column first.
func TestLogExportCSVAddsTime(t *testing.T) {
	p := standLog(t)
	out := filepath.Join(t.TempDir(), "x.csv")
	if _, err := runLog(t, "export", p, "--csv", out, "--channels", "truth.pos.z", "--to", "0.01"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if first := strings.SplitN(string(b), "\n", 2)[0]; first != "time,truth.pos.z" {
		t.Errorf("header %q, want time,truth.pos.z", first)
	}
}

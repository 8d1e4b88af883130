package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/foxglove/mcap/go/mcap"

	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/export"
	"github.com/stride-robotics/stride/runtime/telemetry/telemetrytest"
	"github.com/stride-robotics/stride/sim/viewer/xvfb"
)

// standLog makes a 2 s log of the built-in robot standing, pushed at 1 s.
func standLog(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "run.tlm")
	if _, err := telemetrytest.Log(p, telemetrytest.Run{Duration: 2, PushAt: 1, PushFor: 0.2, PushForce: [3]float64{80, 0, 0}}); err != nil {
		t.Fatal(err)
	}
	return p
}

// runLog runs `stride log ARGS…` in-process and returns what it printed.
func runLog(t *testing.T, args ...string) (string, error) {
	t.Helper()
	c := parse(t, append([]string{"log"}, args...)...)
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = f
	switch args[0] {
	case "info":
		err = c.Log.Info.Run()
	case "export":
		err = c.Log.Export.Run()
	case "plot":
		err = c.Log.Plot.Run()
	case "replay":
		err = c.Log.Replay.Run()
	case "rerun":
		err = c.Log.Rerun.Run()
	}
	os.Stdout = old
	f.Seek(0, io.SeekStart)
	out, _ := io.ReadAll(f)
	f.Close()
	return string(out), err
}

func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestLogInfo(t *testing.T) {
	p := standLog(t)
	out, err := runLog(t, "info", p)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out, "Stride telemetry v2", ", indexed", "robot      stride-pm01 (sha256:", "duration   1.999 s",
		"ticks      2000 (numbers 0 … 1999), 20 chunks", "rate       1000 Hz (measured 1000.00 Hz)",
		"channels   294 per tick, ground truth included", "dropped    0 ticks, 0 events", "gaps       none",
		"events     2:", "mode  → stand", "note  push 80 N for 0.20 s", "stand.kp: 300")
	out, err = runLog(t, "info", p, "--verify", "--channels")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out, "every chunk's checksum and records verified", "timing     lateness max", "  q.left_hip_pitch rad",
		"  truth.speed m/s", "  cmd.kd.head_yaw N·m·s/rad")
	out, err = runLog(t, "info", p, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var in export.Info
	if err := json.Unmarshal([]byte(out), &in); err != nil || in.Ticks != 2000 || in.Events != 2 || !in.Indexed {
		t.Fatalf("json: %v %+v", err, in)
	}

	// A crashed writer (the log cut mid-chunk) and a flipped byte: info
	// rebuilds the index, names what was lost, and reads the rest.
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	c5, _ := r.Chunk(5)
	c12, _ := r.Chunk(12)
	r.Close()
	b = b[:c12.Offset+c12.Length/2]
	b[c5.Offset+c5.Length/2] ^= 0x40
	bad := filepath.Join(t.TempDir(), "crashed.tlm")
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runLog(t, "info", bad, "--verify")
	if err == nil || !strings.Contains(err.Error(), "2 damaged parts") {
		t.Fatalf("--verify on a damaged log: %v, want an error (exit status 1)", err)
	}
	mustContain(t, out, "no index: the writer did not close the log", "ticks      1200 (numbers 0 … 1199), 12 chunks; 1100 readable, the rest in damaged chunks",
		"2 damaged parts, 200 ticks lost",
		"chunk 5, bytes", "checksum mismatch", "lost 100 ticks (500–599", "the writer stopped while writing it; lost 100 ticks (1200–1299",
		"largest time step 101.000 ms")
}

// TestLogInfoVerifyConcatenated: a log appended to itself with cat reads
// as the one log (2000 ticks, not 4000) and --verify fails naming the
// second copies.
func TestLogInfoVerifyConcatenated(t *testing.T) {
	p := standLog(t)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	n := r.NumChunks() // about 20: chunks are cut at 100 ticks or 100 ms of wall time
	r.Close()
	twice := filepath.Join(t.TempDir(), "twice.tlm")
	if err := os.WriteFile(twice, append(b, b...), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runLog(t, "info", twice)
	if err != nil { // without --verify, damage is listed, the status is 0
		t.Fatal(err)
	}
	mustContain(t, out, fmt.Sprintf("ticks      2000 (numbers 0 … 1999), %d chunks", n), "second copy of this log's header",
		fmt.Sprintf("a second copy of chunk %d ", n-1))
	if _, err = runLog(t, "info", twice, "--verify"); err == nil || !strings.Contains(err.Error(), fmt.Sprintf(" %d damaged parts", n+1)) {
		t.Fatalf("--verify: %v, want %d damaged parts", err, n+1)
	}
	if _, err = runLog(t, "info", p, "--verify"); err != nil {
		t.Fatalf("--verify on the intact log: %v", err)
	}
}

func TestLogInfoGapsAndDrops(t *testing.T) {
	h := telemetry.Header{Robot: "two", Rate: 1000, Joints: []string{"a", "b"}, Meta: map[string]string{}}
	p := filepath.Join(t.TempDir(), "gaps.tlm")
	w, err := telemetry.CreateWith(p, h, telemetry.Options{Block: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		if i >= 100 && i < 150 { // the loop skipped these ticks
			continue
		}
		tk := telemetry.Tick{Time: float64(i) / 1000, Tick: uint64(i), Faults: 1 << 9}
		tk.Sensors.JointFaults[1] = 2
		w.Record(&tk)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := runLog(t, "info", p)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, out, "gaps       50 ticks missing in 1 gaps:", "50 ticks after tick 99 (t = 0.099 s)",
		"faults     runtime: bit 9; drives and bus: over-temperature")
}

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
	if n := info.Statistics.MessageCount; n != uint64(2000*(len(topics)-1)+2) {
		t.Errorf("%d messages, want 2000 per topic and 2 events", n)
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
	if seenQ != 2000 || seenTruth != 2000 || seenEvents != 2 {
		t.Errorf("read %d /q, %d /truth, %d /events messages", seenQ, seenTruth, seenEvents)
	}
}

func TestLogPlot(t *testing.T) {
	p := standLog(t)
	out := filepath.Join(t.TempDir(), "p.png")
	msg, err := runLog(t, "plot", p, "--channels", "truth.speed", "--channels", "tau.*", "-o", out, "--size", "800x600", "--points", "100")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, msg, "2 panels, 2000 ticks")
	checkPNG(t, out, 800, 600)
	if _, err := runLog(t, "plot", p, "--channels", "tau.nope", "-o", out, "--force"); err == nil || !strings.Contains(err.Error(), "matches no channel") {
		t.Errorf("unknown channel: %v", err)
	}
	if _, err := runLog(t, "plot", p, "--channels", "time", "-o", "x.svg"); err == nil || !strings.Contains(err.Error(), "PNG") {
		t.Errorf("svg name: %v", err)
	}
}

// checkPNG decodes a PNG, checks its size and that it is not blank.
func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X != w || s.Y != h {
		t.Fatalf("%s is %v, want %dx%d", path, s, w, h)
	}
	colors := map[[4]uint32]bool{}
	for y := 0; y < h; y += 7 {
		for x := 0; x < w; x += 7 {
			r, g, b, a := img.At(x, y).RGBA()
			colors[[4]uint32{r, g, b, a}] = true
		}
	}
	if len(colors) < 5 {
		t.Fatalf("%s looks blank: %d colours", path, len(colors))
	}
}

// TestLogPlotREADME makes the README's plot from a real `stride sim --log`
// run when STRIDE_UPDATE_DOCS=1: base speed and joint torques of standup
// and stand.
func TestLogPlotREADME(t *testing.T) {
	if os.Getenv("STRIDE_UPDATE_DOCS") == "" {
		t.Skip("set STRIDE_UPDATE_DOCS=1 to rewrite docs/img/log-plot.png")
	}
	p := filepath.Join(t.TempDir(), "run.tlm")
	if _, err := parse(t, "sim", "--headless", "--duration", "6s", "--log", p).Sim.simulate(); err != nil {
		t.Fatal(err)
	}
	if _, err := runLog(t, "plot", p, "--channels", "truth.speed", "--channels", "tau.*", "-o", "../../docs/img/log-plot.png"); err != nil {
		t.Fatal(err)
	}
}

func TestLogReplayText(t *testing.T) {
	p := standLog(t)
	out, err := runLog(t, "replay", p, "--text", "--every", "500ms", "--from", "0.25")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2+4 || !strings.HasPrefix(strings.TrimSpace(lines[2]), "0.250       250 stand") {
		t.Fatalf("replay text:\n%s", out)
	}
	// A log without ground truth replays its estimate, and says so.
	h := telemetry.Header{Robot: "two", Rate: 1000, Joints: []string{"a", "b"}}
	q := filepath.Join(t.TempDir(), "robot.tlm")
	w, _ := telemetry.Create(q, h)
	w.Record(&telemetry.Tick{})
	w.Close()
	if _, err := runLog(t, "replay", q, "--text"); err == nil || !strings.Contains(err.Error(), "--source estimate") {
		t.Errorf("truth replay of a robot log: %v", err)
	}
	if out, err := runLog(t, "replay", q, "--text", "--source", "estimate"); err != nil || !strings.Contains(out, "estimate base pose") {
		t.Errorf("estimate replay: %v\n%s", err, out)
	}
}

// TestLogReplayScreenshot renders a replayed state off-screen (the binary,
// under a private Xvfb) and checks the picture.
func TestLogReplayScreenshot(t *testing.T) {
	if !xvfb.Available() {
		t.Skip("Xvfb is not installed (apt-get install xvfb; make test installs it)")
	}
	p := standLog(t)
	png := filepath.Join(t.TempDir(), "replay.png")
	out, errOut, err := run(t, []string{"DISPLAY="}, "log", "replay", p, "--screenshot", png, "--from", "1.1", "--size", "320x240")
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, errOut)
	}
	mustContain(t, out, "tick 1100 at t = 1.100 s")
	checkPNG(t, png, 320, 240)
}

func TestLogRerun(t *testing.T) {
	// A run of the runtime (damping → standup → stand): the stand ticks
	// re-run to the same commands, the estimator to the same estimate.
	p := filepath.Join(t.TempDir(), "rt.tlm")
	if _, err := parse(t, "sim", "--headless", "--duration", "2.5s", "--log", p).Sim.simulate(); err != nil {
		t.Fatal(err)
	}
	out, err := runLog(t, "rerun", p)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	mustContain(t, out, "gains kp 300, kd 8 (joint left_hip_pitch) from the log's runtime.config", "re-ran 500 of 2500; 2000 in standup",
		"estimator   estimator.IMUOnly", "re-ran 2500 ticks", "result      matches the log")
	// What if kp had been 200: the difference is reported, exit status 1.
	out, err = runLog(t, "rerun", p, "--kp", "200")
	if err == nil || !strings.Contains(err.Error(), "differs from the log") {
		t.Fatalf("--kp 200: %v", err)
	}
	if !regexp.MustCompile(`kp\s+N·m/rad\s+100\s+100\s+t = 2\.0`).MatchString(out) {
		t.Errorf("--kp 200: no kp difference of 100 after standup:\n%s", out)
	}
	mustContain(t, out, "result      DIFFERS")
	// telemetrytest's logs carry stand.kp/stand.kd metadata.
	if out, err := runLog(t, "rerun", standLog(t)); err != nil || !strings.Contains(out, "from the log's stand.kp/stand.kd metadata") ||
		!strings.Contains(out, "the log has no estimate") {
		t.Fatalf("telemetrytest log: %v\n%s", err, out)
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

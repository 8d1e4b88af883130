package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim/viewer/xvfb"
)

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
		"estimator   estimator.InEKF", "re-ran 2500 ticks", "result      matches the log")
	// What if kp had been 200: the difference is reported, exit status 1.
	out, err = runLog(t, "rerun", p, "--kp", "200")
	if err == nil || !strings.Contains(err.Error(), "differs from the log") {
		t.Fatalf("--kp 200: %v", err)
	}
	if !regexp.MustCompile(`kp\s+N·m/rad\s+100\s+100\s+t = 2\.0`).MatchString(out) {
		t.Errorf("--kp 200: no kp difference of 100 after standup:\n%s", out)
	}
	mustContain(t, out, "result      DIFFERS")
	// telemetrytest's logs are the runtime loop's own, with its config:
	// the re-run reproduces them.
	if out, err := runLog(t, "rerun", standLog(t)); err != nil || !strings.Contains(out, "from the log's runtime.config") {
		t.Fatalf("telemetrytest log: %v\n%s", err, out)
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

package main

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stride-robotics/stride/sim/viewer/xvfb"
)

// strideBin builds the stride binary once for the viewer's command-line
// tests (they run it as a user does: GLFW wants the main thread of a
// process of its own).
func strideBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stride-view-test")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "stride")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{err, string(out)}
		}
	})
	if binErr != nil {
		t.Fatalf("go build: %v", binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// run runs the binary with env changes (NAME= unsets NAME) and returns
// stdout, stderr and the error.
func run(t *testing.T, env []string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(strideBin(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = os.Environ()
	for _, e := range env {
		name, val, _ := strings.Cut(e, "=")
		cmd.Env = append(filterEnv(cmd.Env, name), name+"="+val)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

func filterEnv(env []string, name string) []string {
	var r []string
	for _, e := range env {
		if !strings.HasPrefix(e, name+"=") {
			r = append(r, e)
		}
	}
	return r
}

var noX = []string{"DISPLAY=", "WAYLAND_DISPLAY="}

// TestSimScreenshot is the documented way to make a figure: off-screen
// rendering after the given simulated time. Without DISPLAY the command
// starts its own Xvfb.
func TestSimScreenshot(t *testing.T) {
	if !xvfb.Available() {
		t.Skip("Xvfb is not installed (apt-get install xvfb): no X server can be started")
	}
	out := filepath.Join(t.TempDir(), "robot.png")
	stdout, stderr, err := run(t, noX, "sim", "--screenshot", out, "--duration", "1s", "--size", "640x360", "--overlays", "com,support")
	if err != nil {
		t.Fatalf("stride sim --screenshot: %v\n%s%s", err, stdout, stderr)
	}
	if !strings.Contains(stdout, "wrote "+out+" (640x360) at t = 1.000 s") {
		t.Errorf("stdout %q does not report the picture", stdout)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 360 {
		t.Fatalf("screenshot is %v, want 640x360", b)
	}
	colours := map[uint32]bool{}
	for y := 0; y < 360; y += 2 {
		for x := 0; x < 640; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|b>>8] = true
		}
	}
	if len(colours) < 100 {
		t.Errorf("the screenshot has %d colours: blank", len(colours))
	}
}

func TestSimRecord(t *testing.T) {
	if !xvfb.Available() {
		t.Skip("Xvfb is not installed (apt-get install xvfb): no X server can be started")
	}
	dir := filepath.Join(t.TempDir(), "frames")
	stdout, stderr, err := run(t, noX, "sim", "--record", dir, "--record-fps", "20", "--duration", "0.2s", "--size", "320x180")
	if err != nil {
		t.Fatalf("stride sim --record: %v\n%s%s", err, stdout, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "frame_*.png"))
	// frames at 0, 0.05, 0.1, 0.15 and 0.2 s
	if len(files) != 5 || !strings.Contains(stdout, "wrote 5 frames") {
		t.Errorf("%d frames (%v); stdout %q", len(files), files, stdout)
	}
}

// TestSimWithoutDisplayRunsHeadless: no display, no failure: one line says
// so and the headless run follows.
func TestSimWithoutDisplayRunsHeadless(t *testing.T) {
	stdout, stderr, err := run(t, noX, "sim", "--duration", "0.1s")
	if err != nil {
		t.Fatalf("stride sim without a display: %v\n%s%s", err, stdout, stderr)
	}
	var viewerLines []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.Contains(l, "headless") || strings.Contains(l, "display") {
			viewerLines = append(viewerLines, l)
		}
	}
	if len(viewerLines) != 1 || !strings.Contains(viewerLines[0], "no display") || !strings.Contains(viewerLines[0], "running headless") {
		t.Errorf("stderr %q: want one line saying there is no display and it runs headless", stderr)
	}
	if !strings.Contains(stdout, "simulated 0.100 s") {
		t.Errorf("stdout %q: no headless summary", stdout)
	}
}

func TestSimViewerFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--screenshot", "x.png", "--size", "12x"}, "--size"},
		{[]string{"--screenshot", "x.png", "--overlays", "com,bogus"}, "bogus"},
		{[]string{"--slow", "3"}, "--slow"},
		{[]string{"--record", "d", "--record-fps", "0"}, "--record-fps"},
	} {
		_, stderr, err := run(t, noX, append([]string{"sim", "--duration", "0.1s"}, c.args...)...)
		if err == nil || !strings.Contains(stderr, c.want) {
			t.Errorf("stride sim %v: err %v, stderr %q; want a failure naming %s", c.args, err, stderr, c.want)
		}
	}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

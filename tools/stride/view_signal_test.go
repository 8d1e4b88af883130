package main

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stride-robotics/stride/sim/viewer/xvfb"
)

// syncBuffer is a bytes.Buffer a test can read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// signalWhen starts the binary with args and env, sends sig once ready
// reports true (polled every 50 ms, for at most a minute), and returns the
// exit status, stdout and stderr.
func signalWhen(t *testing.T, env []string, sig syscall.Signal, ready func(stderr string) bool, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(strideBin(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = os.Environ()
	for _, e := range env {
		name, val, _ := strings.Cut(e, "=")
		cmd.Env = append(filterEnv(cmd.Env, name), name+"="+val)
	}
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); !ready(stderr.String()); time.Sleep(50 * time.Millisecond) {
		if time.Since(start) > time.Minute {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the run did not get under way\n%s", stderr.String())
		}
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("no exit within a minute of %v\n%s", sig, stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// SIGTERM ends `stride sim --record` in order: every frame written is a
// whole PNG, the count is reported, the exit status is 143 and the message
// says what was kept.
func TestSimRecordStopsInOrderOnSIGTERM(t *testing.T) {
	if !xvfb.Available() {
		t.Skip("Xvfb is not installed (apt-get install xvfb): no X server can be started")
	}
	dir := filepath.Join(t.TempDir(), "frames")
	frames := func() []string {
		f, _ := filepath.Glob(filepath.Join(dir, "frame_*.png"))
		return f
	}
	code, stdout, stderr := signalWhen(t, noX, syscall.SIGTERM, func(string) bool { return len(frames()) >= 3 },
		"sim", "--record", dir, "--record-fps", "20", "--duration", "600s", "--size", "160x90")
	if code != 143 {
		t.Fatalf("exit status %d, want 143\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "stride: interrupted by SIGTERM: stopped at t = ") ||
		!strings.Contains(stderr, "the robot put to damping; the frames written are complete (exit status 143)") {
		t.Errorf("stderr:\n%s", stderr)
	}
	files := frames()
	if !strings.Contains(stdout, "wrote "+strconv.Itoa(len(files))+" frames") {
		t.Errorf("%d frames on disk; stdout %q", len(files), stdout)
	}
	all, _ := os.ReadDir(dir)
	if len(all) != len(files) {
		t.Errorf("%d files in the directory, %d frames: something else was left", len(all), len(files))
	}
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(f); err != nil {
			t.Errorf("%s: not a whole PNG: %v", p, err)
		}
		f.Close()
	}
}

// SIGTERM closes the viewer's window in order: the loop is closed (the robot
// put to damping), the closing line is printed and the exit status is 143.
func TestSimWindowStopsInOrderOnSIGTERM(t *testing.T) {
	if !xvfb.Available() {
		t.Skip("Xvfb is not installed (apt-get install xvfb): no X server can be started")
	}
	srv, err := xvfb.Start(320, 180)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	code, stdout, stderr := signalWhen(t, []string{"DISPLAY=" + srv.Display, "WAYLAND_DISPLAY="}, syscall.SIGTERM,
		func(stderr string) bool { return strings.Contains(stderr, "fps") },
		"sim", "--duration", "600s", "--size", "320x180", "--fps")
	if code != 143 {
		t.Fatalf("exit status %d, want 143\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "viewer closed at t = ") ||
		!strings.Contains(stderr, "stride: interrupted by SIGTERM: the window was closed and the robot put to damping (exit status 143)") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

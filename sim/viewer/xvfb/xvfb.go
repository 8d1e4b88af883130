package xvfb

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Server is a running Xvfb.
type Server struct {
	Display string // the DISPLAY value of the server, ":N"
	cmd     *exec.Cmd
	exited  chan struct{}
}

// ErrNotInstalled is returned by Start when there is no Xvfb binary.
var ErrNotInstalled = errors.New("xvfb: Xvfb is not installed (Debian: apt-get install xvfb)")

// Available reports whether an Xvfb binary is on PATH.
func Available() bool {
	_, err := exec.LookPath("Xvfb")
	return err == nil
}

// Start starts Xvfb with one screen of w×h pixels at 24 bits on a free
// display and waits until it accepts clients (at most 10 s).
func Start(w, h int) (*Server, error) {
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, ErrNotInstalled
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("xvfb: %w", err)
	}
	defer pr.Close()
	cmd := exec.Command(bin, "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", w, h),
		"-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{pw} // fd 3
	dieWithParent(cmd)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		pw.Close()
		return nil, fmt.Errorf("xvfb: %w", err)
	}
	pw.Close()
	s := &Server{cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()

	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case line := <-got:
		if _, err := strconv.Atoi(line); err != nil {
			s.Close()
			return nil, fmt.Errorf("xvfb: Xvfb did not report a display (%q): %s", line, lastLine(stderr.String()))
		}
		s.Display = ":" + line
		return s, nil
	case <-time.After(10 * time.Second):
		s.Close()
		return nil, fmt.Errorf("xvfb: Xvfb did not start within 10 s: %s", lastLine(stderr.String()))
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return "no message"
	}
	return s
}

// Close stops the server and waits for it to exit.
func (s *Server) Close() error {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.exited:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	return nil
}

package viewer

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// DisplayError explains why no window (or no OpenGL 3.3 context) can be
// had: no display, an X server that does not answer, GLFW or OpenGL failing
// to start. A caller can fall back to running without a window.
type DisplayError struct{ Reason string }

func (e *DisplayError) Error() string { return e.Reason }

// CheckDisplay reports whether an X server is reachable through DISPLAY
// (this build of GLFW draws through X11; under Wayland, XWayland provides
// one). It returns a *DisplayError saying why not, in one line, or nil. It
// connects to the server's socket and hangs up, so that a stale DISPLAY is
// caught before GLFW would fail on it.
func CheckDisplay() error {
	d := os.Getenv("DISPLAY")
	if d == "" {
		if os.Getenv("WAYLAND_DISPLAY") != "" {
			return &DisplayError{"no X display: WAYLAND_DISPLAY is set but DISPLAY is not (the viewer needs X11 or XWayland)"}
		}
		return &DisplayError{"no display: DISPLAY and WAYLAND_DISPLAY are not set"}
	}
	host, num, err := parseDisplay(d)
	if err != nil {
		return &DisplayError{err.Error()}
	}
	var addrs [][2]string
	if host == "" || host == "unix" {
		p := "/tmp/.X11-unix/X" + strconv.Itoa(num)
		addrs = [][2]string{{"unix", p}, {"unix", "@" + p}}
	} else {
		addrs = [][2]string{{"tcp", net.JoinHostPort(host, strconv.Itoa(6000+num))}}
	}
	for _, a := range addrs {
		c, err := net.DialTimeout(a[0], a[1], 2*time.Second)
		if err == nil {
			c.Close()
			return nil
		}
	}
	return &DisplayError{fmt.Sprintf("no X server answers on DISPLAY=%s", d)}
}

// parseDisplay splits an X display name [host]:number[.screen].
func parseDisplay(d string) (host string, num int, err error) {
	i := strings.LastIndexByte(d, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("DISPLAY=%q is not of the form [host]:number[.screen]", d)
	}
	host, rest := d[:i], d[i+1:]
	if j := strings.IndexByte(rest, '.'); j >= 0 {
		rest = rest[:j]
	}
	host = strings.TrimSuffix(host, "/unix")
	num, err = strconv.Atoi(rest)
	if err != nil || num < 0 {
		return "", 0, fmt.Errorf("DISPLAY=%q is not of the form [host]:number[.screen]", d)
	}
	return host, num, nil
}

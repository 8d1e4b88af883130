package viewer

import (
	"os"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/viewer/xvfb"
)

func TestParseDisplay(t *testing.T) {
	for _, c := range []struct {
		in   string
		host string
		num  int
		bad  bool
	}{
		{":0", "", 0, false},
		{":12.0", "", 12, false},
		{"unix:3", "unix", 3, false},
		{"localhost:10.0", "localhost", 10, false},
		{"host/unix:1", "host", 1, false},
		{"[::1]:2", "[::1]", 2, false},
		{"nonsense", "", 0, true},
		{":x", "", 0, true},
		{":-1", "", 0, true},
	} {
		host, num, err := parseDisplay(c.in)
		if c.bad {
			if err == nil || !strings.Contains(err.Error(), c.in) {
				t.Errorf("parseDisplay(%q) = %q, %d, %v; want an error naming it", c.in, host, num, err)
			}
			continue
		}
		if err != nil || host != c.host || num != c.num {
			t.Errorf("parseDisplay(%q) = %q, %d, %v; want %q, %d", c.in, host, num, err, c.host, c.num)
		}
	}
}

func TestCheckDisplay(t *testing.T) {
	d, wl := os.Getenv("DISPLAY"), os.Getenv("WAYLAND_DISPLAY")
	defer func() { os.Setenv("DISPLAY", d); os.Setenv("WAYLAND_DISPLAY", wl) }()
	for _, c := range []struct{ display, wayland, want string }{
		{"", "", "DISPLAY and WAYLAND_DISPLAY are not set"},
		{"", "wayland-0", "WAYLAND_DISPLAY is set but DISPLAY is not"},
		{":987", "", "no X server answers on DISPLAY=:987"},
	} {
		os.Setenv("DISPLAY", c.display)
		os.Setenv("WAYLAND_DISPLAY", c.wayland)
		err := CheckDisplay()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("DISPLAY=%q WAYLAND_DISPLAY=%q: %v, want one line with %q", c.display, c.wayland, err, c.want)
		}
	}
	if !xvfb.Available() {
		t.Skip("Xvfb is not installed: cannot check a reachable display")
	}
	srv, err := xvfb.Start(320, 240)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.Display, ":") {
		t.Fatalf("display %q", srv.Display)
	}
	os.Setenv("DISPLAY", srv.Display)
	if err := CheckDisplay(); err != nil {
		t.Errorf("a running Xvfb on %s: %v", srv.Display, err)
	}
	srv.Close()
	if err := CheckDisplay(); err == nil {
		t.Errorf("a stopped Xvfb on %s still answers", srv.Display)
	}
}

package viewer

import (
	"fmt"
	"image"
	"math"
	"os"
	"testing"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/viewer/xvfb"
)

// GL must run on the main OS thread, but tests run on their own goroutines:
// TestMain keeps the main goroutine (locked to the main thread by the
// package's init) serving the functions that onMain sends it.
var mainCalls = make(chan func())

// noDisplay says why GL tests skip ("" when an X server is there).
var noDisplay string

func TestMain(m *testing.M) {
	srv, err := xvfb.Start(1600, 1000)
	switch {
	case err == nil:
		os.Setenv("DISPLAY", srv.Display)
	case CheckDisplay() == nil: // no Xvfb, but a display
	default:
		noDisplay = fmt.Sprintf("no X server can be started (%v) and none is reachable (%v)", err, CheckDisplay())
	}
	done := make(chan int)
	go func() { done <- m.Run() }()
	var code int
loop:
	for {
		select {
		case f := <-mainCalls:
			f()
		case code = <-done:
			break loop
		}
	}
	srv.Close()
	os.Exit(code)
}

// onMain runs f on the main thread and waits for it. f must not call
// t.Fatal (that would end the main goroutine): return errors instead.
func onMain(f func()) {
	ch := make(chan struct{})
	mainCalls <- func() { defer close(ch); f() }
	<-ch
}

// needDisplay skips t when no X server could be had.
func needDisplay(t *testing.T) {
	t.Helper()
	if noDisplay != "" {
		t.Skip(noDisplay)
	}
}

// standingWorld returns the built-in robot on terrain t (nil: flat) from its
// home keyframe, and a tick holding the home pose with joint PD at the
// drives (the stand controller's law), 1 ms per tick.
func standingWorld(tb testing.TB, t *sim.Terrain) (*sim.World, func() error) {
	tb.Helper()
	m, err := models.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	if t == nil {
		t = sim.FlatGround(1)
	}
	w, err := sim.NewWorld(m, t, sim.DefaultOptions())
	if err != nil {
		tb.Fatal(err)
	}
	q0 := make([]float64, m.Nu)
	for i := range m.Actuators {
		q0[i] = w.Qpos[m.Joints[m.Actuators[i].Joint].QAdr]
	}
	tick := func() error {
		for i := range w.Drive {
			w.Drive[i] = sim.DriveCommand{Q: q0[i], Kp: 300, Kd: 8}
		}
		return w.Step()
	}
	return w, tick
}

// offscreen makes an off-screen renderer on the main thread.
func offscreen(t *testing.T, w *sim.World, opt Options) *Offscreen {
	t.Helper()
	needDisplay(t)
	var o *Offscreen
	var err error
	onMain(func() { o, err = NewOffscreen(w.Model, w.Terrain, opt) })
	if err != nil {
		t.Fatalf("NewOffscreen: %v", err)
	}
	t.Cleanup(func() { onMain(o.Close) })
	return o
}

// render renders s and returns a copy of the image.
func render(t *testing.T, o *Offscreen, s *Snapshot) *image.RGBA {
	t.Helper()
	var img *image.RGBA
	var err error
	onMain(func() {
		img, err = o.Render(s)
		if err == nil {
			img = cloneRGBA(img)
		}
	})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return img
}

// pixelDiff returns the mask of pixels whose colour differs by more than
// tol (max over channels, 0–255) between a and b, and how many do.
func pixelDiff(a, b *image.RGBA, tol int) ([]bool, int) {
	mask := make([]bool, a.Rect.Dx()*a.Rect.Dy())
	n := 0
	for i := range mask {
		d := 0
		for k := 0; k < 3; k++ {
			d = max(d, abs(int(a.Pix[4*i+k])-int(b.Pix[4*i+k])))
		}
		if d > tol {
			mask[i] = true
			n++
		}
	}
	return mask, n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func approx(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.7g, want %.7g ± %g", what, got, want, tol)
	}
}

// savePNGFor writes img under the test's temp dir when STRIDE_VIEWER_OUT
// names a directory (for looking at what a test rendered).
func savePNGFor(t *testing.T, name string, img image.Image) {
	if dir := os.Getenv("STRIDE_VIEWER_OUT"); dir != "" {
		if err := SavePNG(dir+"/"+name+".png", img); err != nil {
			t.Log(err)
		}
	}
}

package viewer

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/go-gl/gl/v3.3-core/gl"
	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/rbd"
)

// GLFW (and so every function here that opens a window or draws) must run on
// the program's main thread: lock the main goroutine to it.
func init() { runtime.LockOSThread() }

// Options configure a window or an off-screen renderer.
type Options struct {
	Width, Height int     // pixels; 0: 1280×720
	Title         string  // window title; "": "Stride — <model>"
	Camera        Preset  // initial camera view
	Overlays      Overlay // overlays on at the start
	NoShadows     bool    // start with shadows off
	Help          bool    // show the key help at the start
	HideHUD       bool    // hide the status line
	ForceScale    float64 // m of arrow per N of contact force; 0: DefaultForceScale
	Samples       int     // multisample anti-aliasing samples; 0: 4 (but none in a window on a software renderer), −1: none
	MaxFPS        float64 // window frame-rate cap; 0: 60
	PrintFPS      bool    // print the frame rate to stderr once a second
	ScreenshotDir string  // where the screenshot key writes PNGs; "": the working directory
	Frames        int     // close the window after this many frames (0: when the user closes it); for tests and measurements
	// Stop closes the window, as the user closing it does, when it is
	// closed (nil: never): a signal's orderly stop.
	Stop <-chan struct{}
}

// stopped reports whether c is closed.
func stopped(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func (o *Options) defaults(m *rbd.Model) {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 1280, 720
	}
	if o.Title == "" {
		o.Title = "Stride — " + m.Name
	}
	if o.ForceScale <= 0 {
		o.ForceScale = DefaultForceScale
	}
	if o.MaxFPS <= 0 {
		o.MaxFPS = 60
	}
}

func (o *Options) view() *View {
	v := NewView(o.Camera, o.Overlays)
	v.Shadows, v.Help, v.HUD, v.ForceScale = !o.NoShadows, o.Help, !o.HideHUD, o.ForceScale
	return v
}

// glfwUsers counts open windows; GLFW is terminated when it drops to zero.
var glfwUsers int

// openWindow initialises GLFW when needed and opens a window with a GL 3.3
// core context, current on this thread. GLFW panics on some failures (an X
// server that goes away): they come back as errors.
func openWindow(w, h int, title string, visible bool) (win *glfw.Window, err error) {
	if err := CheckDisplay(); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			win, err = nil, &DisplayError{fmt.Sprintf("GLFW: %v", p)}
		}
	}()
	if glfwUsers == 0 {
		if err := glfw.Init(); err != nil {
			return nil, &DisplayError{"GLFW: " + err.Error()}
		}
	}
	glfwUsers++
	ok := false
	defer func() {
		if !ok {
			releaseGLFW()
		}
	}()
	glfw.DefaultWindowHints()
	glfw.WindowHint(glfw.ContextVersionMajor, 3)
	glfw.WindowHint(glfw.ContextVersionMinor, 3)
	glfw.WindowHint(glfw.OpenGLProfile, glfw.OpenGLCoreProfile)
	glfw.WindowHint(glfw.OpenGLForwardCompatible, glfw.True)
	glfw.WindowHint(glfw.Samples, 0) // anti-aliasing is done in a framebuffer object
	vis := glfw.False
	if visible {
		vis = glfw.True
	}
	glfw.WindowHint(glfw.Visible, vis)
	win, err = glfw.CreateWindow(w, h, title, nil, nil)
	if err != nil {
		return nil, &DisplayError{"cannot open a window with an OpenGL 3.3 core context: " + err.Error()}
	}
	win.MakeContextCurrent()
	if err := gl.Init(); err != nil {
		win.Destroy()
		return nil, &DisplayError{"OpenGL: " + err.Error()}
	}
	ok = true
	return win, nil
}

func releaseGLFW() {
	glfwUsers--
	if glfwUsers == 0 {
		glfw.Terminate()
	}
}

// GLInfo returns the renderer and version strings of the current context.
func GLInfo() string {
	return fmt.Sprintf("%s, OpenGL %s", gl.GoStr(gl.GetString(gl.RENDERER)), gl.GoStr(gl.GetString(gl.VERSION)))
}

// softwareRenderer reports whether the current context renders on the CPU
// (Mesa's llvmpipe, softpipe or swrast).
func softwareRenderer() bool {
	r := strings.ToLower(gl.GoStr(gl.GetString(gl.RENDERER)))
	return strings.Contains(r, "llvmpipe") || strings.Contains(r, "softpipe") || strings.Contains(r, "swrast")
}

// samples resolves Options.Samples for the current context: 0 means 4,
// except in a window on a software renderer, where anti-aliasing would cost
// about a third of the frame rate; negative means none. The result is
// clamped to what the GL supports.
func samples(opt int, window bool) int32 {
	n := int32(opt)
	if opt == 0 {
		n = 4
		if window && softwareRenderer() {
			n = 0
		}
	}
	var most int32
	gl.GetIntegerv(gl.MAX_SAMPLES, &most)
	n = min(n, most)
	if n < 2 {
		return 0
	}
	return n
}

// Run opens a window on r's world, starts r, draws its snapshots until the
// window is closed (or Esc), then stops r. It returns the error that stopped
// the simulation, if any, or a *DisplayError saying why no window could be
// opened (then r was not started: the caller can run headless instead).
// Call it from the main goroutine.
func Run(r *Runner, opt Options) error {
	w := r.World
	return Watch(w.Model, w.Terrain, r.Exchange, r, opt, func() { r.Start() }, func() error { return r.Stop() })
}

// Watch opens a window drawing the snapshots published to ex for model m on
// terrain t, sending the control keys to actions (nil: none). start runs
// once the window is open and stop when it closes; either may be nil. A
// log-replay source publishes into ex the way Runner does. Call it from the
// main goroutine.
func Watch(m *rbd.Model, t *sim.Terrain, ex *Exchange, actions Actions, opt Options, start func(), stop func() error) error {
	opt.defaults(m)
	win, err := openWindow(opt.Width, opt.Height, opt.Title, true)
	if err != nil {
		return err
	}
	defer releaseGLFW()
	defer win.Destroy()
	glfw.SwapInterval(1)
	ren, err := newRenderer(m, t)
	if err != nil {
		return err
	}
	defer ren.delete()
	// Anti-aliasing: draw into a multisampled framebuffer the size of the
	// window's, then resolve it into the window's.
	ns := samples(opt.Samples, true)
	var ms struct {
		fbo  uint32
		rb   [2]uint32
		w, h int
	}
	defer func() {
		if ms.fbo != 0 {
			gl.DeleteFramebuffers(1, &ms.fbo)
			gl.DeleteRenderbuffers(2, &ms.rb[0])
		}
	}()

	v := opt.view()
	v.Actions = actions
	win.SetKeyCallback(func(_ *glfw.Window, k glfw.Key, _ int, a glfw.Action, mods glfw.ModifierKey) {
		switch a {
		case glfw.Press:
			v.Key(k, mods)
		case glfw.Repeat:
			v.KeyRepeat(k, mods)
		}
	})
	win.SetMouseButtonCallback(func(_ *glfw.Window, b glfw.MouseButton, a glfw.Action, mods glfw.ModifierKey) {
		v.MouseButton(b, a == glfw.Press, mods)
	})
	win.SetCursorPosCallback(func(w *glfw.Window, x, y float64) {
		_, h := w.GetSize()
		v.CursorMove(x, y, float64(h))
	})
	win.SetScrollCallback(func(_ *glfw.Window, _, dy float64) { v.Scroll(dy) })

	if start != nil {
		start()
	}
	snap := new(Snapshot)
	frames, fpsStart := 0, time.Now()
	minFrame := time.Duration(float64(time.Second) / opt.MaxFPS)
	var shot *image.RGBA
	for n := 0; !win.ShouldClose() && !v.Quit && !stopped(opt.Stop) && (opt.Frames <= 0 || n < opt.Frames); n++ {
		t0 := time.Now()
		glfw.PollEvents()
		snap, _ = ex.Take(snap)
		v.Camera.Track(snap.BasePos)
		fw, fh := win.GetFramebufferSize()
		if fw > 0 && fh > 0 {
			target := uint32(0)
			if ns > 0 {
				if ms.fbo == 0 || ms.w != fw || ms.h != fh {
					if ms.fbo != 0 {
						gl.DeleteFramebuffers(1, &ms.fbo)
						gl.DeleteRenderbuffers(2, &ms.rb[0])
						ms.fbo = 0
					}
					if ms.fbo, ms.rb, err = newFramebuffer(fw, fh, ns); err != nil {
						ns, ms.fbo = 0, 0 // draw without anti-aliasing
					}
					ms.w, ms.h = fw, fh
				}
				target = ms.fbo
			}
			ren.frame(snap, v, target, fw, fh)
			if target != 0 {
				gl.BindFramebuffer(gl.READ_FRAMEBUFFER, target)
				gl.BindFramebuffer(gl.DRAW_FRAMEBUFFER, 0)
				gl.BlitFramebuffer(0, 0, int32(fw), int32(fh), 0, 0, int32(fw), int32(fh), gl.COLOR_BUFFER_BIT, gl.NEAREST)
				gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
			}
			if v.Screenshot {
				v.Screenshot = false
				gl.ReadBuffer(gl.BACK)
				shot = readPixels(shot, fw, fh)
				path := filepath.Join(opt.ScreenshotDir, "stride-"+time.Now().Format("20060102-150405.000")+".png")
				img := cloneRGBA(shot)
				go func() {
					if err := SavePNG(path, img); err != nil {
						fmt.Fprintln(os.Stderr, "viewer:", err)
					} else {
						fmt.Fprintln(os.Stderr, "viewer: saved", path)
					}
				}()
			}
			win.SwapBuffers()
		}
		frames++
		if d := time.Since(fpsStart); d >= time.Second {
			v.FPS = float64(frames) / d.Seconds()
			if opt.PrintFPS {
				fmt.Fprintf(os.Stderr, "viewer: %.1f fps at %dx%d\n", v.FPS, fw, fh)
			}
			frames, fpsStart = 0, time.Now()
		}
		if d := time.Since(t0); d < minFrame {
			time.Sleep(minFrame - d)
		}
	}
	if stop != nil {
		return stop()
	}
	return nil
}

// readPixels reads the w×h pixels of the current read framebuffer into img
// (reallocated when the size differs), top row first.
func readPixels(img *image.RGBA, w, h int) *image.RGBA {
	if img == nil || img.Rect.Dx() != w || img.Rect.Dy() != h {
		img = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	gl.PixelStorei(gl.PACK_ALIGNMENT, 1)
	gl.ReadPixels(0, 0, int32(w), int32(h), gl.RGBA, gl.UNSIGNED_BYTE, gl.Ptr(img.Pix))
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255 // blending leaves alpha below one; the picture is opaque
	}
	// GL's rows run bottom-up.
	row := make([]byte, 4*w)
	for y := 0; y < h/2; y++ {
		a, b := img.Pix[y*img.Stride:][:4*w], img.Pix[(h-1-y)*img.Stride:][:4*w]
		copy(row, a)
		copy(a, b)
		copy(b, row)
	}
	return img
}

func cloneRGBA(src *image.RGBA) *image.RGBA {
	dst := image.NewRGBA(src.Rect)
	copy(dst.Pix, src.Pix)
	return dst
}

// EncodePNG writes img to w as a PNG (fast compression).
func EncodePNG(w io.Writer, img image.Image) error {
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, img)
}

// SavePNG writes img to a new file at path as a PNG. It never replaces an
// existing file (that is an error); a file it created and could not finish
// is removed. Tools that may replace files (--force) write through their own
// guard and EncodePNG.
func SavePNG(path string, img image.Image) error {
	return savePNG(path, img, false)
}

// savePNG is SavePNG; overwrite allows replacing an existing regular file.
func savePNG(path string, img image.Image, overwrite bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if overwrite {
		if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
			return fmt.Errorf("screenshot %s: is not a regular file; not replaced", path)
		}
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("screenshot %s: already exists; not overwritten", path)
		}
		return fmt.Errorf("screenshot: %w", err)
	}
	if err := EncodePNG(f, img); err != nil {
		f.Close()
		if !overwrite {
			os.Remove(path) // created above, unfinished
		}
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	return nil
}

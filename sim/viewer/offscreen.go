package viewer

import (
	"fmt"
	"image"

	"github.com/go-gl/gl/v3.3-core/gl"
	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/rbd"
)

// Offscreen renders snapshots into images without showing a window: a
// hidden GLFW window provides the GL context and a framebuffer object of the
// requested size the pixels (multisampled, then resolved). It needs an X
// server, such as Xvfb. Use it from the main goroutine.
type Offscreen struct {
	View *View // camera, overlays and panels; change between renders

	win    *glfw.Window
	ren    *renderer
	w, h   int
	fbo    uint32 // resolved, single-sample
	rb     [2]uint32
	msFBO  uint32 // multisampled (0: none)
	msRB   [2]uint32
	img    *image.RGBA
	closed bool
}

// NewOffscreen sets up off-screen rendering of model m on terrain t at the
// size in opt (default 1280×720).
func NewOffscreen(m *rbd.Model, t *sim.Terrain, opt Options) (*Offscreen, error) {
	opt.defaults(m)
	win, err := openWindow(64, 64, opt.Title, false)
	if err != nil {
		return nil, err
	}
	o := &Offscreen{win: win, w: opt.Width, h: opt.Height, View: opt.view()}
	if o.ren, err = newRenderer(m, t); err != nil {
		o.Close()
		return nil, err
	}
	if o.fbo, o.rb, err = newFramebuffer(o.w, o.h, 0); err != nil {
		o.Close()
		return nil, err
	}
	if ns := samples(opt.Samples, false); ns > 1 {
		if o.msFBO, o.msRB, err = newFramebuffer(o.w, o.h, ns); err != nil {
			o.Close()
			return nil, err
		}
	}
	return o, nil
}

func newFramebuffer(w, h int, samples int32) (uint32, [2]uint32, error) {
	var fbo uint32
	var rb [2]uint32
	gl.GenFramebuffers(1, &fbo)
	gl.BindFramebuffer(gl.FRAMEBUFFER, fbo)
	gl.GenRenderbuffers(2, &rb[0])
	for i, f := range []uint32{gl.RGBA8, gl.DEPTH_COMPONENT24} {
		gl.BindRenderbuffer(gl.RENDERBUFFER, rb[i])
		if samples > 1 {
			gl.RenderbufferStorageMultisample(gl.RENDERBUFFER, samples, f, int32(w), int32(h))
		} else {
			gl.RenderbufferStorage(gl.RENDERBUFFER, f, int32(w), int32(h))
		}
	}
	gl.FramebufferRenderbuffer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.RENDERBUFFER, rb[0])
	gl.FramebufferRenderbuffer(gl.FRAMEBUFFER, gl.DEPTH_ATTACHMENT, gl.RENDERBUFFER, rb[1])
	status := gl.CheckFramebufferStatus(gl.FRAMEBUFFER)
	gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
	if status != gl.FRAMEBUFFER_COMPLETE {
		gl.DeleteFramebuffers(1, &fbo)
		gl.DeleteRenderbuffers(2, &rb[0])
		return 0, rb, fmt.Errorf("viewer: %dx%d framebuffer (%d samples) incomplete: status 0x%x", w, h, samples, status)
	}
	return fbo, rb, nil
}

// Size returns the image size.
func (o *Offscreen) Size() (int, int) { return o.w, o.h }

// Render draws s (the camera following its robot when the view says so)
// and returns the image. The image is reused by the next Render: copy it to
// keep it.
func (o *Offscreen) Render(s *Snapshot) (*image.RGBA, error) {
	if o.closed {
		return nil, fmt.Errorf("viewer: render after Close")
	}
	o.View.Camera.Track(s.BasePos)
	target := o.fbo
	if o.msFBO != 0 {
		target = o.msFBO
	}
	o.ren.frame(s, o.View, target, o.w, o.h)
	if o.msFBO != 0 {
		gl.BindFramebuffer(gl.READ_FRAMEBUFFER, o.msFBO)
		gl.BindFramebuffer(gl.DRAW_FRAMEBUFFER, o.fbo)
		gl.BlitFramebuffer(0, 0, int32(o.w), int32(o.h), 0, 0, int32(o.w), int32(o.h), gl.COLOR_BUFFER_BIT, gl.NEAREST)
	}
	gl.BindFramebuffer(gl.READ_FRAMEBUFFER, o.fbo)
	gl.ReadBuffer(gl.COLOR_ATTACHMENT0)
	o.img = readPixels(o.img, o.w, o.h)
	gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
	if e := gl.GetError(); e != gl.NO_ERROR {
		return nil, fmt.Errorf("viewer: GL error 0x%x while rendering", e)
	}
	return o.img, nil
}

// draw renders s without reading it back and waits until the GL has
// finished (for benchmarks: what a window frame costs).
func (o *Offscreen) draw(s *Snapshot) {
	o.View.Camera.Track(s.BasePos)
	target := o.fbo
	if o.msFBO != 0 {
		target = o.msFBO
	}
	o.ren.frame(s, o.View, target, o.w, o.h)
	gl.Finish()
}

// DrawCalls returns the number of draw calls of the last Render.
func (o *Offscreen) DrawCalls() int { return o.ren.drawCalls }

// Close releases the GL objects and the hidden window.
func (o *Offscreen) Close() {
	if o.closed {
		return
	}
	o.closed = true
	if o.ren != nil {
		o.ren.delete()
	}
	for _, f := range []struct {
		fbo *uint32
		rb  *[2]uint32
	}{{&o.fbo, &o.rb}, {&o.msFBO, &o.msRB}} {
		if *f.fbo != 0 {
			gl.DeleteFramebuffers(1, f.fbo)
			gl.DeleteRenderbuffers(2, &f.rb[0])
		}
	}
	o.win.Destroy()
	releaseGLFW()
}

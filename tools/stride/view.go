package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/viewer"
	"github.com/stride-robotics/stride/sim/viewer/xvfb"
)

// viewFlags are the viewer's settings of `stride sim` (docs/viewer.md).
type viewFlags struct {
	Screenshot  string  `help:"Render off-screen after --duration of simulated time, write this PNG and exit (needs an X server; starts a private Xvfb when DISPLAY is unset)." type:"path" placeholder:"FILE.png"`
	Record      string  `help:"Render off-screen and write a PNG per frame (--record-fps per simulated second) into this directory until --duration, then exit." type:"path" placeholder:"DIR"`
	RecordFPS   float64 `name:"record-fps" default:"30" help:"Frames per simulated second for --record."`
	Fast        bool    `help:"Viewer: simulate as fast as possible instead of in real time."`
	Size        string  `default:"1280x720" help:"Window or image size, WIDTHxHEIGHT pixels."`
	Camera      string  `default:"follow" enum:"follow,side,front,top" help:"Initial camera view: follow (three-quarter), side, front or top."`
	Overlays    string  `help:"Overlays on at the start, comma-separated: com, support, forces, frames, limits, plan, capture, collision, or all."`
	Slow        float64 `default:"1" help:"Viewer: initial slow-motion factor, 0.1-1."`
	PushImpulse float64 `name:"push" default:"20" help:"Impulse of the viewer's push key on the torso, N·s (applied over 0.05 s)."`
	FPS         bool    `name:"fps" help:"Viewer: print the frame rate once a second."`
	Paused      bool    `help:"Viewer: start paused."`
}

// viewOptions checks the flags and turns them into viewer options.
func (f *viewFlags) viewOptions() (viewer.Options, error) {
	var o viewer.Options
	ws, hs, ok := strings.Cut(f.Size, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 16 || h < 16 || w > 8192 || h > 8192 {
		return o, fmt.Errorf("--size %q: want WIDTHxHEIGHT in pixels, e.g. 1280x720 (16 to 8192 each)", f.Size)
	}
	o.Width, o.Height = w, h
	var err error
	if o.Camera, err = viewer.ParsePreset(f.Camera); err != nil {
		return o, fmt.Errorf("--camera: %w", err)
	}
	if o.Overlays, err = viewer.ParseOverlays(f.Overlays); err != nil {
		return o, fmt.Errorf("--overlays: %w", err)
	}
	if !(f.Slow >= 0.1 && f.Slow <= 1) {
		return o, fmt.Errorf("--slow %g: want a factor from 0.1 to 1", f.Slow)
	}
	if !(f.PushImpulse > 0 && f.PushImpulse <= 1000) {
		return o, fmt.Errorf("--push %g: want an impulse in (0, 1000] N·s", f.PushImpulse)
	}
	if f.Record != "" && !(f.RecordFPS > 0 && f.RecordFPS <= 1000) {
		return o, fmt.Errorf("--record-fps %g: want a rate in (0, 1000] frames per simulated second", f.RecordFPS)
	}
	o.PrintFPS = f.FPS
	return o, nil
}

// view is `stride sim`'s viewer hook, called at the start of Run. It
// returns done = true when it has handled the command (a window, a
// screenshot or a recording) and false when the headless run should go on:
// with --headless, or when no window can be opened (then it says why in one
// line).
func (c *simCmd) view() (done bool, err error) {
	offscreen := c.Screenshot != "" || c.Record != ""
	if c.Headless && !offscreen {
		return false, nil
	}
	if c.Log != "" { // the telemetry log is written by the headless run only, for now
		if offscreen {
			return true, fmt.Errorf("--log with --screenshot or --record: the viewer does not write telemetry logs yet; log in a separate --headless run")
		}
		fmt.Fprintln(os.Stderr, "stride sim: --log runs headless (the viewer does not write telemetry logs yet)")
		return false, nil
	}
	opt, err := c.viewOptions()
	if err != nil {
		return true, err
	}
	if offscreen {
		return true, c.renderOffscreen(opt)
	}
	if err := viewer.CheckDisplay(); err != nil {
		fmt.Fprintf(os.Stderr, "stride sim: %v; running headless\n", err)
		return false, nil
	}
	s, err := c.newViewSession()
	if err != nil {
		return true, err
	}
	s.runner.Fast = c.Fast
	s.runner.Duration = c.Duration.Seconds()
	s.runner.SetPaused(c.Paused)
	s.runner.SetSlow(c.Slow)
	start := time.Now()
	err = viewer.Run(s.runner, opt)
	var de *viewer.DisplayError
	if errors.As(err, &de) {
		s.close()
		fmt.Fprintf(os.Stderr, "stride sim: %v; running headless\n", de)
		return false, nil
	}
	err = errors.Join(err, s.close())
	fmt.Printf("viewer closed at t = %.3f s simulated (%d steps) after %.1f s\n", s.w.Time, s.w.Steps, time.Since(start).Seconds())
	return true, err
}

// viewSession is a simulated robot under the runtime loop, driven by a
// viewer.Runner.
type viewSession struct {
	w      *sim.World
	robot  *simhal.Robot
	loop   *runtime.Loop
	runner *viewer.Runner
	c      *simCmd
	cfg    *runtime.Config
}

// newViewSession builds the world, the simulated robot and the runtime loop
// of c, as the headless run does, and a runner whose tick is one loop tick.
func (c *simCmd) newViewSession() (*viewSession, error) {
	cfg, err := c.runtimeConfig()
	if err != nil {
		return nil, err
	}
	w, robot, err := c.simRobot()
	if err != nil {
		return nil, err
	}
	s := &viewSession{w: w, robot: robot, c: c, cfg: cfg}
	if err := s.newLoop(); err != nil {
		return nil, err
	}
	ctx := context.Background()
	r := viewer.NewRunner(w, func() error { return s.loop.Run(ctx, 1) }, cfg.Period())
	r.Mode = func() string { return s.loop.Mode().String() }
	r.Commander = keyboard{s}
	r.PushImpulse = c.PushImpulse
	r.ResetFunc = func() error {
		if err := w.Reset(c.Key); err != nil {
			return err
		}
		return s.newLoop()
	}
	s.runner = r
	return s, nil
}

// newLoop (re)starts the runtime loop: the state machine from damping, the
// command script from its start, and the start mode --controller asks for.
func (s *viewSession) newLoop() error {
	c := s.c
	if s.loop != nil {
		if err := s.loop.Close(); err != nil {
			return err
		}
		s.loop = nil
	}
	var script *runtime.Script
	if c.Commands != "" {
		lim := runtime.Limits{MaxVx: s.cfg.Commands.MaxVx, MaxVy: s.cfg.Commands.MaxVy, MaxYawRate: s.cfg.Commands.MaxYawRate,
			MinHeight: s.cfg.Commands.MinHeight, MaxHeight: s.cfg.Commands.MaxHeight}
		var err error
		if script, err = runtime.LoadScript(c.Commands, lim); err != nil {
			return err
		}
	}
	if c.Controller == "locomotion" {
		if script == nil {
			script = &runtime.Script{}
		}
		// once standup has finished, as the headless run asks for it
		script.Steps = append([]runtime.ScriptStep{{T: s.cfg.Standup.Duration + 0.1, Cmd: runtime.Command{Mode: runtime.ModeLocomotion}}}, script.Steps...)
	}
	loop, err := newSimLoop(s.robot, loopSetup{cfg: s.cfg, script: script})
	if err != nil {
		return err
	}
	if err := loop.OpenSources(); err != nil {
		_ = loop.Close()
		return err
	}
	if c.Controller != "none" {
		_ = loop.Commands().Send(runtime.SourceAPI, runtime.Command{Mode: runtime.ModeStandup})
	}
	s.loop = loop
	return nil
}

func (s *viewSession) close() error {
	if s.loop == nil {
		return nil
	}
	err := s.loop.Close()
	s.loop = nil
	return err
}

// keyboard routes the viewer's velocity keys to the runtime's command input
// as the keyboard source.
type keyboard struct{ s *viewSession }

func (k keyboard) SetVelocity(v viewer.Velocity) error {
	return k.s.loop.Commands().Send(runtime.SourceKeyboard,
		runtime.Command{Set: runtime.SetVelocity, Vx: v.Vx, Vy: v.Vy, YawRate: v.YawRate})
}

// renderOffscreen runs the simulation in lock-step to --duration and
// writes --screenshot (the last state) and --record (frames on the way).
func (c *simCmd) renderOffscreen(opt viewer.Options) error {
	if err := viewer.CheckDisplay(); err != nil {
		if !xvfb.Available() {
			return fmt.Errorf("--screenshot/--record render off-screen through an X server: %v, and Xvfb is not installed (apt-get install xvfb, or run under xvfb-run)", err)
		}
		srv, err := xvfb.Start(opt.Width, opt.Height)
		if err != nil {
			return err
		}
		defer srv.Close()
		os.Setenv("DISPLAY", srv.Display)
	}
	s, err := c.newViewSession()
	if err != nil {
		return err
	}
	defer s.close()
	o, err := viewer.NewOffscreen(s.w.Model, s.w.Terrain, opt)
	if err != nil {
		return err
	}
	defer o.Close()
	end := c.Duration.Seconds()
	var simErr error
	if c.Record != "" {
		fw, err := viewer.NewFrameWriter(c.Record)
		if err != nil {
			return err
		}
		dt := 1 / c.RecordFPS
		for k := 0; simErr == nil; k++ {
			t := math.Min(float64(k)*dt, end)
			simErr = s.runner.Advance(t)
			img, err := o.Render(s.runner.Capture())
			if err != nil {
				simErr = err
				break
			}
			if _, err := fw.Write(img); err != nil {
				simErr = err
				break
			}
			if t >= end {
				break
			}
		}
		if err := fw.Close(); err != nil && simErr == nil {
			simErr = err
		}
		fmt.Printf("wrote %d frames (%dx%d, %g per simulated second) to %s\n", fw.Frames(), opt.Width, opt.Height, c.RecordFPS, c.Record)
	} else {
		simErr = s.runner.Advance(end)
	}
	if c.Screenshot != "" {
		var img *image.RGBA
		img, err := o.Render(s.runner.Capture())
		if err != nil {
			return errors.Join(simErr, err)
		}
		if err := viewer.SavePNG(c.Screenshot, img); err != nil {
			return errors.Join(simErr, err)
		}
		fmt.Printf("wrote %s (%dx%d) at t = %.3f s simulated, mode %s\n", c.Screenshot, opt.Width, opt.Height, s.w.Time, s.loop.Mode())
	}
	return simErr
}

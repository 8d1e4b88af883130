package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/stride-robotics/stride/sim/viewer"
	"github.com/stride-robotics/stride/tools/simrun"
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
	// SIGINT, SIGTERM and SIGHUP stop the viewer in order too: the window
	// closes (or the recording ends at the last whole frame), the loop is
	// closed with the robot put to damping, and the exit status says which
	// signal (simrun.Interrupt).
	ctx, stop := simrun.NotifySignals(context.Background())
	defer stop()
	opt.Stop = ctx.Done()
	if offscreen {
		return true, c.renderOffscreen(ctx, opt)
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
	if i := simrun.Interrupted(ctx, "the window was closed and the robot put to damping"); i != nil {
		err = errors.Join(err, i)
	}
	return true, err
}

// offscreenKept says what an interrupted off-screen run leaves.
func (c *simCmd) offscreenKept() string {
	kept := "the frames written are complete"
	if c.Record == "" {
		kept = "no frames"
	}
	if c.Screenshot != "" {
		kept += ", no screenshot written"
	}
	return kept
}

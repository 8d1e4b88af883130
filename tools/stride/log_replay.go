package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/export"
	"github.com/stride-robotics/stride/sim/viewer"
	"github.com/stride-robotics/stride/tools/replay"
)

type logReplayCmd struct {
	cmdline
	File       string        `arg:"" help:"Telemetry log (.tlm)." type:"existingfile"`
	Source     string        `default:"truth" enum:"truth,estimate" help:"Base pose to show: truth (simulator logs) or estimate."`
	From       float64       `default:"-Inf" help:"Time to start at, s of log time (default: the first tick)."`
	Speed      float64       `default:"1" help:"Playback speed (1: real time)."`
	Model      string        `help:"Model file, when the log is not of the built-in robot." type:"path"`
	Terrain    string        `help:"Terrain to draw (as stride sim --terrain); default: the log's sim.terrain metadata, else flat."`
	Text       bool          `help:"Print the replayed states as text instead of opening the viewer."`
	Every      time.Duration `default:"100ms" help:"--text: log time between printed states."`
	Screenshot string        `help:"Render the state at --from off-screen into this PNG and exit (starts a private Xvfb when DISPLAY is unset)." type:"path" placeholder:"FILE.png"`
	Size       string        `default:"1280x720" help:"Window or image size, WIDTHxHEIGHT pixels."`
	Camera     string        `default:"follow" enum:"follow,side,front,top" help:"Initial camera view."`
	Paused     bool          `help:"Start paused."`
	Force      bool          `help:"Replace output files that already exist (never one of the command's own inputs)."`
}

// Keys of the replay window (the viewer's keys, read for a replay).
const replayKeys = `replay keys: Space play/pause, N or . one tick forward, [ ] slower/faster (x0.1 … x1),
  R back to the start, Left/Right (Q/E) scrub -/+1 s, Up/Down (W/S) scrub +/-10 s, Esc close`

func (c *logReplayCmd) Run() error {
	if math.IsNaN(c.Speed) || c.Speed <= 0 || c.Speed > 100 {
		return fmt.Errorf("--speed %g: want (0, 100]", c.Speed)
	}
	if err := c.checkUsed(); err != nil {
		return err
	}
	inputs := nonEmpty(c.File, c.Model)
	if err := checkOutputs(c.Force, inputs, c.Screenshot); err != nil {
		return err
	}
	r, err := openLog(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	src := telemetry.SourceTruth
	if c.Source == "estimate" {
		src = telemetry.SourceEstimate
	}
	rp, err := telemetry.NewReplay(r, src)
	if err != nil {
		return fmt.Errorf("%w (--source estimate shows the estimator's base pose)", err)
	}
	if !math.IsInf(c.From, -1) && (c.From < rp.Start() || c.From > rp.End()) { // Seek would clamp it in silence
		return fmt.Errorf("--from %g: the log runs from %.3f to %.3f s", c.From, rp.Start(), rp.End())
	}
	rp.Seek(c.From)
	rp.SetSpeed(c.Speed)
	if c.Text {
		return c.printText(rp, r)
	}
	m, terrain, err := replay.Scene(&r.Header, c.Model, c.Terrain, os.Stderr)
	if err != nil {
		return err
	}
	pose, err := replay.NewPoseMap(m, &r.Header)
	if err != nil {
		return err
	}
	opt, err := (&viewFlags{Size: c.Size, Camera: c.Camera, Slow: 1, PushImpulse: 1}).viewOptions()
	if err != nil {
		return err
	}
	pl := replay.NewPlayer(rp, r, pose)
	if c.Screenshot != "" {
		img, st, err := pl.Render(m, terrain, opt)
		if err != nil {
			return err
		}
		if err := writeOutput(c.Screenshot, c.Force, inputs, func(w io.Writer) error { return viewer.EncodePNG(w, img) }); err != nil {
			return err
		}
		fmt.Printf("wrote %s (%dx%d): tick %d at t = %.3f s\n", c.Screenshot, opt.Width, opt.Height, st.Tick, st.Time)
		return nil
	}
	if err := viewer.CheckDisplay(); err != nil {
		return fmt.Errorf("%v: no window for the replay; --text prints it, --screenshot FILE.png renders a frame", err)
	}
	opt.Title = fmt.Sprintf("Stride replay — %s (%s)", c.File, src)
	fmt.Fprintln(os.Stderr, replayKeys)
	if !c.Paused {
		rp.Play()
	}
	ex := viewer.NewExchange()
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := func() {
		wg.Add(1)
		go func() { defer wg.Done(); pl.Publish(ex, done) }()
	}
	stop := func() error { close(done); wg.Wait(); return nil }
	err = viewer.Watch(m, terrain, ex, pl, opt, start, stop)
	reportDamage(r)
	return err
}

// printText prints the state every --every of log time.
func (c *logReplayCmd) printText(rp *telemetry.Replay, r *telemetry.Reader) error {
	if c.Every <= 0 {
		return fmt.Errorf("--every %v: want a positive interval", c.Every)
	}
	var s telemetry.State
	fmt.Printf("# %s: %s base pose, joints %s…\n", c.File, c.Source, export.FirstJoint(&r.Header))
	fmt.Printf("%9s %9s %-10s %8s %8s %8s %7s %7s %7s %7s %7s\n", "t", "tick", "mode", "x", "y", "z", "qw", "qx", "qy", "qz", "speed")
	for t := rp.Time(); t <= rp.End()+1e-9; t += c.Every.Seconds() {
		if err := rp.At(t, &s); err != nil {
			return err
		}
		b := &s.Base
		fmt.Printf("%9.3f %9d %-10s %8.4f %8.4f %8.4f %7.4f %7.4f %7.4f %7.4f %7.3f\n", s.Time, s.Tick, export.NameOf(r.Header.ModeNames, int(s.Mode)),
			b.Pos[0], b.Pos[1], b.Pos[2], b.Quat[0], b.Quat[1], b.Quat[2], b.Quat[3], math.Hypot(b.LinVel[0], b.LinVel[1]))
	}
	reportDamage(r)
	return nil
}

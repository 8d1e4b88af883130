package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/viewer"
	"github.com/stride-robotics/stride/sim/viewer/xvfb"
	"github.com/stride-robotics/stride/tools/simrun"
)

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
	cfg, _, err := c.startup() // checks --commands before the world is built
	if err != nil {
		return nil, err
	}
	robot, err := c.simRobot()
	if err != nil {
		return nil, err
	}
	w := robot.World
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
// command script from its start with the start-up requests --controller
// asks for.
func (s *viewSession) newLoop() error {
	c := s.c
	if s.loop != nil {
		if err := s.loop.Close(); err != nil {
			return err
		}
		s.loop = nil
	}
	// the command script from its start, with --controller's start-up
	// requests, as the headless run has them
	script, err := simrun.Script(s.cfg, c.Commands, c.Controller)
	if err != nil {
		return err
	}
	loco, err := c.policyController(s.robot)
	if err != nil {
		return err
	}
	loop, err := simrun.NewLoop(s.robot, simrun.LoopSetup{Config: s.cfg, Script: script, Controller: loco})
	if err != nil {
		return err
	}
	if err := loop.OpenSources(); err != nil {
		_ = loop.Close()
		return err
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
// A signal (ctx) ends it early: the frames so far are complete, no
// screenshot is written, and the error is the *simrun.Interrupt.
func (c *simCmd) renderOffscreen(ctx context.Context, opt viewer.Options) error {
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
		fw, err := viewer.NewFrameWriter(c.Record, c.Force)
		if err != nil {
			return err
		}
		dt := 1 / c.RecordFPS
		for k := 0; simErr == nil; k++ {
			if ctx.Err() != nil {
				break
			}
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
		for t := 0.0; simErr == nil && t < end && ctx.Err() == nil; { // a tenth of a simulated second at a time
			t = math.Min(t+0.1, end)
			simErr = s.runner.Advance(t)
		}
	}
	if i := simrun.Interrupted(ctx, fmt.Sprintf("stopped at t = %.3f s simulated, the robot put to damping; %s", s.w.Time, c.offscreenKept())); i != nil {
		return errors.Join(simErr, i)
	}
	if c.Screenshot != "" {
		var img *image.RGBA
		img, err := o.Render(s.runner.Capture())
		if err != nil {
			return errors.Join(simErr, err)
		}
		if err := writeOutput(c.Screenshot, c.Force, c.inputs(), func(w io.Writer) error { return viewer.EncodePNG(w, img) }); err != nil {
			return errors.Join(simErr, err)
		}
		fmt.Printf("wrote %s (%dx%d) at t = %.3f s simulated, mode %s\n", c.Screenshot, opt.Width, opt.Height, s.w.Time, s.loop.Mode())
	}
	return simErr
}

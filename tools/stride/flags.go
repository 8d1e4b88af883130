package main

import (
	"fmt"
	"math"
	"strings"
)

// A flag whose value the chosen mode does not use is refused rather than
// ignored in silence: `--record-fps 60` without --record, `--seed 7`
// without --noise, viewer settings in a headless run. Flags are compared
// with their defaults (a default given explicitly cannot be told apart, and
// changes nothing).

// unused lists the flags set away from their defaults that a mode ignores.
type unused []string

func (u *unused) add(set bool, flag string) {
	if set {
		*u = append(*u, flag)
	}
}

func (u unused) err(why string) error {
	if len(u) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s would be ignored", strings.Join(u, ", "), why)
}

// checkUsed refuses the sim flags the run's mode does not use.
func (c *simCmd) checkUsed() error {
	var u unused
	u.add(c.RecordFPS != 30 && c.Record == "", "--record-fps")
	if err := u.err("without --record"); err != nil {
		return err
	}
	u.add(c.Policy != "" && c.Controller != "policy", "--policy")
	u.add(c.PolicyConfig != "" && c.Controller != "policy", "--policy-config")
	if err := u.err("without --controller policy"); err != nil {
		return err
	}
	u.add(c.Seed != 1 && !c.Noise, "--seed")
	if err := u.err("without --noise (the seed is the sensor noise's)"); err != nil {
		return err
	}
	offscreen := c.Screenshot != "" || c.Record != ""
	if c.Headless || offscreen {
		// interactive viewer settings
		u.add(c.Fast, "--fast")
		u.add(c.FPS, "--fps")
		u.add(c.Paused, "--paused")
		u.add(c.Slow != 1, "--slow")
		u.add(c.PushImpulse != 20, "--push")
		if err := u.err("without a viewer window"); err != nil {
			return err
		}
	}
	if c.Headless && !offscreen {
		u.add(c.Size != "1280x720", "--size")
		u.add(c.Camera != "follow", "--camera")
		u.add(c.Overlays != "", "--overlays")
		if err := u.err("in a headless run (nothing is drawn)"); err != nil {
			return err
		}
	}
	if offscreen {
		u.add(c.Realtime, "--realtime")
		if err := u.err("with --screenshot or --record (they render in lock-step)"); err != nil {
			return err
		}
	}
	return nil
}

// checkUsed refuses the replay flags the chosen output does not use.
func (c *logReplayCmd) checkUsed() error {
	if math.IsNaN(c.From) {
		return fmt.Errorf("--from NaN: want a time in seconds of log time")
	}
	var u unused
	u.add(c.Every.String() != "100ms" && !c.Text, "--every")
	if err := u.err("without --text"); err != nil {
		return err
	}
	if c.Text || c.Screenshot != "" {
		u.add(c.Speed != 1, "--speed")
		u.add(c.Paused, "--paused")
		if err := u.err("without the replay window"); err != nil {
			return err
		}
	}
	if c.Text {
		u.add(c.Size != "1280x720", "--size")
		u.add(c.Camera != "follow", "--camera")
		u.add(c.Terrain != "", "--terrain")
		u.add(c.Screenshot != "", "--screenshot")
		if err := u.err("with --text (nothing is drawn)"); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/alecthomas/kong"
)

// A flag whose value the chosen mode does not use is refused rather than
// ignored in silence: `--record-fps 60` without --record, `--seed 7`
// without --noise, viewer settings in a headless run. A flag counts as set
// when it is on the command line, whatever its value (`--record-fps 30`,
// the default, is refused without --record as `--record-fps 60` is), or
// when its value is not the default (a command built without kong, in
// tests).

// cmdline records which flags the command line gave: kong calls AfterApply
// once the flags are parsed, with the parse's trace (one entry per flag
// given, in order).
type cmdline struct {
	given map[string]bool
}

func (c *cmdline) AfterApply(k *kong.Context) error {
	c.given = map[string]bool{}
	for _, p := range k.Path {
		if p.Flag != nil {
			c.given[p.Flag.Name] = true
		}
	}
	return nil
}

// set reports whether the flag name (without dashes) was given or its value
// changed from the default.
func (c *cmdline) set(name string, changed bool) bool { return changed || c.given[name] }

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
	u.add(c.set("bus-dir", c.BusDir != ""), "--bus-dir")
	u.add(c.set("emu-latency", c.EmuLatency != 100*time.Microsecond), "--emu-latency")
	u.add(c.set("emu-drop", c.EmuDrop != 0), "--emu-drop")
	if err := u.err("without --emulate-bus"); err != nil {
		return err
	}
	u.add(c.set("record-fps", c.RecordFPS != 30) && c.Record == "", "--record-fps")
	if err := u.err("without --record"); err != nil {
		return err
	}
	u.add(c.set("policy", c.Policy != "") && c.Controller != "policy", "--policy")
	u.add(c.set("policy-config", c.PolicyConfig != "") && c.Controller != "policy", "--policy-config")
	if err := u.err("without --controller policy"); err != nil {
		return err
	}
	u.add(c.set("seed", c.Seed != 1) && !c.Noise, "--seed")
	if err := u.err("without --noise (the seed is the sensor noise's)"); err != nil {
		return err
	}
	offscreen := c.Screenshot != "" || c.Record != ""
	if c.Headless || offscreen {
		// interactive viewer settings
		u.add(c.set("fast", c.Fast), "--fast")
		u.add(c.set("fps", c.FPS), "--fps")
		u.add(c.set("paused", c.Paused), "--paused")
		u.add(c.set("slow", c.Slow != 1), "--slow")
		u.add(c.set("push", c.PushImpulse != 20), "--push")
		if err := u.err("without a viewer window"); err != nil {
			return err
		}
	}
	if c.Headless && !offscreen {
		u.add(c.set("size", c.Size != "1280x720"), "--size")
		u.add(c.set("camera", c.Camera != "follow"), "--camera")
		u.add(c.set("overlays", c.Overlays != ""), "--overlays")
		if err := u.err("in a headless run (nothing is drawn)"); err != nil {
			return err
		}
	}
	if offscreen {
		u.add(c.set("realtime", c.Realtime), "--realtime")
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
	u.add(c.set("every", c.Every.String() != "100ms") && !c.Text, "--every")
	if err := u.err("without --text"); err != nil {
		return err
	}
	if c.Text || c.Screenshot != "" {
		u.add(c.set("speed", c.Speed != 1), "--speed")
		u.add(c.set("paused", c.Paused), "--paused")
		if err := u.err("without the replay window"); err != nil {
			return err
		}
	}
	if c.Text {
		u.add(c.set("size", c.Size != "1280x720"), "--size")
		u.add(c.set("camera", c.Camera != "follow"), "--camera")
		u.add(c.set("terrain", c.Terrain != ""), "--terrain")
		u.add(c.set("screenshot", c.Screenshot != ""), "--screenshot")
		if err := u.err("with --text (nothing is drawn)"); err != nil {
			return err
		}
	}
	return nil
}

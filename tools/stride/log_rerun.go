package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/stride-robotics/stride/runtime/telemetry/export"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/scene"
	"github.com/stride-robotics/stride/tools/esteval"
	"github.com/stride-robotics/stride/tools/rerun"
	"github.com/stride-robotics/stride/tools/simrun"
)

// logRerunCmd feeds a log's recorded sensors back through the runtime loop
// (tools/rerun: a hal/playback robot under runtime.Loop) and compares what
// it computes — the stand controller's commands, every tick's command and
// mode, the estimate — with what was logged.
type logRerunCmd struct {
	File   string   `arg:"" help:"Telemetry log (.tlm)." type:"existingfile"`
	Model  string   `help:"Model file, when the log is not of the built-in robot (for the home pose)." type:"path"`
	Config string   `help:"Re-run with this runtime config (YAML) instead of the log's own (a what-if)." type:"existingfile"`
	Kp     *float64 `help:"Re-run with this stand stiffness on every joint, N·m/rad (a what-if)."`
	Kd     *float64 `help:"Re-run with this stand damping on every joint, N·m·s/rad (a what-if)."`
	Tol    float64  `default:"1e-9" help:"Largest difference that still counts as the same (floating-point rounding of the runtime's blends is ~1e-14); a bigger one makes the exit status 1."`
	JSON   bool     `help:"Print JSON."`
}

func (c *logRerunCmd) Run() error {
	if !(c.Tol >= 0) || math.IsInf(c.Tol, 0) {
		return fmt.Errorf("--tol %g: want a finite number ≥ 0 (NaN would make every difference pass)", c.Tol)
	}
	r, err := openLog(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	h := &r.Header
	if h.Robot != models.BuiltinName && c.Model == "" {
		return fmt.Errorf("the log is of robot %q, not the built-in %s: give its model with --model FILE (for the home pose)", h.Robot, models.BuiltinName)
	}
	robot, _, err := simrun.Robot(scene.Spec{Model: c.Model}, false, 0) // the robot's joints and limits, as simulated
	if err != nil {
		return err
	}
	cfg, gains, err := rerun.Config(h, c.File, c.Config, c.Kp, c.Kd)
	if err != nil {
		return err
	}
	o := rerun.Options{Info: robot.Info(), Home: simrun.HomePose(robot.World.Model), Config: cfg, Gains: gains, Tol: c.Tol, File: c.File}
	if name, ok := h.Meta[esteval.MetaKey]; ok { // the estimator the run used; none named: IMUOnly
		if o.Estimator, o.EstimatorName, err = esteval.ForModel(name, robot.World.Model, rbd.ActuatedJointNames(robot.World.Model)); err != nil {
			return err
		}
	}
	rep, err := rerun.Run(r, o)
	if err != nil {
		return err
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printRerun(rep)
	}
	reportDamage(r)
	if rep.Rerun == 0 {
		return fmt.Errorf("no tick of the log is in stand mode with no fault: nothing was re-run (the stand controller is the only one there is yet)")
	}
	if rep.Differs {
		return fmt.Errorf("the re-run differs from the log by more than --tol %g", c.Tol)
	}
	return nil
}

func printRerun(rep *rerun.Report) {
	fmt.Printf("re-run of %s\n", rep.File)
	fmt.Printf("controller  %s\n            gains %s\n", rep.Controller, rep.Gains)
	fmt.Printf("ticks       re-ran %d of %d", rep.Rerun, rep.Ticks)
	for _, k := range sortedCountKeys(rep.SkippedModes) {
		fmt.Printf("; %d in %s (run through the loop, not compared: the runtime's own mode)", rep.SkippedModes[k], k)
	}
	if rep.SkippedFaults > 0 {
		fmt.Printf("; %d with faults (the safety layer's command)", rep.SkippedFaults)
	}
	fmt.Println()
	fmt.Printf("loop        %s: %d ticks", rep.Loop, rep.LoopTicks)
	if rep.WarmupTicks > 0 {
		fmt.Printf(" (after %d warm-up ticks into the log's first mode)", rep.WarmupTicks)
	}
	if rep.ModeDiffers > 0 {
		fmt.Printf("; mode DIFFERS on %d ticks, first at t = %.3f s", rep.ModeDiffers, rep.FirstModeOff)
	} else {
		fmt.Printf("; mode matches on every tick")
	}
	fmt.Printf("; command in every mode max |Δ| %.4g\n", rep.AllModes.MaxDiff)
	fmt.Printf("%-11s %-10s %12s %12s  %s\n", "command", "unit", "max |Δ|", "rms Δ", "worst at")
	for _, f := range rep.Fields {
		printField(f)
	}
	if rep.EstimateTicks > 0 {
		fmt.Printf("estimator   %s, re-ran %d ticks\n", rep.Estimator, rep.EstimateTicks)
		for _, f := range rep.EstimateFields {
			printField(f)
		}
	} else {
		fmt.Println("estimator   the log has no estimate (all zero): not compared")
	}
	if rep.Differs {
		fmt.Printf("result      DIFFERS from the log (tolerance %g)\n", rep.Tolerance)
	} else {
		fmt.Printf("result      matches the log (tolerance %g)\n", rep.Tolerance)
	}
}

func printField(f *rerun.Field) {
	at := ""
	if f.MaxDiff > 0 {
		at = fmt.Sprintf("t = %.3f s", f.Time)
		if f.Joint != "" {
			at += " joint " + f.Joint
		}
	}
	fmt.Printf("  %-9s %-10s %12.4g %12.4g  %s\n", f.Field, export.DashIfEmpty(f.Unit), f.MaxDiff, f.RMS, at)
}

func sortedCountKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

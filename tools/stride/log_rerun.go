package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/export"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/tools/simrun"
)

// logRerunCmd feeds a log's recorded sensors back through the controller
// and the estimator that exist — the stand controller (locomotion.Stand)
// and the runtime's IMU-only placeholder estimator — and compares what they
// compute with what was logged. The gait controller and the real
// estimator plug in here when they exist.
type logRerunCmd struct {
	File   string   `arg:"" help:"Telemetry log (.tlm)." type:"existingfile"`
	Model  string   `help:"Model file, when the log is not of the built-in robot (for the home pose)." type:"path"`
	Config string   `help:"Re-run with this runtime config (YAML) instead of the log's own (a what-if)." type:"existingfile"`
	Kp     *float64 `help:"Re-run with this stand stiffness on every joint, N·m/rad (a what-if)."`
	Kd     *float64 `help:"Re-run with this stand damping on every joint, N·m·s/rad (a what-if)."`
	Tol    float64  `default:"1e-9" help:"Largest difference that still counts as the same (floating-point rounding of the runtime's blends is ~1e-14); a bigger one makes the exit status 1."`
	JSON   bool     `help:"Print JSON."`
}

// rerunField is the comparison of one command field over the re-run ticks.
type rerunField struct {
	Field   string  `json:"field"`
	Unit    string  `json:"unit"`
	MaxDiff float64 `json:"max_abs_diff"`
	RMS     float64 `json:"rms_diff"`
	Joint   string  `json:"worst_joint,omitempty"`
	Time    float64 `json:"worst_t_s"`
	sumSq   float64
	n       int
}

func (f *rerunField) add(d float64, joint string, t float64) {
	d = math.Abs(d)
	if math.IsNaN(d) {
		d = math.Inf(1)
	}
	f.sumSq += d * d
	f.n++
	if d > f.MaxDiff {
		f.MaxDiff, f.Joint, f.Time = d, joint, t
	}
}

type rerunReport struct {
	File           string         `json:"file"`
	Controller     string         `json:"controller"`
	Gains          string         `json:"gains"`
	Ticks          uint64         `json:"ticks"`
	Rerun          int            `json:"rerun_ticks"`
	SkippedModes   map[string]int `json:"skipped_by_mode"`
	SkippedFaults  int            `json:"skipped_with_faults"`
	Fields         []*rerunField  `json:"command"`
	Estimator      string         `json:"estimator"`
	EstimateTicks  int            `json:"estimate_ticks"`
	EstimateFields []*rerunField  `json:"estimate"`
	Differs        bool           `json:"differs"`
	Tolerance      float64        `json:"tolerance"`
}

func (c *logRerunCmd) Run() error {
	r, err := telemetry.Open(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	h := &r.Header
	if h.Robot != models.BuiltinName && c.Model == "" {
		return fmt.Errorf("the log is of robot %q, not the built-in %s: give its model with --model FILE (for the home pose)", h.Robot, models.BuiltinName)
	}
	m, err := loadModel(c.Model)
	if err != nil {
		return err
	}
	if _, err := newPoseMap(m, h); err != nil {
		return err
	}
	kp, kd, gains, err := c.gains(h)
	if err != nil {
		return err
	}
	stand := locomotion.NewStand(simrun.HomePose(m), 0, 0)
	copy(stand.Kp, kp)
	copy(stand.Kd, kd)

	rep := &rerunReport{File: c.File, Controller: "stand (locomotion.Stand: joint PD to the home pose)", Gains: gains,
		Ticks: r.Summary().Ticks, SkippedModes: map[string]int{}, Tolerance: c.Tol,
		Estimator: "estimator.IMUOnly (the placeholder estimator: IMU orientation, gyro in world axes)"}
	fields := []*rerunField{{Field: "tau", Unit: "N·m"}, {Field: "q", Unit: "rad"}, {Field: "qd", Unit: "rad/s"},
		{Field: "kp", Unit: "N·m/rad"}, {Field: "kd", Unit: "N·m·s/rad"}}
	est := []*rerunField{{Field: "quat", Unit: ""}, {Field: "angvel", Unit: "rad/s"}}
	var cmd hal.Commands
	var e estimator.Estimate
	var filter runtime.Estimator = estimator.IMUOnly{}
	for t, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
		if err != nil {
			return err
		}
		// The estimator runs on every tick, whatever the mode — when the
		// log has an estimate to compare with.
		if t.Estimate.Quat != [4]float64{} {
			filter.Update(&t.Sensors, &e)
			rep.EstimateTicks++
			for k := 0; k < 4; k++ {
				est[0].add(e.Quat[k]-t.Estimate.Quat[k], "", t.Time)
			}
			for k := 0; k < 3; k++ {
				est[1].add(e.AngVel[k]-t.Estimate.AngVel[k], "", t.Time)
			}
		}
		mode := export.NameOf(h.ModeNames, int(t.Mode))
		if mode != "stand" {
			rep.SkippedModes[mode]++
			continue
		}
		if t.Faults != 0 {
			rep.SkippedFaults++ // the safety layer replaced the command
			continue
		}
		stand.Step(&t.Sensors, &cmd)
		rep.Rerun++
		for j := 0; j < len(h.Joints); j++ {
			a, b := &cmd.Joint[j], &t.Command.Joint[j]
			name := h.Joints[j]
			fields[0].add(a.Tau-b.Tau, name, t.Time)
			fields[1].add(a.Q-b.Q, name, t.Time)
			fields[2].add(a.Qd-b.Qd, name, t.Time)
			fields[3].add(a.Kp-b.Kp, name, t.Time)
			fields[4].add(a.Kd-b.Kd, name, t.Time)
		}
	}
	for _, f := range append(append([]*rerunField(nil), fields...), est...) {
		if f.n > 0 {
			f.RMS = math.Sqrt(f.sumSq / float64(f.n))
		}
		rep.Differs = rep.Differs || f.MaxDiff > c.Tol
	}
	rep.Fields = fields
	if rep.EstimateTicks > 0 {
		rep.EstimateFields = est
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

// gains are the stand gains to re-run with: flags, else --config, else the
// log's runtime.config, else its stand.kp/stand.kd metadata.
func (c *logRerunCmd) gains(h *telemetry.Header) (kp, kd []float64, how string, err error) {
	n := len(h.Joints)
	kp, kd = make([]float64, n), make([]float64, n)
	var cfg *runtime.Config
	switch {
	case c.Config != "":
		if cfg, err = runtime.Load(c.Config); err != nil {
			return nil, nil, "", err
		}
		how = "from " + c.Config
	case h.Meta["runtime.config"] != "":
		if cfg, err = runtime.Parse(c.File+" (its runtime.config metadata)", []byte(h.Meta["runtime.config"])); err != nil {
			return nil, nil, "", err
		}
		how = "from the log's runtime.config"
	case h.Meta["stand.kp"] != "" && h.Meta["stand.kd"] != "":
		p, err1 := strconv.ParseFloat(h.Meta["stand.kp"], 64)
		d, err2 := strconv.ParseFloat(h.Meta["stand.kd"], 64)
		if err1 != nil || err2 != nil {
			return nil, nil, "", fmt.Errorf("the log's stand.kp %q / stand.kd %q metadata are not numbers", h.Meta["stand.kp"], h.Meta["stand.kd"])
		}
		for i := range kp {
			kp[i], kd[i] = p, d
		}
		how = "from the log's stand.kp/stand.kd metadata"
	case c.Kp == nil || c.Kd == nil:
		return nil, nil, "", fmt.Errorf("the log does not say how its controller was configured (no runtime.config or stand.kp metadata): give --config FILE or --kp and --kd")
	}
	if cfg != nil {
		for i, name := range h.Joints {
			kp[i], kd[i] = cfg.Stand.Kp, cfg.Stand.Kd
			if g, ok := cfg.Stand.Joints[name]; ok {
				kp[i], kd[i] = g.Kp, g.Kd
			}
		}
	}
	if c.Kp != nil {
		for i := range kp {
			kp[i] = *c.Kp
		}
		how += fmt.Sprintf(", kp %g on every joint (--kp)", *c.Kp)
	}
	if c.Kd != nil {
		for i := range kd {
			kd[i] = *c.Kd
		}
		how += fmt.Sprintf(", kd %g on every joint (--kd)", *c.Kd)
	}
	return kp, kd, fmt.Sprintf("kp %g, kd %g (joint %s) %s", kp[0], kd[0], h.Joints[0], how), nil
}

func printRerun(rep *rerunReport) {
	fmt.Printf("re-run of %s\n", rep.File)
	fmt.Printf("controller  %s\n            gains %s\n", rep.Controller, rep.Gains)
	fmt.Printf("ticks       re-ran %d of %d", rep.Rerun, rep.Ticks)
	for _, k := range sortedCountKeys(rep.SkippedModes) {
		fmt.Printf("; %d in %s (not re-run: the runtime's own mode)", rep.SkippedModes[k], k)
	}
	if rep.SkippedFaults > 0 {
		fmt.Printf("; %d with faults (the safety layer's command)", rep.SkippedFaults)
	}
	fmt.Println()
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

func printField(f *rerunField) {
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
	s := make(map[string]string, len(m))
	for k := range m {
		s[k] = ""
	}
	return export.SortedKeys(s)
}

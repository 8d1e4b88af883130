package rerun

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/playback"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// Options are what a re-run needs besides the log.
type Options struct {
	Info   *hal.Info       // the robot's joints and limits, as the logged run had them
	Home   []float64       // the home pose, in hal joint order
	Config *runtime.Config // see Config
	Gains  string          // where the stand gains came from (Config's account), for the report
	Tol    float64         // largest difference that counts as the same
	File   string          // the log's name, for the report
	// Estimator is the estimator to re-run, the one the log was recorded
	// with (its header's "estimator" meta, see simrun.OpenLog); nil:
	// estimator.IMUOnly, what logs without that meta ran. EstimatorName
	// describes it in the report.
	Estimator     runtime.Estimator
	EstimatorName string
}

// Field is the comparison of one quantity over the compared ticks.
type Field struct {
	Field   string  `json:"field"`
	Unit    string  `json:"unit"`
	MaxDiff float64 `json:"max_abs_diff"`
	RMS     float64 `json:"rms_diff"`
	Joint   string  `json:"worst_joint,omitempty"`
	Time    float64 `json:"worst_t_s"`
	sumSq   float64
	n       int
}

func (f *Field) add(d float64, joint string, t float64) {
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

func (f *Field) finish() {
	if f.n > 0 {
		f.RMS = math.Sqrt(f.sumSq / float64(f.n))
	}
}

// Report is what a re-run found.
type Report struct {
	File          string         `json:"file"`
	Controller    string         `json:"controller"`
	Gains         string         `json:"gains"`
	Ticks         uint64         `json:"ticks"`
	Rerun         int            `json:"rerun_ticks"` // the controller's ticks, compared in Fields
	SkippedModes  map[string]int `json:"skipped_by_mode"`
	SkippedFaults int            `json:"skipped_with_faults"`
	Fields        []*Field       `json:"command"`

	Loop         string  `json:"loop"`
	LoopTicks    int     `json:"loop_ticks"`     // every logged tick, run through the loop
	WarmupTicks  int     `json:"warmup_ticks"`   // ticks before the log's first, to reach its first mode
	ModeDiffers  int     `json:"mode_differs"`   // ticks whose re-run mode is not the logged one
	FirstModeOff float64 `json:"first_mode_t_s"` // time of the first such tick
	AllModes     *Field  `json:"command_all_modes"`

	Estimator      string   `json:"estimator"`
	EstimateTicks  int      `json:"estimate_ticks"`
	EstimateFields []*Field `json:"estimate"`
	// EstimateReproducible says the estimate counts towards Differs: the
	// log starts with the run (no warm-up) or the estimator keeps no state.
	EstimateReproducible bool    `json:"estimate_reproducible"`
	Differs              bool    `json:"differs"`
	Tolerance            float64 `json:"tolerance"`
}

// clock beats at the log's tick numbers and times, one beat per Wait.
type clock struct{ next runtime.Beat }

func (c *clock) Start(float64) error         { return nil }
func (c *clock) Wait() (runtime.Beat, error) { return c.next, nil }
func (c *clock) Stop()                       {}

// capture keeps the loop's last tick record.
type capture struct{ tk telemetry.Tick }

func (c *capture) Record(t *telemetry.Tick) { c.tk = *t }
func (c *capture) Event(*telemetry.Event)   {}

// rerun is one re-run in progress.
type rerun struct {
	o     Options
	h     *telemetry.Header
	robot *playback.Robot
	clk   *clock
	rec   *capture
	loop  *runtime.Loop
}

// Run re-runs every tick of the log through a new runtime loop and compares.
// The error is for a re-run that could not happen (not for differences:
// see Report.Differs).
func Run(r *telemetry.Reader, o Options) (*Report, error) {
	if !(o.Tol >= 0) || math.IsInf(o.Tol, 0) { // NaN would make every difference "the same"
		return nil, fmt.Errorf("tolerance %g: want a finite number ≥ 0", o.Tol)
	}
	h := &r.Header
	if len(h.Joints) != len(o.Info.Joints) {
		return nil, fmt.Errorf("the log has %d joints, the robot %q has %d: not the same robot", len(h.Joints), o.Info.Name, len(o.Info.Joints))
	}
	for i, name := range h.Joints {
		if o.Info.Joints[i].Name != name {
			return nil, fmt.Errorf("log joint %d is %q, robot %q has %q there: not the same robot", i, name, o.Info.Name, o.Info.Joints[i].Name)
		}
	}
	if math.Abs(o.Config.Loop.Rate-h.Rate) > 1e-9*h.Rate {
		return nil, fmt.Errorf("the re-run's loop.rate %g Hz is not the log's %g Hz", o.Config.Loop.Rate, h.Rate)
	}
	robot, err := playback.New(o.Info)
	if err != nil {
		return nil, err
	}
	x := &rerun{o: o, h: h, robot: robot, clk: &clock{}, rec: &capture{}}
	x.loop, err = runtime.New(robot, runtime.Options{Config: o.Config, Clock: x.clk, Home: o.Home, Recorder: x.rec, Estimator: o.Estimator})
	if err != nil {
		return nil, err
	}
	rep := &Report{File: o.File, Controller: "stand (locomotion.Stand: joint PD to the home pose)", Gains: o.Gains,
		Ticks: r.Summary().Ticks, SkippedModes: map[string]int{}, Tolerance: o.Tol,
		Loop:      "runtime.Loop (modes, standup, blends, safety) on the recorded sensors, through hal/playback",
		Estimator: o.EstimatorName,
		AllModes:  &Field{Field: "all", Unit: "N·m, rad, …"}}
	if o.Estimator == nil {
		rep.Estimator = "estimator.IMUOnly (IMU orientation, gyro in world axes)"
	}
	err = x.compare(r, rep)
	err = errors.Join(err, x.loop.Close())
	if err == nil {
		err = robot.Err()
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func (x *rerun) compare(r *telemetry.Reader, rep *Report) error {
	fields := []*Field{{Field: "tau", Unit: "N·m"}, {Field: "q", Unit: "rad"}, {Field: "qd", Unit: "rad/s"},
		{Field: "kp", Unit: "N·m/rad"}, {Field: "kd", Unit: "N·m·s/rad"}}
	est := []*Field{{Field: "quat", Unit: ""}, {Field: "angvel", Unit: "rad/s"}, {Field: "pos", Unit: "m"}, {Field: "linvel", Unit: "m/s"}}
	first := true
	for t, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
		if err != nil {
			return err
		}
		if first {
			first = false
			n, err := x.warmUp(t)
			if err != nil {
				return err
			}
			rep.WarmupTicks = n
		}
		if err := x.tick(t); err != nil {
			return err
		}
		rt := &x.rec.tk
		rep.LoopTicks++
		logged := nameOf(x.h.ModeNames, int(t.Mode))
		if rerun := runtime.Mode(rt.Mode).String(); rerun != logged {
			if rep.ModeDiffers == 0 {
				rep.FirstModeOff = t.Time
			}
			rep.ModeDiffers++
		}
		for j := range x.h.Joints {
			a, b := &rt.Command.Joint[j], &t.Command.Joint[j]
			for _, d := range [5]float64{a.Tau - b.Tau, a.Q - b.Q, a.Qd - b.Qd, a.Kp - b.Kp, a.Kd - b.Kd} {
				rep.AllModes.add(d, x.h.Joints[j], t.Time)
			}
		}
		// The estimator runs on every tick, whatever the mode — compared
		// when the log has an estimate.
		if t.Estimate.Quat != [4]float64{} {
			rep.EstimateTicks++
			for k := 0; k < 4; k++ {
				est[0].add(rt.Estimate.Quat[k]-t.Estimate.Quat[k], "", t.Time)
			}
			for k := 0; k < 3; k++ {
				est[1].add(rt.Estimate.AngVel[k]-t.Estimate.AngVel[k], "", t.Time)
				est[2].add(rt.Estimate.Pos[k]-t.Estimate.Pos[k], "", t.Time)
				est[3].add(rt.Estimate.LinVel[k]-t.Estimate.LinVel[k], "", t.Time)
			}
		}
		if logged != "stand" {
			rep.SkippedModes[logged]++
			continue
		}
		if t.Faults != 0 {
			rep.SkippedFaults++ // the safety layer replaced the command
			continue
		}
		rep.Rerun++
		for j, name := range x.h.Joints {
			a, b := &rt.Command.Joint[j], &t.Command.Joint[j]
			fields[0].add(a.Tau-b.Tau, name, t.Time)
			fields[1].add(a.Q-b.Q, name, t.Time)
			fields[2].add(a.Qd-b.Qd, name, t.Time)
			fields[3].add(a.Kp-b.Kp, name, t.Time)
			fields[4].add(a.Kd-b.Kd, name, t.Time)
		}
	}
	rep.AllModes.finish()
	rep.Differs = rep.ModeDiffers > 0 || rep.AllModes.MaxDiff > rep.Tolerance
	for _, f := range fields {
		f.finish()
		rep.Differs = rep.Differs || f.MaxDiff > rep.Tolerance
	}
	// A filter's state cannot be rebuilt from a log that starts after the
	// run did (the warm-up holds the first sample): its estimate is then
	// reported, not held to the tolerance.
	rep.EstimateReproducible = rep.WarmupTicks == 0 || x.o.Estimator == nil
	for _, f := range est {
		f.finish()
		if rep.EstimateReproducible {
			rep.Differs = rep.Differs || f.MaxDiff > rep.Tolerance
		}
	}
	rep.Fields = fields
	if rep.EstimateTicks > 0 {
		rep.EstimateFields = est
	}
	return nil
}

// tick runs one logged tick through the loop: its sample, its beat and the
// command input that arrived on it.
func (x *rerun) tick(t *telemetry.Tick) error {
	if err := x.robot.Feed(&t.Sensors); err != nil {
		return err
	}
	x.clk.next = runtime.Beat{Index: t.Tick, Time: t.Time}
	in := &t.Input
	if in.ModeRequest != 0 {
		_ = x.loop.Request(runtime.Mode(in.ModeRequest)) // a refusal is the loop's answer, as it was
	}
	if in.Source != 0 {
		c := runtime.Command{Set: runtime.SetVelocity, Vx: in.Vx, Vy: in.Vy, YawRate: in.YawRate}
		if in.Height != 0 {
			c.Set |= runtime.SetHeight
			c.Height = in.Height
		}
		_ = x.loop.Commands().Send(runtime.Source(in.Source), c)
	}
	return x.loop.Run(context.Background(), 1)
}

// warmUp brings the loop into the mode of the log's first tick, on that
// tick's sample, in ticks before it: standup and its blend into stand (and
// on into locomotion) when the log starts standing; a request on the first
// tick itself for standup and estop. It returns the warm-up ticks run.
func (x *rerun) warmUp(first *telemetry.Tick) (int, error) {
	cfg := x.o.Config
	period := cfg.Period()
	ticks := func(s float64) int { return int(math.Ceil(s/period-1e-9)) + 1 }
	type request struct {
		at   int // warm-up tick
		mode runtime.Mode
	}
	var steps []request
	n := 0
	switch mode := nameOf(x.h.ModeNames, int(first.Mode)); mode {
	case "stand", "locomotion":
		steps = append(steps, request{0, runtime.ModeStandup})
		n = ticks(cfg.Standup.Duration) + ticks(cfg.Transition.Blend)
		if mode == "locomotion" {
			steps = append(steps, request{n, runtime.ModeLocomotion})
			n += ticks(cfg.Transition.Blend)
		}
	case "standup", "estop":
		if first.Input.ModeRequest == 0 {
			m, _ := runtime.ParseMode(mode)
			_ = x.loop.Request(m)
		}
		return 0, nil
	default:
		return 0, nil
	}
	s := first.Sensors
	for i := 0; i < n; i++ {
		for _, st := range steps {
			if st.at == i {
				if err := x.loop.Request(st.mode); err != nil {
					return i, fmt.Errorf("warming the loop up into the log's first mode: %w", err)
				}
			}
		}
		back := float64(n - i)
		s.Seq = first.Sensors.Seq - uint64(n-i) // a fresh sample each tick for the watchdog
		s.Time = first.Sensors.Time - back*period
		if err := x.robot.Feed(&s); err != nil {
			return i, err
		}
		x.clk.next = runtime.Beat{Index: uint64(i), Time: first.Time - back*period}
		if err := x.loop.Run(context.Background(), 1); err != nil {
			return i, err
		}
	}
	if got, want := x.loop.Mode().String(), nameOf(x.h.ModeNames, int(first.Mode)); got != want {
		return n, fmt.Errorf("warming the loop up into the log's first mode %s on its first sample: it is in %s after %d ticks", want, got, n)
	}
	return n, nil
}

// nameOf returns names[i] or the number.
func nameOf(names []string, i int) string {
	if i >= 0 && i < len(names) && names[i] != "" {
		return names[i]
	}
	return fmt.Sprint(i)
}

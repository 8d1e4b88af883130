package robotrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal/canbus"
	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

// Run is a `stride robot run`'s settings.
type Run struct {
	File       *canbus.File
	BusDir     string          // Unix sockets instead of SocketCAN ("": SocketCAN)
	Config     *runtime.Config // with loop.rate equal to the file's rate
	Script     *runtime.Script // start-up requests and the user's steps; nil: none
	Controller string          // reported, and "locomotion" builds the walker
	// Locomotion, when set, is what locomotion mode runs (a learned policy,
	// tools/policyrun) instead of the walker.
	Locomotion runtime.Controller
	Duration   time.Duration // 0: until ctx is done
	LogPath    string
	LogForce   bool
	ModelPath  string // the robot's model ("": built-in)
	Estimator  string // inekf (default), linear or imu
	Stderr     io.Writer
	Logf       func(string, ...any)
}

// Summary is what a run reports: `stride sim --json`'s fields that apply
// to a robot, with the buses' counters and the joints' tracking.
type Summary struct {
	Model       string               `json:"model"`
	Controller  string               `json:"controller"`
	WallTime    float64              `json:"wall_time_s"`
	Error       string               `json:"error,omitempty"`
	Interrupted string               `json:"interrupted,omitempty"`
	Halted      bool                 `json:"halted"`
	Disabled    bool                 `json:"disabled"`
	Clock       string               `json:"clock"`
	FinalMode   string               `json:"final_mode"`
	Faults      []string             `json:"faults"`
	Events      []string             `json:"events"`
	Loop        runtime.HealthReport `json:"loop"`
	UDP         *runtime.UDPStats    `json:"udp,omitempty"`
	Log         *LogSummary          `json:"log,omitempty"`
	Buses       []canbus.BusStats    `json:"buses"`
	Tracking    Tracking             `json:"tracking"`
	// Estimator is the estimate's final base height (no ground truth on a
	// robot: the simulator's summary scores it when the robot is emulated).
	FinalEstHeight float64 `json:"final_estimated_base_height_m"`
}

// LogSummary says what went into the telemetry log.
type LogSummary struct {
	Path string `json:"path"`
	telemetry.Stats
}

// Model loads the robot's model (path "" or "builtin": the built-in robot).
func Model(path string) (*rbd.Model, []byte, error) {
	def := models.BuiltinMJCF()
	if path != "" && path != "builtin" && path != models.BuiltinName {
		b, err := fileio.ReadFile(path, fileio.LimitModel)
		if err != nil {
			return nil, nil, err
		}
		def = b
	}
	m, err := models.Load(path)
	return m, def, err
}

// Open opens the robot of the file and checks it can start: every drive
// answers, every joint inside its range, no drive fault. The robot is
// returned open even when the check fails (the caller closes it), with
// the reports.
func Open(ctx context.Context, f *canbus.File, busDir string) (*canbus.Robot, []canbus.JointReport, error) {
	robot, err := canbus.Open(f, canbus.Options{BusDir: busDir})
	if err != nil {
		return nil, nil, err
	}
	reps, err := robot.Probe(ctx, 500*time.Millisecond)
	if err != nil {
		robot.Close()
		return nil, nil, err
	}
	err = canbus.CheckStart(reps)
	if imuErr := robot.WaitIMU(ctx, 500*time.Millisecond); imuErr != nil {
		err = errors.Join(err, imuErr)
	}
	return robot, reps, err
}

// Execute runs the loop on the robot and summarises the run. A run that
// cannot start returns no summary and the reason.
func (r *Run) Execute(ctx context.Context) (*Summary, error) {
	m, def, err := Model(r.ModelPath)
	if err != nil {
		return nil, err
	}
	if math.Abs(r.Config.Loop.Rate-r.File.Rate) > 1e-9 {
		return nil, fmt.Errorf("loop.rate %g Hz, but %s lays the buses out for %g Hz: set one to the other", r.Config.Loop.Rate, r.File.Path, r.File.Rate)
	}
	info := r.File.Info()
	names := info.JointNames()
	jm, err := rbd.NewJointMap(m, names)
	if err != nil {
		return nil, fmt.Errorf("%s: its joints against model %q: %w", r.File.Path, m.Name, err)
	}
	est, err := newEstimator(r.Estimator, m, names)
	if err != nil {
		return nil, err
	}
	ctrl := r.Locomotion
	if ctrl == nil && r.Controller == "locomotion" {
		wk, err := locomotion.NewWalkerForModel(m, names, nil)
		if err != nil {
			return nil, fmt.Errorf("locomotion: %w", err)
		}
		ctrl = wk
	}
	robot, _, err := Open(ctx, r.File, r.BusDir)
	if err != nil {
		if robot != nil {
			robot.Close()
		}
		return nil, err
	}
	defer robot.Close()
	wc, err := runtime.NewWallClock(&r.Config.Loop)
	if err != nil {
		return nil, err
	}
	pr := &probe{}
	loop, err := runtime.New(robot, runtime.Options{Config: r.Config, Clock: wc, Home: jm.Home(), Estimator: est,
		Controller: ctrl, Recorder: pr, Script: r.Script, Logf: r.Logf})
	if err != nil {
		return nil, err
	}
	var log *telemetry.Writer
	if r.LogPath != "" {
		if log, err = r.openLog(robot, def, loop.Declared()); err != nil {
			loop.Close()
			return nil, err
		}
		pr.next = log
	}
	if err := loop.OpenSources(); err != nil {
		loop.Close()
		return nil, err
	}
	if u := loop.UDP(); u != nil && r.Stderr != nil {
		fmt.Fprintf(r.Stderr, "stride robot: commands on udp %v\n", u.Addr())
	}
	for _, w := range wc.Warnings {
		r.logf("real-time setting not applied: %s", w)
	}
	if err := robot.Enable(ctx); err != nil {
		loop.Close()
		return nil, err
	}
	sum := &Summary{Model: m.Name, Controller: r.Controller, Clock: "realtime", Faults: []string{}, Events: []string{}}
	start := time.Now()
	var ticks int64
	if r.Duration > 0 {
		// at least one tick: Loop.Run takes 0 as "until cancelled"
		ticks = max(1, int64(math.Round(r.Duration.Seconds()*r.Config.Loop.Rate)))
	}
	runErr := loop.Run(ctx, ticks)
	sum.WallTime = time.Since(start).Seconds()
	var intr interface{ Name() string }
	if errors.Is(runErr, context.Canceled) && errors.As(context.Cause(ctx), &intr) {
		sum.Interrupted = intr.Name()
		note := telemetry.Event{Time: loop.Time(), Tick: loop.Health().Ticks, Kind: telemetry.EventNote, Joint: -1}
		note.SetMsg("run interrupted by " + intr.Name() + ": drives to damping, then disabled, log closed")
		pr.Event(&note)
		defer func() {
			sum.Events = append(sum.Events, fmt.Sprintf("%.3f s %s: %s", note.Time, telemetry.EventKindNames[note.Kind], note.Text()))
		}()
	}
	sum.FinalMode = loop.Mode().String()
	sum.Loop = loop.Health().Report()
	sum.Tracking = pr.tracking()
	sum.FinalEstHeight = pr.height
	udp := loop.UDP()
	closeErr := loop.Close() // halts: damping
	for _, e := range loop.Events() {
		line := fmt.Sprintf("%.3f s %s: %s", e.Time, telemetry.EventKindNames[e.Kind], e.Text())
		sum.Events = append(sum.Events, line)
		if e.Kind == telemetry.EventFault {
			sum.Faults = append(sum.Faults, line)
		}
	}
	sum.Halted = robot.Halted()
	time.Sleep(20 * time.Millisecond) // a few cycles of damping before the drives go limp
	dctx, cancel := context.WithTimeout(context.Background(), time.Second)
	sum.Disabled = robot.Disable(dctx) == nil
	cancel()
	sum.Buses = robot.Stats()
	if udp != nil {
		st := udp.Stats()
		sum.UDP = &st
	}
	if errors.Is(runErr, context.Canceled) {
		runErr = nil
	}
	runErr = errors.Join(runErr, closeErr)
	if log != nil {
		if err := log.Close(); err != nil {
			runErr = errors.Join(runErr, err)
		}
		sum.Log = &LogSummary{Path: r.LogPath, Stats: log.Stats()}
	}
	if runErr != nil {
		sum.Error = runErr.Error()
	}
	if sum.Interrupted != "" && runErr == nil {
		return sum, context.Cause(ctx) // the signal: the CLI exits with its code
	}
	return sum, runErr
}

func (r *Run) logf(format string, a ...any) {
	if r.Logf != nil {
		r.Logf(format, a...)
	}
}

func newEstimator(name string, m *rbd.Model, joints []string) (runtime.Estimator, error) {
	switch name {
	case "", "inekf":
		return estimator.NewInEKF(m, joints, estimator.DefaultConfig())
	case "linear":
		return estimator.NewLinear(m, joints, estimator.DefaultLinearConfig())
	case "imu":
		return estimator.IMUOnly{}, nil
	}
	return nil, fmt.Errorf("estimator %q: want inekf, linear or imu (a robot has no ground truth)", name)
}

// openLog creates the run's telemetry log: source robot, no truth.
func (r *Run) openLog(robot *canbus.Robot, def []byte, declared []telemetry.Declared) (*telemetry.Writer, error) {
	h := telemetry.NewHeader(robot.Info(), r.Config.Loop.Rate)
	h.Source = "robot"
	h.ModeNames, h.GaitNames, h.FaultNames = runtime.ModeNames(), locomotion.GaitNames(), runtime.FaultNames()
	h.ModelHash = telemetry.HashModel(def)
	h.Declared = declared
	if txt, err := r.Config.Print(); err == nil {
		h.Meta["runtime.config"] = string(txt)
	}
	h.Meta["robot.file"] = r.File.Path
	var inputs []string
	if r.ModelPath != "" {
		inputs = append(inputs, r.ModelPath)
	}
	inputs = append(inputs, r.File.Path)
	out, err := fileio.Create(r.LogPath, fileio.Options{Force: r.LogForce, Inputs: inputs})
	if err != nil {
		return nil, err
	}
	w, err := telemetry.NewWriter(out.File(), h, telemetry.Options{})
	if err != nil {
		out.Abort()
		return nil, fmt.Errorf("telemetry: %s: %w", r.LogPath, err)
	}
	return w, nil
}

package simrun

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/scene"
	"github.com/stride-robotics/stride/tools/esteval"
)

// Overrides are command-line values that replace the config's.
type Overrides struct {
	Kp, Kd *float64 // stand.kp, stand.kd
	Rate   *float64 // loop.rate
}

// Config loads the runtime config at path (defaults for ""), applies the
// overrides, validates the result and checks that the control period is a
// whole number of physics timesteps dt.
func Config(path string, o Overrides, dt time.Duration) (*runtime.Config, error) {
	cfg, err := runtime.Load(path)
	if err != nil {
		return nil, err
	}
	if o.Kp != nil {
		cfg.Stand.Kp = *o.Kp
	}
	if o.Kd != nil {
		cfg.Stand.Kd = *o.Kd
	}
	if o.Rate != nil {
		cfg.Loop.Rate = *o.Rate
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("after the command-line overrides: %w", err)
	}
	period := cfg.Period()
	if n := period / dt.Seconds(); math.Abs(n-math.Round(n)) > 1e-6 || math.Round(n) < 1 {
		return nil, fmt.Errorf("loop.rate %g Hz: the control period (%g s) must be a whole number of physics timesteps (--dt %v)", cfg.Loop.Rate, period, dt)
	}
	return cfg, nil
}

// Robot builds the world of spec and the simulated robot on it, with
// realistic sensor noise from seed when noise is set. Notes are the scene's
// (scene.New).
func Robot(spec scene.Spec, noise bool, seed uint64) (*simhal.Robot, []string, error) {
	w, notes, err := scene.New(spec)
	if err != nil {
		return nil, notes, err
	}
	p := sim.SensorParams{}
	if noise {
		p = sim.RealisticSensors(seed)
	}
	robot, err := simhal.New(w, p)
	if err != nil {
		return nil, notes, err
	}
	return robot, notes, nil
}

// Controllers are the values of Script's controller: what the runtime is
// asked to do at the start.
var Controllers = []string{"stand", "locomotion", "policy", "none"}

// Script is the start-up sequence of a simulated run: the command script at
// path ("" for none), checked against the config's command limits, with the
// start requests of controller before its steps — standup at t = 0 for
// stand, locomotion and policy, and locomotion once standup has finished
// (standup.duration + 0.1 s) for locomotion and policy (a learned policy
// is what locomotion mode runs then); none adds nothing (the robot
// stays in damping unless the script asks). The result is nil when there
// is nothing to run.
func Script(cfg *runtime.Config, path, controller string) (*runtime.Script, error) {
	var script *runtime.Script
	if path != "" {
		c := &cfg.Commands
		lim := runtime.Limits{MaxVx: c.MaxVx, MaxVy: c.MaxVy, MaxYawRate: c.MaxYawRate, MinHeight: c.MinHeight, MaxHeight: c.MaxHeight}
		var err error
		if script, err = runtime.LoadScript(path, lim); err != nil {
			return nil, err
		}
	}
	var steps []runtime.ScriptStep
	switch controller {
	case "stand", "locomotion", "policy":
		steps = append(steps, runtime.ScriptStep{T: 0, Cmd: runtime.Command{Mode: runtime.ModeStandup}})
		if controller != "stand" {
			steps = append(steps, runtime.ScriptStep{T: cfg.Standup.Duration + 0.1, Cmd: runtime.Command{Mode: runtime.ModeLocomotion}})
		}
	case "none":
	default:
		return nil, fmt.Errorf("--controller %q: want stand, locomotion, policy or none", controller)
	}
	if len(steps) == 0 {
		return script, nil
	}
	if script == nil {
		script = &runtime.Script{}
	}
	script.Steps = append(steps, script.Steps...)
	sort.SliceStable(script.Steps, func(i, j int) bool { return script.Steps[i].T < script.Steps[j].T })
	return script, nil
}

// AddPushes adds pushes given as "T:PX,PY,PZ" (loop time s, impulse N·s in
// the heading frame: `stride sim --push`) to script (nil: a new one), in
// time order after any step of the same time. Errors name the push.
func AddPushes(script *runtime.Script, specs []string) (*runtime.Script, error) {
	if len(specs) == 0 {
		return script, nil
	}
	if script == nil {
		script = &runtime.Script{Name: "--push-at"}
	}
	for _, spec := range specs {
		ts, imp, ok := strings.Cut(spec, ":")
		parts := strings.Split(imp, ",")
		if !ok || len(parts) != 3 {
			return nil, fmt.Errorf("--push-at %q: want T:PX,PY,PZ (loop time in s, impulse in N·s in the heading frame), e.g. 5:20,0,0", spec)
		}
		var v [4]float64
		for i, f := range append([]string{ts}, parts...) {
			x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return nil, fmt.Errorf("--push-at %q: %q is not a number", spec, f)
			}
			v[i] = x
		}
		st, err := runtime.PushStep(v[0], [3]float64{v[1], v[2], v[3]})
		if err != nil {
			return nil, fmt.Errorf("--push-at %q: %w", spec, err)
		}
		script.Steps = append(script.Steps, st)
	}
	sort.SliceStable(script.Steps, func(i, j int) bool { return script.Steps[i].T < script.Steps[j].T })
	return script, nil
}

// HomePose returns the pose the runtime stands in, one value per actuator
// in hal joint order: rbd.JointMap.Home of the model's actuator joints (its
// "home" keyframe, else its first, else its reference pose, clamped to each
// joint's range).
func HomePose(m *rbd.Model) []float64 { return rbd.ActuatorJointMap(m).Home() }

// Truth hands the simulator's ground truth to telemetry (never to a
// controller): a runtime.TruthSource.
type Truth struct{ Robot *simhal.Robot }

// Truth fills b with the simulated robot's base state and foot contacts.
func (s Truth) Truth(b *telemetry.BaseState) bool {
	t := s.Robot.Truth()
	*b = telemetry.BaseState{
		Pos: t.BasePos, Quat: [4]float64{t.BaseQuat.W, t.BaseQuat.X, t.BaseQuat.Y, t.BaseQuat.Z},
		LinVel: t.BaseLinVel, AngVel: t.BaseAngVel, COM: t.COM,
	}
	for i := 0; i < len(t.Feet) && i < 2; i++ {
		if t.Feet[i].InContact {
			b.Contact[i] = 1
		}
		b.Force[i] = t.Feet[i].Force
	}
	return true
}

// LoopSetup is what a simulated runtime loop is built from.
type LoopSetup struct {
	Config   *runtime.Config
	Realtime bool             // pace to the wall clock instead of lock-step
	Recorder runtime.Recorder // nil: none
	Truth    bool             // record ground truth
	Script   *runtime.Script  // nil: none
	// Estimator is the loop's base-state estimator; nil: the default
	// (esteval.Default, the invariant EKF).
	Estimator runtime.Estimator
	// Controller is what locomotion mode runs; nil: Walker of the robot,
	// or — when its profile cannot be derived from the model — the
	// runtime's placeholder that holds the stand posture (said in one
	// line through Logf).
	Controller runtime.Controller
	// Logf prints the loop's messages; nil prints them on stderr after
	// "stride: ".
	Logf func(string, ...any)
}

// NewLoop builds the runtime loop around a simulated robot: lock-step by
// default, the wall clock (with the physics stepped each tick) when
// Realtime; the home pose is HomePose of the robot's model.
func NewLoop(robot *simhal.Robot, s LoopSetup) (*runtime.Loop, error) {
	var clock runtime.Clock = &runtime.LockStep{Stepper: robot}
	if s.Realtime {
		wc, err := runtime.NewWallClock(&s.Config.Loop)
		if err != nil {
			return nil, err
		}
		wc.Stepper = robot
		clock = wc
	}
	if s.Logf == nil {
		s.Logf = func(format string, a ...any) { fmt.Fprintf(os.Stderr, "stride: "+format+"\n", a...) }
	}
	if s.Estimator == nil {
		est, err := esteval.New(esteval.Default, robot)
		if err != nil {
			return nil, err
		}
		s.Estimator = est
	}
	if s.Controller == nil {
		if wk, err := Walker(robot); err != nil {
			s.Logf("locomotion mode holds the stand posture (placeholder): no walking profile for model %q: %v", robot.World.Model.Name, err)
		} else {
			s.Controller = wk
		}
	}
	o := runtime.Options{Config: s.Config, Clock: clock, Home: HomePose(robot.World.Model),
		Recorder: s.Recorder, Script: s.Script, Logf: s.Logf, Estimator: s.Estimator, Controller: s.Controller}
	if s.Truth {
		o.Truth = Truth{robot}
	}
	return runtime.New(robot, o)
}

// OpenLog creates a telemetry log for a simulated run: the robot's joints,
// the hash of the model file at modelPath ("" for the built-in robot), the
// runtime's mode, gait and fault names and config, ground truth. block
// makes the writer wait for room instead of dropping records — for
// lock-step runs, which outpace the disk; a real-time loop never blocks.
// declared are the loop's declared channels (runtime.Loop.Declared). The
// file is created through hal/fileio: an existing file is refused unless
// force, the model file always; a file it created and could not start is
// removed, nothing else. estimator names the loop's estimator (esteval.Names;
// "": esteval.Default) in the header's meta, for `stride log rerun`.
func OpenLog(path string, force bool, robot *simhal.Robot, modelPath string, cfg *runtime.Config, block bool, declared []telemetry.Declared, estimator string) (*telemetry.Writer, error) {
	h := telemetry.NewHeader(robot.Info(), cfg.Loop.Rate)
	h.Source = "sim"
	h.Truth = true
	if estimator == "" {
		estimator = esteval.Default
	}
	h.Meta[esteval.MetaKey] = estimator
	h.ModeNames, h.GaitNames, h.FaultNames = runtime.ModeNames(), locomotion.GaitNames(), runtime.FaultNames()
	def := models.BuiltinMJCF()
	if modelPath != "" && modelPath != "builtin" && modelPath != models.BuiltinName {
		b, err := fileio.ReadFile(modelPath, fileio.LimitModel)
		if err != nil {
			return nil, err
		}
		def = b
	}
	h.ModelHash = telemetry.HashModel(def)
	h.Declared = declared
	if txt, err := cfg.Print(); err == nil {
		h.Meta["runtime.config"] = string(txt)
	}
	var inputs []string
	if modelPath != "" {
		inputs = append(inputs, modelPath)
	}
	out, err := fileio.Create(path, fileio.Options{Force: force, Inputs: inputs})
	if err != nil {
		return nil, err
	}
	w, err := telemetry.NewWriter(out.File(), h, telemetry.Options{Block: block})
	if err != nil {
		out.Abort()
		return nil, fmt.Errorf("telemetry: %s: %w", path, err)
	}
	return w, nil // the writer owns the file and closes it
}

package main

import (
	"fmt"
	"os"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

// homePose returns the pose the runtime stands in, in hal joint order (the
// model's actuators): see rbd.JointMap.Home.
func homePose(m *rbd.Model) []float64 { return rbd.ActuatorJointMap(m).Home() }

// simTruth hands the simulator's ground truth to telemetry (never to a
// controller).
type simTruth struct{ r *simhal.Robot }

func (s simTruth) Truth(b *telemetry.BaseState) bool {
	t := s.r.Truth()
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

// loopSetup is what a simulated runtime loop is built from.
type loopSetup struct {
	cfg      *runtime.Config
	realtime bool             // pace to the wall clock instead of lock-step
	rec      runtime.Recorder // nil: none
	truth    bool             // record ground truth
	script   *runtime.Script  // nil: none
	logf     func(string, ...any)
}

// newSimLoop builds the runtime loop around a simulated robot: lock-step by
// default, the wall clock (with the physics stepped each tick) when
// realtime.
func newSimLoop(robot *simhal.Robot, s loopSetup) (*runtime.Loop, error) {
	var clock runtime.Clock = &runtime.LockStep{Stepper: robot}
	if s.realtime {
		wc, err := runtime.NewWallClock(&s.cfg.Loop)
		if err != nil {
			return nil, err
		}
		wc.Stepper = robot
		clock = wc
	}
	if s.logf == nil {
		s.logf = func(format string, a ...any) { fmt.Fprintf(os.Stderr, "stride: "+format+"\n", a...) }
	}
	o := runtime.Options{Config: s.cfg, Clock: clock, Home: homePose(robot.World.Model),
		Recorder: s.rec, Script: s.script, Logf: s.logf}
	if s.truth {
		o.Truth = simTruth{robot}
	}
	return runtime.New(robot, o)
}

// openLog creates a telemetry log for a simulated run: the robot's joints,
// the model's hash, the runtime's mode, gait and fault names, ground truth.
// block makes the writer wait for room instead of dropping records — for
// lock-step runs, which outpace the disk; a real-time loop never blocks.
func openLog(path string, robot *simhal.Robot, modelPath string, cfg *runtime.Config, block bool) (*telemetry.Writer, error) {
	h := telemetry.NewHeader(robot.Info(), cfg.Loop.Rate)
	h.Source = "sim"
	h.Truth = true
	h.ModeNames, h.GaitNames, h.FaultNames = runtime.ModeNames(), locomotion.GaitNames(), runtime.FaultNames()
	def := models.BuiltinMJCF()
	if modelPath != "" && modelPath != "builtin" && modelPath != models.BuiltinName {
		b, err := os.ReadFile(modelPath)
		if err != nil {
			return nil, err
		}
		def = b
	}
	h.ModelHash = telemetry.HashModel(def)
	if txt, err := cfg.Print(); err == nil {
		h.Meta["runtime.config"] = string(txt)
	}
	return telemetry.CreateWith(path, h, telemetry.Options{Block: block})
}

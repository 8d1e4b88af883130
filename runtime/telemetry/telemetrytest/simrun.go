package telemetrytest

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Run describes a simulated run of the built-in robot.
type Run struct {
	Duration float64 // simulated seconds; default 1
	Rate     float64 // control rate, Hz; default 1000 (the physics steps 1 ms)
	Kp, Kd   float64 // stand gains; default 300 and 8, as `stride sim`
	Noise    bool    // realistic sensor noise (seed 1)

	// Standup is the runtime's standup time (standup.duration); the robot
	// starts in its stand posture, so it is short. Default 0.1 s (the shortest the config allows).
	Standup float64

	// Push applies a horizontal force to the base from PushAt for PushFor
	// seconds (zero PushFor: no push). A note event marks it.
	PushAt, PushFor float64
	PushForce       [3]float64 // N, world

	// Controller, when set, is what locomotion mode runs, and Locomotion
	// the loop time at which locomotion is requested (0: never). Its
	// declared channels (runtime.ChannelDeclarer) go in the log.
	Controller runtime.Controller
	Locomotion float64

	// Options for the writer. The zero value means Block (the simulation
	// runs faster than real time and must not drop records) and NoSync.
	Options *telemetry.Options
}

// Meta keys the run writes, and `stride log rerun` reads.
const (
	MetaController = "controller" // "stand"
	MetaKp         = "stand.kp"   // N·m/rad, strconv 'g' -1
	MetaKd         = "stand.kd"   // N·m·s/rad
	MetaModel      = "model"      // model file; "" for the built-in robot
	MetaKeyframe   = "keyframe"   // keyframe the run started from
	MetaTimestep   = "sim.timestep"
	MetaTerrain    = "sim.terrain"
	MetaConfig     = "runtime.config" // the runtime config, YAML
)

// Config returns the runtime config a run uses: the defaults with the run's
// rate, stand gains and a short standup.
func (c *Run) Config() *runtime.Config {
	c.fill()
	cfg := runtime.Defaults()
	cfg.Loop.Rate = c.Rate
	cfg.Stand.Kp, cfg.Stand.Kd = c.Kp, c.Kd
	cfg.Standup.Duration, cfg.Standup.GainRamp = c.Standup, min(cfg.Standup.GainRamp, c.Standup/2)
	cfg.Transition.Blend = 0.02
	return cfg
}

func (c *Run) fill() {
	if c.Duration <= 0 {
		c.Duration = 1
	}
	if c.Rate <= 0 {
		c.Rate = 1000
	}
	if c.Kp == 0 && c.Kd == 0 {
		c.Kp, c.Kd = 300, 8
	}
	if c.Standup <= 0 {
		c.Standup = 0.1
	}
}

// Log runs the simulation through the runtime's loop (runtime.Loop, on a
// lock-step clock, standup requested at t = 0, then stand) and writes its
// log to path, the loop's recorder. It returns the writer's final stats.
// A simulation that stops early (a non-finite state) ends the run with its
// error, after the loop has logged the stop event.
func Log(path string, c Run) (telemetry.Stats, error) {
	c.fill()
	opt := telemetry.Options{Block: true, NoSync: true}
	if c.Options != nil {
		opt = *c.Options
	}
	m, err := models.Builtin()
	if err != nil {
		return telemetry.Stats{}, err
	}
	w, err := sim.NewWorld(m, sim.FlatGround(1), sim.DefaultOptions())
	if err != nil {
		return telemetry.Stats{}, err
	}
	p := sim.SensorParams{}
	if c.Noise {
		p = sim.RealisticSensors(1)
	}
	robot, err := simhal.New(w, p)
	if err != nil {
		return telemetry.Stats{}, err
	}
	cfg := c.Config()
	script := &runtime.Script{Steps: []runtime.ScriptStep{{T: 0, Cmd: runtime.Command{Mode: runtime.ModeStandup}}}}
	if c.Locomotion > 0 {
		script.Steps = append(script.Steps, runtime.ScriptStep{T: c.Locomotion, Cmd: runtime.Command{Mode: runtime.ModeLocomotion}})
	}
	rec := &forward{}
	push := &pusher{robot: robot, rec: rec, run: &c}
	loop, err := runtime.New(robot, runtime.Options{Config: cfg, Clock: &runtime.LockStep{Stepper: push},
		Home: robot.Joints.Home(), Controller: c.Controller, Recorder: rec, Truth: truth{robot}, Script: script})
	if err != nil {
		return telemetry.Stats{}, err
	}

	h := telemetry.NewHeader(robot.Info(), c.Rate)
	h.Source, h.Truth = "sim", true
	h.ModelHash = telemetry.HashModel(models.BuiltinMJCF())
	h.ModeNames, h.GaitNames, h.FaultNames = runtime.ModeNames(), locomotion.GaitNames(), runtime.FaultNames()
	h.Declared = loop.Declared()
	h.Meta[MetaController] = "stand"
	if c.Controller != nil {
		h.Meta[MetaController] = c.Controller.Name()
	}
	h.Meta[MetaKp] = strconv.FormatFloat(c.Kp, 'g', -1, 64)
	h.Meta[MetaKd] = strconv.FormatFloat(c.Kd, 'g', -1, 64)
	h.Meta[MetaModel] = ""
	h.Meta[MetaKeyframe] = "0"
	h.Meta[MetaTimestep] = strconv.FormatFloat(w.Opt.Timestep, 'g', -1, 64)
	h.Meta[MetaTerrain] = "flat"
	if txt, err := cfg.Print(); err == nil {
		h.Meta[MetaConfig] = string(txt)
	}
	log, err := telemetry.CreateWith(path, h, opt)
	if err != nil {
		loop.Close()
		return telemetry.Stats{}, err
	}
	rec.w = log

	runErr := loop.Run(context.Background(), int64(math.Round(c.Duration*c.Rate)))
	if err := loop.Close(); err != nil && runErr == nil {
		runErr = err
	}
	err = log.Close()
	if runErr != nil {
		return log.Stats(), runErr
	}
	return log.Stats(), err
}

// forward hands the loop's records to the writer, once it exists (the
// header needs the loop's declared channels, so the loop comes first).
type forward struct{ w *telemetry.Writer }

func (f *forward) Record(t *telemetry.Tick) {
	if f.w != nil {
		f.w.Record(t)
	}
}

func (f *forward) Event(e *telemetry.Event) {
	if f.w != nil {
		f.w.Event(e)
	}
}

// pusher is the loop's Stepper: it applies the run's push to the base
// (logging a note when it starts) and steps the simulated robot.
type pusher struct {
	robot  *simhal.Robot
	rec    *forward
	run    *Run
	pushed bool
}

func (p *pusher) Advance(dt float64) error {
	w, c := p.robot.World, p.run
	t := w.Time
	if c.PushFor > 0 && t >= c.PushAt-1e-9 && t < c.PushAt+c.PushFor-1e-9 {
		w.XfrcApplied[1] = spatial.Force{Lin: spatial.Vec3(c.PushForce)}
		if !p.pushed {
			p.pushed = true
			ev := telemetry.Event{Time: t, Tick: uint64(math.Round(t * c.Rate)), Kind: telemetry.EventNote, Joint: -1,
				Values: [4]float64{c.PushForce[0], c.PushForce[1], c.PushForce[2], c.PushFor}}
			ev.SetMsg(fmt.Sprintf("push %.0f N for %.2f s", math.Hypot(c.PushForce[0], c.PushForce[1]), c.PushFor))
			p.rec.Event(&ev)
		}
	} else {
		w.XfrcApplied[1] = spatial.Force{}
	}
	return p.robot.Advance(dt)
}

// truth hands simhal's ground truth to the loop's telemetry.
type truth struct{ r *simhal.Robot }

func (s truth) Truth(b *telemetry.BaseState) bool {
	tr := s.r.Truth()
	*b = telemetry.BaseState{Pos: tr.BasePos, Quat: [4]float64{tr.BaseQuat.W, tr.BaseQuat.X, tr.BaseQuat.Y, tr.BaseQuat.Z},
		LinVel: tr.BaseLinVel, AngVel: tr.BaseAngVel, COM: tr.COM}
	for k := 0; k < 2 && k < len(tr.Feet); k++ {
		if tr.Feet[k].InContact {
			b.Contact[k] = 1
		}
		b.Force[k] = tr.Feet[k].Force
	}
	return true
}

package telemetrytest

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/spatial"
)

// ModeStand is the mode number logged for the stand controller, and
// ModeNames the names written to the header (the runtime's state machine).
const ModeStand = 3

// ModeNames names the runtime modes by number.
var ModeNames = []string{"none", "damping", "standup", "stand", "locomotion", "estop"}

// Run describes a simulated run of the built-in robot.
type Run struct {
	Duration float64 // simulated seconds; default 1
	Rate     float64 // control rate, Hz; default 1000 (the physics steps 1 ms)
	Kp, Kd   float64 // stand gains; default 300 and 8, as `stride sim`
	Noise    bool    // realistic sensor noise (seed 1)

	// Push applies a horizontal force to the base from PushAt for PushFor
	// seconds (zero PushFor: no push). A note event marks it.
	PushAt, PushFor float64
	PushForce       [3]float64 // N, world

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
)

// Log runs the simulation and writes its log to path. It returns the
// writer's final stats.
func Log(path string, c Run) (telemetry.Stats, error) {
	if c.Duration <= 0 {
		c.Duration = 1
	}
	if c.Rate <= 0 {
		c.Rate = 1000
	}
	if c.Kp == 0 && c.Kd == 0 {
		c.Kp, c.Kd = 300, 8
	}
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
	q0 := make([]float64, m.Nu)
	robot.Joints.Positions(q0, w.Qpos)
	stand := locomotion.NewStand(q0, c.Kp, c.Kd)

	h := telemetry.NewHeader(robot.Info(), c.Rate)
	h.Source, h.Truth = "sim", true
	h.ModelHash = telemetry.HashModel(models.BuiltinMJCF())
	h.ModeNames = ModeNames
	h.GaitNames = []string{"stand", "walk", "run"}
	h.Meta[MetaController] = "stand"
	h.Meta[MetaKp] = strconv.FormatFloat(c.Kp, 'g', -1, 64)
	h.Meta[MetaKd] = strconv.FormatFloat(c.Kd, 'g', -1, 64)
	h.Meta[MetaModel] = ""
	h.Meta[MetaKeyframe] = "0"
	h.Meta[MetaTimestep] = strconv.FormatFloat(w.Opt.Timestep, 'g', -1, 64)
	h.Meta[MetaTerrain] = "flat"
	log, err := telemetry.CreateWith(path, h, opt)
	if err != nil {
		return telemetry.Stats{}, err
	}

	var tk telemetry.Tick
	ev := telemetry.Event{Kind: telemetry.EventModeChange, Code: ModeStand, Joint: -1}
	ev.SetMsg("stand")
	log.Event(&ev)
	period := 1 / c.Rate
	ticks := int(math.Round(c.Duration * c.Rate))
	pushed := false
	var runErr error
	for i := 0; i < ticks; i++ {
		start := time.Now()
		t := float64(i) * period
		if c.PushFor > 0 && t >= c.PushAt && t < c.PushAt+c.PushFor {
			w.XfrcApplied[1] = spatial.Force{Lin: spatial.Vec3(c.PushForce)}
			if !pushed {
				pushed = true
				ev = telemetry.Event{Time: t, Tick: uint64(i), Kind: telemetry.EventNote, Joint: -1,
					Values: [4]float64{c.PushForce[0], c.PushForce[1], c.PushForce[2], c.PushFor}}
				ev.SetMsg(fmt.Sprintf("push %.0f N for %.2f s", math.Hypot(c.PushForce[0], c.PushForce[1]), c.PushFor))
				log.Event(&ev)
			}
		} else {
			w.XfrcApplied[1] = spatial.Force{}
		}
		if runErr = robot.Read(&tk.Sensors); runErr != nil {
			break
		}
		stand.Step(&tk.Sensors, &tk.Command)
		if runErr = robot.Write(&tk.Command); runErr != nil {
			break
		}
		tk.Time, tk.Tick, tk.Mode = t, uint64(i), ModeStand
		fillTruth(&tk, robot.Truth())
		tk.Compute = time.Since(start).Seconds()
		log.Record(&tk)
		if runErr = robot.Advance(period); runErr != nil {
			break
		}
	}
	err = log.Close()
	if runErr != nil {
		return log.Stats(), runErr
	}
	return log.Stats(), err
}

// fillTruth copies simhal's ground truth into the tick's truth channel.
func fillTruth(t *telemetry.Tick, tr *simhal.Truth) {
	t.HasTruth = true
	b := &t.Truth
	b.Pos = tr.BasePos
	b.Quat = [4]float64{tr.BaseQuat.W, tr.BaseQuat.X, tr.BaseQuat.Y, tr.BaseQuat.Z}
	b.LinVel = tr.BaseLinVel
	b.AngVel = tr.BaseAngVel
	b.COM = tr.COM
	for k := 0; k < 2 && k < len(tr.Feet); k++ {
		b.Contact[k] = 0
		if tr.Feet[k].InContact {
			b.Contact[k] = 1
		}
		b.Force[k] = tr.Feet[k].Force
	}
}

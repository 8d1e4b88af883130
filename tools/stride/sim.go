package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/rbd"
)

// simFlags are the settings shared by every command that builds a world.
type simFlags struct {
	Model      string        `help:"MJCF (.xml) or URDF (.urdf) file; the built-in robot when omitted." type:"path"`
	Dt         time.Duration `default:"1ms" help:"Physics timestep (0.5ms–2ms tested)."`
	Integrator string        `default:"euler" enum:"euler,rk4" help:"euler (MuJoCo's semi-implicit Euler) or rk4."`
	Terrain    string        `default:"flat" help:"flat, slope:DEG, stairs:RISE_CM, rough:AMP_CM, or model (the model's own world geoms)."`
	Key        int           `default:"0" help:"Keyframe to start from (-1: the model's reference pose)."`
}

func (f *simFlags) world() (*sim.World, error) {
	m, err := loadModel(f.Model)
	if err != nil {
		return nil, err
	}
	opt := sim.DefaultOptions()
	opt.Timestep = f.Dt.Seconds()
	if f.Integrator == "rk4" {
		opt.Integrator = sim.RK4
	}
	t, err := parseTerrain(f.Terrain, m)
	if err != nil {
		return nil, err
	}
	w, err := sim.NewWorld(m, t, opt)
	if err != nil {
		return nil, err
	}
	if f.Key >= len(m.Keyframes) {
		return nil, fmt.Errorf("--key %d: model %q has %d keyframes", f.Key, m.Name, len(m.Keyframes))
	}
	if err := w.Reset(f.Key); err != nil {
		return nil, err
	}
	return w, nil
}

// parseTerrain reads the --terrain flag.
func parseTerrain(s string, m *rbd.Model) (*sim.Terrain, error) {
	kind, arg, _ := strings.Cut(s, ":")
	num := func(def float64) (float64, error) {
		if arg == "" {
			return def, nil
		}
		v, err := strconv.ParseFloat(arg, 64)
		if err != nil || math.IsNaN(v) {
			return 0, fmt.Errorf("--terrain %s: %q is not a number", s, arg)
		}
		return v, nil
	}
	switch kind {
	case "flat":
		return sim.FlatGround(1), nil
	case "model":
		return sim.TerrainFromModel(m), nil
	case "slope":
		deg, err := num(5)
		if err != nil || math.Abs(deg) > 45 {
			return nil, fmt.Errorf("--terrain %s: slope must be within ±45 degrees", s)
		}
		return sim.TiltedGround(deg*math.Pi/180, 1), nil
	case "stairs":
		cm, err := num(10)
		if err != nil || cm <= 0 || cm > 40 {
			return nil, fmt.Errorf("--terrain %s: rise must be in (0, 40] cm", s)
		}
		return sim.Stairs(0.5, cm/100, 0.3, 2, 8, 1), nil
	case "rough":
		cm, err := num(2)
		if err != nil || cm < 0 || cm > 20 {
			return nil, fmt.Errorf("--terrain %s: amplitude must be in [0, 20] cm", s)
		}
		return sim.RoughGround(81, 81, 0.1, cm/100, 1, 1), nil
	}
	return nil, fmt.Errorf("--terrain %q: want flat, slope:DEG, stairs:RISE_CM, rough:AMP_CM or model", s)
}

type simCmd struct {
	simFlags
	Headless   bool          `help:"Run without a window."`
	Duration   time.Duration `default:"10s" help:"Simulated time to run."`
	Controller string        `default:"stand" enum:"stand,none" help:"stand: hold the start pose with joint PD; none: zero torque."`
	Kp         float64       `default:"300" help:"Stand controller stiffness, N·m/rad."`
	Kd         float64       `default:"8" help:"Stand controller damping, N·m·s/rad."`
	Rate       float64       `default:"1000" help:"Control rate, Hz."`
	Noise      bool          `help:"Realistic sensor noise (encoders, IMU)."`
	Seed       uint64        `default:"1" help:"Sensor noise seed."`
	JSON       bool          `help:"Print the summary as JSON."`
}

// simSummary is what `stride sim` reports at the end of a run.
type simSummary struct {
	Model           string  `json:"model"`
	Controller      string  `json:"controller"`
	SimTime         float64 `json:"sim_time_s"`
	WallTime        float64 `json:"wall_time_s"`
	RealTimeFactor  float64 `json:"real_time_factor"`
	Steps           int64   `json:"steps"`
	StepsPerSecond  float64 `json:"steps_per_s"`
	FinalBaseHeight float64 `json:"final_base_height_m"`
	MaxPenetration  float64 `json:"max_penetration_m"`
	Fell            bool    `json:"fell"`
	Error           string  `json:"error,omitempty"`
}

func (c *simCmd) Run() error {
	if c.Rate <= 0 || c.Rate > 10000 {
		return fmt.Errorf("--rate %g: want a control rate in (0, 10000] Hz", c.Rate)
	}
	if c.Duration <= 0 {
		return fmt.Errorf("--duration %v: want a positive duration", c.Duration)
	}
	if !c.Headless {
		fmt.Fprintln(os.Stderr, "stride sim: the viewer is not built yet; running headless")
	}
	w, err := c.world()
	if err != nil {
		return err
	}
	p := sim.SensorParams{}
	if c.Noise {
		p = sim.RealisticSensors(c.Seed)
	}
	robot, err := simhal.New(w, p)
	if err != nil {
		return err
	}
	sum, err := runSim(robot, c)
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err2 := enc.Encode(sum); err2 != nil {
			return err2
		}
	} else {
		printSummary(sum)
	}
	return err
}

func runSim(robot *simhal.Robot, c *simCmd) (*simSummary, error) {
	w := robot.World
	m := w.Model
	sum := &simSummary{Model: m.Name, Controller: c.Controller}
	q0 := make([]float64, m.Nu)
	for i := range m.Actuators {
		q0[i] = w.Qpos[m.Joints[m.Actuators[i].Joint].QAdr]
	}
	stand := locomotion.NewStand(q0, c.Kp, c.Kd)
	h0 := robot.Truth().BasePos[2]
	period := 1 / c.Rate
	ticks := int(math.Round(c.Duration.Seconds() / period))
	var bar *progressbar.ProgressBar
	if term.IsTerminal(int(os.Stderr.Fd())) && c.Duration >= 5*time.Second {
		bar = progressbar.NewOptions(ticks, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("simulating"), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	}
	var sens hal.Sensors
	var cmd hal.Commands
	start := time.Now()
	var runErr error
	for i := 0; i < ticks; i++ {
		if err := robot.Read(&sens); err != nil {
			runErr = err
			break
		}
		switch c.Controller {
		case "stand":
			stand.Step(&sens, &cmd)
		default:
			cmd = hal.Commands{N: m.Nu}
		}
		if err := robot.Write(&cmd); err != nil {
			runErr = err
			break
		}
		if err := robot.Advance(period); err != nil {
			runErr = err
			break
		}
		for _, ct := range w.Contacts {
			sum.MaxPenetration = math.Max(sum.MaxPenetration, -ct.Dist)
		}
		if bar != nil && i%100 == 0 {
			_ = bar.Set(i)
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	wall := time.Since(start).Seconds()
	tr := robot.Truth()
	sum.SimTime = w.Time
	sum.WallTime = wall
	sum.Steps = w.Steps
	if wall > 0 {
		sum.RealTimeFactor = w.Time / wall
		sum.StepsPerSecond = float64(w.Steps) / wall
	}
	sum.FinalBaseHeight = tr.BasePos[2]
	q := tr.BaseQuat
	tilt := math.Acos(math.Max(-1, math.Min(1, 1-2*(q.X*q.X+q.Y*q.Y))))
	sum.Fell = tr.BasePos[2] < 0.6*h0 || tilt > math.Pi/3
	if runErr != nil {
		sum.Error = runErr.Error()
	}
	return sum, runErr
}

func printSummary(s *simSummary) {
	fmt.Printf("model %s, controller %s\n", s.Model, s.Controller)
	fmt.Printf("simulated %.3f s in %.3f s wall: %.1f× real time, %.0f steps/s (%d steps)\n",
		s.SimTime, s.WallTime, s.RealTimeFactor, s.StepsPerSecond, s.Steps)
	fmt.Printf("final base height %.4f m, max penetration %.2f mm, fell: %v\n", s.FinalBaseHeight, s.MaxPenetration*1e3, s.Fell)
	if s.Error != "" {
		fmt.Printf("stopped early: %s\n", s.Error)
	}
}

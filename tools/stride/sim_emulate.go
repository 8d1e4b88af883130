package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/stride-robotics/stride/hal/canbus"
	"github.com/stride-robotics/stride/tools/busemu"
	"github.com/stride-robotics/stride/tools/simrun"
)

// emuFlags make `stride sim` the robot's buses (docs/robot.md).
type emuFlags struct {
	EmulateBus string        `help:"Serve the buses and IMU of this robot file from the simulated robot, in real time, for 'stride robot … --bus-dir' (the physics starts at the first enable; --duration counts from there)." type:"path"`
	BusDir     string        `help:"With --emulate-bus: the directory of the Unix sockets (DIR/can0, …, DIR/imu)." type:"path"`
	EmuLatency time.Duration `default:"100us" help:"With --emulate-bus: each drive reply this long after its request."`
	EmuDrop    float64       `default:"0" help:"With --emulate-bus: share of drive replies dropped at random (0–1)."`
}

// emuSummary is what an emulated run reports.
type emuSummary struct {
	Robot          string  `json:"robot"`
	SimTime        float64 `json:"sim_time_s"`
	WallTime       float64 `json:"wall_time_s"`
	RealTimeFactor float64 `json:"real_time_factor"`
	Steps          uint64  `json:"steps"`
	Slips          uint64  `json:"slips"`
	FramesServed   uint64  `json:"frames_served"`
	FinalHeight    float64 `json:"final_base_height_m"`
	Travel         float64 `json:"base_travel_m"` // horizontal, start to end (ground truth)
	Fell           bool    `json:"fell"`
}

func (c *simCmd) emulate() error {
	if c.BusDir == "" {
		return fmt.Errorf("--emulate-bus needs --bus-dir DIR (where the bus sockets go)")
	}
	if c.EmuDrop < 0 || c.EmuDrop > 1 || c.EmuLatency < 0 {
		return fmt.Errorf("--emu-drop %g, --emu-latency %v: want a share in [0, 1] and a non-negative latency", c.EmuDrop, c.EmuLatency)
	}
	f, err := canbus.Load(c.EmulateBus)
	if err != nil {
		return err
	}
	robot, err := c.simRobot()
	if err != nil {
		return err
	}
	emu, err := busemu.New(robot, f, c.BusDir, busemu.Options{Latency: c.EmuLatency, DropRate: c.EmuDrop, Seed: c.Seed})
	if err != nil {
		return err
	}
	defer emu.Close()
	fmt.Fprintf(os.Stderr, "stride sim: serving %d bus(es) of %s on %s; waiting for the first enable\n", len(f.Buses), f.Path, c.BusDir)
	ctx, stop := simrun.NotifySignals(context.Background())
	defer stop()
	p0 := robot.Truth().BasePos
	h0 := p0[2]
	t0 := robot.World.Time
	start := time.Now()
	err = emu.Run(ctx, c.Duration)
	tr := robot.Truth()
	q := tr.BaseQuat
	tilt := math.Acos(math.Max(-1, math.Min(1, 1-2*(q.X*q.X+q.Y*q.Y))))
	s := emuSummary{Robot: robot.Info().Name, SimTime: robot.World.Time - t0, WallTime: time.Since(start).Seconds(),
		Steps: emu.Steps, Slips: emu.Slips, FramesServed: emu.Drives().Served(), FinalHeight: tr.BasePos[2],
		Fell: tr.BasePos[2] < 0.6*h0 || tilt > math.Pi/3, Travel: math.Hypot(tr.BasePos[0]-p0[0], tr.BasePos[1]-p0[1])}
	if s.WallTime > 0 {
		s.RealTimeFactor = s.SimTime / s.WallTime
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(s)
	} else {
		fmt.Printf("emulated %s: %.3f s simulated in %.3f s wall (%.3f× real time), %d steps, %d slips (backlog dropped), %d frames answered\n",
			s.Robot, s.SimTime, s.WallTime, s.RealTimeFactor, s.Steps, s.Slips, s.FramesServed)
		fmt.Printf("final base height %.4f m, travelled %.3f m, fell: %v\n", s.FinalHeight, s.Travel, s.Fell)
	}
	return err
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/stride-robotics/stride/tools/bench"
)

type benchCmd struct {
	Sim  benchSimCmd  `cmd:"" help:"Step throughput of the PD-stand scenario (the one ../shared/peer/peer MODEL -p 300 -d 8 runs in MuJoCo)."`
	Loop benchLoopCmd `cmd:"" help:"Real-time loop timing: the full loop (simulator, safety, log) beside a bare sleep-and-spin baseline, interleaved in one run."`
	Rbd  benchRbdCmd  `cmd:"" name:"rbd" help:"Bare rigid-body forward dynamics (ABA; CRBA+RNEA+solve), optionally beside MuJoCo's."`
}

type benchSimCmd struct {
	Model string        `help:"MJCF or URDF file; the built-in robot when omitted." type:"path"`
	Steps int           `default:"10000" help:"Steps per timed run."`
	Reps  int           `default:"3" help:"Timed runs; the median is reported."`
	Dt    time.Duration `help:"Timestep (default: the model's own, else 1 ms)."`
	Kp    float64       `default:"300" help:"PD stiffness through the actuators."`
	Kd    float64       `default:"8" help:"PD damping through the actuators."`
	Peer  string        `help:"MuJoCo peer binary (../shared/peer/peer.c built with gcc -lmujoco), or 'auto' to build it; runs the same scenario in the same run and reports the ratio."`
	JSON  bool          `help:"Print JSON."`
}

func (c *benchSimCmd) Run() error {
	res, err := bench.Sim(bench.SimOptions{Model: c.Model, Steps: c.Steps, Reps: c.Reps, Dt: c.Dt, Kp: c.Kp, Kd: c.Kd, Peer: c.Peer})
	if err != nil {
		return err
	}
	modelWarnings(res.Warnings)
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Printf("stride  %s  dt %g s  %d steps × %d: median %.2f µs/step, %.0f steps/s, ×%.0f real time, mean contacts %.1f, final base z %.3f m\n",
		res.Model, res.Timestep, res.Steps, c.Reps, res.MicrosPerStep, res.StepsPerSecond, res.RealTime, res.MeanContacts, res.FinalHeight)
	if res.Peer != nil {
		fmt.Printf("mujoco  %s\n", res.Peer.Line)
		fmt.Printf("ratio   stride/mujoco steps/s = %.2f\n", res.Ratio)
	}
	return nil
}

type benchRbdCmd struct {
	Model string `help:"MJCF or URDF file; the built-in robot when omitted." type:"path"`
	N     int    `default:"20000" help:"Calls per timed run."`
	Reps  int    `default:"5" help:"Timed runs; the median is reported."`
	Peer  string `help:"MuJoCo peer binary, or 'auto' to build ../shared/peer/peer.c: reports MuJoCo's bare rigid-body dynamics (its 'rbd' line) in the same run."`
	JSON  bool   `help:"Print JSON."`
}

// Run times forward dynamics without contacts: ABA, and CRBA + RNEA +
// factor + solve (what MuJoCo's 'rbd' figure times), each with kinematics.
func (c *benchRbdCmd) Run() error {
	r, err := bench.Rbd(bench.RbdOptions{Model: c.Model, N: c.N, Reps: c.Reps, Peer: c.Peer})
	if err != nil {
		return err
	}
	modelWarnings(r.Warnings)
	res, peerLine := r.Figures, r.PeerLine
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Printf("stride  %s  nv %d: ABA forward dynamics %.2f µs, CRBA+RNEA+factor+solve %.2f µs (kinematics included, median of %d × %d)\n",
		r.Model, r.Nv, res["aba_us"], res["crba_us"], c.Reps, c.N)
	if peerLine != "" {
		fmt.Printf("mujoco  %s\n", peerLine)
		fmt.Printf("ratio   mujoco rbd / stride ABA time = %.2f\n", res["ratio_aba_vs_mujoco"])
	}
	return nil
}

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
	cmdline
	Model string        `help:"MJCF or URDF file; the built-in robot when omitted." type:"path"`
	Steps int           `default:"10000" help:"Steps per timed run."`
	Reps  int           `default:"3" help:"Timed runs; the median is reported."`
	Dt    time.Duration `help:"Timestep of both simulators (default: the model's own, else MuJoCo's 2 ms)."`
	Kp    float64       `default:"300" help:"PD stiffness through the actuators."`
	Kd    float64       `default:"8" help:"PD damping through the actuators."`
	Peer  string        `help:"MuJoCo 2.2.2 side: 'auto' builds tools/bench/csrc/mjstat.c with gcc -lmujoco (or give its binary); runs the same scenario at the same timestep, interleaved, and reports the speed-up and MuJoCo's solver counts."`
	Zoo   bool          `help:"Run the model zoo (built-in robot and stress variants, a humanoid after MuJoCo's, the vendor PM01 when ../shared has it) beside MuJoCo, each at one timestep for both; needs gcc and libmujoco-dev."`
	Only  []string      `help:"With --zoo: only these models."`
	JSON  bool          `help:"Print JSON."`
}

func (c *benchSimCmd) Run() error {
	if c.Dt < 0 || c.set("dt", c.Dt != 0) && c.Dt == 0 {
		return fmt.Errorf("--dt %v: want a positive timestep (leave --dt out for the model's own)", c.Dt)
	}
	var u unused
	if c.Zoo {
		u.add(c.set("model", c.Model != ""), "--model")
		u.add(c.set("dt", c.Dt != 0), "--dt")
		u.add(c.set("kp", c.Kp != 300), "--kp")
		u.add(c.set("kd", c.Kd != 8), "--kd")
		if err := u.err("with --zoo (each zoo model has its own)"); err != nil {
			return err
		}
	}
	u.add(!c.Zoo && c.set("only", len(c.Only) > 0), "--only")
	if err := u.err("without --zoo"); err != nil {
		return err
	}
	if c.Zoo {
		rows, err := bench.RunZoo(bench.ZooOptions{Steps: c.Steps, Reps: c.Reps, Only: c.Only, Peer: c.Peer})
		if err != nil {
			return err
		}
		if c.JSON {
			return printJSON(rows)
		}
		fmt.Print(bench.FormatZoo(rows))
		return nil
	}
	res, err := bench.Sim(bench.SimOptions{Model: c.Model, Steps: c.Steps, Reps: c.Reps, Dt: c.Dt, Kp: c.Kp, Kd: c.Kd, Peer: c.Peer})
	if err != nil {
		return err
	}
	modelWarnings(res.Warnings)
	if c.JSON {
		return printJSON(res)
	}
	fmt.Printf("stride  %s  dt %g s  %d steps × %d: median %.2f µs/step (CPU), %.0f steps/s, ×%.0f real time, mean contacts %.1f, final base z %.3f m\n",
		res.Model, res.Timestep, res.Steps, c.Reps, res.MicrosPerStep, res.StepsPerSecond, res.RealTime, res.MeanContacts, res.FinalHeight)
	s := res.Solver
	fmt.Printf("stride  solver per step (mean/max): Newton iterations %.2f/%d, line-search evaluations %.2f/%d, Hessian factorisations %.2f/%d\n",
		s.Iter.Mean, s.Iter.Max, s.LineEvals.Mean, s.LineEvals.Max, s.Factor.Mean, s.Factor.Max)
	if res.Peer != nil {
		fmt.Printf("mujoco  %s\n", res.Peer.Line)
		fmt.Printf("ratio   mujoco/stride µs per step = %.2f (median of %d interleaved rounds)\n", res.Ratio, c.Reps)
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

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

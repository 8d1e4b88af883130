package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/peer"
	"github.com/stride-robotics/stride/sim/rbd"
)

// SimResult is the step throughput of the PD-stand scenario.
type SimResult struct {
	Model          string      `json:"model"`
	Timestep       float64     `json:"timestep_s"`
	Steps          int         `json:"steps"`
	MicrosPerStep  float64     `json:"us_per_step"` // median of the runs' CPU time per step
	StepsPerSecond float64     `json:"steps_per_s"`
	RealTime       float64     `json:"real_time_factor"`
	MeanContacts   float64     `json:"mean_contacts"`
	FinalHeight    float64     `json:"final_base_height_m"`
	Runs           []float64   `json:"runs_us_per_step"`
	Solver         StrideRun   `json:"solver"` // the median run's solver counts
	Peer           *PeerResult `json:"peer,omitempty"`
	Ratio          float64     `json:"speed_ratio_vs_peer,omitempty"` // median over the rounds of MuJoCo's time / Stride's
	Warnings       []string    `json:"warnings,omitempty"`            // the model loader's
}

// PeerResult is MuJoCo's figure for the same scenario at the same timestep:
// the median of its runs, interleaved with Stride's.
type PeerResult struct {
	MicrosPerStep  float64     `json:"us_per_step"`
	StepsPerSecond float64     `json:"steps_per_s"`
	Runs           []MujocoRun `json:"runs"`
	Line           string      `json:"line"` // the median run's mjstat line
}

// SimOptions are the PD-stand scenario's settings.
type SimOptions struct {
	Model  string        // MJCF or URDF file; "" for the built-in robot
	Steps  int           // steps per timed run
	Reps   int           // timed runs; the median is reported
	Dt     time.Duration // timestep for both simulators; 0: the model's own, else MuJoCo's default 2 ms
	Kp, Kd float64       // PD gains through the actuators
	Peer   string        // MuJoCo mjstat binary, "auto" to build it, "" for none
}

// mujocoDefaultTimestep is MuJoCo's timestep when a model states none.
const mujocoDefaultTimestep = 0.002

// Sim times the PD-stand scenario — the one ../shared/peer/peer MODEL -p KP
// -d KD runs in MuJoCo — from the model's first keyframe, in CPU time per
// step, and with a peer MuJoCo's run of it at the same timestep, the runs
// interleaved.
func Sim(c SimOptions) (*SimResult, error) {
	if c.Steps < 1 || c.Reps < 1 {
		return nil, fmt.Errorf("--steps and --reps must be at least 1")
	}
	m, err := models.Load(c.Model)
	if err != nil {
		return nil, err
	}
	dt := mujocoDefaultTimestep
	switch {
	case c.Dt > 0:
		dt = c.Dt.Seconds()
	case m.Timestep > 0:
		dt = m.Timestep
	}
	w, err := newStrideWorld(m, dt)
	if err != nil {
		return nil, err
	}
	var mj *mujoco
	var mjcfText []byte
	if c.Peer != "" {
		if mj, err = newMujoco(c.Peer); err != nil {
			return nil, fmt.Errorf("peer: %w", err)
		}
		defer mj.close()
		if c.Model == "" {
			mjcfText = models.BuiltinMJCF()
		}
	}
	res := &SimResult{Model: m.Name, Timestep: dt, Steps: c.Steps, Warnings: m.Warnings}
	q0 := make([]float64, m.Nq)
	var runs []StrideRun
	var peerRuns []MujocoRun
	var ratios []float64
	for r := 0; r < c.Reps; r++ {
		s, err := timeStride(w, c.Steps, c.Kp, c.Kd, q0)
		if err != nil {
			return nil, err
		}
		runs = append(runs, s)
		res.Runs = append(res.Runs, s.CPUMicros)
		if mj != nil {
			p, err := mj.run(mjcfText, c.Model, dt, c.Steps, c.Kp, c.Kd)
			if err != nil {
				return nil, fmt.Errorf("peer: %w", err)
			}
			peerRuns = append(peerRuns, p)
			ratios = append(ratios, p.CPUMicros/s.CPUMicros)
		}
	}
	row := ZooRow{Stride: runs}
	res.Solver = runs[medianRun(row)]
	res.MicrosPerStep = median(res.Runs)
	res.StepsPerSecond = 1e6 / res.MicrosPerStep
	res.RealTime = dt * res.StepsPerSecond
	res.MeanContacts = res.Solver.Contacts
	res.FinalHeight = res.Solver.FinalZ
	if mj != nil {
		var us []float64
		for _, p := range peerRuns {
			us = append(us, p.CPUMicros)
		}
		p := &PeerResult{MicrosPerStep: median(us), Runs: peerRuns, Line: peerRuns[medianRun(row)].Line}
		p.StepsPerSecond = 1e6 / p.MicrosPerStep
		res.Peer, res.Ratio = p, median(ratios)
	}
	return res, nil
}

// pdCtrl sets every fixed-gain motor's control to hold q0 with PD, as the
// MuJoCo peer does: ctrl = (kp·(q0 − q) − kd·q̇) / (gear·gain).
func pdCtrl(w *sim.World, q0 []float64, kp, kd float64) {
	m := w.Model
	for i := range m.Actuators {
		a := &m.Actuators[i]
		if a.Bias != [3]float64{} || a.Gain == 0 {
			continue
		}
		j := &m.Joints[a.Joint]
		w.Ctrl[i] = (kp*(q0[j.QAdr]-w.Qpos[j.QAdr]) - kd*w.Qvel[j.DofAdr]) / (a.Gear * a.Gain)
	}
}

// execPeer builds the peer if asked ('auto') and runs it on the model (the
// built-in robot's MJCF when model is empty).
func execPeer(bin, model string, args []string) ([]byte, error) {
	if bin == "auto" {
		src, err := peer.SharedFile("peer/peer.c")
		if err != nil {
			return nil, fmt.Errorf("--peer auto: %w (run from the repository, next to ../shared)", err)
		}
		// a directory of its own: runs side by side must not share the binary
		dir, err := os.MkdirTemp("", "stride-mujoco-peer-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "peer")
		if err := peer.Build(src, bin); err != nil {
			return nil, err
		}
	}
	if model == "" {
		return peer.RunMJCF(bin, models.BuiltinMJCF(), args...)
	}
	return peer.Run(bin, model, args...)
}

// RbdOptions are the rigid-body benchmark's settings.
type RbdOptions struct {
	Model string // MJCF or URDF file; "" for the built-in robot
	N     int    // calls per timed run
	Reps  int    // timed runs; the median is reported
	Peer  string // MuJoCo peer binary, "auto" to build it, "" for none
}

// RbdResult holds the rigid-body figures: aba_us, crba_us and, with the
// peer, mujoco_rbd_us and ratio_aba_vs_mujoco.
type RbdResult struct {
	Warnings []string // the model loader's
	Model    string
	Nv       int
	Figures  map[string]float64
	PeerLine string // the peer's timing line
}

// Rbd times forward dynamics without contacts: ABA, and CRBA + RNEA +
// factor + solve (what MuJoCo's 'rbd' figure times), each with kinematics,
// at the model's first keyframe and a fixed velocity and torque.
func Rbd(c RbdOptions) (*RbdResult, error) {
	if c.N < 1 || c.Reps < 1 {
		return nil, fmt.Errorf("--n and --reps must be at least 1")
	}
	m, err := models.Load(c.Model)
	if err != nil {
		return nil, err
	}
	d := rbd.NewData(m)
	q := append([]float64(nil), m.Qpos0...)
	if len(m.Keyframes) > 0 && m.Keyframes[0].Qpos != nil {
		copy(q, m.Keyframes[0].Qpos)
	}
	v := make([]float64, m.Nv)
	tau := make([]float64, m.Nv)
	out := make([]float64, m.Nv)
	for i := range v {
		v[i] = 0.5 * math.Sin(float64(3*i+1))
		tau[i] = 5 * math.Cos(float64(7*i+2))
	}
	time1 := func(f func()) float64 {
		var runs []float64
		for r := 0; r < c.Reps; r++ {
			t0 := time.Now()
			for i := 0; i < c.N; i++ {
				f()
			}
			runs = append(runs, time.Since(t0).Seconds()/float64(c.N)*1e6)
		}
		sort.Float64s(runs)
		return runs[len(runs)/2]
	}
	res := map[string]float64{
		"aba_us":  time1(func() { rbd.ForwardDynamics(m, d, out, q, v, tau) }),
		"crba_us": time1(func() { rbd.ForwardDynamicsCRBA(m, d, out, q, v, tau) }),
	}
	var peerLine string
	if c.Peer != "" {
		out, err := execPeer(c.Peer, c.Model, []string{"-n", strconv.Itoa(c.N), "-r", "5"})
		if err != nil {
			return nil, fmt.Errorf("peer: %w", err)
		}
		p, line, err := peer.Timing(out, "rbd")
		if err != nil {
			return nil, fmt.Errorf("peer: %w", err)
		}
		res["mujoco_rbd_us"] = p
		res["ratio_aba_vs_mujoco"] = p / res["aba_us"]
		peerLine = line
	}
	return &RbdResult{Model: m.Name, Nv: m.Nv, Figures: res, PeerLine: peerLine, Warnings: m.Warnings}, nil
}

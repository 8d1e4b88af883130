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
	MicrosPerStep  float64     `json:"us_per_step"`
	StepsPerSecond float64     `json:"steps_per_s"`
	RealTime       float64     `json:"real_time_factor"`
	MeanContacts   float64     `json:"mean_contacts"`
	FinalHeight    float64     `json:"final_base_height_m"`
	Runs           []float64   `json:"runs_us_per_step"`
	Peer           *PeerResult `json:"peer,omitempty"`
	Ratio          float64     `json:"speed_ratio_vs_peer,omitempty"`
	Warnings       []string    `json:"warnings,omitempty"` // the model loader's
}

// PeerResult is MuJoCo's figure for the same scenario.
type PeerResult struct {
	MicrosPerStep  float64 `json:"us_per_step"`
	StepsPerSecond float64 `json:"steps_per_s"`
	Line           string  `json:"line"`
}

// SimOptions are the PD-stand scenario's settings.
type SimOptions struct {
	Model  string        // MJCF or URDF file; "" for the built-in robot
	Steps  int           // steps per timed run
	Reps   int           // timed runs; the median is reported
	Dt     time.Duration // timestep; 0: the model's own, else 1 ms
	Kp, Kd float64       // PD gains through the actuators
	Peer   string        // MuJoCo peer binary, "auto" to build it, "" for none
}

// Sim times the PD-stand scenario — the one ../shared/peer/peer MODEL -p KP
// -d KD runs in MuJoCo — from the model's first keyframe, and the peer's
// run of it when asked.
func Sim(c SimOptions) (*SimResult, error) {
	if c.Steps < 1 || c.Reps < 1 {
		return nil, fmt.Errorf("--steps and --reps must be at least 1")
	}
	m, err := models.Load(c.Model)
	if err != nil {
		return nil, err
	}
	opt := sim.DefaultOptions()
	switch {
	case c.Dt > 0:
		opt.Timestep = c.Dt.Seconds()
	case m.Timestep > 0:
		opt.Timestep = m.Timestep
	}
	w, err := sim.NewWorld(m, nil, opt)
	if err != nil {
		return nil, err
	}
	res := &SimResult{Model: m.Name, Timestep: opt.Timestep, Steps: c.Steps, Warnings: m.Warnings}
	q0 := make([]float64, m.Nq)
	for r := 0; r < c.Reps; r++ {
		if err := w.Reset(0); err != nil {
			return nil, err
		}
		copy(q0, w.Qpos)
		contacts := 0
		t0 := time.Now()
		for i := 0; i < c.Steps; i++ {
			pdCtrl(w, q0, c.Kp, c.Kd)
			if err := w.Step(); err != nil {
				return nil, err
			}
			contacts += len(w.Contacts)
		}
		el := time.Since(t0).Seconds()
		res.Runs = append(res.Runs, el/float64(c.Steps)*1e6)
		res.MeanContacts = float64(contacts) / float64(c.Steps)
		res.FinalHeight = w.Qpos[2]
	}
	sorted := append([]float64(nil), res.Runs...)
	sort.Float64s(sorted)
	res.MicrosPerStep = sorted[len(sorted)/2]
	res.StepsPerSecond = 1e6 / res.MicrosPerStep
	res.RealTime = opt.Timestep * res.StepsPerSecond
	if c.Peer != "" {
		p, err := runPeer(c.Peer, c.Model, c.Steps, c.Reps, c.Kp, c.Kd, c.Dt)
		if err != nil {
			return nil, fmt.Errorf("peer: %w", err)
		}
		res.Peer = p
		res.Ratio = res.StepsPerSecond / p.StepsPerSecond
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

// runPeer runs the MuJoCo peer on the same model and parses its "step" line.
func runPeer(bin, model string, steps, reps int, kp, kd float64, dt time.Duration) (*PeerResult, error) {
	args := []string{"-n", strconv.Itoa(steps), "-r", strconv.Itoa(reps), "-p", fmt.Sprint(kp), "-d", fmt.Sprint(kd)}
	if dt > 0 {
		args = append(args, "-t", fmt.Sprint(dt.Seconds()))
	}
	out, err := execPeer(bin, model, args)
	if err != nil {
		return nil, err
	}
	us, line, err := peer.Timing(out, "step")
	if err != nil {
		return nil, err
	}
	return &PeerResult{MicrosPerStep: us, StepsPerSecond: 1e6 / us, Line: line}, nil
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

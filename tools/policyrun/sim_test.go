package policyrun

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/locomotion/policy/onnxtest"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/scene"
	"github.com/stride-robotics/stride/sim/spatial"
	"github.com/stride-robotics/stride/tools/simrun"
)

// simPolicy is a policy for the built-in robot: its config and its
// network written to files, and what the test needs to recompute it.
type simPolicy struct {
	dir, net, cfg string
	joints        []string  // policy order: the built-in robot's order reversed
	q0            []float64 // default pose, policy order
	scale         float64
	w, b          []float32 // a = W·o + b
	frame         int
}

// obsYAML is the observation of the tests' policies: 24·3 + 3 + 3 + 3 + 2
// = 83 values.
const obsYAML = `observations:
  - {term: joint_pos}
  - {term: joint_vel, scale: 0.05}
  - {term: last_action}
  - {term: base_ang_vel, scale: 0.25}
  - {term: projected_gravity}
  - {term: command, scale: [2, 2, 0.25]}
  - {term: gait_phase, period: 0.6}
`

// writePolicy writes a policy over all of the built-in robot's joints in
// reversed order, with the home pose plus offset(name) as default, and
// weights of amplitude amp (0: a zero-action policy).
func writePolicy(t *testing.T, amp float64, offset func(string) float64) *simPolicy {
	t.Helper()
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	names := rbd.ActuatedJointNames(m)
	home := simrun.HomePose(m)
	p := &simPolicy{dir: t.TempDir(), scale: 0.25, frame: 83}
	var y strings.Builder
	fmt.Fprintf(&y, "preset: isaaclab\ninput: obs\noutput: actions\ndecimation: 20\naction: {scale: %g}\njoints:\n", p.scale)
	for i := len(names) - 1; i >= 0; i-- {
		n := names[i]
		kp, kd := 300.0, 8.0
		if strings.Contains(n, "shoulder") || strings.Contains(n, "elbow") || n == "head_yaw" {
			kp, kd = 100, 3
		}
		q0 := home[i] + offset(n)
		p.joints, p.q0 = append(p.joints, n), append(p.q0, q0)
		fmt.Fprintf(&y, "  - {name: %s, default: %.17g, kp: %g, kd: %g}\n", n, q0, kp, kd)
	}
	y.WriteString(obsYAML)
	r := rand.New(rand.NewPCG(31, 32))
	p.w = onnxtest.RandF(r, 24*p.frame, amp)
	p.b = onnxtest.RandF(r, 24, amp)
	p.net, p.cfg = filepath.Join(p.dir, "p.onnx"), filepath.Join(p.dir, "p.yaml")
	if err := os.WriteFile(p.net, onnxtest.Linear(p.w, p.b, p.frame), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.cfg, []byte(y.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// simulate runs `stride sim --controller policy` headless for dur with the
// policy, a command script and a log, and returns the summary and the log's
// path.
func (p *simPolicy) simulate(t *testing.T, dur time.Duration, blend float64, commands string) (*simrun.Summary, string) {
	t.Helper()
	cfg, err := simrun.Config("", simrun.Overrides{}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Transition.Blend = blend
	var cmdPath string
	if commands != "" {
		cmdPath = filepath.Join(p.dir, "commands.yaml")
		if err := os.WriteFile(cmdPath, []byte(commands), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script, err := simrun.Script(cfg, cmdPath, "policy")
	if err != nil {
		t.Fatal(err)
	}
	robot, _, err := simrun.Robot(scene.Spec{Timestep: 0.001}, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := Controller(p.net, p.cfg, robot.Info().JointNames())
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(p.dir, fmt.Sprintf("run-%g.log", blend))
	run := &simrun.Run{Config: cfg, Script: script, Controller: "policy", Duration: dur, LogPath: logPath, LogForce: true, Locomotion: ctl}
	sum, err := run.Simulate(context.Background(), robot)
	if err != nil {
		t.Fatal(err)
	}
	return sum, logPath
}

// readLog returns the log's header and its ticks.
func readLog(t *testing.T, path string) (*telemetry.Header, []telemetry.Tick) {
	t.Helper()
	r, err := telemetry.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ticks []telemetry.Tick
	for tk, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
		if err != nil {
			t.Fatal(err)
		}
		ticks = append(ticks, *tk)
	}
	h := r.Header
	return &h, ticks
}

// switchTick returns the index of the first tick in locomotion mode.
func switchTick(t *testing.T, ticks []telemetry.Tick) int {
	t.Helper()
	for i := range ticks {
		if ticks[i].Mode == uint8(runtime.ModeLocomotion) {
			return i
		}
	}
	t.Fatal("the run never entered locomotion mode")
	return -1
}

// maxJump is the largest change of a joint's delivered torque from one tick
// to the next over ticks [from, to) (Sensors.Tau is the drives' output over
// the step before the tick).
func maxJump(ticks []telemetry.Tick, from, to int) float64 {
	j := 0.0
	for k := max(from, 1); k < to && k < len(ticks); k++ {
		a, b := &ticks[k-1].Sensors, &ticks[k].Sensors
		for i := 0; i < b.N; i++ {
			j = math.Max(j, math.Abs(b.Tau[i]-a.Tau[i]))
		}
	}
	return j
}

// A policy whose action is zero holds its default pose through the PD: the
// robot stands up with the stand controller, the policy takes over with
// the runtime's blend (the delivered torque changes by at most 2 N·m per
// tick, and by far more without the blend), every later command is the
// default pose with the config's gains, and the joints settle near it.
func TestSimZeroActionHoldsDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	offset := func(n string) float64 { // arms away from the home pose: the hand-over has something to blend
		switch {
		case strings.Contains(n, "shoulder_roll"):
			return math.Copysign(0.2, map[bool]float64{true: 1, false: -1}[strings.HasPrefix(n, "left")])
		case strings.Contains(n, "elbow_pitch"):
			return -0.3
		}
		return 0
	}
	p := writePolicy(t, 0, offset)
	sum, logPath := p.simulate(t, 4600*time.Millisecond, 0.1, "")
	if len(sum.Faults) > 0 || sum.Fell || sum.FinalMode != "locomotion" {
		t.Fatalf("faults %v, fell %v, final mode %s", sum.Faults, sum.Fell, sum.FinalMode)
	}
	h, ticks := readLog(t, logPath)
	s := switchTick(t, ticks)
	jump := maxJump(ticks, s, s+150)
	t.Logf("hand-over at %.3f s: largest torque change %.2f N·m/tick", ticks[s].Time, jump)
	if jump > 2 {
		t.Errorf("hand-over: the delivered torque jumped %.2f N·m in a tick, bound 2", jump)
	}
	idx := make(map[string]int)
	for i, n := range h.Joints {
		idx[n] = i
	}
	worst, worstV := 0.0, 0.0
	for k := s + 101; k < len(ticks); k++ { // after the 0.1 s blend
		tk := &ticks[k]
		for i, n := range p.joints {
			c := tk.Command.Joint[idx[n]]
			if c.Q != p.q0[i] || c.Qd != 0 || c.Tau != 0 {
				t.Fatalf("t = %.3f s: joint %s commanded %+v, want q = %.6f (the default)", tk.Time, n, c, p.q0[i])
			}
			if tk.Time > ticks[len(ticks)-1].Time-0.5 {
				worst = math.Max(worst, math.Abs(tk.Sensors.Q[idx[n]]-p.q0[i]))
				worstV = math.Max(worstV, math.Abs(tk.Sensors.Qd[idx[n]]))
			}
		}
	}
	// The PD's static deflection under the robot's weight (the knees
	// carry tens of N·m at kp 300; measured 0.05 rad) bounds how close a joint
	// gets; the bound is twice that.
	t.Logf("last 0.5 s: largest |q − q₀| %.4f rad, largest |q̇| %.4f rad/s", worst, worstV)
	if worst > 0.1 || worstV > 0.01 {
		t.Errorf("the joints did not settle at the default pose: |q − q₀| up to %.3f rad, |q̇| up to %.3f rad/s", worst, worstV)
	}

	// The same without the blend jumps by far more: the bound above means
	// something.
	_, logPath = p.simulate(t, 2400*time.Millisecond, 0, "")
	_, ticks = readLog(t, logPath)
	s = switchTick(t, ticks)
	if j := maxJump(ticks, s, s+150); j < 3*2 {
		t.Errorf("without the blend the hand-over jumps only %.2f N·m/tick: the test's offsets are too small", j)
	} else {
		t.Logf("without the blend: %.1f N·m/tick", j)
	}
}

// A policy with known weights, checked tick by tick against its log: every
// logged observation frame equals the one recomputed from the logged
// sensors, estimate and command; every logged action equals W·o + b of it;
// every command equals q₀ + scale·a, held between policy ticks; the
// scripted velocity command reaches the command term.
func TestSimKnownWeightsAgainstLog(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	p := writePolicy(t, 0.01, func(string) float64 { return 0 })
	sum, logPath := p.simulate(t, 3500*time.Millisecond, 0.1, "steps:\n  - {t: 2.6, vx: 0.3, vy: -0.1, yaw_rate: 0.2}\n")
	if len(sum.Faults) > 0 || sum.FinalMode != "locomotion" || sum.Locomotion == nil {
		t.Fatalf("faults %v, final mode %s, locomotion scores %v", sum.Faults, sum.FinalMode, sum.Locomotion)
	}
	h, ticks := readLog(t, logPath)
	s := switchTick(t, ticks)
	idx := make([]int, len(p.joints))
	for i, n := range p.joints {
		for k, hn := range h.Joints {
			if hn == n {
				idx[i] = k
			}
		}
	}
	t0 := ticks[s].Time
	last := make([]float64, 24)
	var action []float64
	steps, sawCommand := 0, false
	for k := s; k < len(ticks); k++ {
		tk := &ticks[k]
		obs, act := h.Values(tk, "policy.obs"), h.Values(tk, "policy.action")
		if len(obs) != p.frame || len(act) != 24 {
			t.Fatalf("log channels: obs %d values, action %d", len(obs), len(act))
		}
		if (k-s)%20 == 0 { // a policy tick
			want := frame(tk, idx, p.q0, last, tk.Time-t0)
			for i := range want {
				if math.Abs(obs[i]-want[i]) > 1e-9 {
					t.Fatalf("t = %.3f s: obs[%d] logged %.12g, recomputed %.12g", tk.Time, i, obs[i], want[i])
				}
			}
			sawCommand = sawCommand || (obs[78] == 2*0.3 && obs[79] == 2*-0.1 && obs[80] == 0.25*0.2)
			action = make([]float64, 24)
			for j := range action {
				a := float64(p.b[j])
				for i, o := range obs {
					a += float64(p.w[j*p.frame+i]) * float64(float32(o))
				}
				action[j] = a
				if math.Abs(act[j]-a) > 1e-5 {
					t.Fatalf("t = %.3f s: action[%d] logged %.9g, W·o + b = %.9g", tk.Time, j, act[j], a)
				}
			}
			copy(last, act)
			steps++
		}
		if k > s+100 { // after the blend: the command is the policy's
			for i, hk := range idx {
				want := p.q0[i] + p.scale*last[i]
				if c := tk.Command.Joint[hk]; math.Abs(c.Q-want) > 1e-12 {
					t.Fatalf("t = %.3f s: joint %s commanded q %.9g, want q₀ + scale·a = %.9g", tk.Time, p.joints[i], c.Q, want)
				}
			}
		}
	}
	t.Logf("%d policy steps over %.2f s checked against the log, %d ticks", steps, ticks[len(ticks)-1].Time-t0, len(ticks)-s)
	if steps < 60 || !sawCommand {
		t.Errorf("%d policy steps, scripted command seen in the observation: %v", steps, sawCommand)
	}
}

// frame recomputes the observation of obsYAML from a logged tick: the
// sensors in hal order mapped by idx, the logged estimate (world frame) and
// command.
func frame(tk *telemetry.Tick, idx []int, q0, last []float64, tm float64) []float64 {
	var o []float64
	for i, k := range idx {
		o = append(o, tk.Sensors.Q[k]-q0[i])
	}
	for _, k := range idx {
		o = append(o, 0.05*tk.Sensors.Qd[k])
	}
	o = append(o, last...)
	e := &tk.Estimate
	q := spatial.Quat{W: e.Quat[0], X: e.Quat[1], Y: e.Quat[2], Z: e.Quat[3]}.Normalize()
	rt := q.Mat3().T() // world → base
	w := rt.MulVec(spatial.Vec3(e.AngVel))
	g := rt.MulVec(spatial.Vec3{0, 0, -1})
	o = append(o, 0.25*w[0], 0.25*w[1], 0.25*w[2], g[0], g[1], g[2])
	o = append(o, 2*tk.Input.Vx, 2*tk.Input.Vy, 0.25*tk.Input.YawRate)
	ph := 2 * math.Pi * tm / 0.6
	return append(o, math.Sin(ph), math.Cos(ph))
}

// The loop's tick with the policy in locomotion mode (observation,
// inference every 20th tick, targets, telemetry channels, estimator,
// safety, physics) allocates nothing.
func TestSimPolicyTickAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	p := writePolicy(t, 0.01, func(string) float64 { return 0 })
	cfg, err := simrun.Config("", simrun.Overrides{}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	script, err := simrun.Script(cfg, "", "policy")
	if err != nil {
		t.Fatal(err)
	}
	robot, _, err := simrun.Robot(scene.Spec{Timestep: 0.001}, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := Controller(p.net, p.cfg, robot.Info().JointNames())
	if err != nil {
		t.Fatal(err)
	}
	loop, err := simrun.NewLoop(robot, simrun.LoopSetup{Config: cfg, Script: script, Controller: ctl})
	if err != nil {
		t.Fatal(err)
	}
	defer loop.Close()
	ctx := context.Background()
	if err := loop.Run(ctx, 2300); err != nil {
		t.Fatal(err)
	}
	if loop.Mode() != runtime.ModeLocomotion {
		t.Fatalf("mode %v after 2.3 s, want locomotion", loop.Mode())
	}
	steps := ctl.Steps()
	if a := testing.AllocsPerRun(200, func() { _ = loop.Run(ctx, 1) }); a != 0 {
		t.Errorf("a tick with the policy allocates %v times", a)
	}
	if ctl.Steps()-steps < 10 {
		t.Errorf("only %d policy steps in 201 ticks", ctl.Steps()-steps)
	}
}

package policyrun

import (
	"fmt"
	"math"
	"strings"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/locomotion/policy"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim/rbd"
)

// LimitPolicy bounds an ONNX file (locomotion MLPs are well under 10 MB).
const LimitPolicy int64 = 256 << 20

// LoadNet reads and compiles an ONNX file; errors name the file.
func LoadNet(path string) (*policy.Net, error) {
	b, err := fileio.ReadFile(path, LimitPolicy)
	if err != nil {
		return nil, err
	}
	n, err := policy.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// LoadConfig reads a policy config; its errors give path:line:column.
func LoadConfig(path string) (*policy.Config, error) {
	b, err := fileio.ReadFile(path, fileio.LimitConfig)
	if err != nil {
		return nil, err
	}
	return policy.ParseConfig(path, b)
}

// Controller loads the pair and builds the controller for a robot whose
// joints (hal order) are named joints.
func Controller(netPath, cfgPath string, joints []string) (*policy.Controller, error) {
	if netPath == "" || cfgPath == "" {
		return nil, fmt.Errorf("--controller policy needs --policy FILE.onnx and --policy-config FILE.yaml")
	}
	n, err := LoadNet(netPath)
	if err != nil {
		return nil, err
	}
	c, err := LoadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	ctl, err := policy.New(n, c, joints)
	if err != nil {
		return nil, fmt.Errorf("%s with %s: %w", netPath, cfgPath, err)
	}
	return ctl, nil
}

// Info describes an ONNX file: inputs, outputs, nodes with their output
// shapes and parameters, the parameter count.
func Info(path string) (string, error) {
	n, err := LoadNet(path)
	if err != nil {
		return "", err
	}
	return n.Summary(), nil
}

// Check validates a policy and its config against robot model m without
// running them: the net's input and output against the config, every
// policy joint a joint of the model's actuators, each default pose inside
// its joint's range, each gain finite. The report lists the observation
// layout and the joint mapping; problems are the error.
func Check(netPath, cfgPath string, m *rbd.Model) (string, error) {
	ctl, err := Controller(netPath, cfgPath, rbd.ActuatedJointNames(m))
	if err != nil {
		return "", err
	}
	c := ctl.Cfg
	var b strings.Builder
	fmt.Fprintf(&b, "policy %s: %d parameters, input %v, output %v\n", netPath, ctl.Net.Params(), ctl.Net.Inputs(), ctl.Net.Outputs())
	fmt.Fprintf(&b, "config %s: preset %q, decimation %d, quaternion %s, history %d frame(s)", cfgPath, c.Preset, c.Decimation, c.Quaternion, c.History.Frames)
	if c.History.Frames > 1 {
		order, fill := "oldest first", "copies of the first frame"
		if c.History.NewestFirst {
			order = "newest first"
		}
		if c.History.FillZeros {
			fill = "zeros"
		}
		fmt.Fprintf(&b, " (%s, started with %s)", order, fill)
	}
	if c.ClipObs > 0 {
		fmt.Fprintf(&b, ", observation clipped at ±%g after scaling", c.ClipObs)
	}
	fmt.Fprintf(&b, "\nobservation (%d values): %s\n", c.ObsSize(), c.Layout())
	for _, t := range c.Terms {
		fmt.Fprintf(&b, "  %-18s scale %v", t.Kind, t.Scale)
		if !math.IsInf(t.Clip, 1) {
			fmt.Fprintf(&b, ", clip ±%g before scale", t.Clip)
		}
		if t.History > 1 {
			fmt.Fprintf(&b, ", %d frames", t.History)
		}
		if t.Kind == policy.TermPhase {
			fmt.Fprintf(&b, ", period %g s", t.Period)
		}
		b.WriteByte('\n')
	}
	jm := rbd.ActuatorJointMap(m)
	var problems []string
	fmt.Fprintf(&b, "joints (policy order → robot):\n  %-3s %-24s %-5s %8s %7s %7s %7s %6s  %s\n", "#", "name", "robot", "default", "scale", "clip", "kp", "kd", "range")
	for i, j := range c.Joints {
		k := ctl.Joints()[i]
		mj := &m.Joints[jm.Joint[k]]
		rng := "unlimited"
		if mj.Limited {
			rng = fmt.Sprintf("[%g, %g]", mj.Range[0], mj.Range[1])
			if j.Default < mj.Range[0] || j.Default > mj.Range[1] {
				problems = append(problems, fmt.Sprintf("joint %q (line %d): default %g is outside its range %s", j.Name, j.Line, j.Default, rng))
			}
		}
		fmt.Fprintf(&b, "  %-3d %-24s %-5d %8.4g %7.4g %7.4g %7.4g %6.4g  %s\n", i, j.Name, k, j.Default, j.Scale, j.Clip, j.Kp, j.Kd, rng)
	}
	names := rbd.ActuatedJointNames(m)
	for _, k := range ctlHeld(ctl, len(names)) {
		fmt.Fprintf(&b, "  held at home (kp %g, kd %g): %s\n", c.Hold.Kp, c.Hold.Kd, names[k])
	}
	logged := c.FrameSize() + len(c.Joints) + 1
	fmt.Fprintf(&b, "telemetry: policy.obs %d, policy.action %d and policy.infer_time 1 take %d of a log tick's %d declared values (the estimator's come on top)\n",
		c.FrameSize(), len(c.Joints), logged, telemetry.MaxValues)
	if logged > telemetry.MaxValues {
		problems = append(problems, fmt.Sprintf("the observation frame (%d values) is too large to log: runs with --log will refuse to start", c.FrameSize()))
	}
	if len(problems) > 0 {
		return b.String(), fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	b.WriteString("ok: the policy, its config and the robot agree\n")
	return b.String(), nil
}

// ctlHeld lists the robot joints the controller does not drive.
func ctlHeld(ctl *policy.Controller, n int) []int {
	used := make([]bool, n)
	for _, k := range ctl.Joints() {
		used[k] = true
	}
	var r []int
	for k, u := range used {
		if !u {
			r = append(r, k)
		}
	}
	return r
}

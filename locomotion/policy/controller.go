package policy

import (
	"fmt"
	"math"
	"time"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/locomotion"
)

// Controller runs a policy in the runtime's locomotion mode: every
// Decimation ticks it observes, runs the network and turns its action a
// into joint position targets q* = q₀ + scale·clip(a) (policy order, mapped
// to the robot's joints by name); on every tick it writes those targets
// with the config's Kp and Kd and zero feed-forward torque, and holds the
// robot joints the policy does not drive at the home pose with the hold
// gains. The first policy step is on the tick of Start. It implements the
// runtime's Controller, GaitReporter and ChannelDeclarer; Step allocates
// nothing.
type Controller struct {
	Cfg *Config
	Net *Net

	in, out []float32 // the net's input and output buffers
	obs     *Observer
	idx     []int     // policy joint → hal joint
	held    []int     // hal joints held at home
	action  []float64 // the last step's clipped raw action, policy order
	target  []float64 // q*, policy order
	ticks   int       // ticks since Start
	t0      float64
	now     float64 // s since Start, at the last Step
	steps   uint64
	infer   time.Duration // the last inference's wall time
	period  float64       // the gait_phase term's, for Gait (0: none)
	err     error

	chObs, chAct, chTime []float64 // telemetry (nil: not declared)
}

// New makes the controller of net and cfg for a robot with the joints
// named robot (hal order). It checks the pair: the input and output names
// and sizes against the config, the joints against the robot.
func New(net *Net, cfg *Config, robot []string) (*Controller, error) {
	in, err := pick(net.Inputs(), cfg.Input, "input")
	if err != nil {
		return nil, err
	}
	out, err := pick(net.Outputs(), cfg.Output, "output")
	if err != nil {
		return nil, err
	}
	if io := net.Inputs()[in]; io.Len() != cfg.ObsSize() {
		return nil, fmt.Errorf("policy: the network's input %q has shape %v (%d values); the config's observation has %d (%s)",
			io.Name, io.Shape, io.Len(), cfg.ObsSize(), cfg.Layout())
	}
	if io := net.Outputs()[out]; io.Len() != len(cfg.Joints) {
		return nil, fmt.Errorf("policy: the network's output %q has shape %v (%d values); the config lists %d joints",
			io.Name, io.Shape, io.Len(), len(cfg.Joints))
	}
	idx, held, err := cfg.Bind(robot)
	if err != nil {
		return nil, err
	}
	n := len(cfg.Joints)
	c := &Controller{Cfg: cfg, Net: net, in: net.Input(in), out: net.Output(out), idx: idx, held: held,
		obs: NewObserver(cfg, idx), action: make([]float64, n), target: make([]float64, n)}
	for _, t := range cfg.Terms {
		if t.Kind == TermPhase {
			c.period = t.Period
			break
		}
	}
	return c, nil
}

// pick finds the named input or output; "" picks the only one.
func pick(ios []IO, name, what string) (int, error) {
	var names []string
	for i, io := range ios {
		if io.Name == name || (name == "" && len(ios) == 1) {
			return i, nil
		}
		names = append(names, fmt.Sprintf("%q %v", io.Name, io.Shape))
	}
	if name == "" {
		return 0, fmt.Errorf("policy: the network has %d %ss (%v): name the one to use with %s: in the config", len(ios), what, names, what)
	}
	return 0, fmt.Errorf("policy: the network has no %s %q; its %ss are %v", what, name, what, names)
}

// Layout describes the observation: each term with its size and offset.
func (c *Config) Layout() string {
	s, o := "", 0
	for i, t := range c.Terms {
		n := t.Size(len(c.Joints)) * t.History
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %d:%d", t.Kind, o, o+n)
		o += n
	}
	if c.History.Frames > 1 {
		s += fmt.Sprintf("; × %d frames", c.History.Frames)
	}
	return s
}

// Name implements the runtime's Controller.
func (c *Controller) Name() string {
	return fmt.Sprintf("policy: ONNX network, %d joints, %d observations, every %d ticks", len(c.Cfg.Joints), c.Cfg.ObsSize(), c.Cfg.Decimation)
}

// Start implements the runtime's Controller: the action and histories are
// reset, the gait phase starts at zero.
func (c *Controller) Start(in *locomotion.Input) error {
	if err := c.obs.Check(in.Estimate); err != nil {
		return err
	}
	c.err, c.ticks, c.t0 = nil, 0, in.Time
	clear(c.action)
	c.obs.Reset()
	return nil
}

// Step implements the runtime's Controller.
func (c *Controller) Step(in *locomotion.Input, out *hal.Commands) {
	if c.err == nil {
		c.err = c.obs.Check(in.Estimate)
	}
	if c.ticks%c.Cfg.Decimation == 0 && c.err == nil {
		c.policyStep(in)
	}
	c.ticks++
	c.now = in.Time - c.t0
	out.N = in.Sensors.N
	for i, k := range c.idx {
		j := &c.Cfg.Joints[i]
		out.Joint[k] = hal.JointCommand{Q: c.target[i], Kp: j.Kp, Kd: j.Kd}
	}
	for _, k := range c.held {
		q := 0.0
		if k < len(in.Home) {
			q = in.Home[k]
		}
		out.Joint[k] = hal.JointCommand{Q: q, Kp: c.Cfg.Hold.Kp, Kd: c.Cfg.Hold.Kd}
	}
	if c.chObs != nil {
		f := c.obs.Frame()
		for i := range c.chObs {
			c.chObs[i] = f[i]
		}
		copy(c.chAct, c.action)
		c.chTime[0] = c.infer.Seconds()
	}
}

// policyStep observes, runs the network and sets the targets.
func (c *Controller) policyStep(in *locomotion.Input) {
	c.obs.Observe(c.in, in, c.action, in.Time-c.t0)
	t0 := time.Now()
	c.Net.Run()
	c.infer = time.Since(t0)
	c.steps++
	for i := range c.action {
		j := &c.Cfg.Joints[i]
		a := float64(c.out[i])
		if math.IsNaN(a) || math.IsInf(a, 0) {
			c.err = &ActionError{Joint: j.Name, Value: a}
			return
		}
		a = math.Max(-j.Clip, math.Min(j.Clip, a))
		c.action[i] = a
		c.target[i] = j.Default + j.Scale*a
	}
}

// ActionError is a network output that is not a number.
type ActionError struct {
	Joint string
	Value float64
}

func (e *ActionError) Error() string {
	return "policy: the network's action for joint " + e.Joint + " is not finite"
}

// Stop implements the runtime's Controller.
func (c *Controller) Stop() {}

// Err implements the runtime's Controller.
func (c *Controller) Err() error { return c.err }

// Gait reports walking, with the gait_phase term's phase (0 without one).
func (c *Controller) Gait() (locomotion.Gait, float64) {
	if c.period <= 0 {
		return locomotion.GaitWalk, 0
	}
	ph := c.now / c.period
	return locomotion.GaitWalk, ph - math.Floor(ph)
}

// Targets returns the joint position targets in policy order (rad).
func (c *Controller) Targets() []float64 { return c.target }

// Action returns the last step's clipped raw action in policy order.
func (c *Controller) Action() []float64 { return c.action }

// Steps returns the policy steps run since the controller was made.
func (c *Controller) Steps() uint64 { return c.steps }

// Joints returns the hal joint of each policy joint.
func (c *Controller) Joints() []int { return c.idx }

// DeclareChannels declares the policy's telemetry: "policy.obs" (the
// newest observation frame, scaled and clipped as the network sees it),
// "policy.action" (the clipped raw action, policy joint order) and
// "policy.infer_time" (s, wall time of the last inference). They are
// written every tick and change on policy ticks.
func (c *Controller) DeclareChannels(declare func(name, unit string, size int) ([]float64, error)) error {
	var err error
	if c.chObs, err = declare("policy.obs", "", len(c.obs.Frame())); err != nil {
		return fmt.Errorf("%w (the frame has %d values; a log has room for fewer: run without --log, or with fewer terms)", err, len(c.obs.Frame()))
	}
	if c.chAct, err = declare("policy.action", "", len(c.action)); err != nil {
		return err
	}
	c.chTime, err = declare("policy.infer_time", "s", 1)
	return err
}

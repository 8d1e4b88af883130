package runtime

import (
	"fmt"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/locomotion"
)

// Mode is a state of the runtime's state machine. Its number is what
// telemetry.Tick.Mode records.
type Mode uint8

// Modes. The loop starts in ModeDamping.
const (
	ModeNone       Mode = iota // no mode (a command without a mode request)
	ModeDamping                // zero torque, velocity damping: the safe default
	ModeStandup                // joints interpolated from where they are to the home pose, gains ramped in
	ModeStand                  // joint PD holding the home pose
	ModeLocomotion             // the gait controller (until it exists: a placeholder that holds the stand posture)
	ModeEStop                  // latched damping; only a reset leaves it, to damping
	numModes
)

var modeNames = [numModes]string{"none", "damping", "standup", "stand", "locomotion", "estop"}

func (m Mode) String() string {
	if m < numModes {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", m)
}

// ModeNames returns the modes' names by number (for a log's header).
func ModeNames() []string { return append([]string(nil), modeNames[:]...) }

// ParseMode turns a mode's name into a Mode.
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if s == n && i != int(ModeNone) {
			return Mode(i), nil
		}
	}
	return ModeNone, fmt.Errorf("unknown mode %q: want damping, standup, stand, locomotion or estop", s)
}

// Why a transition is refused. The strings are constants so refusing a
// request inside the tick does not allocate.
const (
	refuseUnknown    = "there is no such mode"
	refuseLatched    = "the e-stop is latched: send a reset (it leads to damping)"
	refuseStandFirst = "stand holds the home pose at full gains: go through standup first"
	refuseStandupRun = "standup is still moving the joints to the home pose; it enters stand by itself"
	refuseStanding   = "the robot is already standing: standup starts from damping"
	refuseLocoFirst  = "locomotion starts from stand"
	refuseReset      = "a reset releases the e-stop only; the robot is not e-stopped"
)

// refusal returns why the machine may not go from one mode to another, or ""
// when it may. Requesting the current mode is allowed and does nothing.
//
//	from \ to    damping  standup  stand  locomotion  estop
//	damping         ·       yes     no       no        yes
//	standup        yes       ·     auto      no        yes
//	stand          yes      no      ·       yes        yes
//	locomotion     yes      no     yes       ·         yes
//	estop         reset     no      no       no         ·
func refusal(from, to Mode) string {
	switch {
	case to == ModeNone || to >= numModes:
		return refuseUnknown
	case from == to:
		return ""
	case to == ModeEStop:
		return ""
	case from == ModeEStop:
		return refuseLatched
	case to == ModeDamping:
		return ""
	case to == ModeStandup:
		if from == ModeDamping {
			return ""
		}
		return refuseStanding
	case to == ModeStand:
		switch from {
		case ModeLocomotion:
			return ""
		case ModeStandup:
			return refuseStandupRun
		}
		return refuseStandFirst
	case to == ModeLocomotion:
		if from == ModeStand {
			return ""
		}
		return refuseLocoFirst
	}
	return refuseUnknown
}

// modeContext is what a mode sees: the tick's time and sample, the robot's
// description and the resolved config. The loop keeps one and refreshes it
// at the start of every tick (and on a config reload); a mode must not keep
// its pointers.
type modeContext struct {
	now    float64      // s, loop time of the tick
	sens   *hal.Sensors // this tick's sample
	info   *hal.Info
	params *params           // the config in force, resolved for the robot
	note   func(text string) // records a text event (does not allocate)
}

// modeState is one mode's behaviour. enter is called on the tick the mode
// starts, before its first run; exit on the tick it ends. run writes the
// mode's command for the tick. None of them may allocate.
type modeState interface {
	enter(c *modeContext)
	run(c *modeContext, out *hal.Commands)
	exit(c *modeContext)
}

// dampingMode: zero torque and velocity damping on every joint.
type dampingMode struct{}

func (dampingMode) enter(*modeContext) {}
func (dampingMode) exit(*modeContext)  {}
func (dampingMode) run(c *modeContext, out *hal.Commands) {
	*out = hal.Damping(c.params.n, c.params.cfg.Damping.Kd)
}

// estopMode: like damping, with its own damping gain, and latched.
type estopMode struct{}

func (estopMode) enter(*modeContext) {}
func (estopMode) exit(*modeContext)  {}
func (estopMode) run(c *modeContext, out *hal.Commands) {
	*out = hal.Damping(c.params.n, c.params.cfg.EStop.Kd)
}

// standupMode runs locomotion.Standup from where the joints are to the home
// pose with the stand gains, starting from damping mode's command: the
// standup settings are read on every tick, so a reload takes effect at once.
type standupMode struct{ locomotion.Standup }

func (s *standupMode) enter(c *modeContext) {
	s.configure(c)
	s.Start(c.now, c.sens, c.info)
}
func (s *standupMode) exit(*modeContext) {}
func (s *standupMode) run(c *modeContext, out *hal.Commands) {
	s.configure(c)
	s.Step(c.now, out)
}
func (s *standupMode) configure(c *modeContext) {
	cfg := c.params.cfg
	s.Duration, s.GainRamp, s.Kd0 = cfg.Standup.Duration, cfg.Standup.GainRamp, cfg.Damping.Kd
}

// done reports whether the standup has reached the home pose.
func (s *standupMode) done(c *modeContext) bool {
	s.configure(c)
	return s.Done(c.now)
}

// standMode holds the home pose with the stand gains (locomotion.Stand).
type standMode struct{ stand *locomotion.Stand }

func (standMode) enter(*modeContext) {}
func (standMode) exit(*modeContext)  {}
func (s standMode) run(c *modeContext, out *hal.Commands) {
	s.stand.Step(c.sens, out)
}

// locomotionMode runs the Controller and keeps its state: whether it runs,
// its failure and its contact schedule. Start's error, or Err's after a
// Step, is kept in err for the safety check (FaultController); a controller
// that failed to start is neither stepped nor stopped. The contact schedule
// is taken after each Step; outside this mode there is none.
type locomotionMode struct {
	controller Controller
	pub        SchedulePublisher         // controller, if it publishes a contact schedule
	in         *locomotion.Input         // what the controller sees
	on         bool                      // the controller is started and not yet stopped
	err        error                     // the controller's failure, for the safety check
	sched      estimator.ContactSchedule // its contact schedule, for the next estimate
}

func (m *locomotionMode) enter(c *modeContext) {
	m.err = m.controller.Start(m.in)
	m.on = m.err == nil
	c.note(m.controller.Name())
}
func (m *locomotionMode) exit(*modeContext) {
	if m.on {
		m.controller.Stop()
		m.on = false
	}
	m.err = nil
	m.sched = estimator.ContactSchedule{}
}
func (m *locomotionMode) run(c *modeContext, out *hal.Commands) {
	if m.err != nil { // failed: damp until the safety check switches
		*out = hal.Damping(c.params.n, c.params.cfg.Damping.Kd)
		return
	}
	m.controller.Step(m.in, out)
	m.err = m.controller.Err()
	if m.pub != nil {
		m.pub.Schedule(&m.sched)
	}
}

// blend hands a mode's command over to the next one: over dur seconds the
// joint torque goes from that of the frozen command from to that of the new
// mode's command, with a smoothstep weight. See blendCommands.
type blend struct {
	active  bool
	from    hal.Commands
	t0, dur float64
}

func (b *blend) start(from *hal.Commands, now, dur float64) {
	if dur <= 0 {
		b.active = false
		return
	}
	b.active, b.from, b.t0, b.dur = true, *from, now, dur
}

func (b *blend) apply(now float64, out *hal.Commands) {
	if !b.active {
		return
	}
	w := locomotion.Smoothstep((now - b.t0) / b.dur)
	if w >= 1 {
		b.active = false
		return
	}
	blendCommands(out, &b.from, out, w)
}

// blendCommands sets dst to the command whose joint torque, at any joint
// position q and velocity q̇, is (1−w)·τ_a + w·τ_b, where a drive computes
// τ = Tau + Kp·(Q − q) + Kd·(Qd − q̇). Gains and feed-forward blend linearly;
// targets are weighted by their gains: Q = ((1−w)·Kp_a·Q_a + w·Kp_b·Q_b)/Kp
// (and the same for Qd with Kd). dst may alias a or b.
func blendCommands(dst, a, b *hal.Commands, w float64) {
	n := b.N
	v := 1 - w
	for i := 0; i < n; i++ {
		ja, jb := a.Joint[i], b.Joint[i]
		kp := v*ja.Kp + w*jb.Kp
		kd := v*ja.Kd + w*jb.Kd
		q := v*ja.Q + w*jb.Q
		if kp > 0 {
			q = (v*ja.Kp*ja.Q + w*jb.Kp*jb.Q) / kp
		}
		qd := v*ja.Qd + w*jb.Qd
		if kd > 0 {
			qd = (v*ja.Kd*ja.Qd + w*jb.Kd*jb.Qd) / kd
		}
		dst.Joint[i] = hal.JointCommand{Tau: v*ja.Tau + w*jb.Tau, Q: q, Qd: qd, Kp: kp, Kd: kd}
	}
	dst.N = n
}

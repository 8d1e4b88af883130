package runtime

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
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

// modeState is one mode's behaviour. enter is called on the tick the mode
// starts, before its first run; exit on the tick it ends. run writes the
// mode's command for the tick. None of them may allocate.
type modeState interface {
	enter(l *Loop)
	run(l *Loop, out *hal.Commands)
	exit(l *Loop)
}

// dampingMode: zero torque and velocity damping on every joint.
type dampingMode struct{}

func (dampingMode) enter(*Loop) {}
func (dampingMode) exit(*Loop)  {}
func (dampingMode) run(l *Loop, out *hal.Commands) {
	*out = hal.Damping(l.par.n, l.par.cfg.Damping.Kd)
}

// estopMode: like damping, with its own damping gain, and latched.
type estopMode struct{}

func (estopMode) enter(*Loop) {}
func (estopMode) exit(*Loop)  {}
func (estopMode) run(l *Loop, out *hal.Commands) {
	*out = hal.Damping(l.par.n, l.par.cfg.EStop.Kd)
}

// standupMode moves each joint from where it was on entry to the home pose
// along a minimum-jerk profile p(s) = 10s³ − 15s⁴ + 6s⁵, s = t/T, while the
// stiffness rises from zero and the damping from damping.kd to the stand
// gains over standup.gain_ramp (smoothstep). At t = 0 the command equals
// damping mode's (Kp = 0, Kd = damping.kd, Qd = 0), at t = T the stand mode's:
// the torque is continuous at both ends.
type standupMode struct {
	t0 float64
	q0 [hal.MaxJoints]float64
}

func (s *standupMode) enter(l *Loop) {
	s.t0 = l.now
	info := l.info
	for i := 0; i < l.par.n; i++ {
		q := l.sens.Q[i]
		j := &info.Joints[i]
		s.q0[i] = math.Min(math.Max(q, j.PosMin), j.PosMax)
	}
}

func (s *standupMode) exit(*Loop) {}

// done reports whether the interpolation has reached the home pose.
func (s *standupMode) done(l *Loop) bool {
	return l.now-s.t0 >= l.par.cfg.Standup.Duration-1e-9
}

func (s *standupMode) run(l *Loop, out *hal.Commands) {
	c := &l.par.cfg.Standup
	t := l.now - s.t0
	u := math.Min(1, math.Max(0, t/c.Duration))
	p := u * u * u * (10 - 15*u + 6*u*u)
	dp := 30 * u * u * (1 - u) * (1 - u) / c.Duration
	r := 1.0
	if c.GainRamp > 0 {
		r = smoothstep(t / c.GainRamp)
	}
	kd0 := l.par.cfg.Damping.Kd
	out.N = l.par.n
	for i := 0; i < l.par.n; i++ {
		d := l.home[i] - s.q0[i]
		out.Joint[i] = hal.JointCommand{
			Q: s.q0[i] + p*d, Qd: dp * d,
			Kp: r * l.par.kp[i], Kd: kd0 + r*(l.par.kd[i]-kd0),
		}
	}
}

// standMode holds the home pose with the stand gains (locomotion.Stand).
type standMode struct{}

func (standMode) enter(*Loop) {}
func (standMode) exit(*Loop)  {}
func (standMode) run(l *Loop, out *hal.Commands) {
	l.stand.Step(&l.sens, out)
}

// locomotionMode runs the Controller. Start's error, or Err's after a Step,
// is kept in l.ctrlErr for the safety check (FaultController); a controller
// that failed to start is neither stepped nor stopped. The controller's
// contact schedule is taken after each Step; outside this mode there is none.
type locomotionMode struct{}

func (locomotionMode) enter(l *Loop) {
	l.ctrlErr = l.ctrl.Start(&l.ctl)
	l.ctrlOn = l.ctrlErr == nil
	l.note(l.ctrl.Name())
}
func (locomotionMode) exit(l *Loop) {
	if l.ctrlOn {
		l.ctrl.Stop()
		l.ctrlOn = false
	}
	l.ctrlErr = nil
	l.sched = estimator.ContactSchedule{}
}
func (locomotionMode) run(l *Loop, out *hal.Commands) {
	if l.ctrlErr != nil { // failed: damp until the safety check switches
		*out = hal.Damping(l.par.n, l.par.cfg.Damping.Kd)
		return
	}
	l.ctrl.Step(&l.ctl, out)
	l.ctrlErr = l.ctrl.Err()
	if l.schedPub != nil {
		l.schedPub.Schedule(&l.sched)
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
	w := smoothstep((now - b.t0) / b.dur)
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

// smoothstep is 3x² − 2x³ on [0, 1], 0 below and 1 above.
func smoothstep(x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	return x * x * (3 - 2*x)
}

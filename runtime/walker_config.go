package runtime

import (
	"fmt"

	"github.com/stride-robotics/stride/locomotion"
)

// WalkerConfig is the walking controller's tunable parameters
// (locomotion.WalkerConfig) as the config file's walker section: loaded,
// range-checked, printed, diffed and hot-reloaded like every other setting.
// New puts them in force on a controller that is a Tuner, and a reload
// changes them at the next tick's start, an event per changed key. The
// defaults are locomotion.DefaultWalkerConfig's.
type WalkerConfig struct {
	Timing      WalkerTiming `yaml:"timing" help:"the gait clock: stride period and duty factor against speed"`
	Swing       WalkerSwing  `yaml:"swing" help:"swing-foot trajectories"`
	StepGain    float64      `yaml:"step_gain" range:"0,5" help:"capture-point feedback gain of the footstep planner"`
	HeightKp    float64      `yaml:"height_kp" range:"0,2000" unit:"1/s²" help:"centre-of-mass height stiffness"`
	HeightKd    float64      `yaml:"height_kd" range:"0,500" unit:"1/s" help:"centre-of-mass height damping"`
	StandKp     float64      `yaml:"stand_kp" range:"0,2000" unit:"1/s²" help:"horizontal centre-of-mass stiffness while standing"`
	StandKd     float64      `yaml:"stand_kd" range:"0,500" unit:"1/s" help:"horizontal centre-of-mass damping while standing"`
	WalkKv      float64      `yaml:"walk_kv" range:"0,50" unit:"1/s" help:"horizontal velocity feedback while walking"`
	VelKi       float64      `yaml:"vel_ki" range:"0,20" unit:"1/s" help:"integral gain on the walking velocity error (footstep planning)"`
	VelIntLimit float64      `yaml:"vel_int_limit" range:"0,2" unit:"m/s" help:"bound of that integral's correction"`
	AccelLimit  float64      `yaml:"accel_limit" range:"0.01,20" unit:"m/s²" help:"how fast the commanded velocity is followed"`
	StepReach   float64      `yaml:"step_reach" range:"0,2" help:"how far behind the hip, in step lengths, the stance foot may be at lift-off: the walking height drops with speed so the leg reaches it (0: no drop)"`
	StartTime   float64      `yaml:"start_time" range:"0,2" unit:"s" help:"clock held when walking starts from standing, while the capture point moves over the first stance foot"`
	StopSpeed   float64      `yaml:"stop_speed" range:"0,2" unit:"m/s" help:"centre-of-mass speed under which a stop request may end the stepping"`
	JointKd     float64      `yaml:"joint_kd" range:"0,50" unit:"N·m·s/rad" help:"joint damping the drives add on top of the whole-body QP's torques"`
	FailTicks   int          `yaml:"fail_ticks" range:"0,1000" help:"ticks in a row a failed QP may reuse the last good torques before the controller faults"`
	MPCEvery    int          `yaml:"mpc_every" range:"1,1000" reload:"restart" help:"the centroidal MPC's period in ticks"`
	Run         WalkerRun    `yaml:"run" help:"the running gait: walk↔run switching, duty factor, footsteps, landing"`
}

// WalkerRun is locomotion.RunConfig.
type WalkerRun struct {
	Auto          bool    `yaml:"auto" help:"a walk command runs above froude_up (and walks again below froude_down)"`
	FroudeUp      float64 `yaml:"froude_up" range:"0.01,10" help:"Froude number v²/(g·leg) above which a walk command runs (auto)"`
	FroudeDown    float64 `yaml:"froude_down" range:"0.01,10" help:"Froude number below which running walks again (auto; at most froude_up)"`
	StopFroude    float64 `yaml:"stop_froude" range:"0,10" help:"a stop request while running keeps running down to this Froude number, then walks to rest (at most froude_down)"`
	WalkDutyMin   float64 `yaml:"walk_duty_min" range:"0.5,1" help:"walking keeps the duty factor at or above this (double support)"`
	RunDutyMax    float64 `yaml:"run_duty_max" range:"0.1,0.5" help:"running keeps the duty factor at or below this (a flight every step)"`
	DutyRate      float64 `yaml:"duty_rate" range:"0.001,1" unit:"1/s" help:"fastest change of the duty factor (a walk↔run switch blends)"`
	RaibertGain   float64 `yaml:"raibert_gain" range:"0,3" help:"running footstep feedback on the velocity error, × 1/ω₀"`
	LateralGain   float64 `yaml:"lateral_gain" range:"0,3" help:"running footstep feedback on the sideways velocity error, × 1/ω₀"`
	LandRamp      float64 `yaml:"land_ramp" range:"0,0.2" unit:"s" help:"a landing foot's normal-force bound ramps from 10 % to full over this"`
	PushGain      float64 `yaml:"push_gain" range:"0,3" help:"scale of the running stance's vertical impulse feed-forward"`
	Crouch        float64 `yaml:"crouch" range:"0,0.3" unit:"m" help:"how much running lowers the centre of mass"`
	CrouchRate    float64 `yaml:"crouch_rate" range:"0.001,5" unit:"m/s" help:"fastest change of the running crouch"`
	Sweep         float64 `yaml:"sweep" range:"0,3" unit:"m" help:"foot travel under the body in a running stance (0: from the leg's reach)"`
	SweepFraction float64 `yaml:"sweep_fraction" range:"0.01,1.5" help:"fraction of twice the leg's reach used as the sweep when sweep is 0"`
	LandSpeed     float64 `yaml:"land_speed" range:"0,3" unit:"m/s" help:"running swing foot's downward speed at its planned touchdown"`
}

// WalkerTiming is locomotion.Timing.
type WalkerTiming struct {
	Period0      float64 `yaml:"period0" range:"0.1,5" unit:"s" help:"stride period (two steps) at rest: stepping in place"`
	PeriodMin    float64 `yaml:"period_min" range:"0.1,5" unit:"s" help:"stride period at and above speed_ref (at most period0)"`
	SpeedRef     float64 `yaml:"speed_ref" range:"0.01,10" unit:"m/s" help:"speed at which the period reaches period_min"`
	Duty0        float64 `yaml:"duty0" range:"0.5,1" help:"duty factor at rest (above 0.5, below 1: double support)"`
	WalkRunSpeed float64 `yaml:"walk_run_speed" range:"0.01,20" unit:"m/s" help:"speed at which the duty factor passes 0.5"`
	DutyMin      float64 `yaml:"duty_min" range:"0.1,0.5" help:"lower clamp of the duty factor"`
}

// WalkerSwing is locomotion.Swing's parameters.
type WalkerSwing struct {
	Apex          float64 `yaml:"apex" range:"0,0.5" unit:"m" help:"swing apex above the higher of lift-off and touchdown"`
	LateSpeed     float64 `yaml:"late_speed" range:"0,5" unit:"m/s" help:"descent speed past a late touchdown's planned time"`
	LateDepth     float64 `yaml:"late_depth" range:"0,0.5" unit:"m" help:"furthest extension below the planned touchdown height"`
	EarlyFraction float64 `yaml:"early_fraction" range:"0,1" help:"fraction of the swing after which a contact ends it"`
}

// walkerSection is c's tunable parameters as the config section.
func walkerSection(c locomotion.WalkerConfig) WalkerConfig {
	t, s := c.Timing, c.Swing
	return WalkerConfig{
		Timing:   WalkerTiming{Period0: t.Period0, PeriodMin: t.PeriodMin, SpeedRef: t.SpeedRef, Duty0: t.Duty0, WalkRunSpeed: t.WalkRunSpeed, DutyMin: t.DutyMin},
		Swing:    WalkerSwing{Apex: s.Apex, LateSpeed: s.LateSpeed, LateDepth: s.LateDepth, EarlyFraction: s.EarlyFraction},
		StepGain: c.StepGain, HeightKp: c.HeightKp, HeightKd: c.HeightKd, StandKp: c.StandKp, StandKd: c.StandKd,
		WalkKv: c.WalkKv, VelKi: c.VelKi, VelIntLimit: c.VelIntLimit, AccelLimit: c.AccelLimit,
		StepReach: c.StepReach, StartTime: c.StartTime, StopSpeed: c.StopSpeed, JointKd: c.JointKd, FailTicks: c.FailTicks, MPCEvery: c.MPCEvery,
		Run: WalkerRun(c.Run),
	}
}

// Apply writes the section's values into c (the fields the section does
// not hold, such as the MPC mode, are left alone).
func (w *WalkerConfig) Apply(c *locomotion.WalkerConfig) {
	t, s := &w.Timing, &w.Swing
	c.Timing = locomotion.Timing{Period0: t.Period0, PeriodMin: t.PeriodMin, SpeedRef: t.SpeedRef, Duty0: t.Duty0, WalkRunSpeed: t.WalkRunSpeed, DutyMin: t.DutyMin}
	c.Swing.Apex, c.Swing.LateSpeed, c.Swing.LateDepth, c.Swing.EarlyFraction = s.Apex, s.LateSpeed, s.LateDepth, s.EarlyFraction
	c.StepGain, c.HeightKp, c.HeightKd, c.StandKp, c.StandKd = w.StepGain, w.HeightKp, w.HeightKd, w.StandKp, w.StandKd
	c.WalkKv, c.VelKi, c.VelIntLimit, c.AccelLimit = w.WalkKv, w.VelKi, w.VelIntLimit, w.AccelLimit
	c.StepReach = w.StepReach
	c.StartTime, c.StopSpeed, c.JointKd, c.FailTicks, c.MPCEvery = w.StartTime, w.StopSpeed, w.JointKd, w.FailTicks, w.MPCEvery
	c.Run = locomotion.RunConfig(w.Run)
}

// validate checks the section's cross-field rules (the gait timing's).
func (w *WalkerConfig) validate(cross func(key, msg string)) {
	t := &w.Timing
	if t.PeriodMin > t.Period0 {
		cross("walker.timing.period_min", fmt.Sprintf("%g s is above walker.timing.period0 (%g s)", t.PeriodMin, t.Period0))
	}
	if t.Duty0 >= 1 || t.Duty0 <= 0.5 {
		cross("walker.timing.duty0", fmt.Sprintf("%g: want above 0.5 and below 1 (walking needs double support)", t.Duty0))
	}
	r := locomotion.RunConfig(w.Run)
	if err := r.Validate(); err != nil {
		cross("walker.run", err.Error())
	}
}

// Tuner is a controller whose parameters the walker section sets (the
// locomotion.Walker). Tune is called on the loop's goroutine between ticks.
type Tuner interface {
	Tuning() locomotion.WalkerConfig
	Tune(locomotion.WalkerConfig) error
}

// tune puts the walker section of cfg in force on ctrl when it is a Tuner.
func tune(ctrl Controller, cfg *Config) error {
	t, ok := ctrl.(Tuner)
	if !ok {
		return nil
	}
	c := t.Tuning()
	cfg.Walker.Apply(&c)
	return t.Tune(c)
}

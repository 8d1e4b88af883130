package locomotion

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/sim/spatial"
)

// RunConfig holds the running gait's parameters: when the walker runs, how
// the duty factor blends between walking and running, where the feet land
// and how a landing is absorbed.
//
// Gait choice: a `run` command runs at any speed; a `walk` command walks,
// or, with Auto, runs while the Froude number of the commanded speed
// Fr = v²/(g·L) (L: the leg length) is above FroudeUp until it falls below
// FroudeDown (hysteresis). The duty factor follows the speed along the
// Timing curve, kept ≥ WalkDutyMin walking and ≤ RunDutyMax running, and
// moves at most DutyRate per second: a switch at any phase bends the
// contact schedule instead of jumping it.
type RunConfig struct {
	Auto        bool    `yaml:"auto"`          // switch walk ↔ run by the Froude number
	FroudeUp    float64 `yaml:"froude_up"`     // walk → run above this
	FroudeDown  float64 `yaml:"froude_down"`   // run → walk below this
	StopFroude  float64 `yaml:"stop_froude"`   // a stop request while running walks below this
	WalkDutyMin float64 `yaml:"walk_duty_min"` // walking keeps β ≥ this (> 0.5)
	RunDutyMax  float64 `yaml:"run_duty_max"`  // running keeps β ≤ this (< 0.5: flight every step)
	DutyRate    float64 `yaml:"duty_rate"`     // 1/s, fastest change of β
	// RaibertGain scales the velocity feedback of the running footstep
	// (foot += RaibertGain·(v − v_des)/ω₀).
	RaibertGain float64 `yaml:"raibert_gain"`
	LateralGain float64 `yaml:"lateral_gain"` // the same sideways
	// LandRamp is the time (s) over which a landing foot's normal-force
	// bound ramps from 10 % to full: the impact-absorbing landing.
	LandRamp float64 `yaml:"land_ramp"`
	// PushGain scales the running stance's vertical impulse feed-forward
	// (1: the impulse that carries the body's weight over the stride).
	PushGain float64 `yaml:"push_gain"`
	// Crouch (m) lowers the centre of mass while running (blended in with
	// the duty factor): a bent leg reaches further fore and aft.
	Crouch     float64 `yaml:"crouch"`
	CrouchRate float64 `yaml:"crouch_rate"` // m/s, fastest change of the crouch
	// Sweep (m) is the horizontal distance the foot travels under the
	// body during a running stance; the duty factor is kept ≤
	// Sweep/(v·T) so a stance fits in the leg's reach. 0: from the leg
	// (twice the reach of 95 % of the leg length at the crouched hip
	// height, × SweepFraction).
	Sweep         float64 `yaml:"sweep"`
	SweepFraction float64 `yaml:"sweep_fraction"`
	// LandSpeed (m/s) is the running swing foot's downward speed at its
	// planned touchdown: it comes down instead of hovering over the
	// ground, which would land it early and cut the flight short.
	LandSpeed float64 `yaml:"land_speed"`
}

// DefaultRunConfig: walk ↔ run at Froude 0.09 / 0.06 (0.77 / 0.63 m/s for
// the built-in robot's 0.68 m leg; the textbook walk → run Froude number
// is 0.5, 1.8 m/s here, but the walker falls above about 0.8 m/s, so the
// switch comes earlier), running duty ≤ 0.4.
func DefaultRunConfig() RunConfig {
	return RunConfig{Auto: true, FroudeUp: 0.09, FroudeDown: 0.06, StopFroude: 0.015, WalkDutyMin: 0.52, RunDutyMax: 0.4,
		DutyRate: 0.5, RaibertGain: 0.5, LateralGain: 0.5, LandRamp: 0.03, PushGain: 1, Crouch: 0.08, CrouchRate: 0.3, SweepFraction: 0.9, LandSpeed: 1}
}

// Validate says what is wrong with c, naming the field.
func (c *RunConfig) Validate() error {
	switch {
	case !(c.FroudeDown > 0 && c.FroudeDown <= c.FroudeUp && c.FroudeUp < 10):
		return fmt.Errorf("locomotion: run: froude_down %g ≤ froude_up %g must hold, both in (0, 10)", c.FroudeDown, c.FroudeUp)
	case !(c.StopFroude >= 0 && c.StopFroude <= c.FroudeDown):
		return fmt.Errorf("locomotion: run: stop_froude %g outside [0, froude_down %g]", c.StopFroude, c.FroudeDown)
	case !(c.WalkDutyMin > 0.5 && c.WalkDutyMin < 1):
		return fmt.Errorf("locomotion: run: walk_duty_min %g outside (0.5, 1)", c.WalkDutyMin)
	case !(c.RunDutyMax > 0.1 && c.RunDutyMax < 0.5):
		return fmt.Errorf("locomotion: run: run_duty_max %g outside (0.1, 0.5)", c.RunDutyMax)
	case !(c.DutyRate > 0 && c.DutyRate <= 1):
		return fmt.Errorf("locomotion: run: duty_rate %g /s outside (0, 1] (faster than the clock would flip a foot back)", c.DutyRate)
	case !(c.RaibertGain >= 0 && c.RaibertGain <= 3):
		return fmt.Errorf("locomotion: run: raibert_gain %g outside [0, 3]", c.RaibertGain)
	case !(c.LateralGain >= 0 && c.LateralGain <= 3):
		return fmt.Errorf("locomotion: run: lateral_gain %g outside [0, 3]", c.LateralGain)
	case !(c.LandRamp >= 0 && c.LandRamp < 0.2):
		return fmt.Errorf("locomotion: run: land_ramp %g s outside [0, 0.2)", c.LandRamp)
	case !(c.PushGain >= 0 && c.PushGain <= 3):
		return fmt.Errorf("locomotion: run: push_gain %g outside [0, 3]", c.PushGain)
	case !(c.CrouchRate > 0 && c.CrouchRate <= 5):
		return fmt.Errorf("locomotion: run: crouch_rate %g m/s outside (0, 5]", c.CrouchRate)
	case !(c.Crouch >= 0 && c.Crouch < 0.3):
		return fmt.Errorf("locomotion: run: crouch %g m outside [0, 0.3)", c.Crouch)
	case !(c.Sweep >= 0 && c.Sweep < 3):
		return fmt.Errorf("locomotion: run: sweep %g m outside [0, 3)", c.Sweep)
	case !(c.LandSpeed >= 0 && c.LandSpeed <= 3):
		return fmt.Errorf("locomotion: run: land_speed %g m/s outside [0, 3]", c.LandSpeed)
	case !(c.SweepFraction > 0 && c.SweepFraction <= 1.5):
		return fmt.Errorf("locomotion: run: sweep_fraction %g outside (0, 1.5]", c.SweepFraction)
	}
	return nil
}

// Froude returns v²/(g·L).
func Froude(v, g, leg float64) float64 { return v * v / (g * leg) }

// gaitSelector picks walk or run with the Froude hysteresis.
type gaitSelector struct {
	running bool
	changes int
}

// update returns whether to run for gait request g at speed v.
func (s *gaitSelector) update(c *RunConfig, g Gait, v, grav, leg float64) bool {
	run := false
	switch g {
	case GaitRun:
		run = true
	case GaitWalk:
		if c.Auto {
			fr := Froude(v, grav, leg)
			run = fr > c.FroudeUp || (s.running && fr >= c.FroudeDown)
		}
	case GaitStand:
		// Stopping from a run: keep running while the speed ramps down,
		// until it is slow enough for the walk to stop (StopFroude; the
		// stop then walks to rest).
		run = s.running && Froude(v, grav, leg) >= c.StopFroude
	}
	if run != s.running {
		s.changes++
	}
	s.running = run
	return run
}

// nextDuty returns the duty factor after dt at speed v: the Timing curve
// clamped for the gait, approached at DutyRate.
func (s *Scheduler) nextDuty(dt, v float64) float64 {
	target := s.Timing.Duty(v)
	c := &s.Run
	if c.DutyRate <= 0 { // no run configuration: the Timing curve as it is
		return target
	}
	if s.run {
		target = math.Min(target, c.RunDutyMax)
		if c.Sweep > 0 && v > 0 {
			target = math.Min(target, c.Sweep/(v*s.period))
		}
		target = math.Max(target, minRunDuty)
		s.blending = true
	} else {
		target = math.Max(target, c.WalkDutyMin)
		if !s.blending {
			// Walking (not blending back from a run): the Timing curve
			// as it is, as the walker always had it.
			return target
		}
	}
	d := c.DutyRate * dt
	if !s.run && math.Abs(target-s.duty) <= d {
		s.blending = false // back on the walking curve
	}
	return s.duty + clamp(target-s.duty, -d, d)
}

// minRunDuty is the shortest running stance, as a fraction of the stride.
const minRunDuty = 0.15

// runReach returns the horizontal reach (m) of a leg at 95 % of its
// length from the crouched running hip height.
func runReach(p *Profile, c *RunConfig) float64 {
	l := 0.95 * p.LegLength
	h := p.HipHeight - p.Crouch - c.Crouch
	if h >= l {
		return 0.05
	}
	return math.Sqrt(l*l - h*h)
}

// runSweep is the default stance sweep: twice the reach, × SweepFraction.
func runSweep(p *Profile, c *RunConfig) float64 {
	return 2 * runReach(p, c) * c.SweepFraction
}

// runCrouch returns how much running lowers the centre of mass now: the
// configured crouch, blended in as the duty factor moves from the walking
// clamp to the running one, at CrouchRate at most.
func (w *Walker) runCrouch() float64 { return w.run.crouch }

// runBlend is how far the gait is from walking to running: 0 at the
// walking duty clamp (or standing), 1 at the running one.
func (w *Walker) runBlend() float64 {
	c := &w.Cfg.Run
	if !w.sched.Walking() {
		return 0
	}
	return clamp((c.WalkDutyMin-w.sched.Duty())/(c.WalkDutyMin-c.RunDutyMax), 0, 1)
}

// SetRun selects the running (true) or walking duty factor clamp.
func (s *Scheduler) SetRun(run bool) { s.run = run }

// Running reports whether the running clamp is selected.
func (s *Scheduler) Running() bool { return s.run }

// InFlight reports whether neither foot is in planned stance.
func (s *Scheduler) InFlight() bool {
	st := s.Stance()
	return !st[Left] && !st[Right]
}

// Ballistic returns the position and velocity of a body in free fall
// (gravity g, m/s², downwards) t seconds after being at p with velocity v.
func Ballistic(p, v spatial.Vec3, g, t float64) (spatial.Vec3, spatial.Vec3) {
	q := p.Add(v.Scale(t))
	q[2] -= 0.5 * g * t * t
	u := v
	u[2] -= g * t
	return q, u
}

// TouchdownTime returns the time until a body in free fall at height z with
// vertical velocity vz (gravity g) comes down to height zTD: the later root
// of z + vz·t − ½gt² = zTD. It is 0 when the body is already at or below
// zTD on the way down, and the time of the apex when zTD is never reached
// from below (the body stays under it: the legs reach the ground at the
// apex at the latest).
func TouchdownTime(z, vz, g, zTD float64) float64 {
	// ½g t² − vz t − (z − zTD) = 0
	d := vz*vz + 2*g*(z-zTD)
	if d < 0 {
		return math.Max(vz/g, 0)
	}
	return math.Max((vz+math.Sqrt(d))/g, 0)
}

// RunStepRequest is what PlanRun needs for one foot.
type RunStepRequest struct {
	Foot      int          // Left or Right: the swing foot
	Pos, Vel  spatial.Vec3 // centre of mass, world
	Yaw       float64      // rad, base heading now
	Vx, Vy    float64      // m/s, commanded velocity in the heading frame
	YawRate   float64      // rad/s
	TimeLeft  float64      // s until touchdown (ballistic in flight)
	Stance    float64      // s, planned stance duration
	GroundZ   float64      // m, terrain height for the touchdown
	Airborne  bool         // in flight now: the centre of mass moves ballistically (horizontally at constant velocity)
	RaibertK  float64      // feedback gain on the velocity error along the heading (× 1/ω₀)
	LateralK  float64      // the same sideways
	StanceAcc spatial.Vec3 // predicted horizontal CoM acceleration until touchdown while a foot stands (world)
}

// PlanRun returns a running touchdown: Raibert's rule at the predicted
// centre of mass at touchdown, the foot half a stance ahead of it at the
// commanded velocity (the neutral point, where a stance returns the
// velocity it received), plus the velocity error through the capture-point
// gain 1/ω₀ scaled by RaibertK, plus Cheetah's turning term. Sideways the foot
// sits half the nominal width out on its own side. The reach limits are the
// walking planner's, around the predicted base.
func (p *Planner) PlanRun(r *RunStepRequest) Step {
	w := p.Omega()
	t := math.Max(r.TimeLeft, 0)
	yaw := r.Yaw + r.YawRate*t
	c, s := math.Cos(yaw), math.Sin(yaw)
	fwd := spatial.Vec3{c, s, 0}
	left := spatial.Vec3{-s, c, 0}
	vdes := fwd.Scale(r.Vx).Add(left.Scale(r.Vy))
	// Predicted CoM and velocity at touchdown (horizontal).
	com := r.Pos.Add(r.Vel.Scale(t)).Add(r.StanceAcc.Scale(0.5 * t * t))
	vel := r.Vel.Add(r.StanceAcc.Scale(t))
	com[2], vel[2] = 0, 0
	// Feedback on the velocity error: along the heading with RaibertK,
	// sideways with LateralK (the lateral sway must die out within a
	// step or two, or a switch back to walking inherits it).
	ev := vel.Sub(vdes)
	foot := com.Add(vel.Scale(r.Stance / 2)).Add(fwd.Scale(ev.Dot(fwd) * r.RaibertK / w)).Add(left.Scale(ev.Dot(left) * r.LateralK / w))
	foot = foot.Add(vdes.Cross(spatial.Vec3{2: r.YawRate}).Scale(0.5 * p.Height / p.Gravity))
	sign := 1.0
	if r.Foot == Right {
		sign = -1
	}
	d := foot.Sub(com)
	dx := clamp(d.Dot(fwd), -p.MaxStepX+p.FootShift, p.MaxStepX+p.FootShift)
	dy := clamp(sign*(d.Dot(left)+sign*p.Width/2), p.MinWidth/2, p.MaxWidth/2)
	out := com.Add(fwd.Scale(dx)).Add(left.Scale(sign * dy))
	out[2] = r.GroundZ
	return Step{Pos: out, Yaw: yaw}
}

// runPush returns the running stance's vertical force feed-forward at
// progress s ∈ [0, 1] of a stance lasting beta of a stride (two stances per
// stride): a half sine whose impulse, m·g·T/2, carries the weight over half
// a stride, peak π·m·g/(4β).
func runPush(m, g, beta, s float64) float64 {
	if s < 0 || s > 1 || beta <= 0 {
		return 0
	}
	return math.Pi * m * g / (4 * beta) * math.Sin(math.Pi*s)
}

// runState is the walker's running state.
type runState struct {
	sel    gaitSelector
	ground float64 // m, the ground height under the last stance
	// Flight: whether the robot is airborne (no foot in stance), the
	// predicted touchdown time (s, loop time) and centre of mass there.
	flight bool
	tdTime float64
	tdCOM  spatial.Vec3
	// flights counts the flights the controller went through.
	flights int
	crouch  float64 // m, the crouch in force (runCrouch)
	// Telemetry channels (DeclareChannels; kept across Start): nil until
	// declared.
	chFlight, chGait []float64
	// tdVz is the centre of mass's vertical velocity at each foot's last
	// touchdown (m/s).
	tdVz [2]float64
}

// touchdownHeight is the centre-of-mass height (m) at which a landing leg
// meets the ground: the walking height over the last stance's ground.
func (w *Walker) touchdownHeight() float64 {
	return w.run.ground + w.P.COMHeight - w.P.Crouch - w.runCrouch()
}

// updateFlight keeps the ballistic prediction of the touchdown while
// airborne.
func (w *Walker) updateFlight(t float64, airborne bool, com, vel spatial.Vec3) {
	if airborne && !w.run.flight {
		w.run.flights++
	}
	w.run.flight = airborne
	if c := w.run.chGait; c != nil {
		c[0], c[1], c[2] = w.sched.Duty(), w.runCrouch(), 0
		if w.sched.Running() {
			c[2] = 1
		}
	}
	if !airborne {
		if c := w.run.chFlight; c != nil {
			c[0], c[1], c[2], c[3], c[4] = 0, math.NaN(), math.NaN(), math.NaN(), math.NaN()
		}
		return
	}
	g := w.plan.Gravity
	dt := TouchdownTime(com[2], vel[2], g, w.touchdownHeight())
	w.run.tdTime = t + dt
	w.run.tdCOM, _ = Ballistic(com, vel, g, dt)
	if c := w.run.chFlight; c != nil {
		c[0], c[1], c[2], c[3], c[4] = 1, dt, w.run.tdCOM[0], w.run.tdCOM[1], w.run.tdCOM[2]
	}
}

// DeclareChannels declares the running telemetry (the runtime's
// ChannelDeclarer): "run.flight" — airborne (1) or not (0), the predicted
// time to touchdown (s) and the centre of mass predicted there (m, world;
// NaN on the ground) — and "run.gait" — the duty factor, the crouch (m)
// and whether the running gait is selected (1) or walking (0).
func (w *Walker) DeclareChannels(declare func(name, unit string, size int) ([]float64, error)) error {
	f, err := declare("run.flight", "1, s, m", 5)
	if err != nil {
		return err
	}
	g, err := declare("run.gait", "1, m, 1", 3)
	if err != nil {
		return err
	}
	w.run.chFlight, w.run.chGait = f, g
	return nil
}

// Flight reports whether the walker is airborne and, if so, the predicted
// touchdown time (s, loop time) and centre of mass position there (for the
// plan overlay and the log).
func (w *Walker) Flight() (airborne bool, tdTime float64, tdCOM spatial.Vec3) {
	return w.run.flight, w.run.tdTime, w.run.tdCOM
}

// Flights returns how many flight phases the controller has gone through
// since Start.
func (w *Walker) Flights() int { return w.run.flights }

// GaitSwitches returns how many walk ↔ run selections have changed since
// Start.
func (w *Walker) GaitSwitches() int { return w.run.sel.changes }

// planRunStep plans swing foot k's running touchdown. With the other foot
// standing, the touchdown is the clock's; airborne, the foot that lands
// next lands at the ballistic prediction.
func (w *Walker) planRunStep(k int, _ spatial.Vec3, left, vx, vy, yawRate float64, com, comVel spatial.Vec3) Step {
	o := 1 - k
	airborne := !w.stance[o]
	tl := left
	if airborne && !w.stance[k] && w.remaining(k) <= w.remaining(o) {
		tl = TouchdownTime(com[2], comVel[2], w.plan.Gravity, w.touchdownHeight())
	}
	r := RunStepRequest{
		Foot: k, Pos: com, Vel: comVel, Yaw: w.yawRef, Vx: vx, Vy: vy, YawRate: yawRate,
		TimeLeft: tl, Stance: w.sched.StanceDuration(), GroundZ: w.run.ground, Airborne: airborne,
		RaibertK: w.Cfg.Run.RaibertGain, LateralK: w.Cfg.Run.LateralGain,
	}
	// Fore and aft, the foot stays within the leg's reach of the hip.
	pl := w.plan
	pl.MaxStepX = math.Min(pl.MaxStepX, runReach(w.P, &w.Cfg.Run))
	return pl.PlanRun(&r)
}

// runStanceForce is the running single stance's desired contact force on
// foot k: the vertical impulse feed-forward (runPush, from the time since
// touchdown) plus a light height correction, directed along the leg (from
// the sole to the centre of mass, so the force makes no moment about it),
// plus the horizontal velocity feedback.
func (w *Walker) runStanceForce(t float64, k int, sole, com, vel, vd spatial.Vec3, zd float64) spatial.Vec3 {
	m, g := w.P.Mass, w.plan.Gravity
	beta := w.sched.Duty()
	st := beta * w.sched.Period()
	T := w.sched.Period()
	s := (t - w.tdTime[k]) / st
	// Thrust: the stance's impulse carries the weight over the stance and
	// turns the touchdown's vertical velocity into the take-off velocity
	// of the planned flight, g·(0.5−β)·T/2 (Raibert's hopping thrust,
	// deadbeat on the landing speed); runPush's impulse is m·g·T/2.
	vto := g * math.Max(0.5-beta, 0) * T / 2
	scale := (g*st + vto - w.run.tdVz[k]) / (g * T / 2)
	scale = clamp(scale, 0.5, 2)
	fz := w.Cfg.Run.PushGain*scale*runPush(m, g, beta, s) + m*0.25*w.Cfg.HeightKp*(zd-com[2])
	fz = math.Max(fz, 0)
	var F spatial.Vec3
	h := math.Max(com[2]-sole[2], 0.2)
	for c := 0; c < 2; c++ {
		F[c] = fz*(com[c]-sole[c])/h + m*w.Cfg.WalkKv*(vd[c]-vel[c])
	}
	F[2] = fz
	return F
}

// updateGround keeps the running ground height: the height of the soles in
// stance that the estimator finds on the ground (a foot the clock put in
// stance while still in the air does not count). It reports whether the
// walker should use it (running, or airborne).
func (w *Walker) updateGround(dt float64, sole [2]spatial.Vec3, contact [2]bool, standing bool) bool {
	// The crouch follows the gait blend at CrouchRate at most.
	d := w.Cfg.Run.CrouchRate * dt
	w.run.crouch += clamp(w.runBlend()*w.Cfg.Run.Crouch-w.run.crouch, -d, d)
	var z float64
	n := 0
	for k := 0; k < 2; k++ {
		if w.stance[k] && contact[k] {
			z += sole[k][2]
			n++
		}
	}
	if n > 0 {
		w.run.ground = z / float64(n)
	}
	return !standing || w.sched.Duty() < 0.5
}

// lateWindow returns how long (s) past its planned touchdown a swing foot
// may reach down before the walker puts it in stance anyway: the swing's
// LateDepth at LateSpeed, and while running at least a stride period (a
// foot put in stance in the air would be asked to push on nothing; the
// ballistic prediction keeps re-aiming it meanwhile).
func (w *Walker) lateWindow(sw *Swing) float64 {
	d := sw.LateDepth / sw.LateSpeed
	if w.sched.Duty() < 0.5 {
		d = math.Max(d, w.sched.Period())
	}
	return d
}

// landingSpeed is the touchdown speed of a swing starting now: LandSpeed
// running, 0 walking, blended in between.
func (w *Walker) landingSpeed() float64 { return w.runBlend() * w.Cfg.Run.LandSpeed }

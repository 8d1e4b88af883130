package locomotion

import (
	"errors"
	"fmt"
	"math"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// WalkerConfig holds the walker's parameters.
type WalkerConfig struct {
	Timing   Timing
	Swing    Swing
	StepGain float64 // capture-point feedback gain of the footstep planner

	// Centre-of-mass regulation (the desired total contact force).
	HeightKp, HeightKd float64 // 1/s², 1/s
	StandKp, StandKd   float64 // horizontal, standing
	WalkKv             float64 // 1/s, horizontal velocity feedback while walking
	VelKi              float64 // 1/s, integral gain on the walking velocity error (footstep planning)
	VelIntLimit        float64 // m/s, bound of that integral's correction
	AccelLimit         float64 // m/s², how fast the commanded velocity is followed

	// StepReach is how far behind the hip (as a fraction of the step
	// length) the stance foot may be at lift-off: the walking height is
	// lowered with speed so the stance leg still reaches it (see
	// Walker.HeightDrop). 0 keeps the home height at every speed.
	StepReach float64

	// StartTime is how long the clock is held when walking starts from
	// standing, while the capture point moves over the first stance foot.
	StartTime float64
	// StopSpeed is the centre-of-mass speed (m/s) under which a stop
	// request may end the stepping.
	StopSpeed float64
	// Joint-level damping the drives add on top of the QP's torques
	// (N·m·s/rad), towards the QP's velocity after one tick.
	JointKd float64
	// MPC selects how the centroidal MPC is used (MPCOff: not at all);
	// MPCEvery is its period in ticks.
	MPC      MPCMode
	MPCEvery int
	// FailTicks is how many ticks in a row a failed QP may reuse the last
	// good torques before Err reports the failure.
	FailTicks int
	// Run is the running gait (run.go).
	Run RunConfig
}

// DefaultWalkerConfig returns the parameters tuned on the built-in robot.
func DefaultWalkerConfig() WalkerConfig {
	return WalkerConfig{
		Timing: DefaultTiming(), Swing: DefaultSwing(), StepGain: 1,
		HeightKp: 100, HeightKd: 20,
		StandKp: 60, StandKd: 15,
		WalkKv: 1,
		VelKi:  0.5, VelIntLimit: 0.3, AccelLimit: 0.5,
		StepReach: 0.6,
		StartTime: 0.3, StopSpeed: 0.25,
		JointKd:   1,
		FailTicks: 5,
		MPC:       MPCInline, MPCEvery: 20,
		Run: DefaultRunConfig(),
	}
}

// Walker is the gait controller: the phase-clock scheduler, the DCM footstep
// planner, quintic swing trajectories and the whole-body QP, over the
// runtime's estimate and sensors. Standing is its stand gait, so stand → walk
// → stand runs through the same controller. It implements the runtime's
// Controller (with GaitReporter and SchedulePublisher).
//
// It needs an estimate with orientation, position and velocity; Start refuses
// to run without them.
type Walker struct {
	P     *Profile
	Cfg   WalkerConfig
	wbc   *WBC
	sched *Scheduler
	plan  Planner
	swing [2]Swing
	mpc   *walkerMPC // nil with the MPC off

	q, v      []float64
	stance    [2]bool // feet in stance now (the controller's view)
	tdTime    [2]float64
	schedSt   [2]bool // the scheduler's stance on the last tick (lift-off is its stance → swing edge)
	yawRef    float64
	started   bool
	vInt      [2]float64 // m/s, integral of the velocity error, heading frame
	vCmd      [2]float64 // m/s, the acceleration-limited command, heading frame
	startLeft float64    // s of the start (clock held) left; < 0: not starting
	tPrev     float64
	fails     int
	failures  int
	err       error
	lastSteps [2]Step
	run       runState
}

// NewWalker makes a walker for profile p.
func NewWalker(p *Profile, cfg WalkerConfig) (*Walker, error) {
	s, err := NewScheduler(cfg.Timing)
	if err != nil {
		return nil, err
	}
	if err := cfg.Run.Validate(); err != nil {
		return nil, err
	}
	s.Run = cfg.Run
	if s.Run.Sweep == 0 {
		s.Run.Sweep = runSweep(p, &cfg.Run)
	}
	w, err := NewWBC(p)
	if err != nil {
		return nil, err
	}
	wk := &Walker{P: p, Cfg: cfg, wbc: w, sched: s, q: make([]float64, p.Model.Nq), v: make([]float64, p.Model.Nv)}
	wk.plan = Planner{
		Height: p.COMHeight - p.Crouch, Gravity: p.Model.Gravity.Norm(),
		Width: p.Width, MinWidth: 0.7 * p.Width, MaxWidth: 2.5 * p.Width,
		MaxStepX: 0.6 * p.Height, Gain: cfg.StepGain, FootShift: p.FootX,
	}
	if wk.plan.Gravity == 0 {
		wk.plan.Gravity = 9.81
	}
	if err := wk.plan.Validate(); err != nil {
		return nil, err
	}
	wk.swing = [2]Swing{cfg.Swing, cfg.Swing}
	if wk.mpc, err = newWalkerMPC(p, &wk.Cfg); err != nil {
		return nil, err
	}
	return wk, nil
}

// NewWalkerForModel derives the profile of model m for the hal joints named
// joints (hal.Info.JointNames), with the optional YAML overrides f (nil:
// none), and makes a walker with the default parameters: what a tool needs
// to hand the runtime its locomotion controller.
func NewWalkerForModel(m *rbd.Model, joints []string, f *ProfileFile) (*Walker, error) {
	p, err := DeriveProfile(m, joints, f)
	if err != nil {
		return nil, err
	}
	return NewWalker(p, DefaultWalkerConfig())
}

// WBC returns the walker's whole-body controller (for inspection).
func (w *Walker) WBC() *WBC { return w.wbc }

// Scheduler returns the walker's gait scheduler.
func (w *Walker) Scheduler() *Scheduler { return w.sched }

// Name implements the runtime's Controller.
func (w *Walker) Name() string {
	return "walker: phase-clock gait, DCM footsteps, quintic swing, whole-body QP"
}

// ErrEstimate is returned by Start, and reported by Err from the tick it
// happens, when the estimate lacks what the walker needs.
var ErrEstimate = errors.New("walker: the estimate has no valid orientation, position and velocity")

// Start implements the runtime's Controller.
func (w *Walker) Start(in *Input) error {
	e := in.Estimate
	if !e.OrientationValid || !e.PositionValid || !e.VelocityValid {
		return ErrEstimate
	}
	w.err, w.fails, w.failures = nil, 0, 0
	w.vInt, w.vCmd = [2]float64{}, [2]float64{}
	w.sched.Reset()
	w.run = runState{chFlight: w.run.chFlight, chGait: w.run.chGait}
	w.stance = [2]bool{true, true}
	w.schedSt = [2]bool{true, true}
	w.swing[0].End()
	w.swing[1].End()
	w.load(in)
	q := spatial.Quat{W: e.Quat[0], X: e.Quat[1], Y: e.Quat[2], Z: e.Quat[3]}
	w.yawRef = yawOf(q)
	w.tPrev = in.Time
	w.started = true
	w.startLeft = -1
	if w.mpc != nil {
		w.mpc.cur, w.mpc.ticks, w.mpc.failed, w.mpc.solves, w.mpc.used = nil, 0, 0, 0, 0
		if w.mpc.runner != nil {
			w.mpc.runner.Start()
		}
	}
	w.wbc.solver.Reset()
	return nil
}

// Stop implements the runtime's Controller.
func (w *Walker) Stop() {
	w.started = false
	if w.mpc != nil && w.mpc.runner != nil {
		w.mpc.runner.Stop()
	}
}

// Err implements the runtime's Controller.
func (w *Walker) Err() error { return w.err }

// Gait reports the gait and stride phase.
func (w *Walker) Gait() (Gait, float64) {
	if w.sched.Walking() {
		if w.sched.Running() {
			return GaitRun, w.sched.Phase()
		}
		return GaitWalk, w.sched.Phase()
	}
	return GaitStand, w.sched.Phase()
}

// Schedule publishes the contact schedule: the clock's plan for each foot
// (stance or swing, progress and time left). It is the plan, not the stance
// the controller acts on after detected early and late touchdowns: the
// estimator uses it as an independent prior for its own contact detection,
// and the controller's touchdowns follow that detection, so publishing them
// back would close a loop in which a late foot is never found on the ground.
func (w *Walker) Schedule(s *estimator.ContactSchedule) {
	w.sched.Schedule(s)
	s.Valid = w.started
}

// Steps returns the planned touchdowns of the last swings.
func (w *Walker) Steps() [2]Step { return w.lastSteps }

// Failures returns the number of failed QP solves since Start.
func (w *Walker) Failures() int { return w.failures }

// load fills q, v from the estimate and sensors, in the model's coordinates.
func (w *Walker) load(in *Input) {
	e, s := in.Estimate, in.Sensors
	q, v := w.q, w.v
	quat := spatial.Quat{W: e.Quat[0], X: e.Quat[1], Y: e.Quat[2], Z: e.Quat[3]}.Normalize()
	q[0], q[1], q[2] = e.Pos[0], e.Pos[1], e.Pos[2]
	q[3], q[4], q[5], q[6] = quat.W, quat.X, quat.Y, quat.Z
	v[0], v[1], v[2] = e.LinVel[0], e.LinVel[1], e.LinVel[2]
	R := quat.Mat3()
	wb := R.MulTVec(spatial.Vec3(e.AngVel))
	v[3], v[4], v[5] = wb[0], wb[1], wb[2]
	for i := range w.P.Joints {
		q[w.P.QAdr[i]] = s.Q[i]
		v[w.P.Dof[i]] = s.Qd[i]
	}
	w.wbc.Update(q, v)
}

func yawOf(q spatial.Quat) float64 {
	return math.Atan2(2*(q.W*q.Z+q.X*q.Y), 1-2*(q.Y*q.Y+q.Z*q.Z))
}

// Step implements the runtime's Controller.
func (w *Walker) Step(in *Input, out *hal.Commands) {
	dt := in.Time - w.tPrev
	if !(dt > 0 && dt < 0.1) {
		dt = 0.001
	}
	w.tPrev = in.Time
	t := in.Time
	if e := in.Estimate; (!e.OrientationValid || !e.PositionValid || !e.VelocityValid) && w.err == nil {
		// The estimator lost the base: nothing to balance with. Keep the
		// last command this tick; Err makes the runtime damp the robot.
		w.err = ErrEstimate
	}
	w.load(in)
	wbc := w.wbc
	cmd := in.Command
	e := in.Estimate
	walk := cmd.Gait == GaitWalk || cmd.Gait == GaitRun
	speed := math.Hypot(cmd.Vx, cmd.Vy)
	// Starting from standing: hold the clock for StartTime while the
	// capture point is steered over the first stance foot.
	schedWalk := walk
	if !walk {
		w.startLeft = -1
		// Stopping: keep stepping while the commanded velocity ramps down
		// and until the centre of mass is slow enough for the stance to
		// catch it; the clock then stops at the next double support.
		_, cv := w.wbc.COM()
		if w.sched.Walking() && (math.Hypot(w.vCmd[0], w.vCmd[1]) > 0.02 || math.Hypot(cv[0], cv[1]) > w.Cfg.StopSpeed) {
			schedWalk = true
			speed = math.Hypot(w.vCmd[0], w.vCmd[1])
		}
	} else if !w.sched.Walking() {
		if w.startLeft < 0 {
			w.startLeft = w.Cfg.StartTime
		}
		w.startLeft -= dt
		if w.startLeft > 0 {
			schedWalk = false
		} else {
			w.startLeft = -1
		}
	}
	w.sched.SetRun(w.run.sel.update(&w.Cfg.Run, cmd.Gait, math.Hypot(w.vCmd[0], w.vCmd[1]), w.plan.Gravity, w.P.LegLength))
	// A late swing (its planned time is up, the foot not yet down) holds
	// the clock: otherwise the stance foot's lift-off edge passes while
	// the swing foot is still in the air, the stance foot is never lifted,
	// and the walker and the clock disagree for a whole stride. (Walking
	// only, not while a switch to running bends the duty factor: a running
	// swing may be late by up to a stride.)
	clockDt := dt
	for k := 0; k < 2; k++ {
		if !w.stance[k] && w.swing[k].Late(t) && schedWalk && w.sched.Duty() >= 0.5 && !w.sched.Running() {
			clockDt = 0
		}
	}
	w.sched.Update(clockDt, schedWalk, speed)
	walking := w.sched.Walking() || w.startLeft > 0
	yawRate := 0.0
	if walking {
		yawRate = cmd.YawRate
		w.yawRef += yawRate * dt
	}
	// The commanded velocity, reached at a bounded acceleration.
	tx, ty := 0.0, 0.0
	if walking && walk && w.startLeft <= 0 {
		tx, ty = cmd.Vx, cmd.Vy
	}
	dv := w.Cfg.AccelLimit * dt
	w.vCmd[0] += clamp(tx-w.vCmd[0], -dv, dv)
	w.vCmd[1] += clamp(ty-w.vCmd[1], -dv, dv)
	vx, vy := w.vCmd[0], w.vCmd[1]
	if w.startLeft > 0 {
		yawRate = 0
	}
	// Integral of the velocity error (heading frame) while walking: it
	// corrects the steady speed error the pendulum model leaves.
	_, cv := w.wbc.COM()
	cy0, sy0 := math.Cos(w.yawRef), math.Sin(w.yawRef)
	if w.sched.Walking() {
		ex := vx - (cy0*cv[0] + sy0*cv[1])
		ey := vy - (-sy0*cv[0] + cy0*cv[1])
		lim := w.Cfg.VelIntLimit
		w.vInt[0] = clamp(w.vInt[0]+w.Cfg.VelKi*ex*dt, -lim, lim)
		w.vInt[1] = clamp(w.vInt[1]+w.Cfg.VelKi*ey*dt, -lim, lim)
	} else {
		w.vInt = [2]float64{}
	}
	px, py := vx+w.vInt[0], vy+w.vInt[1]

	// Feet: lift-off, swing, touchdown.
	var sole [2]spatial.Vec3
	for k := 0; k < 2; k++ {
		sole[k], _, _ = wbc.Sole(k)
	}
	contact := [2]bool{true, true}
	if e.ContactValid {
		contact = [2]bool{e.Contact[0] > 0.5, e.Contact[1] > 0.5}
	}
	com, comVel := wbc.COM()
	for k := 0; k < 2; k++ {
		st, _, rem, _ := w.sched.FootTiming(k)
		o := 1 - k
		switch {
		case w.stance[k] && !st && w.schedSt[k] && (w.stance[o] || w.sched.Duty() < 0.5):
			// Lift-off: plan and start the swing.
			step := w.planStep(k, sole[o], rem, px, py, yawRate, com, comVel)
			w.swing[k].setParams(&w.Cfg.Swing) // a retuned swing takes effect from its next lift-off
			w.swing[k].SetLanding(w.landingSpeed())
			w.swing[k].Start(t, sole[k], step.Pos, rem)
			w.lastSteps[k] = step
			w.stance[k] = false
		case !w.stance[k]:
			sw := &w.swing[k]
			if !st {
				step := w.planStep(k, sole[o], rem, px, py, yawRate, com, comVel)
				sw.Retarget(t, step.Pos)
				w.lastSteps[k] = step
			}
			// Touchdown from kinematics first: the estimator's contact
			// probability may lag a touchdown by tens of milliseconds or
			// rise while the foot is still in the air, and either one
			// (a swing foot pressed into the ground, or a stance foot in
			// the air) upsets the gait at speed. The sole's height over
			// the planned touchdown (relative to the stance foot, exact
			// from the encoders) and its vertical speed decide; the
			// estimated contact counts only with the foot nearly stopped.
			// An early touchdown (after EarlyFraction of the swing) needs
			// an estimated contact within 3 cm of the touchdown height, or
			// (in the last 10 % of the swing) the foot stopped at that
			// height; from the planned time on, a foot with an estimated
			// contact, or stopped while its reference keeps reaching
			// down, is down.
			// (Running, and a switch to it, keep the estimated contact and
			// the schedule.)
			sp, sv, _ := wbc.Sole(k)
			above := sp[2] - sw.Target()[2]
			still := sv[2] > -0.05
			hit := e.ContactValid && contact[k] && still
			early := sw.EarlyContactAllowed(t) && (hit && above < 0.03 || still && above < 0.005 && sw.Progress(t) >= 0.9)
			stopped := sw.Late(t) && t-sw.t0-sw.dur > 0.01 && sv[2] > -0.3*sw.LateSpeed
			down := stopped || hit
			due := (st || sw.Late(t)) && (down || sw.Progress(t) > 1+w.lateWindow(sw)/math.Max(sw.dur, 1e-3))
			if w.sched.Duty() < 0.5 || w.sched.Running() {
				early = contact[k] && e.ContactValid && sw.EarlyContactAllowed(t)
				due = st && (!e.ContactValid || contact[k] || sw.Progress(t) > 1+w.lateWindow(sw)/math.Max(sw.dur, 1e-3))
			}
			if early || due {
				sw.End()
				w.stance[k] = true
				w.tdTime[k] = t
				w.run.tdVz[k] = comVel[2]
			}
		}
		w.schedSt[k] = st
	}

	// Goals for the whole-body QP.
	m := w.P.Mass
	g := w.plan.Gravity
	ground, nst := 0.0, 0
	for k := 0; k < 2; k++ {
		if w.stance[k] {
			ground += sole[k][2]
			nst++
		}
	}
	if nst > 0 {
		ground /= float64(nst)
	}
	if w.updateGround(dt, sole, contact, nst > 0) {
		ground = w.run.ground
	}
	vel := comVel
	// The walking height drops with speed (reach), fading out as the
	// running crouch (which follows the duty factor) fades in.
	rc := w.runCrouch()
	fade := 1.0
	if c := w.Cfg.Run.Crouch; c > 0 {
		fade = clamp(1-rc/c, 0, 1)
	}
	drop := fade * w.HeightDrop(math.Hypot(vx, vy))
	h := w.P.COMHeight - w.P.Crouch + cmd.Height - drop - rc
	// The pendulum height of the footstep planner follows the walking
	// drop (the running gait keeps its own).
	w.plan.Height = math.Max(w.P.COMHeight-w.P.Crouch-drop, 0.2)
	zd := ground + h
	w0 := w.plan.Omega()
	var F spatial.Vec3
	F[2] = m * (g + w.Cfg.HeightKp*(zd-com[2]) - w.Cfg.HeightKd*vel[2])
	var lambda [2]float64
	cy, sy := math.Cos(w.yawRef), math.Sin(w.yawRef)
	vd := spatial.Vec3{cy*vx - sy*vy, sy*vx + cy*vy, 0}
	if w.stance[0] && w.stance[1] {
		mid := sole[0].Add(sole[1]).Scale(0.5)
		var cop spatial.Vec3
		if !walking {
			// Standing: PD of the CoM over the middle of the feet.
			for c := 0; c < 2; c++ {
				F[c] = m * (w.Cfg.StandKp*(mid[c]-com[c]) - w.Cfg.StandKd*vel[c])
			}
			cop = mid
		} else {
			// Double support while walking or starting: steer the capture
			// point, with a constant CoP inside the support, to where the
			// coming single support on the leading foot needs it at lift-off
			// of the trailing one (ξ_end = p_lead + b, as the planner's
			// steady gait).
			lead, _ := w.order()
			ts := w.sched.Period() / 2
			es := math.Exp(w0 * ts)
			ld := spatial.Vec3{-sy, cy, 0}
			sgn := 1.0
			if lead == Right {
				sgn = -1
			}
			b := vd.Scale(ts / (es - 1)).Add(ld.Scale(-sgn * w.plan.Width / (es + 1)))
			xiEnd := sole[lead].Add(b)
			tRem := math.Max(w.dsRemaining()+math.Max(w.startLeft, 0), 0.01)
			E := math.Exp(w0 * tRem)
			for c := 0; c < 2; c++ {
				xi := com[c] + vel[c]/w0
				cop[c] = (xiEnd[c] - xi*E) / (1 - E)
			}
			cop = w.clipSupport(cop, sole)
			for c := 0; c < 2; c++ {
				F[c] = m * w0 * w0 * (com[c] - cop[c])
			}
		}
		// Split by where the CoP lies between the feet.
		d := sole[0].Sub(sole[1])
		d[2] = 0
		s := 0.5
		if n2 := d.Dot(d); n2 > 1e-6 {
			s = clamp(cop.Sub(sole[1]).Dot(d)/n2, 0, 1)
		}
		lambda = [2]float64{s, 1 - s}
	} else {
		k := 0
		if w.stance[1] {
			k = 1
		}
		if nst > 0 {
			for c := 0; c < 2; c++ {
				F[c] = m * (w0*w0*(com[c]-sole[k][c]) + w.Cfg.WalkKv*(vd[c]-vel[c]))
			}
			if w.sched.Duty() < 0.5 {
				F = w.runStanceForce(t, k, sole[k], com, vel, vd, zd)
			}
			lambda[k] = 1
		} else {
			F = spatial.Vec3{} // flight: no contact force
		}
	}
	w.updateFlight(t, nst == 0, com, vel)
	wbc.Force = F
	for k := 0; k < 2; k++ {
		wbc.WrenchRef[k] = [6]float64{3: lambda[k] * F[0], 4: lambda[k] * F[1], 5: lambda[k] * F[2]}
	}
	if w.mpc != nil && w.sched.Walking() {
		// While walking, the MPC's wrenches at this tick's knot replace the
		// distribution when the solution is within its horizon and its
		// contact plan agrees with the feet. (Standing,
		// the PD over the feet holds the CoM in place; the MPC's reference
		// path starts wherever the CoM is and would let it drift.)
		if sol := w.updateMPC(t, e, sole, vx, vy, yawRate, h); sol != nil {
			kn := sol.KnotAt(t)
			fresh := t-sol.Time < float64(sol.Knots)*sol.Dt // within its horizon
			if fresh && sol.Stance[kn] == w.stance {
				var tot spatial.Vec3
				for k := 0; k < 2; k++ {
					u := &sol.Wrench[kn][k]
					wbc.WrenchRef[k] = [6]float64{u[3], u[4], u[5], u[0], u[1], u[2]}
					tot = tot.Add(spatial.Vec3{u[0], u[1], u[2]})
				}
				wbc.Force = tot
				w.mpc.used++
			}
		}
	}
	for k := 0; k < 2; k++ {
		wbc.Stance[k] = w.stance[k]
		trust := 1.0
		if w.stance[k] {
			trust = math.Min(1, 0.1+(t-w.tdTime[k])/math.Max(w.Cfg.Run.LandRamp, 1e-3))
			if walking && w.stance[1-k] {
				if rem := w.remaining(k); rem < w.sched.Period()*(w.sched.Duty()-0.5) {
					trust = math.Min(trust, math.Max(0.05, lambda[k]*1.5))
				}
			}
		}
		wbc.ContactTrust[k] = trust
		if !w.stance[k] {
			p, v, a := w.swing[k].Eval(t)
			wbc.SwingPos[k], wbc.SwingVel[k], wbc.SwingAcc[k] = p, v, a
			wbc.FootYaw[k] = w.lastSteps[k].Yaw
		}
	}
	wbc.BaseQuat = spatial.QuatFromAxisAngle(spatial.Vec3{0, 0, 1}, w.yawRef)
	wbc.BaseAngVel = spatial.Vec3{0, 0, yawRate}

	if err := wbc.Solve(); err != nil {
		w.fails++
		w.failures++
		if w.fails > w.Cfg.FailTicks && w.err == nil {
			w.err = err
		}
	} else {
		w.fails = 0
	}
	// Torques from the QP (the last good ones if it failed) and joint
	// damping towards the QP's velocity one tick ahead; no stiffness (Q is
	// only a finite placeholder). A non-finite sample never reaches the
	// command: the damping target falls back to rest.
	out.N = len(w.P.Joints)
	for i := range w.P.Joints {
		dof := w.P.Dof[i]
		qd := in.Sensors.Qd[i] + wbc.Qdd[dof]*dt
		if math.IsNaN(qd) || math.IsInf(qd, 0) {
			qd = 0
		}
		q := in.Sensors.Q[i]
		if math.IsNaN(q) || math.IsInf(q, 0) {
			q = in.Home[i]
		}
		// The drive's torque (feed-forward plus damping at the measured
		// velocity) stays inside the effort limit: what the drive would
		// clamp anyway, and what the runtime's safety layer checks.
		tau := wbc.Tau[i]
		if lim := 0.999 * w.P.EffortLimit[i]; !math.IsInf(lim, 1) {
			damp := w.Cfg.JointKd * (qd - in.Sensors.Qd[i])
			tau = math.Max(-lim-damp, math.Min(lim-damp, tau))
		}
		out.Joint[i] = hal.JointCommand{Tau: tau, Q: q, Qd: qd, Kd: w.Cfg.JointKd}
	}
}

// HeightDrop returns how much the walking centre-of-mass height is below
// the home height at speed v (m/s): the hip is lowered until a foot
// StepReach step lengths from it (the step length L = v·T(v)/2) is as far
// from the hip as the foot under it at home, h₀ − √(h₀² − (StepReach·L)²)
// with h₀ the home hip height. A nearly straight home leg (the built-in
// robot's hip is at 97 % of the leg length) has almost no reach; without
// the drop the stance knee straightens at 1 m/s before the swing foot is
// down, and the robot falls. At most a quarter of h₀.
func (w *Walker) HeightDrop(v float64) float64 {
	if !(w.Cfg.StepReach > 0) || !(v > 0) {
		return 0
	}
	h0 := w.P.HipHeight - w.P.Crouch
	r := w.Cfg.StepReach * v * w.sched.Timing.Period(v) / 2
	return math.Min(h0-math.Sqrt(math.Max(h0*h0-r*r, 0)), 0.25*h0)
}

// remaining returns the time left in foot k's current planned stance or
// swing.
func (w *Walker) remaining(k int) float64 {
	_, _, rem, _ := w.sched.FootTiming(k)
	return rem
}

// order returns the leading foot (the one that touched down last) and the
// trailing one (about to lift) in double support. With the clock stopped,
// the phase says: φ < 0.5 is the left foot's stance start, so the right
// foot trails.
func (w *Walker) order() (lead, trail int) {
	if !w.sched.Walking() {
		if w.sched.Phase() < 0.5 {
			return Left, Right
		}
		return Right, Left
	}
	if w.remaining(Left) < w.remaining(Right) {
		return Right, Left
	}
	return Left, Right
}

// dsRemaining returns the time left in the current double support by the
// clock (0 outside one).
func (w *Walker) dsRemaining() float64 {
	ph := math.Mod(w.sched.Phase(), 0.5)
	return math.Max(0, (w.sched.Duty()-0.5-ph)*w.sched.Period())
}

// clipSupport clamps a CoP to the support of the two soles: onto the
// segment between their centres, within the sole half-width across it.
func (w *Walker) clipSupport(c spatial.Vec3, sole [2]spatial.Vec3) spatial.Vec3 {
	a, b := sole[Right], sole[Left]
	d := b.Sub(a)
	d[2] = 0
	l := d.Norm()
	if l < 1e-6 {
		return a
	}
	u := d.Scale(1 / l)
	n := spatial.Vec3{-u[1], u[0], 0}
	r := c.Sub(a)
	s := clamp(r.Dot(u), 0, l)
	hw := 0.4 * math.Min(w.P.Feet[0].Length, w.P.Feet[0].Width)
	o := clamp(r.Dot(n), -hw, hw)
	return a.Add(u.Scale(s)).Add(n.Scale(o))
}

// planStep plans foot k's touchdown with the other foot's sole at stance.
func (w *Walker) planStep(k int, stance spatial.Vec3, left, vx, vy, yawRate float64, com, comVel spatial.Vec3) Step {
	if w.sched.Duty() < 0.5 {
		return w.planRunStep(k, stance, left, vx, vy, yawRate, com, comVel)
	}
	if c, _, ok := w.wbc.CoP(); ok && !w.stance[k] {
		stance[0], stance[1] = c[0], c[1]
	}
	r := StepRequest{
		Foot: k, Pos: com, Vel: comVel, Yaw: w.yawRef,
		Vx: vx, Vy: vy, YawRate: yawRate, Stance: stance,
		TimeLeft: left, StepTime: w.sched.Period() / 2, GroundZ: stance[2],
	}
	return w.plan.Plan(&r)
}

// String describes the walker's state (not for the tick).
func (w *Walker) String() string {
	return fmt.Sprintf("walker: phase %.3f stance %v failures %d", w.sched.Phase(), w.stance, w.failures)
}

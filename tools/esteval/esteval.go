package esteval

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Names lists the estimators New builds.
var Names = []string{"inekf", "linear", "imu", "truth"}

// Default is the estimator a simulated run uses unless told otherwise.
const Default = "inekf"

// MetaKey is the telemetry header meta key naming the estimator a
// simulated run used (for `stride log rerun`).
const MetaKey = "estimator"

// ForModel builds the estimator called name from a model and joint names
// alone, as a re-run of a log does: "inekf", "linear" or "imu" ("truth"
// needs the simulator and cannot be re-run). It returns the estimator and
// a description for reports.
func ForModel(name string, m *rbd.Model, joints []string) (runtime.Estimator, string, error) {
	switch name {
	case "", "inekf":
		e, err := estimator.NewInEKF(m, joints, estimator.DefaultConfig())
		return e, "estimator.InEKF (contact-aided invariant EKF, default config)", err
	case "linear":
		e, err := estimator.NewLinear(m, joints, estimator.DefaultLinearConfig())
		return e, "estimator.Linear (MIT Cheetah's linear KF, default config)", err
	case "imu":
		return estimator.IMUOnly{}, "estimator.IMUOnly (IMU orientation, gyro in world axes)", nil
	case "truth":
		return nil, "", fmt.Errorf("estimator %q is the simulator's ground truth: a log cannot re-run it", name)
	}
	return nil, "", fmt.Errorf("estimator %q: want one of inekf, linear, imu", name)
}

// New builds the estimator called name for the simulated robot: "inekf"
// (estimator.InEKF, the default), "linear" (estimator.Linear, MIT Cheetah's
// filter), "imu" (estimator.IMUOnly) or "truth" (Truth: simulation only).
func New(name string, robot *simhal.Robot) (runtime.Estimator, error) {
	m := robot.World.Model
	joints := jointNames(robot)
	switch name {
	case "", "inekf":
		return estimator.NewInEKF(m, joints, estimator.DefaultConfig())
	case "linear":
		return estimator.NewLinear(m, joints, estimator.DefaultLinearConfig())
	case "imu":
		return estimator.IMUOnly{}, nil
	case "truth":
		return &Truth{Robot: robot}, nil
	}
	return nil, fmt.Errorf("estimator %q: want one of inekf, linear, imu, truth", name)
}

func jointNames(robot *simhal.Robot) []string {
	info := robot.Info()
	names := make([]string, len(info.Joints))
	for i := range info.Joints {
		names[i] = info.Joints[i].Name
	}
	return names
}

// Truth is a SIMULATION-ONLY estimator: it copies the simulator's ground
// truth (base pose and twist, foot contacts) into the estimate. It exists to
// tell controller faults from estimator faults; no robot can run it.
type Truth struct{ Robot *simhal.Robot }

// Reset does nothing: truth has no past.
func (t *Truth) Reset(*hal.Sensors) {}

// Update writes the ground truth of the current state.
func (t *Truth) Update(_ *hal.Sensors, e *estimator.Estimate) {
	tr := t.Robot.Truth()
	q := tr.BaseQuat
	*e = estimator.Estimate{
		Quat: [4]float64{q.W, q.X, q.Y, q.Z}, AngVel: tr.BaseAngVel, Pos: tr.BasePos, LinVel: tr.BaseLinVel,
		OrientationValid: true, PositionValid: true, VelocityValid: true, ContactValid: len(tr.Feet) == 2,
	}
	for k := 0; k < len(tr.Feet) && k < 2; k++ {
		if tr.Feet[k].InContact {
			e.Contact[k] = 1
		}
	}
}

// Report is an estimator's error against ground truth over a run (the
// "estimator" and "baseline" objects of `stride sim --json`).
type Report struct {
	Name string `json:"name"`
	// Ticks is the number of estimates scored.
	Ticks int `json:"ticks"`
	// VelRMSE is the RMS of the base velocity error, m/s (null when the
	// estimator gives no velocity).
	VelRMSE *float64 `json:"vel_rmse_mps"`
	// PosDriftPercent is the final position drift (estimated displacement
	// from the start minus the true one) as a percentage of the distance the
	// base travelled, or of 1 m when it travelled less: below 1 m it is the
	// absolute drift in cm.
	PosDriftPercent *float64 `json:"pos_drift_percent"`
	PosDrift        *float64 `json:"pos_drift_m"`
	Travelled       float64  `json:"travelled_m"`
	// YawDriftDeg is the final heading error relative to the start, degrees.
	YawDriftDeg *float64 `json:"yaw_drift_deg"`
	// HeightErrorRMS is the RMS of the base height error, m.
	HeightErrorRMS *float64 `json:"height_error_rms_m"`
	// RejectedUpdates counts samples and measurements the filter kept from
	// its state (NaN, dropouts, bad encoders, gated slips).
	RejectedUpdates uint64 `json:"rejected_updates"`
	// NonFinite counts estimates with a NaN or infinite value.
	NonFinite int `json:"non_finite"`
	// NEESMean and NEESInBand judge the covariance of an estimator that
	// exposes its error state (the InEKF): the normalised estimation error
	// squared ξᵀP⁻¹ξ of its IMU frame's (orientation, velocity, position)
	// against the truth (the position taken from the start, as the filter's
	// origin is), its mean (9 for a consistent filter) and the percentage of
	// ticks within the 95 % χ²₉ band [2.70, 19.02], from 1 s into the run;
	// null for other estimators.
	NEESMean   *float64 `json:"nees_mean,omitempty"`
	NEESInBand *float64 `json:"nees_in_band_percent,omitempty"`
}

// score accumulates one estimator's errors.
type score struct {
	name               string
	n, nv, np          int
	sumV2, sumH2       float64
	started            bool
	p0e, p0t           spatial.Vec3
	yaw0e, yaw0t       float64
	lastE, lastT       spatial.Vec3
	lastYawE, lastYawT float64
	prevT              spatial.Vec3
	travelled          float64
	posValid, velValid bool
	orientValid        bool
	nonFinite          int
}

func yaw(q [4]float64) float64 {
	return math.Atan2(2*(q[0]*q[3]+q[1]*q[2]), 1-2*(q[2]*q[2]+q[3]*q[3]))
}

func (s *score) add(e *estimator.Estimate, tr *simhal.Truth) {
	for _, x := range [...]float64{e.Pos[0], e.Pos[1], e.Pos[2], e.LinVel[0], e.LinVel[1], e.LinVel[2], e.Quat[0], e.Quat[1], e.Quat[2], e.Quat[3]} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			s.nonFinite++
			return
		}
	}
	s.n++
	tq := [4]float64{tr.BaseQuat.W, tr.BaseQuat.X, tr.BaseQuat.Y, tr.BaseQuat.Z}
	if !s.started {
		s.started = true
		s.p0e, s.p0t, s.prevT = e.Pos, tr.BasePos, tr.BasePos
		s.yaw0e, s.yaw0t = yaw(e.Quat), yaw(tq)
	}
	d := tr.BasePos.Sub(s.prevT)
	s.travelled += math.Hypot(d[0], d[1])
	s.prevT = tr.BasePos
	if e.VelocityValid {
		s.velValid = true
		dv := spatial.Vec3(e.LinVel).Sub(tr.BaseLinVel)
		s.sumV2 += dv.Dot(dv)
		s.nv++
	}
	if e.PositionValid {
		s.posValid = true
		dh := e.Pos[2] - tr.BasePos[2]
		s.sumH2 += dh * dh
		s.np++
		s.lastE, s.lastT = e.Pos, tr.BasePos
	}
	if e.OrientationValid {
		s.orientValid = true
		s.lastYawE, s.lastYawT = yaw(e.Quat), yaw(tq)
	}
}

func (s *score) report(rejected uint64) *Report {
	r := &Report{Name: s.name, Ticks: s.n, Travelled: s.travelled, RejectedUpdates: rejected, NonFinite: s.nonFinite}
	f := func(x float64) *float64 { return &x }
	if s.velValid && s.nv > 0 {
		r.VelRMSE = f(math.Sqrt(s.sumV2 / float64(s.nv)))
	}
	if s.posValid && s.np > 0 {
		r.HeightErrorRMS = f(math.Sqrt(s.sumH2 / float64(s.np)))
		drift := s.lastE.Sub(s.p0e).Sub(s.lastT.Sub(s.p0t)).Norm()
		r.PosDrift = f(drift)
		r.PosDriftPercent = f(100 * drift / math.Max(1, s.travelled))
	}
	if s.orientValid {
		d := (s.lastYawE - s.yaw0e) - (s.lastYawT - s.yaw0t)
		d = math.Remainder(d, 2*math.Pi)
		r.YawDriftDeg = f(math.Abs(d) * 180 / math.Pi)
	}
	return r
}

// statser is an estimator that counts what it kept from its state.
type statser interface{ Stats() estimator.Stats }

// consistent is an estimator that exposes its error state and covariance
// (estimator.InEKF).
type consistent interface {
	ErrorState(Rt spatial.Mat3, vt, pt spatial.Vec3) [9]float64
	Cov9() [81]float64
	IMUState() (spatial.Mat3, spatial.Vec3, spatial.Vec3)
}

// χ²₉ 2.5 % and 97.5 % points: the 95 % band of a consistent NEES.
const neesLow, neesHigh = 2.700, 19.023

// neesScore accumulates the NEES of a consistent estimator.
type neesScore struct {
	est      consistent
	m        *rbd.Model
	d        *rbd.Data
	body     int
	site     spatial.Transform // IMU frame in its body
	t0       float64
	started  bool
	offset   spatial.Vec3 // filter origin minus the true start
	n, in    int
	sum      float64
	cov, fac [81]float64
}

// imuTruth returns the true orientation, velocity and position of the IMU
// frame (the state the filter estimates).
func (s *neesScore) imuTruth(tr *simhal.Truth) (spatial.Mat3, spatial.Vec3, spatial.Vec3) {
	rbd.ChainKinematics(s.m, s.d, tr.Qpos, tr.Qvel, s.body)
	var X spatial.Transform
	X.SetMul(&s.d.XBody[s.body], &s.site)
	_, v := rbd.PointVelocity(s.d, s.body, X.P)
	return X.R, v, X.P
}

func (s *neesScore) add(tr *simhal.Truth) {
	R, v, p := s.imuTruth(tr)
	if !s.started {
		_, _, pe := s.est.IMUState()
		s.started, s.t0, s.offset = true, tr.Time, pe.Sub(p)
		return
	}
	if tr.Time-s.t0 < 1 {
		return
	}
	xi := s.est.ErrorState(R, v, p.Add(s.offset))
	s.cov = s.est.Cov9()
	x, ok := mahalanobis9(&s.cov, &xi, &s.fac)
	if !ok {
		return
	}
	s.n++
	s.sum += x
	if x >= neesLow && x <= neesHigh {
		s.in++
	}
}

// mahalanobis9 returns ξᵀ C⁻¹ ξ by a Cholesky factor of C (into L), and
// false when C is not positive definite.
func mahalanobis9(C *[81]float64, xi *[9]float64, L *[81]float64) (float64, bool) {
	const n = 9
	*L = *C
	for j := 0; j < n; j++ {
		d := L[j*n+j]
		for k := 0; k < j; k++ {
			d -= L[j*n+k] * L[j*n+k]
		}
		if !(d > 0) {
			return 0, false
		}
		L[j*n+j] = math.Sqrt(d)
		for i := j + 1; i < n; i++ {
			s := L[i*n+j]
			for k := 0; k < j; k++ {
				s -= L[i*n+k] * L[j*n+k]
			}
			L[i*n+j] = s / L[j*n+j]
		}
	}
	var y [9]float64 // L y = ξ; ξᵀC⁻¹ξ = |y|²
	sum := 0.0
	for i := 0; i < n; i++ {
		s := xi[i]
		for k := 0; k < i; k++ {
			s -= L[i*n+k] * y[k]
		}
		y[i] = s / L[i*n+i]
		sum += y[i] * y[i]
	}
	return sum, true
}

// Tap wraps the loop's estimator: every Update is passed on, then scored
// against the simulator's truth of the state the sample was read in, and
// the baseline (when set) runs on the same sample. It forwards contact
// schedules and telemetry channel declarations to the wrapped estimator.
type Tap struct {
	Inner    runtime.Estimator
	Baseline runtime.Estimator // nil: none
	robot    *simhal.Robot
	main     score
	base     score
	be       estimator.Estimate
	nees     *neesScore // nil: the estimator exposes no error state
}

// NewTap wraps inner (named name) on robot, with the linear baseline side
// by side unless inner is the baseline itself or truth.
func NewTap(name string, inner runtime.Estimator, robot *simhal.Robot) (*Tap, error) {
	t := &Tap{Inner: inner, robot: robot}
	if name == "" {
		name = Default
	}
	t.main.name = name
	if c, ok := inner.(consistent); ok {
		m := robot.World.Model
		ns := &neesScore{est: c, m: m, d: rbd.NewData(m), body: 1, site: spatial.IdentityTransform()}
		if i := m.SiteIndex("imu"); i >= 0 {
			ns.body, ns.site = m.Sites[i].Body, m.SiteX0[i]
		}
		t.nees = ns
	}
	if name != "linear" && name != "truth" {
		b, err := estimator.NewLinear(robot.World.Model, jointNames(robot), estimator.DefaultLinearConfig())
		if err != nil {
			return nil, err
		}
		t.Baseline = b
		t.base.name = "linear"
	}
	return t, nil
}

var (
	_ runtime.Estimator        = (*Tap)(nil)
	_ runtime.ScheduleReceiver = (*Tap)(nil)
	_ runtime.ChannelDeclarer  = (*Tap)(nil)
)

// Reset resets both estimators.
func (t *Tap) Reset(s *hal.Sensors) {
	t.Inner.Reset(s)
	if t.Baseline != nil {
		t.Baseline.Reset(s)
	}
}

// Update runs the estimators on s and scores them.
func (t *Tap) Update(s *hal.Sensors, e *estimator.Estimate) {
	t.Inner.Update(s, e)
	tr := t.robot.Truth()
	t.main.add(e, tr)
	if t.nees != nil {
		t.nees.add(tr)
	}
	if t.Baseline != nil {
		t.Baseline.Update(s, &t.be)
		t.base.add(&t.be, tr)
	}
}

// SetSchedule hands the schedule to both estimators.
func (t *Tap) SetSchedule(c *estimator.ContactSchedule) {
	if r, ok := t.Inner.(runtime.ScheduleReceiver); ok {
		r.SetSchedule(c)
	}
	if r, ok := t.Baseline.(runtime.ScheduleReceiver); ok {
		r.SetSchedule(c)
	}
}

// DeclareChannels declares the wrapped estimator's telemetry channels.
func (t *Tap) DeclareChannels(declare func(name, unit string, size int) ([]float64, error)) error {
	if d, ok := t.Inner.(runtime.ChannelDeclarer); ok {
		return d.DeclareChannels(declare)
	}
	return nil
}

// Report returns the scores of the estimator and of the baseline (nil when
// none ran).
func (t *Tap) Report() (main, baseline *Report) {
	var rej uint64
	if st, ok := t.Inner.(statser); ok {
		rej = st.Stats().RejectedUpdates()
	}
	main = t.main.report(rej)
	if ns := t.nees; ns != nil && ns.n > 0 {
		mean, in := ns.sum/float64(ns.n), 100*float64(ns.in)/float64(ns.n)
		main.NEESMean, main.NEESInBand = &mean, &in
	}
	if t.Baseline != nil {
		var brej uint64
		if st, ok := t.Baseline.(statser); ok {
			brej = st.Stats().RejectedUpdates()
		}
		baseline = t.base.report(brej)
	}
	return main, baseline
}

// String is the report as one line for a text summary.
func (r *Report) String() string {
	f := func(p *float64, format string) string {
		if p == nil {
			return "n/a"
		}
		return fmt.Sprintf(format, *p)
	}
	line := fmt.Sprintf("estimator %s: velocity RMSE %s m/s, height error RMS %s m, position drift %s m (%s %% of %.2f m travelled, or of 1 m), yaw drift %s°, %d rejected updates",
		r.Name, f(r.VelRMSE, "%.4f"), f(r.HeightErrorRMS, "%.4f"), f(r.PosDrift, "%.4f"), f(r.PosDriftPercent, "%.2f"), r.Travelled,
		f(r.YawDriftDeg, "%.3f"), r.RejectedUpdates)
	if r.NEESMean != nil {
		line += fmt.Sprintf(", NEES mean %.1f (%.0f %% of ticks in the 95 %% χ²₉ band)", *r.NEESMean, *r.NEESInBand)
	}
	return line
}

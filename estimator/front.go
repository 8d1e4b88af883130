package estimator

import (
	"math"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Stats counts what an estimator did with its samples. Every sample or
// measurement that did not reach the state is counted in exactly one of the
// skip/reject counters.
type Stats struct {
	Samples      uint64 // samples given to Update
	Stale        uint64 // samples skipped: same Seq as the last one, or time not advancing
	IMUSkipped   uint64 // samples whose IMU reading was NaN/Inf, absurd or a dropout (held or zero)
	ZeroVel      uint64 // zero-velocity updates (no foot standing, IMU at rest: lying or hanging)
	LegSkipped   uint64 // foot measurements skipped for a bad, faulted or stuck encoder
	Rejected     uint64 // foot measurements rejected by the innovation gate (slip)
	OrientReject uint64 // IMU orientation measurements rejected by the gate
	Reanchored   uint64 // feet re-anchored after a persistent slip
	VelRejected  uint64 // standing-foot velocity measurements rejected by the gate (the foot was not still)
	Moved        uint64 // standing feet dropped for moving fast (a slip, or a lift-off before the force fell)
	Recovered    uint64 // steps undone because they produced a non-finite state
	NewLevel     uint64 // footholds off the ground's level (a step, a slope): they set a new level
	Slipped      uint64 // standing feet found sliding (their horizontal velocity held over 8 cm/s): taken afresh
}

// RejectedUpdates is the total of samples and measurements kept from the
// state.
func (s Stats) RejectedUpdates() uint64 {
	return s.IMUSkipped + s.LegSkipped + s.Rejected + s.OrientReject + s.Recovered
}

// ContactConfig sets contact detection from the foot force.
type ContactConfig struct {
	// On and Off are the vertical foot-force thresholds (fractions of the
	// robot's weight) for contact to start and to end (hysteresis: On > Off).
	On, Off float64
	// Ramp is the fraction of a planned stance at each end over which the
	// schedule's trust ramps (MIT Cheetah's contact trust).
	Ramp float64
}

// DefaultContactConfig returns thresholds that separate a loaded foot
// (about half the weight standing) from a swinging one.
func DefaultContactConfig() ContactConfig { return ContactConfig{On: 0.18, Off: 0.08, Ramp: 0.1} }

// front is what both filters share: sample checks, leg kinematics, stuck
// encoder detection and contact detection.
type front struct {
	legs   *Legs
	weight float64 // N
	cc     ContactConfig
	sched  ContactSchedule

	init     bool
	lastSeq  uint64
	lastTime float64
	lastGyro [3]float64
	lastAcc  [3]float64

	lastQ   [hal.MaxJoints]float64
	travel  [hal.MaxJoints]float64 // ∫q̇ dt since the encoder last changed
	stuck   [hal.MaxJoints]bool
	legOK   [2]bool
	on      [2]bool
	prob    [2]float64
	forceZ  [2]float64 // vertical ground force per foot, N (world up)
	gravity float64    // m/s²
	still   int        // consecutive samples at rest
	imuGood bool       // this sample's gyro and accelerometer are usable
	quatOK  bool       // this sample's orientation is usable
	quatR   spatial.Mat3
	stats   Stats
}

// stuckTravel is how far (rad) the measured joint velocity must say a joint
// moved while its encoder reads the same value for the encoder to count as
// stuck.
const stuckTravel = 0.02

func (f *front) reset() {
	f.init = false
	f.sched = ContactSchedule{}
	f.on = [2]bool{}
	f.prob = [2]float64{}
	f.stuck = [hal.MaxJoints]bool{}
	f.travel = [hal.MaxJoints]float64{}
	f.still = 0
	f.stats = Stats{}
}

// filter is a filter as front.next drives it.
type filter interface {
	start(s *hal.Sensors) bool // initialise from a first sample; false: s cannot start it
	write(est *Estimate)       // the estimate of the current state
}

// next takes sample s for filter fl and reports the time since the last
// sample and whether fl steps on s. It counts the sample; a filter not
// started yet starts from s (and writes its estimate, or clears est when s
// cannot start it: counted as an unusable IMU sample) and does not step; a
// started one steps unless admit skips s, and then writes its unchanged
// estimate.
func (f *front) next(s *hal.Sensors, est *Estimate, fl filter, needQuat bool) (float64, bool) {
	f.stats.Samples++
	if !f.init {
		if !fl.start(s) {
			f.stats.IMUSkipped++
			*est = Estimate{}
			return 0, false
		}
		fl.write(est)
		return 0, false
	}
	dt, ok := f.admit(s, needQuat)
	if !ok {
		fl.write(est)
	}
	return dt, ok
}

// admit decides whether a started filter steps on sample s: not on a stale
// sample (the same sequence number, time not advancing or not finite) nor
// on an unusable IMU reading (or, with needQuat, an unusable IMU
// orientation), each counted. When it steps, admit takes s as the newest
// sample and returns the time since the last one.
func (f *front) admit(s *hal.Sensors, needQuat bool) (dt float64, ok bool) {
	dt = s.Time - f.lastTime
	if s.Seq == f.lastSeq || !(dt > 0) || !finite(s.Time) {
		f.stats.Stale++
		return 0, false
	}
	f.checkIMU(s)
	if !f.imuGood || (needQuat && !f.quatOK) {
		f.stats.IMUSkipped++
		return 0, false
	}
	f.lastSeq, f.lastTime = s.Seq, s.Time
	return dt, true
}

// checkIMU classifies s's IMU reading.
func (f *front) checkIMU(s *hal.Sensors) {
	g, a := s.IMU.Gyro, s.IMU.Accel
	ok := true
	for k := 0; k < 3; k++ {
		if !finite(g[k]) || !finite(a[k]) || math.Abs(g[k]) > 1e3 || math.Abs(a[k]) > 1e5 {
			ok = false
		}
	}
	if ok && g == [3]float64{} && a == [3]float64{} {
		ok = false // a zeroed reading: no sample arrived
	}
	if ok && f.init && g == f.lastGyro && a == f.lastAcc {
		ok = false // the previous reading held: a dropout
	}
	f.imuGood = ok
	f.quatR, f.quatOK = quatMat(s.IMU.Quat)
	if f.quatOK {
		for _, v := range s.IMU.Quat {
			if !finite(v) {
				f.quatOK = false
			}
		}
	}
	if ok {
		f.lastGyro, f.lastAcc = g, a
		// stillness: rate and specific force those of a body at rest
		if spatial.Vec3(g).Norm() < stillRate && math.Abs(spatial.Vec3(a).Norm()-f.gravity) < stillAccel {
			f.still++
		} else {
			f.still = 0
		}
	}
}

// Stillness thresholds: a body whose gyro stays below stillRate and whose
// specific force stays within stillAccel of gravity for stillTicks samples
// is taken to be at rest.
const (
	stillRate  = 0.1 // rad/s
	stillAccel = 0.3 // m/s²
	stillTicks = 100
)

// checkLegs validates the leg joints of s (finite, no encoder or bus fault,
// not stuck) over dt.
func (f *front) checkLegs(s *hal.Sensors, dt float64) {
	for k := 0; k < 2; k++ {
		ok := true
		for _, i := range f.legs.LegJoints(k) {
			if i >= s.N || !finite(s.Q[i]) || !finite(s.Qd[i]) || !finite(s.Tau[i]) ||
				s.JointFaults[i]&(hal.FaultEncoder|hal.FaultCommLost) != 0 {
				ok = false
				continue
			}
			if s.Q[i] == f.lastQ[i] {
				f.travel[i] += s.Qd[i] * dt
				if math.Abs(f.travel[i]) > stuckTravel {
					f.stuck[i] = true
				}
			} else {
				f.travel[i], f.stuck[i] = 0, false
			}
			f.lastQ[i] = s.Q[i]
			if f.stuck[i] {
				ok = false
			}
		}
		f.legOK[k] = ok
	}
}

// seedLegs records the encoders of a first sample.
func (f *front) seedLegs(s *hal.Sensors) {
	for k := 0; k < 2; k++ {
		for _, i := range f.legs.LegJoints(k) {
			f.lastQ[i] = s.Q[i]
		}
	}
}

// detectContacts updates each foot's contact probability from the foot
// force (with hysteresis) and, when valid, the schedule. R is the IMU's
// orientation in the world.
func (f *front) detectContacts(R *spatial.Mat3) {
	cc := &f.cc
	for k := 0; k < 2; k++ {
		fw := R.MulVec(f.legs.Force[k])
		f.forceZ[k] = fw[2]
		if !f.legOK[k] {
			f.on[k] = false
			f.prob[k] = 0
			continue
		}
		r := fw[2] / f.weight
		if f.on[k] && r < cc.Off {
			f.on[k] = false
		} else if !f.on[k] && r > cc.On {
			f.on[k] = true
		}
		x := math.Max(0, math.Min(1, (r-cc.Off)/(cc.On-cc.Off)))
		p := 0.49 * x
		if f.on[k] {
			p = 0.5 + 0.5*x
		}
		if f.sched.Valid {
			switch {
			case !f.sched.Stance[k]:
				p = math.Min(p, 0.45) // planned swing: an early touch is not trusted
			case f.on[k]:
				ph := f.sched.Phase[k]
				trust := math.Min(1, math.Min(ph, 1-ph)/math.Max(cc.Ramp, 1e-6))
				p = 0.5 + 0.5*math.Max(0, trust)
			}
		}
		f.prob[k] = p
	}
}

// contact reports whether foot k is taken as standing.
func (f *front) contact(k int) bool { return f.prob[k] >= 0.5 }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// writeBase fills the pose and twist part of e from the IMU frame's state:
// orientation Ri (world←IMU), position p and velocity v of the IMU, the
// bias-corrected gyro rate w (IMU axes), and the IMU's pose in the base.
func writeBase(e *Estimate, Ri *spatial.Mat3, p, v, w spatial.Vec3, baseIMU *spatial.Transform) {
	Rb := Ri.MulT(&baseIMU.R) // R_wb = R_wi R_biᵀ
	q := spatial.QuatFromMat3(Rb)
	if q.W < 0 {
		q = spatial.Quat{W: -q.W, X: -q.X, Y: -q.Y, Z: -q.Z}
	}
	e.Quat = [4]float64{q.W, q.X, q.Y, q.Z}
	ww := Ri.MulVec(w)
	e.AngVel = ww
	pb := p.Sub(Rb.MulVec(baseIMU.P))
	e.Pos = pb
	e.LinVel = v.Add(ww.Cross(pb.Sub(p)))
}

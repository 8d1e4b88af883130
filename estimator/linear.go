package estimator

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// LinearConfig sets the baseline filter's noise (continuous densities per
// √Hz, measurement standard deviations).
type LinearConfig struct {
	PosProcess   float64 // m/√s
	AccelNoise   float64 // m/s²/√Hz
	FootProcess  float64 // m/√s, a standing foot
	KinematicStd float64 // m, foot position relative to the IMU
	FootVelStd   float64 // m/s, the base velocity a standing foot implies
	FootHeight   float64 // m, a standing foot's height above z = 0
	Suspect      float64 // scale of the noise of a foot not trusted (Cheetah's high_suspect_number)
	Contact      ContactConfig
}

// DefaultLinearConfig returns MIT Cheetah's figures scaled to a 1 kHz
// humanoid.
func DefaultLinearConfig() LinearConfig {
	return LinearConfig{PosProcess: 0.02, AccelNoise: 0.1, FootProcess: 0.002, KinematicStd: 0.005,
		FootVelStd: 0.05, FootHeight: 0.005, Suspect: 1000, Contact: DefaultContactConfig()}
}

const (
	lnx = 12 // p, v, foot left, foot right (world)
	lny = 14 // per foot: relative position (3), velocity (3), height (1)
)

// Linear is the baseline: MIT Cheetah's linear Kalman filter (Bledt et al.,
// "MIT Cheetah 3", IROS 2018; the open-source Cheetah-Software
// PositionVelocityEstimator). Orientation is the IMU's own; the state is the
// IMU point's position and velocity and each foot's world position; each
// foot measures its position relative to the IMU and, when trusted, the base
// velocity (from the leg's joint rates) and its height above the ground
// plane z = 0. Trust ramps with the contact probability and, with a
// schedule, over the first and last part of stance.
type Linear struct {
	ch   channels
	cfg  LinearConfig
	f    front
	grav spatial.Vec3

	R  spatial.Mat3
	w  spatial.Vec3
	x  [lnx]float64
	P  [lnx * lnx]float64
	H  [lny * lnx]float64
	Rn [lny]float64
	y  [lny]float64
	// scratch
	HP [lny * lnx]float64
	S  [lny * lny]float64
	K  [lnx * lny]float64
}

// NewLinear makes the baseline for model m and joints in hal order.
func NewLinear(m *rbd.Model, joints []string, cfg LinearConfig) (*Linear, error) {
	if !(cfg.Contact.On > cfg.Contact.Off && cfg.Contact.Off >= 0) {
		return nil, fmt.Errorf("estimator: linear: contact thresholds On %v, Off %v: want On > Off ≥ 0", cfg.Contact.On, cfg.Contact.Off)
	}
	for _, v := range []float64{cfg.PosProcess, cfg.AccelNoise, cfg.FootProcess, cfg.KinematicStd, cfg.FootVelStd, cfg.FootHeight, cfg.Suspect} {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("estimator: linear: config %+v: every noise figure must be finite and > 0", cfg)
		}
	}
	legs, err := NewLegs(m, joints)
	if err != nil {
		return nil, err
	}
	e := &Linear{cfg: cfg, grav: m.Gravity}
	e.f.legs, e.f.cc = legs, cfg.Contact
	e.f.weight = m.TotalMass() * m.Gravity.Norm()
	e.f.gravity = m.Gravity.Norm()
	return e, nil
}

// Stats returns the counters since the last Reset.
func (e *Linear) Stats() Stats { return e.f.stats }

// SetSchedule hands the filter the gait controller's contact plan.
func (e *Linear) SetSchedule(s *ContactSchedule) { e.f.sched = *s }

// Reset starts from sample s, like InEKF.Reset.
func (e *Linear) Reset(s *hal.Sensors) {
	e.f.reset()
	if s != nil {
		e.start(s)
	}
}

func (e *Linear) start(s *hal.Sensors) bool {
	f := &e.f
	f.checkIMU(s)
	if !f.quatOK {
		return false
	}
	e.R = f.quatR
	f.checkLegs(s, 0)
	if !f.legOK[0] || !f.legOK[1] {
		return false
	}
	f.seedLegs(s)
	f.legs.Compute(s, e.R.MulTVec(e.grav))
	low := 0.0
	for k := 0; k < 2; k++ {
		low = math.Min(low, e.R.MulVec(f.legs.Pos[k])[2])
	}
	e.x = [lnx]float64{}
	e.x[2] = -low
	for k := 0; k < 2; k++ {
		pf := e.R.MulVec(f.legs.Pos[k])
		for i := 0; i < 3; i++ {
			e.x[6+3*k+i] = e.x[i] + pf[i]
		}
	}
	clear(e.P[:])
	for i := 0; i < lnx; i++ {
		e.P[i*lnx+i] = 1e-4
	}
	for i := 3; i < 6; i++ {
		e.P[i*lnx+i] = 0.01
	}
	e.w = spatial.Vec3(s.IMU.Gyro)
	f.lastSeq, f.lastTime, f.init = s.Seq, s.Time, true
	return true
}

// Update folds in sample s and writes the estimate.
func (e *Linear) Update(s *hal.Sensors, est *Estimate) {
	f := &e.f
	dt, ok := f.next(s, est, e, true)
	if !ok {
		return
	}
	dt = math.Min(dt, 0.1)
	save, saveP := e.x, e.P
	e.R = f.quatR
	e.w = spatial.Vec3(s.IMU.Gyro)
	a := e.R.MulVec(spatial.Vec3(s.IMU.Accel)).Add(e.grav)
	f.checkLegs(s, dt)
	f.legs.Compute(s, e.R.MulTVec(e.grav))
	f.detectContacts(&e.R)

	// Predict.
	c := &e.cfg
	for i := 0; i < 3; i++ {
		e.x[i] += e.x[3+i]*dt + 0.5*dt*dt*a[i]
		e.x[3+i] += a[i] * dt
	}
	// P ← A P Aᵀ with A = [I dt·I; 0 I] on (p, v).
	P := &e.P
	for r := 0; r < lnx; r++ { // rows p += dt·rows v
		if r < 3 {
			for k := 0; k < lnx; k++ {
				P[r*lnx+k] += dt * P[(r+3)*lnx+k]
			}
		}
	}
	for r := 0; r < lnx; r++ { // columns p += dt·columns v
		for k := 0; k < 3; k++ {
			P[r*lnx+k] += dt * P[r*lnx+k+3]
		}
	}
	var trust [2]float64
	for k := 0; k < 2; k++ {
		trust[k] = 0
		if f.contact(k) && f.legOK[k] {
			trust[k] = math.Min(1, 2*(f.prob[k]-0.5)+0.5)
		}
	}
	for i := 0; i < 3; i++ {
		P[i*lnx+i] += c.PosProcess * c.PosProcess * dt
		P[(3+i)*lnx+3+i] += c.AccelNoise * c.AccelNoise * dt
		for k := 0; k < 2; k++ {
			j := 6 + 3*k + i
			P[j*lnx+j] += c.FootProcess * c.FootProcess * dt * (1 + (1-trust[k])*c.Suspect)
		}
	}

	// Measure.
	clear(e.H[:])
	w := e.w
	for k := 0; k < 2; k++ {
		l := f.legs
		pr := e.R.MulVec(l.Pos[k])
		// foot velocity relative to the IMU from the joint rates, IMU axes
		n := l.foot[k].n
		var jq spatial.Vec3
		for a := 0; a < 3; a++ {
			for j := 0; j < n; j++ {
				jq[a] += l.J[k][a*n+j] * s.Qd[l.foot[k].hal[j]]
			}
		}
		vr := e.R.MulVec(w.Cross(l.Pos[k]).Add(jq))
		base := 7 * k
		legOK := 1.0
		if !f.legOK[k] {
			legOK = c.Suspect * c.Suspect
			f.stats.LegSkipped++
		}
		for i := 0; i < 3; i++ {
			// relative position: foot − p
			e.H[(base+i)*lnx+i] = -1
			e.H[(base+i)*lnx+6+3*k+i] = 1
			e.y[base+i] = pr[i]
			e.Rn[base+i] = c.KinematicStd * c.KinematicStd * legOK
			// velocity: v = −(ω × r + J q̇) of a standing foot
			e.H[(base+3+i)*lnx+3+i] = 1
			e.y[base+3+i] = -vr[i]
			e.Rn[base+3+i] = c.FootVelStd * c.FootVelStd * (1 + (1-trust[k])*c.Suspect) * legOK
		}
		e.H[(base+6)*lnx+6+3*k+2] = 1
		e.y[base+6] = 0
		e.Rn[base+6] = c.FootHeight * c.FootHeight * (1 + (1-trust[k])*c.Suspect) * legOK
	}
	e.correct()
	ok = true
	for i := range e.x {
		if !finite(e.x[i]) || !finite(e.P[i*lnx+i]) {
			ok = false
		}
	}
	if !ok {
		f.stats.Recovered++
		e.x, e.P = save, saveP
	}
	e.write(est)
}

// correct applies the Kalman update for H, y, Rn.
func (e *Linear) correct() {
	// HP = H P
	for r := 0; r < lny; r++ {
		for c := 0; c < lnx; c++ {
			s := 0.0
			for k := 0; k < lnx; k++ {
				if h := e.H[r*lnx+k]; h != 0 {
					s += h * e.P[k*lnx+c]
				}
			}
			e.HP[r*lnx+c] = s
		}
	}
	// S = HP Hᵀ + Rn
	for r := 0; r < lny; r++ {
		for c := 0; c <= r; c++ {
			s := 0.0
			for k := 0; k < lnx; k++ {
				if h := e.H[c*lnx+k]; h != 0 {
					s += e.HP[r*lnx+k] * h
				}
			}
			e.S[r*lny+c], e.S[c*lny+r] = s, s
		}
		e.S[r*lny+r] += e.Rn[r]
	}
	// innovation
	var z [lny]float64
	for r := 0; r < lny; r++ {
		s := 0.0
		for k := 0; k < lnx; k++ {
			s += e.H[r*lnx+k] * e.x[k]
		}
		z[r] = e.y[r] - s
	}
	if !cholesky(e.S[:], lny) {
		return
	}
	// Kᵀ = S⁻¹ HP (columns of HP solved)
	var col [lny]float64
	for c := 0; c < lnx; c++ {
		for r := 0; r < lny; r++ {
			col[r] = e.HP[r*lnx+c]
		}
		cholSolve(e.S[:], lny, col[:])
		for r := 0; r < lny; r++ {
			e.K[c*lny+r] = col[r]
		}
	}
	for i := 0; i < lnx; i++ {
		s := 0.0
		for r := 0; r < lny; r++ {
			s += e.K[i*lny+r] * z[r]
		}
		e.x[i] += s
	}
	// P ← P − K HP
	for i := 0; i < lnx; i++ {
		for j := 0; j <= i; j++ {
			s := 0.0
			for r := 0; r < lny; r++ {
				s += e.K[i*lny+r] * e.HP[r*lnx+j]
			}
			v := e.P[i*lnx+j] - s
			e.P[i*lnx+j], e.P[j*lnx+i] = v, v
		}
	}
}

func (e *Linear) write(est *Estimate) {
	*est = Estimate{}
	if !e.f.init {
		return
	}
	p := spatial.Vec3{e.x[0], e.x[1], e.x[2]}
	v := spatial.Vec3{e.x[3], e.x[4], e.x[5]}
	writeBase(est, &e.R, p, v, e.w, &e.f.legs.BaseFromIMU)
	est.Contact = e.f.prob
	for i := 0; i < 3; i++ {
		est.Cov[3+i] = e.P[(3+i)*lnx+3+i]
		est.Cov[6+i] = e.P[i*lnx+i]
	}
	est.OrientationValid, est.PositionValid, est.VelocityValid, est.ContactValid = true, true, true, true
	e.ch.write(est, &e.f)
}

// cholesky factors the symmetric positive definite n×n matrix A (row-major)
// in place into its lower factor L; it reports false when A is not positive
// definite.
func cholesky(A []float64, n int) bool {
	for j := 0; j < n; j++ {
		s := A[j*n+j]
		for k := 0; k < j; k++ {
			s -= A[j*n+k] * A[j*n+k]
		}
		if !(s > 0) {
			return false
		}
		s = math.Sqrt(s)
		A[j*n+j] = s
		for i := j + 1; i < n; i++ {
			t := A[i*n+j]
			for k := 0; k < j; k++ {
				t -= A[i*n+k] * A[j*n+k]
			}
			A[i*n+j] = t / s
		}
	}
	return true
}

// cholSolve solves L Lᵀ x = b in place for the factor of cholesky.
func cholSolve(L []float64, n int, b []float64) {
	for i := 0; i < n; i++ {
		t := b[i]
		for k := 0; k < i; k++ {
			t -= L[i*n+k] * b[k]
		}
		b[i] = t / L[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		t := b[i]
		for k := i + 1; k < n; k++ {
			t -= L[k*n+i] * b[k]
		}
		b[i] = t / L[i*n+i]
	}
}

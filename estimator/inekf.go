package estimator

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Config sets the invariant filter's noise model and gates. Densities are
// continuous-time (per √Hz); standard deviations are per measurement.
type Config struct {
	GyroNoise      float64 // rad/s/√Hz
	AccelNoise     float64 // m/s²/√Hz
	GyroBiasWalk   float64 // rad/s²/√Hz
	AccelBiasWalk  float64 // m/s³/√Hz
	ContactNoise   float64 // m/s/√Hz: how much a standing foot may creep
	EncoderNoise   float64 // rad, per joint
	KinematicNoise float64 // m, contact point model (sole rolling, compliance)
	// OrientNoise is the standard deviation (rad) of the IMU's own
	// orientation output, fused every OrientEvery samples (0: not fused; the
	// filter then runs on gyro, accelerometer and legs alone and its yaw
	// drifts with the gyro bias).
	OrientNoise float64
	OrientEvery int
	// Gate is the χ² bound (3 degrees of freedom) above which a measurement's
	// Mahalanobis distance marks it an outlier: a slipping foot.
	Gate float64
	// Reanchor is how many consecutive rejected updates of a foot make the
	// filter drop the foot's point and take it afresh where the leg puts it.
	Reanchor int
	// JointVelNoise (rad/s) is the joint velocity noise of the standing-foot
	// velocity measurement (v = −R(ω×y + J q̇), as MIT Cheetah's filter
	// uses it); 0 leaves it out.
	JointVelNoise float64
	// GroundNoise (m) is the standard deviation of the level-ground prior:
	// a foot touching down is measured at the height of the footholds
	// before it, unless it is off that level by more than the gate (a step,
	// a slope: it then sets the level). 0 turns the prior off.
	GroundNoise float64
	// IMULatency (s) is how much older the IMU's sample is than the
	// joints' in the same hal.Sensors (the simulator's default is 1 ms):
	// the filter pairs each IMU sample with the joints of its time (kept
	// from earlier samples, up to legRingLen of them) and predicts the
	// estimate forward by the latency with the last IMU reading.
	IMULatency float64
	// RollingSole lets a box sole's contact point follow its lowest edge or
	// corner (Legs.Rolling); off, the sole's centre is the point.
	RollingSole bool
	// Initial standard deviations.
	// InitPos is the height's: the start defines the horizontal origin.
	InitOrient, InitVel, InitPos, InitGyroBias, InitAccelBias float64
	Contact                                                   ContactConfig
}

// DefaultConfig returns noise figures for a MEMS IMU at 1 kHz and a
// humanoid's leg encoders.
func DefaultConfig() Config {
	return Config{
		GyroNoise: 3e-4, AccelNoise: 3e-3, GyroBiasWalk: 1e-4, AccelBiasWalk: 1e-3,
		ContactNoise: 0.02, GroundNoise: 0.002, IMULatency: 0.001, EncoderNoise: 1e-3, KinematicNoise: 0.004,
		OrientNoise: 0.01, OrientEvery: 10,
		Gate: 16.27, Reanchor: 40, RollingSole: true, JointVelNoise: 0.05, // χ²₃(0.999)
		InitOrient: 0.02, InitVel: 0.1, InitPos: 0.005, InitGyroBias: 0.005, InitAccelBias: 0.05,
		Contact: DefaultContactConfig(),
	}
}

func (c *Config) check() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"GyroNoise", c.GyroNoise}, {"AccelNoise", c.AccelNoise}, {"GyroBiasWalk", c.GyroBiasWalk},
		{"AccelBiasWalk", c.AccelBiasWalk}, {"ContactNoise", c.ContactNoise}, {"EncoderNoise", c.EncoderNoise},
		{"KinematicNoise", c.KinematicNoise}, {"IMULatency", c.IMULatency}, {"GroundNoise", c.GroundNoise}, {"OrientNoise", c.OrientNoise}, {"InitOrient", c.InitOrient},
		{"InitVel", c.InitVel}, {"InitPos", c.InitPos}, {"InitGyroBias", c.InitGyroBias}, {"InitAccelBias", c.InitAccelBias}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("estimator: config: %s is %v, want a finite value ≥ 0", f.name, f.v)
		}
	}
	if c.IMULatency > 0.01 {
		return fmt.Errorf("estimator: config: IMULatency %v s: at most 0.01 s", c.IMULatency)
	}
	if !(c.Gate > 0) {
		return fmt.Errorf("estimator: config: Gate is %v, want > 0", c.Gate)
	}
	if !(c.Contact.On > c.Contact.Off && c.Contact.Off >= 0) {
		return fmt.Errorf("estimator: config: contact thresholds On %v, Off %v: want On > Off ≥ 0", c.Contact.On, c.Contact.Off)
	}
	if c.KinematicNoise == 0 && c.EncoderNoise == 0 {
		return fmt.Errorf("estimator: config: KinematicNoise and EncoderNoise are both zero: foot measurements would be exact")
	}
	return nil
}

// Error-state layout: 3-blocks R, v, p, d_left, d_right, b_g, b_a.
const (
	bR = iota
	bV
	bP
	bD // bD + foot
	_
	bBG
	bBA
	nb  = 7
	dim = 3 * nb
)

// InEKF is the contact-aided right-invariant extended Kalman filter of
// Hartley et al. (RSS 2018, IJRR 2020) on SE₂₊ₖ(3): the state X holds the
// IMU's orientation R, velocity v and position p and the world position dₖ
// of each standing foot; the gyro and accelerometer biases ride along as
// Euclidean states (the "imperfect" InEKF). The error is right-invariant,
// X = exp(ξ)·X̂, so the leg measurement's Jacobian is constant and the
// gravity coupling is the only state-independent term of the error
// dynamics.
//
// Every tick the IMU sample propagates the mean exactly for a constant rate
// and specific force over dt; each standing foot corrects it through its leg
// kinematics (gated by the Mahalanobis distance); a foot's point is added to
// the state when its contact starts and dropped when it ends. Without
// contacts (flight) the IMU alone propagates the state. It allocates nothing
// per Update.
type InEKF struct {
	ch    channels
	cfg   Config
	f     front
	grav  spatial.Vec3
	count int

	R          spatial.Mat3
	v, p       spatial.Vec3
	d          [2]spatial.Vec3
	active     [2]bool
	set        [2]uint8 // each standing foot's contact corners (Legs.Set)
	heldOff    [2]int   // samples a foot called standing was held off for moving
	standTicks [2]int   // samples each foot has stood
	// ground is the level of the footholds (GroundNoise).
	ground struct {
		z     float64 // m, world
		valid bool
	}
	// stillR is each standing foot's orientation in the world the last time
	// it was still (hasStill): the ground's, for moving its point between
	// parts of the sole.
	slipVel  [2]spatial.Vec3 // each standing foot's horizontal velocity, low-passed (slip detection)
	slipRun  [2]int          // samples it has been over the slip speed
	stillR   [2]spatial.Mat3
	hasStill [2]bool
	bg, ba   spatial.Vec3
	P        [dim * dim]float64
	w        spatial.Vec3 // bias-corrected rate of the last sample, IMU axes
	a        spatial.Vec3 // bias-corrected specific force of the last sample, IMU axes
	// legRing keeps the last samples, for the joints of the IMU sample's
	// time (Config.IMULatency).
	legRing       [legRingLen]hal.Sensors
	legN, legHead int
	rejectRun     [2]int
	lastNIS       [2]float64
	scratch       [dim * dim]float64
	saveP         [dim * dim]float64
	phiBlocks     [12]block
	nPhiBlocks    int
}

type block struct {
	i, j int
	m    spatial.Mat3
}

// NewInEKF makes the filter for model m and a robot whose joints, in hal
// order, are named joints.
func NewInEKF(m *rbd.Model, joints []string, cfg Config) (*InEKF, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	legs, err := NewLegs(m, joints)
	if err != nil {
		return nil, err
	}
	legs.Rolling = cfg.RollingSole
	e := &InEKF{cfg: cfg, grav: m.Gravity}
	e.f.legs, e.f.cc = legs, cfg.Contact
	e.f.weight = m.TotalMass() * m.Gravity.Norm()
	e.f.gravity = m.Gravity.Norm()
	if !(e.f.weight > 0) {
		return nil, fmt.Errorf("estimator: model %q has no weight", m.Name)
	}
	return e, nil
}

// Legs returns the filter's leg kinematics.
func (e *InEKF) Legs() *Legs { return e.f.legs }

// Stats returns the filter's counters since the last Reset.
func (e *InEKF) Stats() Stats { return e.f.stats }

// SetSchedule hands the filter the gait controller's contact plan for the
// next Update.
func (e *InEKF) SetSchedule(s *ContactSchedule) { e.f.sched = *s }

// Reset forgets the past and starts from sample s: orientation from the IMU
// (its own estimate, else gravity from the accelerometer), at rest, the base
// over the origin with its lowest foot on z = 0.
func (e *InEKF) Reset(s *hal.Sensors) {
	e.f.reset()
	e.active = [2]bool{}
	e.bg, e.ba = spatial.Vec3{}, spatial.Vec3{}
	e.rejectRun = [2]int{}
	e.heldOff = [2]int{}
	e.hasStill = [2]bool{}
	e.ground.valid = false
	e.legN = 0
	e.count = 0
	if s != nil {
		e.start(s)
	}
}

// start initialises the state from s; it reports false when s cannot start
// the filter (no usable IMU reading or joints).
func (e *InEKF) start(s *hal.Sensors) bool {
	f := &e.f
	f.checkIMU(s)
	switch {
	case f.quatOK:
		e.R = f.quatR
	case f.imuGood && spatial.Vec3(s.IMU.Accel).Norm() > 1:
		e.R = gravityAlign(s.IMU.Accel)
	default:
		return false
	}
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
	e.p = spatial.Vec3{0, 0, -low}
	e.v = spatial.Vec3{}
	e.w, e.a = spatial.Vec3(s.IMU.Gyro), spatial.Vec3(s.IMU.Accel)
	clear(e.P[:])
	c := &e.cfg
	for i := 0; i < 3; i++ {
		e.setVar(bR, i, c.InitOrient*c.InitOrient)
		e.setVar(bV, i, c.InitVel*c.InitVel)
		e.setVar(bP, i, 1e-8) // the start defines the horizontal origin
		e.setVar(bBG, i, c.InitGyroBias*c.InitGyroBias)
		e.setVar(bBA, i, c.InitAccelBias*c.InitAccelBias)
	}
	e.setVar(bP, 2, c.InitPos*c.InitPos)
	// The invariant position error is ν = p − p̂ + p̂×φ: an orientation
	// error moves it too (the velocity starts at zero, so ν_v needs nothing).
	X := spatial.Skew(e.p)
	So := spatial.Identity3().Scale(c.InitOrient * c.InitOrient)
	XS := X.Mul(&So)
	XSX := XS.MulT(&X)
	XSt := XS.T()
	e.addBlock(bP, bP, &XSX)
	e.addBlock(bP, bR, &XS)
	e.addBlock(bR, bP, &XSt)
	f.lastSeq, f.lastTime, f.init = s.Seq, s.Time, true
	return true
}

func (e *InEKF) setVar(b, i int, v float64) { e.P[(3*b+i)*dim+3*b+i] = v }

// Update folds in sample s and writes the estimate.
func (e *InEKF) Update(s *hal.Sensors, est *Estimate) {
	f := &e.f
	dt, ok := f.next(s, est, e, false)
	if !ok {
		return
	}
	// Keep a copy to fall back on should anything turn non-finite.
	saveR, savev, savep, saved, saveA, savebg, saveba := e.R, e.v, e.p, e.d, e.active, e.bg, e.ba
	e.saveP = e.P

	e.propagate(s, math.Min(dt, 0.1))
	ls := e.legSample(s) // the joints of the IMU sample's time
	f.checkLegs(ls, dt)
	f.legs.Compute(ls, e.R.MulTVec(e.grav))
	f.detectContacts(&e.R)
	for k := 0; k < 2; k++ {
		standing := f.contact(k)
		if !f.legOK[k] {
			f.stats.LegSkipped++
			standing = false
		}
		if standing || e.active[k] {
			// A touching foot is still (its sole may roll): a foot the
			// force and plan call standing while it still moves is not
			// down yet (the swing leg's braking loads it before touchdown),
			// and a standing foot that moves fast has left.
			// The bound allows for the state's own velocity uncertainty; a
			// foot held off this way for touchWait samples is taken anyway
			// (then it is the velocity estimate that is wrong: loosened).
			vf := e.footVel(k, ls).Norm()
			sv := math.Sqrt(math.Max(0, e.P[(3*bV)*dim+3*bV]+e.P[(3*bV+1)*dim+3*bV+1]+e.P[(3*bV+2)*dim+3*bV+2]))
			switch {
			case e.active[k] && vf > liftSpeed+3*sv:
				standing = false
				f.stats.Moved++
			case !e.active[k] && standing && vf > touchSpeed+3*sv:
				e.heldOff[k]++
				if e.heldOff[k] < touchWait {
					standing = false
				} else {
					for i := 0; i < 3; i++ {
						e.P[(3*bV+i)*dim+3*bV+i] += reanchorVel * reanchorVel
					}
				}
			}
		}
		if !standing || e.active[k] {
			e.heldOff[k] = 0
		}
		switch {
		case standing && !e.active[k]:
			e.augment(k)
			if e.cfg.GroundNoise > 0 {
				e.groundUpdate(k)
			}
		case !standing && e.active[k]:
			e.marginalize(k)
		case standing:
			e.standTicks[k]++
			if e.slipping(k, ls) {
				// The foot slides: take it afresh where it is now, as a
				// re-anchoring does, instead of letting its old point pull
				// the base along.
				f.stats.Slipped++
				e.marginalize(k)
				e.augment(k)
				continue
			}
			if e.cfg.JointVelNoise > 0 && f.legs.Set[k] == 0 && e.standTicks[k] > settleTicks && e.slipRun[k] == 0 {
				e.footVelUpdate(k, ls)
			}
			still := e.footStill(k, ls)
			// A foot landed on an edge keeps that edge until it lies
			// still: within the flat band its centre is still above the
			// ground.
			if s := f.legs.Set[k]; s != e.set[k] && (s != 0 || still) {
				// The foot now pivots about another part of its sole: move
				// its point by the offset between the two on the sole, laid
				// as the sole lay when last still (flat on the ground: the
				// foot has tilted since, and both points were on the ground
				// then); the leg's measure of it now when it never was.
				var off spatial.Vec3
				if e.hasStill[k] {
					off = e.stillR[k].MulVec(f.legs.BodyPointOf(k, s).Sub(f.legs.BodyPointOf(k, e.set[k])))
				} else {
					off = e.R.MulVec(f.legs.PointOf(k, s).Sub(f.legs.PointOf(k, e.set[k])))
				}
				e.d[k] = e.d[k].Add(off)
				e.set[k] = s
			}
			e.legUpdate(k)
		}
	}
	if !e.active[0] && !e.active[1] && f.still >= stillTicks {
		e.zeroVelUpdate()
	}
	e.count++
	if e.cfg.OrientNoise > 0 && f.quatOK && e.count%max(1, e.cfg.OrientEvery) == 0 {
		e.orientUpdate()
	}
	if !e.finiteState() {
		f.stats.Recovered++
		e.R, e.v, e.p, e.d, e.active, e.bg, e.ba = saveR, savev, savep, saved, saveA, savebg, saveba
		e.P = e.saveP
	}
	e.write(est)
}

func (e *InEKF) finiteState() bool {
	for i := 0; i < 9; i++ {
		if !finite(e.R[i]) {
			return false
		}
	}
	if !e.v.IsFinite() || !e.p.IsFinite() || !e.bg.IsFinite() || !e.ba.IsFinite() || !e.d[0].IsFinite() || !e.d[1].IsFinite() {
		return false
	}
	for i := 0; i < dim; i++ {
		if v := e.P[i*dim+i]; !finite(v) || v < 0 {
			return false
		}
	}
	return true
}

// propagate advances the state over dt with the IMU reading of s held
// constant (Hartley et al.: exact mean for constant ω and a), and the
// covariance with the discretised error dynamics.
func (e *InEKF) propagate(s *hal.Sensors, dt float64) {
	w := spatial.Vec3(s.IMU.Gyro).Sub(e.bg)
	a := spatial.Vec3(s.IMU.Accel).Sub(e.ba)
	e.w, e.a = w, a
	R0, v0, p0 := e.R, e.v, e.p
	g := e.grav
	wdt := w.Scale(dt)
	G1 := gamma1(wdt)
	G2 := gamma2(wdt)
	Ex := expSO3(wdt)
	e.R = orthonormalize(R0.Mul(&Ex))
	RG1 := R0.Mul(&G1)
	RG2 := R0.Mul(&G2)
	e.v = v0.Add(RG1.MulVec(a).Scale(dt)).Add(g.Scale(dt))
	e.p = p0.Add(v0.Scale(dt)).Add(RG2.MulVec(a).Scale(dt * dt)).Add(g.Scale(0.5 * dt * dt))

	// Φ = I + Σ blocks (first order in dt for the bias columns plus the
	// second-order gravity and velocity cross terms).
	gx := spatial.Skew(g)
	vx := spatial.Skew(v0)
	px := spatial.Skew(p0)
	I3 := spatial.Identity3()
	vxR := vx.Mul(&R0)
	pxR := px.Mul(&R0)
	gxR := gx.Mul(&R0)
	n := 0
	add := func(i, j int, m spatial.Mat3) {
		e.phiBlocks[n] = block{i, j, m}
		n++
	}
	add(bV, bR, gx.Scale(dt))
	add(bP, bR, gx.Scale(0.5*dt*dt))
	add(bP, bV, I3.Scale(dt))
	add(bR, bBG, R0.Scale(-dt))
	add(bV, bBG, vxR.Scale(-dt).Sub(gxR.Scale(0.5*dt*dt)))
	add(bV, bBA, R0.Scale(-dt))
	add(bP, bBG, pxR.Scale(-dt).Sub(vxR.Scale(0.5*dt*dt)))
	add(bP, bBA, R0.Scale(-0.5*dt*dt))
	for k := 0; k < 2; k++ {
		if e.active[k] {
			dx := spatial.Skew(e.d[k])
			dxR := dx.Mul(&R0)
			add(bD+k, bBG, dxR.Scale(-dt))
		}
	}
	e.nPhiBlocks = n
	e.applyPhi()

	// Q dt: the gyro noise enters every translational block through [x]×.
	c := &e.cfg
	qg := c.GyroNoise * c.GyroNoise * dt
	var S [5]spatial.Mat3
	var on [5]bool
	S[0], on[0] = I3, true
	S[1], on[1] = vx, true
	S[2], on[2] = px, true
	for k := 0; k < 2; k++ {
		if e.active[k] {
			S[3+k], on[3+k] = spatial.Skew(e.d[k]), true
		}
	}
	for i := 0; i < 5; i++ {
		if !on[i] {
			continue
		}
		for j := 0; j <= i; j++ {
			if !on[j] {
				continue
			}
			B := S[i].MulT(&S[j]).Scale(qg)
			e.addBlock(i, j, &B)
			if i != j {
				Bt := B.T()
				e.addBlock(j, i, &Bt)
			}
		}
	}
	qa := c.AccelNoise * c.AccelNoise * dt
	qd := c.ContactNoise * c.ContactNoise * dt
	qbg := c.GyroBiasWalk * c.GyroBiasWalk * dt
	qba := c.AccelBiasWalk * c.AccelBiasWalk * dt
	for i := 0; i < 3; i++ {
		e.P[(3*bV+i)*dim+3*bV+i] += qa
		e.P[(3*bBG+i)*dim+3*bBG+i] += qbg
		e.P[(3*bBA+i)*dim+3*bBA+i] += qba
		for k := 0; k < 2; k++ {
			if e.active[k] {
				e.P[(3*(bD+k)+i)*dim+3*(bD+k)+i] += qd
			}
		}
	}
	e.symmetrize()
}

// applyPhi sets P ← Φ P Φᵀ for Φ = I + Σ blocks, using the block sparsity.
func (e *InEKF) applyPhi() {
	T := &e.scratch
	*T = e.P
	P := &e.P
	// T = Φ P: row block i += B · (row block j of P)
	for bi := 0; bi < e.nPhiBlocks; bi++ {
		b := &e.phiBlocks[bi]
		for r := 0; r < 3; r++ {
			row := (3*b.i + r) * dim
			m0, m1, m2 := b.m[3*r], b.m[3*r+1], b.m[3*r+2]
			s0, s1, s2 := (3*b.j)*dim, (3*b.j+1)*dim, (3*b.j+2)*dim
			for c := 0; c < dim; c++ {
				T[row+c] += m0*P[s0+c] + m1*P[s1+c] + m2*P[s2+c]
			}
		}
	}
	// P = T Φᵀ: column block i += (column block j of T) · Bᵀ
	*P = *T
	for bi := 0; bi < e.nPhiBlocks; bi++ {
		b := &e.phiBlocks[bi]
		for r := 0; r < dim; r++ {
			t0, t1, t2 := T[r*dim+3*b.j], T[r*dim+3*b.j+1], T[r*dim+3*b.j+2]
			for c := 0; c < 3; c++ {
				P[r*dim+3*b.i+c] += t0*b.m[3*c] + t1*b.m[3*c+1] + t2*b.m[3*c+2]
			}
		}
	}
}

func (e *InEKF) addBlock(i, j int, B *spatial.Mat3) {
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			e.P[(3*i+r)*dim+3*j+c] += B[3*r+c]
		}
	}
}

func (e *InEKF) symmetrize() {
	for i := 0; i < dim; i++ {
		for j := 0; j < i; j++ {
			m := 0.5 * (e.P[i*dim+j] + e.P[j*dim+i])
			e.P[i*dim+j], e.P[j*dim+i] = m, m
		}
	}
}

// Foot speeds (m/s, world) below which a foot may start standing and above
// which a standing foot is taken to have left.
const (
	touchSpeed = 0.1
	liftSpeed  = 0.5
	touchWait  = 30 // samples
	// settleTicks is how long a foot stands flat before its velocity is
	// measured (the impact and the sole's settling are over).
	settleTicks = 100
)

// Slip detection: a standing foot whose horizontal velocity, low-passed
// over about slipAlpha⁻¹ samples, stays above slipSpeed (plus 3σ of the
// base velocity) for slipTicks samples slides on the ground.
const (
	slipAlpha = 0.1
	slipSpeed = 0.08 // m/s
	slipTicks = 20
)

// slipping updates standing foot k's slip detector and reports whether the
// foot has been sliding for slipTicks samples.
func (e *InEKF) slipping(k int, s *hal.Sensors) bool {
	fv := e.footVel(k, s)
	fv[2] = 0
	e.slipVel[k] = e.slipVel[k].Scale(1 - slipAlpha).Add(fv.Scale(slipAlpha))
	sv := math.Sqrt(math.Max(0, e.P[(3*bV)*dim+3*bV]+e.P[(3*bV+1)*dim+3*bV+1]))
	if e.slipVel[k].Norm() <= slipSpeed+3*sv {
		e.slipRun[k] = 0
		return false
	}
	e.slipRun[k]++
	if e.slipRun[k] < slipTicks {
		return false
	}
	e.slipRun[k] = 0
	return true
}

// legRingLen is how many samples the filter keeps for IMULatency.
const legRingLen = 16

// legSample keeps s and returns the newest kept sample at least
// IMULatency older than s (the oldest kept when none is; s itself without
// a latency).
func (e *InEKF) legSample(s *hal.Sensors) *hal.Sensors {
	if e.cfg.IMULatency <= 0 {
		return s
	}
	e.legHead = (e.legHead + 1) % legRingLen
	e.legRing[e.legHead] = *s
	e.legN = min(e.legN+1, legRingLen)
	pick := e.legHead
	for k := 0; k < e.legN; k++ {
		i := (e.legHead - k + legRingLen) % legRingLen
		pick = i
		if e.legRing[i].Time <= s.Time-e.cfg.IMULatency+1e-9 {
			break
		}
	}
	return &e.legRing[pick]
}

// footStillRate (rad/s) is the foot's angular speed in the world below
// which a standing foot is taken to lie still on the ground.
const footStillRate = 0.15

// footStill records standing foot k's orientation in the world when it is
// still.
// still, and reports whether it is.
func (e *InEKF) footStill(k int, s *hal.Sensors) bool {
	l := e.f.legs
	w := e.R.MulVec(e.w.Add(l.FootRate(k, s)))
	if w.Norm() >= footStillRate {
		return false
	}
	e.stillR[k] = e.R.Mul(&l.FootR[k])
	e.hasStill[k] = true
	return true
}

// footVel returns foot k's contact point velocity in the world, from the
// state and the leg: v + R (ω × y + J q̇).
func (e *InEKF) footVel(k int, s *hal.Sensors) spatial.Vec3 {
	l := e.f.legs
	n := l.foot[k].n
	y := l.Pos[k]
	var jq spatial.Vec3
	for a := 0; a < 3; a++ {
		for j := 0; j < n; j++ {
			jq[a] += l.J[k][a*n+j] * s.Qd[l.foot[k].hal[j]]
		}
	}
	return e.v.Add(e.R.MulVec(e.w.Cross(y).Add(jq)))
}

// legNoise returns the world-frame covariance of foot k's kinematic
// measurement: R̂ (σ_q² J Jᵀ + σ_k² I) R̂ᵀ.
func (e *InEKF) legNoise(k int) spatial.Mat3 {
	l := e.f.legs
	n := l.foot[k].n
	C := scaledJJt(l.J[k][:], n, e.cfg.EncoderNoise*e.cfg.EncoderNoise)
	for a := 0; a < 3; a++ {
		C[4*a] += e.cfg.KinematicNoise * e.cfg.KinematicNoise
	}
	RC := e.R.Mul(&C)
	return RC.MulT(&e.R)
}

// augment adds foot k's point to the state where its leg puts it: d = p +
// R·y, whose error is the position's plus the leg's noise.
func (e *InEKF) augment(k int) {
	y := e.f.legs.Pos[k]
	e.d[k] = e.p.Add(e.R.MulVec(y))
	di := 3 * (bD + k)
	pi := 3 * bP
	P := &e.P
	for r := 0; r < dim; r++ { // rows and columns of d copy those of p
		for c := 0; c < 3; c++ {
			P[r*dim+di+c] = P[r*dim+pi+c]
		}
	}
	for r := 0; r < 3; r++ {
		for c := 0; c < dim; c++ {
			P[(di+r)*dim+c] = P[(pi+r)*dim+c]
		}
	}
	N := e.legNoise(k)
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			P[(di+r)*dim+di+c] = P[(pi+r)*dim+pi+c] + N[3*r+c]
		}
	}
	e.active[k] = true
	e.standTicks[k] = 0
	e.set[k] = e.f.legs.Set[k]
	e.hasStill[k] = false
	e.slipVel[k], e.slipRun[k] = spatial.Vec3{}, 0
	e.rejectRun[k] = 0
}

// marginalize drops foot k's point from the state.
func (e *InEKF) marginalize(k int) {
	di := 3 * (bD + k)
	for r := 0; r < dim; r++ {
		for c := 0; c < 3; c++ {
			e.P[r*dim+di+c] = 0
			e.P[(di+c)*dim+r] = 0
		}
	}
	e.active[k] = false
	e.d[k] = spatial.Vec3{}
}

// legUpdate corrects the state with foot k's kinematics: the innovation
// z = R̂ y − (d̂ − p̂) has H = [0 0 −I I …] in the right-invariant error.
func (e *InEKF) legUpdate(k int) {
	y := e.f.legs.PointOf(k, e.set[k])
	z := e.R.MulVec(y).Sub(e.d[k].Sub(e.p))
	var PH [dim * 3]float64 // P Hᵀ
	di, pi := 3*(bD+k), 3*bP
	for r := 0; r < dim; r++ {
		for c := 0; c < 3; c++ {
			PH[r*3+c] = e.P[r*dim+di+c] - e.P[r*dim+pi+c]
		}
	}
	var S spatial.Mat3
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			S[3*r+c] = PH[(di+r)*3+c] - PH[(pi+r)*3+c]
		}
	}
	N := e.legNoise(k)
	S = S.Add(N)
	nis, ok := e.correct(&PH, &S, z, e.cfg.Gate)
	e.lastNIS[k] = nis
	if !ok {
		e.f.stats.Rejected++
		e.rejectRun[k]++
		if e.rejectRun[k] >= max(1, e.cfg.Reanchor) {
			// A foot rejected this long has slipped: take it afresh. When
			// the other foot does not vouch for the base either (it is not
			// standing, or its updates are rejected too), the base's
			// velocity is what is wrong (after an impact the IMU could not
			// follow): loosen it so the next updates can pull it in.
			e.f.stats.Reanchored++
			e.marginalize(k)
			if o := 1 - k; !e.active[o] || e.rejectRun[o] > 0 {
				for i := 0; i < 3; i++ {
					e.P[(3*bV+i)*dim+3*bV+i] += reanchorVel * reanchorVel
				}
			}
			e.augment(k)
		}
		return
	}
	e.rejectRun[k] = 0
}

// footVelUpdate corrects the velocity with standing foot k's: the foot is
// still, so v = −R b with b = ω×y + J q̇ measured in the IMU's axes. With
// u = R̂ b, R = exp(φ) R̂ and v − v̂ = ν_v − [v̂]×φ, the innovation
// z = −u − v̂ = ν_v − [v̂ + u]×φ.
func (e *InEKF) footVelUpdate(k int, s *hal.Sensors) {
	l := e.f.legs
	n := l.foot[k].n
	y := l.Pos[k]
	var jq spatial.Vec3
	for a := 0; a < 3; a++ {
		for j := 0; j < n; j++ {
			jq[a] += l.J[k][a*n+j] * s.Qd[l.foot[k].hal[j]]
		}
	}
	u := e.R.MulVec(e.w.Cross(y).Add(jq))
	z := u.Add(e.v).Scale(-1)
	X := spatial.Skew(e.v.Add(u)) // H = [−X, I, 0 …]
	var PH [dim * 3]float64
	S := e.velocityRows(&X, &PH)
	// noise: R̂ (σ_q̇² J Jᵀ + σ_ω² [y]×[y]×ᵀ) R̂ᵀ
	C := scaledJJt(l.J[k][:], n, e.cfg.JointVelNoise*e.cfg.JointVelNoise)
	Y := spatial.Skew(y)
	YY := Y.MulT(&Y)
	sw := e.cfg.GyroNoise * e.cfg.GyroNoise * 1000 // per-sample rate noise at 1 kHz
	C = C.Add(YY.Scale(sw))
	RC := e.R.Mul(&C)
	N := RC.MulT(&e.R)
	S = S.Add(N).Symmetrize()
	if _, ok := e.correct(&PH, &S, z, e.cfg.Gate); !ok {
		e.f.stats.VelRejected++
	}
}

// velocityRows writes P·Hᵀ into PH and returns H·P·Hᵀ (without noise) for a
// measurement of the velocity error whose Jacobian is H = [−X, I, 0 …]
// (orientation block −X, velocity block I, X skew-symmetric): row r of P·Hᵀ
// is P_rφ·(−X)ᵀ + P_rv = P_rφ·X + P_rv, and H·P·Hᵀ = (P·Hᵀ)_v − X·(P·Hᵀ)_φ.
// The standing-foot velocity and the zero-velocity updates both measure this
// way (X = [v̂ + u]× and [v̂]×).
func (e *InEKF) velocityRows(X *spatial.Mat3, PH *[dim * 3]float64) spatial.Mat3 {
	for r := 0; r < dim; r++ {
		var pf, pv spatial.Vec3
		for c := 0; c < 3; c++ {
			pf[c] = e.P[r*dim+c]
			pv[c] = e.P[r*dim+3*bV+c]
		}
		row := X.MulTVec(pf).Add(pv)
		PH[r*3], PH[r*3+1], PH[r*3+2] = row[0], row[1], row[2]
	}
	var S spatial.Mat3
	for c := 0; c < 3; c++ {
		var cφ, cv spatial.Vec3
		for k := 0; k < 3; k++ {
			cφ[k] = PH[k*3+c]
			cv[k] = PH[(3*bV+k)*3+c]
		}
		col := cv.Sub(X.MulVec(cφ))
		for r := 0; r < 3; r++ {
			S[3*r+c] = col[r]
		}
	}
	return S
}

// zeroVelUpdate tells the filter the base is at rest when no foot stands
// and the IMU has been still for a while (the robot lying, or hanging): the
// plain velocity error v − v̂ = ν_v − [v̂]×φ, measured as −v̂.
func (e *InEKF) zeroVelUpdate() {
	X := spatial.Skew(e.v)
	var PH [dim * 3]float64
	S := e.velocityRows(&X, &PH)
	S = S.Add(spatial.Identity3().Scale(zeroVelStd * zeroVelStd))
	S = S.Symmetrize()
	if _, ok := e.correct(&PH, &S, e.v.Scale(-1), math.Inf(1)); ok { // ungated: the IMU's rest is strong evidence
		e.f.stats.ZeroVel++
	}
}

// reanchorVel is the velocity standard deviation (m/s) a re-anchoring adds.
const reanchorVel = 0.2

// zeroVelStd is the zero-velocity update's standard deviation, m/s.
const zeroVelStd = 0.01

// orientUpdate fuses the IMU's own orientation: log(R_m R̂ᵀ) ≈ φ.
func (e *InEKF) orientUpdate() {
	Rm := e.f.quatR
	D := Rm.MulT(&e.R)
	z := logSO3(&D)
	var PH [dim * 3]float64
	for r := 0; r < dim; r++ {
		for c := 0; c < 3; c++ {
			PH[r*3+c] = e.P[r*dim+c]
		}
	}
	var S spatial.Mat3
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			S[3*r+c] = PH[r*3+c]
		}
	}
	s2 := e.cfg.OrientNoise * e.cfg.OrientNoise
	S[0] += s2
	S[4] += s2
	S[8] += s2
	if _, ok := e.correct(&PH, &S, z, e.cfg.Gate); !ok {
		e.f.stats.OrientReject++
	}
}

// correct applies the Kalman correction for innovation z with P Hᵀ = PH and
// innovation covariance S, unless its Mahalanobis distance exceeds gate.
// It returns the distance and whether the update was applied.
func (e *InEKF) correct(PH *[dim * 3]float64, S *spatial.Mat3, z spatial.Vec3, gate float64) (float64, bool) {
	Si, ok := S.Inverse()
	if !ok {
		return math.Inf(1), false
	}
	nis := z.Dot(Si.MulVec(z))
	if !(nis <= gate) {
		return nis, false
	}
	// K = PH S⁻¹; δ = K z; P ← P − K S Kᵀ = P − K PHᵀ.
	var K [dim * 3]float64
	var dx [dim]float64
	for r := 0; r < dim; r++ {
		for c := 0; c < 3; c++ {
			K[r*3+c] = PH[r*3]*Si[c] + PH[r*3+1]*Si[3+c] + PH[r*3+2]*Si[6+c]
		}
		dx[r] = K[r*3]*z[0] + K[r*3+1]*z[1] + K[r*3+2]*z[2]
	}
	for r := 0; r < dim; r++ {
		k0, k1, k2 := K[r*3], K[r*3+1], K[r*3+2]
		for c := 0; c <= r; c++ {
			v := e.P[r*dim+c] - (k0*PH[c*3] + k1*PH[c*3+1] + k2*PH[c*3+2])
			e.P[r*dim+c], e.P[c*dim+r] = v, v
		}
	}
	e.applyDelta(&dx)
	return nis, true
}

// applyDelta moves the state by the correction dx: X ← exp(δ) X̂,
// rotation first, then every translational column; the biases add.
func (e *InEKF) applyDelta(dx *[dim]float64) {
	phi := spatial.Vec3{dx[0], dx[1], dx[2]}
	Ex := expSO3(phi)
	Jl := gamma1(phi)
	tv := func(b int) spatial.Vec3 { return spatial.Vec3{dx[3*b], dx[3*b+1], dx[3*b+2]} }
	e.R = orthonormalize(Ex.Mul(&e.R))
	e.v = Ex.MulVec(e.v).Add(Jl.MulVec(tv(bV)))
	e.p = Ex.MulVec(e.p).Add(Jl.MulVec(tv(bP)))
	for k := 0; k < 2; k++ {
		if e.active[k] {
			e.d[k] = Ex.MulVec(e.d[k]).Add(Jl.MulVec(tv(bD + k)))
		}
	}
	e.bg = e.bg.Add(tv(bBG))
	e.ba = e.ba.Add(tv(bBA))
}

// groundUpdate measures a foot that has just touched down against the
// ground's level (the height of the footholds before it): the level-ground
// prior. A foothold off that level by more than the gate is a new level
// (a step up or down, a slope): taken as it is, it becomes the level.
func (e *InEKF) groundUpdate(k int) {
	if !e.ground.valid {
		e.ground.z, e.ground.valid = e.d[k][2], true
		return
	}
	if !e.heightUpdate(k, e.ground.z, e.cfg.GroundNoise) {
		e.f.stats.NewLevel++
		e.ground.z = e.d[k][2]
	}
}

// gate1 is χ²₁(0.999), the gate of a scalar measurement.
const gate1 = 10.83

// heightUpdate measures standing foot k's point's height as z with
// standard deviation sigma: d_z − d̂_z = ν_z − e_z·(d̂ × φ).
func (e *InEKF) heightUpdate(k int, z, sigma float64) bool {
	var h [dim]float64
	d := e.d[k]
	h[0], h[1] = d[1], -d[0]
	h[3*(bD+k)+2] = 1
	_, ok := e.correctScalar(&h, z-d[2], sigma*sigma, gate1)
	return ok
}

// correctScalar applies the Kalman correction for a scalar innovation z
// with Jacobian h (H·ξ, ξ the error state) and noise variance r, unless its
// Mahalanobis distance z²/S exceeds gate. It returns the distance and
// whether the update was applied.
func (e *InEKF) correctScalar(h *[dim]float64, z, r, gate float64) (float64, bool) {
	var PH [dim]float64
	S := r
	for i := 0; i < dim; i++ {
		sum := 0.0
		for j := 0; j < dim; j++ {
			sum += e.P[i*dim+j] * h[j]
		}
		PH[i] = sum
		S += h[i] * sum
	}
	if !(S > 0) {
		return math.Inf(1), false
	}
	nis := z * z / S
	if !(nis <= gate) {
		return nis, false
	}
	var dx [dim]float64
	for i := 0; i < dim; i++ {
		dx[i] = PH[i] / S * z
	}
	for i := 0; i < dim; i++ {
		ki := PH[i] / S
		for j := 0; j <= i; j++ {
			v := e.P[i*dim+j] - ki*PH[j]
			e.P[i*dim+j], e.P[j*dim+i] = v, v
		}
	}
	e.applyDelta(&dx)
	return nis, true
}

// write fills est from the state.
func (e *InEKF) write(est *Estimate) {
	*est = Estimate{}
	if !e.f.init {
		return
	}
	R, v, p := e.IMUState()
	writeBase(est, &R, p, v, e.w, &e.f.legs.BaseFromIMU)
	est.Contact = e.f.prob
	est.GyroBias, est.AccelBias = e.bg, e.ba
	// Covariance of the plain errors: φ; v − v̂ = ν_v − [v̂]×φ ... written as
	// ν − x̂×φ for x = v, p.
	for i := 0; i < 3; i++ {
		est.Cov[i] = e.P[i*dim+i]
	}
	for b, x := range [2]spatial.Vec3{e.v, e.p} {
		blk := bV + b
		C := e.plainCov(blk, x)
		for i := 0; i < 3; i++ {
			est.Cov[3+3*b+i] = C[4*i]
		}
	}
	est.OrientationValid, est.PositionValid, est.VelocityValid, est.ContactValid = true, true, true, true
	e.ch.write(est, &e.f)
}

// plainCov returns the covariance of x − x̂ = ν − [x̂]×φ for the
// translational block blk.
func (e *InEKF) plainCov(blk int, x spatial.Vec3) spatial.Mat3 {
	X := spatial.Skew(x)
	var Pnn, Pnp, Ppp spatial.Mat3
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			Pnn[3*r+c] = e.P[(3*blk+r)*dim+3*blk+c]
			Pnp[3*r+c] = e.P[(3*blk+r)*dim+c]
			Ppp[3*r+c] = e.P[r*dim+c]
		}
	}
	// C = Pnn − X Pφν − Pνφ Xᵀ + X Pφφ Xᵀ
	XP := X.Mul(&Ppp)
	XPX := XP.MulT(&X)
	NX := Pnp.MulT(&X)
	return Pnn.Sub(NX).Sub(NX.T()).Add(XPX)
}

// ErrorState returns the right-invariant error ξ (R, v, p) of the filter's
// IMU-frame state against a true IMU-frame state, for consistency checks:
// φ = log(R R̂ᵀ), ν = x − R R̂ᵀ x̂ … to first order x − x̂ + x̂×φ.
func (e *InEKF) ErrorState(Rt spatial.Mat3, vt, pt spatial.Vec3) (xi [9]float64) {
	Re, ve, pe := e.IMUState()
	D := Rt.MulT(&Re)
	phi := logSO3(&D)
	Jinv := gamma1(phi)
	Ji, _ := Jinv.Inverse()
	nv := Ji.MulVec(vt.Sub(D.MulVec(ve)))
	np := Ji.MulVec(pt.Sub(D.MulVec(pe)))
	copy(xi[0:3], phi[:])
	copy(xi[3:6], nv[:])
	copy(xi[6:9], np[:])
	return xi
}

// Cov9 returns the covariance of the (R, v, p) error block.
func (e *InEKF) Cov9() (c [81]float64) {
	for r := 0; r < 9; r++ {
		for k := 0; k < 9; k++ {
			c[r*9+k] = e.P[r*dim+k]
		}
	}
	return c
}

// IMUState returns the filter's IMU-frame state (orientation, velocity,
// position) now: the state of the IMU sample's time predicted forward by
// Config.IMULatency with the last IMU reading.
func (e *InEKF) IMUState() (spatial.Mat3, spatial.Vec3, spatial.Vec3) {
	tau := e.cfg.IMULatency
	if tau <= 0 {
		return e.R, e.v, e.p
	}
	a := e.R.MulVec(e.a).Add(e.grav)
	p := e.p.Add(e.v.Scale(tau)).Add(a.Scale(0.5 * tau * tau))
	v := e.v.Add(a.Scale(tau))
	Ex := expSO3(e.w.Scale(tau))
	return e.R.Mul(&Ex), v, p
}

// scaledJJt returns s·J Jᵀ for a 3×n foot Jacobian J stored row-major.
func scaledJJt(J []float64, n int, s float64) spatial.Mat3 {
	var C spatial.Mat3
	for a := 0; a < 3; a++ {
		for b := 0; b < 3; b++ {
			sum := 0.0
			for j := 0; j < n; j++ {
				sum += J[a*n+j] * J[b*n+j]
			}
			C[3*a+b] = s * sum
		}
	}
	return C
}

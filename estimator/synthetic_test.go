package estimator

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// synth generates the sensors of a known motion: the IMU frame sways and
// turns while both feet stay fixed in the world (joint angles by inverse
// kinematics on the same model), with white gyro, accelerometer, encoder
// and orientation noise and constant IMU biases.
type synth struct {
	t       *testing.T
	m       *rbd.Model
	legs    *Legs // the generator's own kinematics
	names   []string
	rng     *rand.Rand
	dt      float64
	sigG    float64 // per sample
	sigA    float64
	sigQ    float64
	sigO    float64
	bg, ba  spatial.Vec3
	R       spatial.Mat3 // truth, IMU in world
	p0      spatial.Vec3
	feet    [2]spatial.Vec3
	q       [hal.MaxJoints]float64
	qPrev   [hal.MaxJoints]float64
	n       int
	time    float64
	seq     uint64
	slipAt  float64 // s; 0: none
	slipped bool
	weight  float64
	gravity spatial.Vec3
	ampP    spatial.Vec3
	freqP   spatial.Vec3
	ampW    spatial.Vec3
	freqW   spatial.Vec3
}

func newSynth(t *testing.T, seed uint64) *synth {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	names := rbd.ActuatedJointNames(m)
	legs, err := NewLegs(m, names)
	if err != nil {
		t.Fatal(err)
	}
	g := &synth{t: t, m: m, legs: legs, names: names, rng: rand.New(rand.NewPCG(seed, 1)), dt: 0.001,
		sigG: 0.005, sigA: 0.05, sigQ: 5e-4, sigO: 0.01,
		bg: spatial.Vec3{0.002, -0.001, 0.0015}, ba: spatial.Vec3{0.02, -0.01, 0.015},
		R: spatial.Identity3(), weight: m.TotalMass() * 9.81, gravity: m.Gravity,
		ampP: spatial.Vec3{0.03, 0.02, 0.02}, freqP: spatial.Vec3{0.4, 0.6, 0.5},
		ampW: spatial.Vec3{0.3, 0.2, 0.25}, freqW: spatial.Vec3{0.5, 0.7, 0.3}}
	jm := rbd.ActuatorJointMap(m)
	home := jm.Home()
	g.n = len(home)
	copy(g.q[:], home)
	var s hal.Sensors
	s.N = g.n
	copy(s.Q[:], home)
	legs.Compute(&s, spatial.Vec3{})
	low := math.Min(legs.Pos[0][2], legs.Pos[1][2])
	for k := 0; k < 2; k++ {
		g.feet[k] = spatial.Vec3{0, 0, -low}.Add(legs.Pos[k])
	}
	g.p0 = spatial.Vec3{0, 0, -low - 0.06} // crouched: the legs keep well inside their reach
	return g
}

// motion returns the true IMU position, velocity and acceleration at time t.
func (g *synth) motion(t float64) (p, v, a spatial.Vec3) {
	for i := 0; i < 3; i++ {
		w := 2 * math.Pi * g.freqP[i]
		s, c := math.Sincos(w * t)
		p[i] = g.p0[i] + g.ampP[i]*s
		v[i] = g.ampP[i] * w * c
		a[i] = -g.ampP[i] * w * w * s
	}
	return p, v, a
}

// rate returns the true body rate at time t.
func (g *synth) rate(t float64) spatial.Vec3 {
	var w spatial.Vec3
	for i := 0; i < 3; i++ {
		w[i] = g.ampW[i] * math.Sin(2*math.Pi*g.freqW[i]*t+float64(i))
	}
	return w
}

// next advances the truth by dt and fills s with the sensors at the new time.
// It returns the true IMU state.
func (g *synth) next(s *hal.Sensors) (R spatial.Mat3, p, v spatial.Vec3) {
	t0 := g.time
	// integrate R with fine substeps; keep the midpoint orientation
	const sub = 10
	var Rmid spatial.Mat3
	for i := 0; i < sub; i++ {
		tm := t0 + (float64(i)+0.5)*g.dt/sub
		E := expSO3(g.rate(tm).Scale(g.dt / sub))
		g.R = g.R.Mul(&E)
		if i == sub/2-1 {
			Rmid = g.R
		}
	}
	g.time += g.dt
	g.seq++
	tmid := t0 + g.dt/2
	_, _, amid := g.motion(tmid)
	p, v, _ = g.motion(g.time)
	if g.slipAt > 0 && g.time >= g.slipAt && !g.slipped {
		g.feet[0] = g.feet[0].Add(spatial.Vec3{0.04, 0.02, 0})
		g.slipped = true
	}
	*s = hal.Sensors{Time: g.time, Seq: g.seq, N: g.n}
	// inverse kinematics of both legs for the true feet
	for k := 0; k < 2; k++ {
		want := g.R.MulTVec(g.feet[k].Sub(p))
		for it := 0; it < 20; it++ {
			copy(s.Q[:], g.q[:g.n])
			g.legs.Compute(s, spatial.Vec3{})
			e := want.Sub(g.legs.Pos[k])
			if e.Norm() < 1e-10 {
				break
			}
			idx := g.legs.LegJoints(k)
			n := len(idx)
			J := &g.legs.J[k]
			var A spatial.Mat3
			for a := 0; a < 3; a++ {
				for b := 0; b < 3; b++ {
					for j := 0; j < n; j++ {
						A[3*a+b] += J[a*n+j] * J[b*n+j]
					}
				}
			}
			Ai, ok := A.Inverse()
			if !ok {
				g.t.Fatal("IK: singular leg")
			}
			x := Ai.MulVec(e)
			for j, i := range idx {
				g.q[i] += J[j]*x[0] + J[n+j]*x[1] + J[2*n+j]*x[2]
			}
		}
	}
	// joint torques for half the weight on each foot (and the legs' own)
	copy(s.Q[:], g.q[:g.n])
	gi := g.R.MulTVec(g.gravity)
	g.legs.Compute(s, gi)
	fImu := g.R.MulTVec(spatial.Vec3{0, 0, g.weight / 2})
	fBase := g.legs.BaseFromIMU.R.MulVec(fImu)
	for k := 0; k < 2; k++ {
		idx := g.legs.LegJoints(k)
		n := len(idx)
		for j, i := range idx {
			jf := 0.0
			for a := 0; a < 3; a++ {
				jf += g.legs.jw[k][(3+a)*n+j] * fBase[a]
			}
			s.Tau[i] = -jf - g.legs.grav[k][j]
		}
	}
	for i := 0; i < g.n; i++ {
		s.Q[i] = g.q[i] + g.sigQ*g.rng.NormFloat64()
		if g.seq > 1 {
			s.Qd[i] = (g.q[i] - g.qPrev[i]) / g.dt
		}
	}
	g.qPrev = g.q
	w := g.rate(tmid)
	f := Rmid.MulTVec(amid.Sub(g.gravity))
	for i := 0; i < 3; i++ {
		s.IMU.Gyro[i] = w[i] + g.bg[i] + g.sigG*g.rng.NormFloat64()
		s.IMU.Accel[i] = f[i] + g.ba[i] + g.sigA*g.rng.NormFloat64()
	}
	on := spatial.Vec3{g.rng.NormFloat64(), g.rng.NormFloat64(), g.rng.NormFloat64()}.Scale(g.sigO)
	Eo := expSO3(on)
	Rm := Eo.Mul(&g.R)
	q := spatial.QuatFromMat3(Rm)
	s.IMU.Quat = [4]float64{q.W, q.X, q.Y, q.Z}
	return g.R, p, v
}

// synthConfig is the filter's noise model matched to the generator.
func synthConfig(g *synth) Config {
	c := DefaultConfig()
	c.GyroNoise = g.sigG * math.Sqrt(g.dt)
	c.AccelNoise = g.sigA * math.Sqrt(g.dt)
	c.EncoderNoise = g.sigQ
	c.KinematicNoise = 1e-4
	c.ContactNoise = 1e-4 // the feet do not creep
	c.GyroBiasWalk, c.AccelBiasWalk = 1e-6, 1e-5
	c.InitPos = 1e-3
	c.JointVelNoise = 0   // the generator's joint rates are finite differences, not measurements
	c.RollingSole = false // the generator's feet are points at the soles' centres
	c.IMULatency = 0      // the generator's IMU and joints are of the same instant
	c.OrientNoise = g.sigO
	return c
}

// nees returns ξᵀ P⁻¹ ξ for the 9-dimensional (R, v, p) error.
func nees(xi [9]float64, C [81]float64) float64 {
	if !cholesky(C[:], 9) {
		return math.Inf(1)
	}
	x := xi
	cholSolve(C[:], 9, x[:])
	s := 0.0
	for i := range x {
		s += x[i] * xi[i]
	}
	return s
}

// A known swaying, turning motion on two fixed feet: the filter tracks it
// within stated tolerances, its gyro bias converges, and its normalised
// estimation error squared over (R, v, p) stays within the 95 % χ²₉ band
// [2.70, 19.02] at least 90 % of the time (after the first second), pooled
// over three runs: the unobservable parts (absolute position) carry one
// draw of their error through a whole run, so a single run's fraction says
// little.
func TestSyntheticTracking(t *testing.T) {
	n := 8000
	if testing.Short() {
		n = 3000
	}
	inBand, counted := 0, 0
	for _, seed := range []uint64{1, 2, 3} {
		g := newSynth(t, seed)
		e, err := NewInEKF(g.m, g.names, synthConfig(g))
		if err != nil {
			t.Fatal(err)
		}
		var s hal.Sensors
		g.next(&s)
		e.Reset(&s)
		var est Estimate
		var sumV, sumP, sumR, neesSum float64
		in, cnt := 0, 0
		for i := 0; i < n; i++ {
			R, p, v := g.next(&s)
			e.Update(&s, &est)
			if i < 1000 {
				continue
			}
			Re, ve, pe := e.IMUState()
			D := R.MulT(&Re)
			sumR += logSO3(&D).Dot(logSO3(&D))
			sumV += ve.Sub(v).Dot(ve.Sub(v))
			sumP += pe.Sub(p).Dot(pe.Sub(p))
			x := nees(e.ErrorState(R, v, p), e.Cov9())
			neesSum += x
			cnt++
			if x >= 2.700 && x <= 19.023 {
				in++
			}
		}
		m := float64(cnt)
		rv, rp, rr := math.Sqrt(sumV/m), math.Sqrt(sumP/m), math.Sqrt(sumR/m)
		st := e.Stats()
		t.Logf("seed %d: RMS errors velocity %.4f m/s, position %.4f m, orientation %.4f rad; NEES mean %.2f (9 expected), in 95%% band %.1f%%; gyro bias %.5f (true %.5f); stats %+v",
			seed, rv, rp, rr, neesSum/m, 100*float64(in)/m, e.bg, g.bg, st)
		if rv > 0.005 || rp > 0.005 || rr > 0.005 {
			t.Errorf("seed %d: tracking errors velocity %.4f m/s, position %.4f m, orientation %.4f rad; want ≤ 0.005 each", seed, rv, rp, rr)
		}
		if d := e.bg.Sub(g.bg).Norm(); d > 0.0005 {
			t.Errorf("seed %d: gyro bias %v, true %v", seed, e.bg, g.bg)
		}
		if st.Rejected > uint64(n/100) {
			t.Errorf("seed %d: %d of %d foot updates rejected on a motion without slips", seed, st.Rejected, 2*n)
		}
		inBand += in
		counted += cnt
	}
	frac := float64(inBand) / float64(counted)
	t.Logf("NEES within the 95%% χ²₉ band %.1f%% of the time over three runs", 100*frac)
	if frac < 0.9 {
		t.Errorf("NEES within the 95%% χ² band %.1f%% of the time, want ≥ 90%%", 100*frac)
	}
}

// A foot that slips 4.5 cm while taken as standing: the filter notices
// (the foot's measured speed drops it, or the gate rejects its updates and
// re-anchors it) and the state is not dragged along.
func TestSyntheticSlip(t *testing.T) {
	g := newSynth(t, 7)
	g.slipAt = 3
	e, err := NewInEKF(g.m, g.names, synthConfig(g))
	if err != nil {
		t.Fatal(err)
	}
	var s hal.Sensors
	g.next(&s)
	e.Reset(&s)
	var est Estimate
	worst := 0.0
	for i := 0; i < 5000; i++ {
		_, p, v := g.next(&s)
		e.Update(&s, &est)
		_, ve, pe := e.IMUState()
		if g.time > 2.5 {
			worst = math.Max(worst, math.Max(ve.Sub(v).Norm()*0.1, pe.Sub(p).Norm()))
		}
	}
	st := e.Stats()
	t.Logf("worst position error after the slip %.4f m; stats %+v", worst, st)
	if st.Rejected+st.Reanchored+st.Moved == 0 {
		t.Errorf("the slip went unnoticed (no gated update, re-anchoring or dropped foot): %+v", st)
	}
	if worst > 0.01 {
		t.Errorf("position error %.4f m after a 4.5 cm slip, want ≤ 0.01", worst)
	}
}

package sim

import (
	"math"
	"math/rand/v2"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// SensorParams describes the robot's sensors. Noise is Gaussian with the given
// standard deviations, drawn from a generator seeded with Seed, so a run is
// reproducible. Zero values mean ideal sensors.
type SensorParams struct {
	EncoderCounts float64 // counts per revolution of the joint encoders (0: exact); 2^14 gives 0.38 mrad steps
	JointPosNoise float64 // rad
	JointVelNoise float64 // rad/s
	JointTauNoise float64 // N·m
	GyroNoise     float64 // rad/s
	GyroBias      float64 // rad/s: each axis gets a constant bias drawn uniformly in ±GyroBias
	AccelNoise    float64 // m/s²
	AccelBias     float64 // m/s², like GyroBias
	OrientNoise   float64 // rad, small random rotation of the IMU's orientation estimate
	// GyroBiasWalk and AccelBiasWalk make the biases random walks: each
	// sample adds Gaussian steps of σ·√Δt (rad/s/√s, m/s²/√s).
	GyroBiasWalk  float64
	AccelBiasWalk float64
	// IMULatency (s) delays the IMU's readings (rate, specific force,
	// orientation): a sample holds the IMU's reading of that much earlier
	// (the oldest kept when the run is younger). The encoders are not
	// delayed. At most maxIMUDelay samples are kept.
	IMULatency float64
	IMUSite    string // site holding the IMU (default "imu"; the root body when absent)
	Seed       uint64
}

// RealisticSensors returns noise figures typical of a humanoid's drives and
// a MEMS IMU with an on-board orientation filter.
func RealisticSensors(seed uint64) SensorParams {
	return SensorParams{
		EncoderCounts: 1 << 14, JointPosNoise: 2e-4, JointVelNoise: 0.02, JointTauNoise: 0.3,
		GyroNoise: 0.005, GyroBias: 0.002, AccelNoise: 0.05, AccelBias: 0.02, OrientNoise: 0.002,
		GyroBiasWalk: 1e-4, AccelBiasWalk: 1e-3, IMULatency: 0.001,
		IMUSite: "imu", Seed: seed,
	}
}

// SensorReading is one sample of the robot's sensors. Joint arrays follow the
// actuator order (nu).
type SensorReading struct {
	Time        float64
	Q, Qd, Tau  []float64
	IMUQuat     spatial.Quat // IMU frame in world
	Gyro, Accel spatial.Vec3 // IMU frame
}

// maxIMUDelay is how many past IMU readings Sensors keeps for IMULatency.
const maxIMUDelay = 64

// imuReading is one IMU reading and its time.
type imuReading struct {
	t           float64
	quat        spatial.Quat
	gyro, accel spatial.Vec3
}

// Sensors samples a World's sensors. It keeps its own kinematics scratch so
// sampling never disturbs the world's Data.
type Sensors struct {
	P         SensorParams
	rng       *rand.Rand
	gyroBias  spatial.Vec3
	accelBias spatial.Vec3
	site      int // −1: root body
	body      int
	d         *rbd.Data
	joints    *rbd.JointMap // actuator i's joint coordinates
	hist      [maxIMUDelay]imuReading
	nhist     int     // readings kept
	head      int     // index of the newest
	lastT     float64 // time of the last sample (bias walk)
	sampled   bool
}

// NewSensors makes the sensor model for w.
func NewSensors(w *World, p SensorParams) *Sensors {
	m := w.Model
	s := &Sensors{P: p, rng: rand.New(rand.NewPCG(p.Seed, p.Seed^0x5eed)), site: -1, body: 1, d: rbd.NewData(m)}
	name := p.IMUSite
	if name == "" {
		name = "imu"
	}
	if i := m.SiteIndex(name); i >= 0 {
		s.site, s.body = i, m.Sites[i].Body
	}
	for k := 0; k < 3; k++ {
		s.gyroBias[k] = p.GyroBias * (2*s.rng.Float64() - 1)
		s.accelBias[k] = p.AccelBias * (2*s.rng.Float64() - 1)
	}
	s.joints = w.Actuated
	return s
}

// NewReading allocates a reading for w's actuators.
func NewReading(w *World) *SensorReading {
	nu := w.Model.Nu
	return &SensorReading{Q: make([]float64, nu), Qd: make([]float64, nu), Tau: make([]float64, nu)}
}

// Sample fills r from w's current state. Joint positions and velocities, the
// IMU orientation and rate are those of the current state; the accelerometer
// reads the acceleration of the last step (evaluated at its start).
func (s *Sensors) Sample(w *World, r *SensorReading) {
	m, d := w.Model, s.d
	p := &s.P
	r.Time = w.Time
	for i, qa := range s.joints.QAdr {
		q := w.Qpos[qa] + s.noise(p.JointPosNoise)
		if p.EncoderCounts > 0 {
			step := 2 * math.Pi / p.EncoderCounts
			q = math.Round(q/step) * step
		}
		r.Q[i] = q
		r.Qd[i] = w.Qvel[s.joints.DofAdr[i]] + s.noise(p.JointVelNoise)
		r.Tau[i] = w.ActuatorForce[i] + s.noise(p.JointTauNoise)
	}
	rbd.ChainKinematics(m, d, w.Qpos, w.Qvel, s.body) // the IMU's body and its ancestors only
	X := d.XBody[s.body]
	if s.site >= 0 {
		X.SetMul(&d.XBody[s.body], &m.SiteX0[s.site])
	}
	q := spatial.QuatFromMat3(X.R)
	if p.OrientNoise > 0 {
		e := spatial.Vec3{s.rng.NormFloat64(), s.rng.NormFloat64(), s.rng.NormFloat64()}.Scale(p.OrientNoise)
		q = q.Integrate(e, 1)
	}
	if s.sampled && w.Time > s.lastT {
		dt := w.Time - s.lastT
		s.gyroBias = s.gyroBias.Add(s.noise3(p.GyroBiasWalk * math.Sqrt(dt)))
		s.accelBias = s.accelBias.Add(s.noise3(p.AccelBiasWalk * math.Sqrt(dt)))
	}
	s.lastT, s.sampled = w.Time, true
	r.IMUQuat = q
	wv := d.BodyVel[s.body].Ang
	r.Gyro = X.R.MulTVec(wv).Add(s.gyroBias).Add(s.noise3(p.GyroNoise))
	// Accelerometer: classical acceleration of the IMU point in the last step,
	// minus gravity, in the IMU frame (from the world's Data of that step).
	wd := w.Data
	Xs := wd.XBody[s.body]
	if s.site >= 0 { // the step computes body poses only
		Xs.SetMul(&wd.XBody[s.body], &m.SiteX0[s.site])
	}
	acc := spatial.Motion{}
	for k := m.BodyLastDof[s.body]; k >= 0; k = m.DofParent[k] {
		acc.AddScaledIn(w.Qacc[k], &wd.Cdof[k])
		acc.AddScaledIn(w.scratch.evalV[k], &wd.CdofDot[k])
	}
	vb := wd.BodyVel[s.body]
	lin := acc.At(Xs.P).Add(vb.Ang.Cross(vb.At(Xs.P)))
	r.Accel = Xs.R.MulTVec(lin.Sub(m.Gravity)).Add(s.accelBias).Add(s.noise3(p.AccelNoise))
	if p.IMULatency > 0 {
		s.delayIMU(w.Time, r)
	}
}

// delayIMU keeps r's IMU reading and replaces it with the newest one at
// least IMULatency old (the oldest kept when none is).
func (s *Sensors) delayIMU(now float64, r *SensorReading) {
	if s.nhist > 0 && now < s.hist[s.head].t { // time went back: a reset world
		s.nhist = 0
	}
	s.head = (s.head + 1) % maxIMUDelay
	s.hist[s.head] = imuReading{t: now, quat: r.IMUQuat, gyro: r.Gyro, accel: r.Accel}
	s.nhist = min(s.nhist+1, maxIMUDelay)
	pick := s.head
	for k := 0; k < s.nhist; k++ {
		i := (s.head - k + maxIMUDelay) % maxIMUDelay
		pick = i
		if s.hist[i].t <= now-s.P.IMULatency+1e-9 {
			break
		}
	}
	h := &s.hist[pick]
	r.IMUQuat, r.Gyro, r.Accel = h.quat, h.gyro, h.accel
}

// noise returns a Gaussian sample of standard deviation sigma (drawing
// nothing when sigma is zero, so ideal sensors cost nothing).
func (s *Sensors) noise(sigma float64) float64 {
	if sigma == 0 {
		return 0
	}
	return sigma * s.rng.NormFloat64()
}

func (s *Sensors) noise3(sigma float64) spatial.Vec3 {
	if sigma == 0 {
		return spatial.Vec3{}
	}
	return spatial.Vec3{s.rng.NormFloat64() * sigma, s.rng.NormFloat64() * sigma, s.rng.NormFloat64() * sigma}
}

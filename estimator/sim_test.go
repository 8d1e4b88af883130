package estimator_test

// Closed-loop tests of the estimators against the simulator. They live in the
// external test package: the estimator itself must not import sim; simulator
// truth is used here for evaluation only, never fed to the filters.

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// rig holds the built-in robot standing under joint PD at its home pose with
// both estimators reading its sensors.
type rig struct {
	w     *sim.World
	robot *simhal.Robot
	inekf *estimator.InEKF
	lin   *estimator.Linear
	home  []float64
	sens  hal.Sensors
	e, eb estimator.Estimate
	out   hal.Commands
	m     metrics
	mb    metrics
	pelv  int
}

// metrics accumulates an estimate's errors against truth.
type metrics struct {
	n                      int
	sumV2, sumH2           float64
	maxDrift, maxVel       float64
	p0Est, p0True          spatial.Vec3
	started, nan           bool
	lastVelErr, lastHeight float64
}

func (m *metrics) add(e *estimator.Estimate, tr *simhal.Truth) {
	for _, x := range [...]float64{e.Pos[0], e.Pos[1], e.Pos[2], e.LinVel[0], e.LinVel[1], e.LinVel[2], e.Quat[0]} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			m.nan = true
			return
		}
	}
	if !m.started {
		m.p0Est, m.p0True, m.started = e.Pos, tr.BasePos, true
	}
	dv := spatial.Vec3(e.LinVel).Sub(tr.BaseLinVel)
	dh := e.Pos[2] - tr.BasePos[2]
	m.n++
	m.sumV2 += dv.Dot(dv)
	m.sumH2 += dh * dh
	m.lastVelErr, m.lastHeight = dv.Norm(), dh
	m.maxVel = math.Max(m.maxVel, dv.Norm())
	drift := spatial.Vec3(e.Pos).Sub(m.p0Est).Sub(tr.BasePos.Sub(m.p0True))
	m.maxDrift = math.Max(m.maxDrift, drift.Norm())
}

func (m *metrics) velRMSE() float64   { return math.Sqrt(m.sumV2 / float64(max(1, m.n))) }
func (m *metrics) heightRMS() float64 { return math.Sqrt(m.sumH2 / float64(max(1, m.n))) }

func newRig(t testing.TB, p sim.SensorParams) *rig { return newRigOn(t, nil, p) }

// newRigOn is newRig on terrain terr (nil: flat).
func newRigOn(t testing.TB, terr *sim.Terrain, p sim.SensorParams) *rig {
	t.Helper()
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(m, terr, sim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	robot, err := simhal.New(w, p)
	if err != nil {
		t.Fatal(err)
	}
	names := rbd.ActuatedJointNames(m)
	inekf, err := estimator.NewInEKF(m, names, estimator.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	lin, err := estimator.NewLinear(m, names, estimator.DefaultLinearConfig())
	if err != nil {
		t.Fatal(err)
	}
	jm := rbd.ActuatorJointMap(m)
	r := &rig{w: w, robot: robot, inekf: inekf, lin: lin, home: jm.Home(), pelv: m.BodyIndex("pelvis")}
	if err := robot.Read(&r.sens); err != nil {
		t.Fatal(err)
	}
	r.inekf.Reset(&r.sens)
	r.lin.Reset(&r.sens)
	return r
}

// step runs one 1 ms tick: read, estimate, hold the home pose, advance.
func (r *rig) step(t testing.TB) {
	if err := r.robot.Read(&r.sens); err != nil {
		t.Fatal(err)
	}
	r.inekf.Update(&r.sens, &r.e)
	r.lin.Update(&r.sens, &r.eb)
	r.out.N = r.sens.N
	for i := 0; i < r.sens.N; i++ {
		r.out.Joint[i] = hal.JointCommand{Q: r.home[i], Kp: 400, Kd: 10}
	}
	if err := r.robot.Write(&r.out); err != nil {
		t.Fatal(err)
	}
	if err := r.robot.Advance(0.001); err != nil {
		t.Fatal(err)
	}
}

// record adds the estimates' errors against the truth of the state the
// sensors were read in.
func (r *rig) run(t testing.TB, n int, record bool, hook func(i int)) {
	for i := 0; i < n; i++ {
		if hook != nil {
			hook(i)
		}
		tr := r.robot.Truth()
		bp, bv := tr.BasePos, tr.BaseLinVel
		r.step(t)
		if record {
			tt := simhal.Truth{BasePos: bp, BaseLinVel: bv}
			r.m.add(&r.e, &tt)
			r.mb.add(&r.eb, &tt)
		}
	}
}

func (r *rig) report(t testing.TB, what string) {
	s := r.inekf.Stats()
	t.Logf("%s: InEKF vel RMSE %.4f m/s, height error RMS %.4f m, drift %.4f m, rejected %d | linear KF vel RMSE %.4f m/s, height RMS %.4f m, drift %.4f m",
		what, r.m.velRMSE(), r.m.heightRMS(), r.m.maxDrift, s.RejectedUpdates(), r.mb.velRMSE(), r.mb.heightRMS(), r.mb.maxDrift)
}

// Standing with realistic sensor noise (the --noise defaults): height error
// ≤ 1 cm RMS, velocity RMSE ≤ 0.03 m/s, drift ≤ 2 cm (10 s here; the 60 s
// figure is the documented long run).
func TestStandingNoise(t *testing.T) {
	r := newRig(t, sim.RealisticSensors(7))
	n := 10000
	if testing.Short() {
		n = 3000
	}
	r.run(t, n, true, nil)
	r.report(t, "standing")
	if r.m.nan || r.mb.nan {
		t.Fatal("non-finite estimate")
	}
	if v := r.m.velRMSE(); v > 0.03 {
		t.Errorf("InEKF velocity RMSE %.4f m/s, want ≤ 0.03", v)
	}
	if h := r.m.heightRMS(); h > 0.01 {
		t.Errorf("InEKF height error RMS %.4f m, want ≤ 0.01", h)
	}
	if d := r.m.maxDrift; d > 0.02 {
		t.Errorf("InEKF drift %.4f m, want ≤ 0.02", d)
	}
	if c := r.e.Contact; c[0] < 0.5 || c[1] < 0.5 {
		t.Errorf("standing: contact probabilities %v, want both ≥ 0.5", c)
	}
}

// The legs' kinematics agree with the simulator's feet (relative to the IMU
// site), their Jacobian with finite differences, and the Jᵀ foot forces
// carry the robot's weight standing.
func TestLegsAgainstSimulator(t *testing.T) {
	r := newRig(t, sim.SensorParams{})
	r.run(t, 1500, false, nil)
	legs := r.inekf.Legs()
	m := r.w.Model
	tr := r.robot.Truth()
	d := rbd.NewData(m)
	rbd.Kinematics(m, d, tr.Qpos)
	imu := d.XSite[m.SiteIndex("imu")]
	g := imu.R.MulTVec(m.Gravity)
	legs.Compute(&r.sens, g)
	total := 0.0
	for k, name := range []string{"left_foot", "right_foot"} {
		want := imu.InvPoint(d.XSite[m.SiteIndex(name)].P)
		if diff := legs.Pos[k].Sub(want).Norm(); diff > 1e-3 {
			t.Errorf("%s: kinematics %v, simulator %v (|Δ| %.2g m)", name, legs.Pos[k], want, diff)
		}
		fz := imu.R.MulVec(legs.Force[k])[2]
		total += fz
		t.Logf("%s: Jᵀ force %.1f N up (simulator %.1f N)", name, fz, tr.Feet[k].Force[2])
		if math.Abs(fz-tr.Feet[k].Force[2]) > 0.1*m.TotalMass()*9.81 {
			t.Errorf("%s: Jᵀ force %.1f N, simulator %.1f N", name, fz, tr.Feet[k].Force[2])
		}
	}
	if w := m.TotalMass() * 9.81; math.Abs(total-w) > 0.1*w {
		t.Errorf("feet carry %.1f N, weight %.1f N", total, w)
	}
	// Jacobian by central differences.
	var s hal.Sensors = r.sens
	legs.Compute(&s, spatial.Vec3{})
	J := legs.J
	for k := 0; k < 2; k++ {
		idx := legs.LegJoints(k)
		n := len(idx)
		for j, i := range idx {
			const h = 1e-6
			s2 := s
			s2.Q[i] += h
			legs.Compute(&s2, spatial.Vec3{})
			pp := legs.Pos[k]
			s2.Q[i] -= 2 * h
			legs.Compute(&s2, spatial.Vec3{})
			pm := legs.Pos[k]
			fd := pp.Sub(pm).Scale(1 / (2 * h))
			for a := 0; a < 3; a++ {
				if math.Abs(fd[a]-J[k][a*n+j]) > 1e-6 {
					t.Errorf("foot %d joint %d row %d: J %.6f, finite difference %.6f", k, j, a, J[k][a*n+j], fd[a])
				}
			}
		}
	}
}

// push returns a hook applying n impulses of j N·s to the pelvis, spread over
// 0.05 s each, every period ticks from tick start, alternating forward,
// left, backward, right.
func (r *rig) push(start, period, n int, j float64) func(i int) {
	dirs := [4]spatial.Vec3{{1, 0, 0}, {0, 1, 0}, {-1, 0, 0}, {0, -1, 0}}
	return func(i int) {
		r.w.XfrcApplied[r.pelv] = spatial.Force{}
		if i < start {
			return
		}
		k := (i - start) / period
		if k < n && (i-start)%period < 50 {
			r.w.XfrcApplied[r.pelv] = spatial.Force{Lin: dirs[k%4].Scale(j / 0.05)}
		}
	}
}

// Standing with torso pushes: the estimate follows the sway.
func TestStandingPushes(t *testing.T) {
	r := newRig(t, sim.RealisticSensors(11))
	n, pushes := 10000, 10
	if testing.Short() {
		n, pushes = 4000, 4
	}
	var fell bool
	r.run(t, n, true, func(i int) {
		r.push(500, 900, pushes, 12)(i)
		if r.robot.Truth().BasePos[2] < 0.5 {
			fell = true
		}
	})
	r.report(t, "pushed")
	if fell {
		t.Fatal("the robot fell: the test needs a standing robot")
	}
	if r.m.nan {
		t.Fatal("non-finite estimate")
	}
	if v := r.m.velRMSE(); v > 0.03 {
		t.Errorf("InEKF velocity RMSE %.4f m/s, want ≤ 0.03", v)
	}
	if h := r.m.heightRMS(); h > 0.01 {
		t.Errorf("InEKF height error RMS %.4f m, want ≤ 0.01", h)
	}
	if d := r.m.maxDrift; d > 0.02 {
		t.Errorf("InEKF drift %.4f m, want ≤ 0.02", d)
	}
}

// Dropped from 0.3 m: flight on the IMU alone (no contact, no leg update),
// then impact; no NaN and the velocity error is ≤ 0.2 m/s from 50 ms after
// touchdown on.
func TestDropped(t *testing.T) {
	r := newRig(t, sim.RealisticSensors(3))
	r.w.Qpos[2] += 0.3
	r.w.Forward()
	if err := r.robot.Read(&r.sens); err != nil {
		t.Fatal(err)
	}
	r.inekf.Reset(&r.sens)
	r.lin.Reset(&r.sens)
	land := -1
	worstFlight, worstAfter := 0.0, 0.0
	var flightContact bool
	for i := 0; i < 1500; i++ {
		tr := r.robot.Truth()
		touching := tr.Feet[0].InContact || tr.Feet[1].InContact
		if touching && land < 0 {
			land = i
		}
		bv := tr.BaseLinVel
		r.step(t)
		tt := simhal.Truth{BasePos: tr.BasePos, BaseLinVel: bv}
		r.m.add(&r.e, &tt)
		if r.m.nan {
			t.Fatalf("tick %d: non-finite estimate", i)
		}
		switch {
		case land < 0 && i > 20:
			worstFlight = math.Max(worstFlight, r.m.lastVelErr)
			if r.e.Contact[0] >= 0.5 || r.e.Contact[1] >= 0.5 {
				flightContact = true
			}
		case land >= 0 && i >= land+50:
			worstAfter = math.Max(worstAfter, r.m.lastVelErr)
		}
	}
	t.Logf("touchdown at %d ms; worst velocity error in flight %.3f m/s, from 50 ms after touchdown %.3f m/s; rejected %d",
		land, worstFlight, worstAfter, r.inekf.Stats().RejectedUpdates())
	if land < 0 {
		t.Fatal("never landed")
	}
	if flightContact {
		t.Error("a foot was taken as standing in flight")
	}
	if worstAfter > 0.2 {
		t.Errorf("velocity error %.3f m/s after landing, want ≤ 0.2", worstAfter)
	}
}

// Faults: a NaN IMU sample, a 20 ms IMU dropout (the reading held), a stuck
// knee encoder while pushed. Each is skipped and counted, the estimate stays
// finite and within the standing tolerances.
func TestFaults(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(i int, s, prev *hal.Sensors)
		check  func(st estimator.Stats) bool
	}{
		{"nan imu", func(i int, s, _ *hal.Sensors) {
			if i%500 == 250 {
				s.IMU.Gyro[1] = math.NaN()
				s.IMU.Accel[2] = math.Inf(1)
			}
		}, func(st estimator.Stats) bool { return st.IMUSkipped >= 5 }},
		{"imu dropout 20 ms", func(i int, s, prev *hal.Sensors) {
			if i >= 1000 && i < 1020 {
				s.IMU = prev.IMU
			}
		}, func(st estimator.Stats) bool { return st.IMUSkipped >= 19 }},
		{"stuck knee encoder", func(i int, s, prev *hal.Sensors) {
			if i >= 900 && i < 2500 {
				s.Q[3] = prev.Q[3]
			}
		}, func(st estimator.Stats) bool { return st.LegSkipped+st.Rejected > 0 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, sim.RealisticSensors(5))
			var prev hal.Sensors // the previous sample as delivered
			i := 0
			r.robot.Mutate = func(s *hal.Sensors) {
				if i > 0 {
					c.mutate(i, s, &prev)
				}
				prev = *s
			}
			r.run(t, 4000, true, func(k int) {
				i = k
				r.push(1000, 1000, 3, 12)(k)
			})
			r.report(t, c.name)
			st := r.inekf.Stats()
			t.Logf("stats %+v", st)
			if r.m.nan {
				t.Fatal("non-finite estimate")
			}
			if !c.check(st) {
				t.Errorf("fault not counted: %+v", st)
			}
			if v := r.m.velRMSE(); v > 0.03 {
				t.Errorf("velocity RMSE %.4f m/s, want ≤ 0.03", v)
			}
			if d := r.m.maxDrift; d > 0.02 {
				t.Errorf("drift %.4f m, want ≤ 0.02", d)
			}
		})
	}
}

// Pushed over: the filter stays finite through the fall and, with no foot
// standing and the IMU at rest, zero-velocity updates bring the velocity
// back (the IMU alone cannot: impacts leave it off by up to a metre per
// second).
func TestPushedOver(t *testing.T) {
	r := newRig(t, sim.RealisticSensors(11))
	r.run(t, 5000, true, r.push(500, 900, 10, 20))
	tr := r.robot.Truth()
	st := r.inekf.Stats()
	dv := spatial.Vec3(r.e.LinVel).Sub(tr.BaseLinVel).Norm()
	t.Logf("base at %.3f m; velocity error at the end %.3f m/s (linear KF %.3f m/s); stats %+v", tr.BasePos[2], dv,
		spatial.Vec3(r.eb.LinVel).Sub(tr.BaseLinVel).Norm(), st)
	if tr.BasePos[2] > 0.4 {
		t.Fatal("the robot did not fall: the test needs a fallen robot")
	}
	if r.m.nan {
		t.Fatal("non-finite estimate")
	}
	if st.ZeroVel == 0 {
		t.Error("no zero-velocity update while lying still")
	}
	if dv > 0.05 {
		t.Errorf("velocity error %.3f m/s lying still, want ≤ 0.05", dv)
	}
}

package sim

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// freeBox returns a model of one box of the given mass and half-sizes on a
// free joint, its collision geom with friction mu.
func freeBox(t testing.TB, mass float64, half spatial.Vec3, mu float64) *rbd.Model {
	t.Helper()
	m := rbd.NewModel("box")
	a, b, c := 2*half[0], 2*half[1], 2*half[2]
	I := spatial.Diag3(spatial.Vec3{mass * (b*b + c*c) / 12, mass * (a*a + c*c) / 12, mass * (a*a + b*b) / 12})
	m.Bodies = append(m.Bodies, rbd.Body{Name: "box", Parent: 0, Pos: spatial.Vec3{0, 0, 1}, Quat: spatial.IdentityQuat(), Mass: mass, Inertia: I})
	m.Joints = append(m.Joints, rbd.Joint{Name: "free", Type: rbd.JointFree, Body: 1})
	m.Geoms = append(m.Geoms, rbd.Geom{Name: "box", Body: 1, Type: rbd.GeomBox, Size: half, Quat: spatial.IdentityQuat(),
		Contype: 1, Conaffinity: 1, Condim: 3, Friction: [3]float64{mu, 0.005, 0.0001}, Mesh: -1})
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	return m
}

func newWorld(t testing.TB, m *rbd.Model, terrain *Terrain, opt Options) *World {
	t.Helper()
	w, err := NewWorld(m, terrain, opt)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func stepN(t testing.TB, w *World, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
	}
}

// A tumbling free body in zero gravity keeps its kinetic energy and its
// linear and angular momentum (world frame) to 1e-9 over 10 s with RK4 at
// 1 ms. (Euler is only first order; without the Lie-group correction RK4 is
// second order on rotations and drifts by 6e-8 here.)
func TestFreeBodyConservation(t *testing.T) {
	m := freeBox(t, 3, spatial.Vec3{0.3, 0.2, 0.1}, 1)
	m.Gravity = spatial.Vec3{}
	opt := DefaultOptions()
	opt.Integrator = RK4
	opt.DisableContacts = true
	w := newWorld(t, m, nil, opt)
	copy(w.Qvel, []float64{0.3, -0.2, 0.1, 1.5, -2.0, 3.0}) // spin near no principal axis
	measure := func() (float64, spatial.Force) {
		rbd.Kinematics(m, w.Data, w.Qpos)
		rbd.Velocities(m, w.Data, w.Qvel)
		e := w.Data.CInert[1].KineticEnergy(w.Data.BodyVel[1])
		return e, rbd.Momentum(m, w.Data)
	}
	e0, h0 := measure()
	stepN(t, w, int(10/opt.Timestep))
	e1, h1 := measure()
	if d := math.Abs(e1-e0) / e0; d > 1e-9 {
		t.Errorf("kinetic energy drifted by %.3g relative (%.12g → %.12g)", d, e0, e1)
	}
	for k := 0; k < 3; k++ {
		if d := math.Abs(h1.Ang[k] - h0.Ang[k]); d > 1e-9 {
			t.Errorf("angular momentum[%d] drifted by %.3g", k, d)
		}
		if d := math.Abs(h1.Lin[k] - h0.Lin[k]); d > 1e-9 {
			t.Errorf("linear momentum[%d] drifted by %.3g", k, d)
		}
	}
}

// A box dropped on flat ground comes to rest: no bouncing forever, no
// sinking, penetration within a millimetre.
func TestBoxDropComesToRest(t *testing.T) {
	m := freeBox(t, 2, spatial.Vec3{0.1, 0.15, 0.05}, 1)
	w := newWorld(t, m, FlatGround(1), DefaultOptions())
	w.Qpos[2] = 0.5
	maxPen := 0.0
	for i := 0; i < 3000; i++ {
		stepN(t, w, 1)
		for _, c := range w.Contacts {
			maxPen = math.Max(maxPen, -c.Dist)
		}
	}
	z, vz := w.Qpos[2], w.Qvel[2]
	if math.Abs(z-0.05) > 1e-3 || math.Abs(vz) > 1e-3 {
		t.Errorf("box after 3 s: height %.5f m (want 0.05 ± 0.001), vz %.2g m/s", z, vz)
	}
	if maxPen > 3e-3 {
		t.Errorf("max penetration %.2f mm, want < 3 mm", maxPen*1e3)
	}
	t.Logf("rest height %.6f m, max penetration %.3f mm, contacts %d, solver iterations %d", z, maxPen*1e3, len(w.Contacts), w.SolverIterations)
}

// A box on an incline stays put when tan θ < μ and slides with
// a = g(sin θ − μ cos θ) when not, within 2 %.
func TestBoxOnIncline(t *testing.T) {
	for _, tc := range []struct {
		theta, mu float64
		slides    bool
	}{{0.3, 0.5, false}, {0.4, 0.3, true}, {0.5, 0.2, true}} {
		m := freeBox(t, 1, spatial.Vec3{0.1, 0.1, 0.05}, 0)
		terrain := TiltedGround(tc.theta, tc.mu)
		w := newWorld(t, m, terrain, DefaultOptions())
		// rest the box on the plane, aligned with it
		n := terrain.Planes[0].Normal
		q := spatial.QuatFromAxisAngle(spatial.Vec3{0, 1, 0}, -tc.theta)
		p := n.Scale(0.05)
		copy(w.Qpos, []float64{p[0], p[1], p[2], q.W, q.X, q.Y, q.Z})
		stepN(t, w, 200) // settle
		x0, v0 := w.Qpos[0], w.Qvel[0]
		const T = 1.0
		stepN(t, w, int(T/w.Opt.Timestep))
		dx := w.Qpos[0] - x0
		// distance along the slope (x projects by cos θ)
		s := -dx / math.Cos(tc.theta)
		s0 := -v0 / math.Cos(tc.theta) * T
		if !tc.slides {
			if math.Abs(s) > 1e-4 {
				t.Errorf("θ=%.2f μ=%.2f: box moved %.3g m, want it to stick", tc.theta, tc.mu, s)
			}
			continue
		}
		a := 9.81 * (math.Sin(tc.theta) - tc.mu*math.Cos(tc.theta))
		got := 2 * (s - s0) / (T * T)
		if math.Abs(got-a)/a > 0.02 {
			t.Errorf("θ=%.2f μ=%.2f: acceleration %.4f m/s², want %.4f (2 %%)", tc.theta, tc.mu, got, a)
		}
	}
}

// Motor latency delays a command by whole steps, the lag filters it, and the
// torque–speed line limits the torque in the direction of motion.
func TestMotorModel(t *testing.T) {
	m := chain(t, []float64{1}, []float64{0.5})
	m.Actuators = append(m.Actuators, rbd.Actuator{Name: "a", Joint: 0, Gear: 1, Gain: 1})
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	m.Gravity = spatial.Vec3{}
	w := newWorld(t, m, nil, DefaultOptions())
	w.Motors[0].LatencySteps = 3
	w.Ctrl[0] = 2
	for i := 0; i < 3; i++ {
		stepN(t, w, 1)
		if w.ActuatorForce[0] != 0 {
			t.Fatalf("step %d: torque %g before the latency elapsed", i+1, w.ActuatorForce[0])
		}
	}
	stepN(t, w, 1)
	if w.ActuatorForce[0] != 2 {
		t.Fatalf("after the latency: torque %g, want 2", w.ActuatorForce[0])
	}
	// lag: a first-order response, 63 % after one time constant
	w.Reset(-1)
	w.Motors[0] = Motor{LagTimeConst: 0.01}
	w.Ctrl[0] = 1
	stepN(t, w, 10)
	if f := w.ActuatorForce[0]; f < 0.6 || f > 0.67 {
		t.Errorf("lagged torque after one time constant %.3f, want ≈ 0.63", f)
	}
	// torque–speed: full torque below the knee, half way between knee and no-load
	mo := Motor{PeakTorque: 10, MaxSpeed: 20, KneeSpeed: 10}
	for _, c := range []struct{ tau, qd, want float64 }{
		{15, 0, 10}, {-15, 5, -10}, {10, 15, 5}, {10, 25, 0}, {-10, 15, -10}, {-10, -15, -5},
	} {
		if got := mo.limit(c.tau, c.qd); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("limit(τ=%g, q̇=%g) = %g, want %g", c.tau, c.qd, got, c.want)
		}
	}
}

// Impacts never add energy: a box dropped with a bouncy contact (ζ = 0.2)
// never has more kinetic plus potential energy than it started with.
func TestNoEnergyGainOnImpact(t *testing.T) {
	m := freeBox(t, 1.5, spatial.Vec3{0.1, 0.08, 0.05}, 1)
	opt := DefaultOptions()
	opt.Contact.DampRatio = 0.2
	w := newWorld(t, m, FlatGround(1), opt)
	q := spatial.QuatFromAxisAngle(spatial.Vec3{1, 1, 0}.Normalize(), 0.3) // land on a corner
	copy(w.Qpos, []float64{0, 0, 0.5, q.W, q.X, q.Y, q.Z})
	energy := func() float64 {
		rbd.Kinematics(m, w.Data, w.Qpos)
		rbd.Velocities(m, w.Data, w.Qvel)
		return w.Data.CInert[1].KineticEnergy(w.Data.BodyVel[1]) - m.Gravity.Dot(rbd.CenterOfMass(m, w.Data))*1.5
	}
	e0 := energy()
	bounced := false
	for i := 0; i < 3000; i++ {
		stepN(t, w, 1)
		if e := energy(); e > e0+1e-6*math.Abs(e0) {
			t.Fatalf("step %d: energy %.9f J above the start's %.9f J", i, e, e0)
		}
		if w.Qvel[2] > 0.1 {
			bounced = true
		}
	}
	if !bounced {
		t.Error("the box never bounced: the test does not exercise a bouncy impact")
	}
}

// A joint limit stops a swinging pendulum at the limit (within the contact
// spring's compliance), and dry joint friction holds a joint against a torque
// below it and lets a larger one through with (τ − F)/I.
func TestJointLimitAndFrictionLoss(t *testing.T) {
	m := chain(t, []float64{2}, []float64{0.5})
	m.Joints[0].Limited, m.Joints[0].Range = true, [2]float64{-0.5, 0.5}
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, m, nil, DefaultOptions())
	w.Qvel[0] = 5 // swing hard into the upper limit
	maxQ := 0.0
	for i := 0; i < 2000; i++ {
		stepN(t, w, 1)
		maxQ = math.Max(maxQ, w.Qpos[0])
	}
	if maxQ > 0.5+0.02 {
		t.Errorf("pendulum overshot its 0.5 rad limit to %.4f rad", maxQ)
	}
	// friction loss, no gravity: inertia I = m l² = 0.5
	f := chain(t, []float64{2}, []float64{0.5})
	f.Gravity = spatial.Vec3{}
	f.Joints[0].FrictionLoss = 1.0
	if err := f.Finalize(); err != nil {
		t.Fatal(err)
	}
	w = newWorld(t, f, nil, DefaultOptions())
	w.QfrcApplied[0] = 0.8
	stepN(t, w, 1000)
	if math.Abs(w.Qpos[0]) > 1e-3 {
		t.Errorf("torque 0.8 N·m below friction 1 N·m moved the joint by %.4f rad", w.Qpos[0])
	}
	w.Reset(-1)
	w.QfrcApplied[0] = 2.0
	stepN(t, w, 1000)
	want := (2.0 - 1.0) / 0.5
	got := w.Qvel[0] / w.Time
	if math.Abs(got-want)/want > 0.02 {
		t.Errorf("acceleration %.4f rad/s² against friction, want (τ−F)/I = %.4f", got, want)
	}
}

// A drive with stiff PD gains on a very light link is stable: its PD law is
// integrated implicitly (explicitly, Kd·h/I = 80 would diverge at once), and
// it reaches its target like the continuous system.
func TestStiffDriveOnLightLink(t *testing.T) {
	m := chain(t, []float64{0.01}, []float64{0.05}) // I = m·l² = 2.5e-5 kg·m²
	m.Gravity = spatial.Vec3{}
	m.Actuators = append(m.Actuators, rbd.Actuator{Name: "a", Joint: 0, Gear: 1, Gain: 1})
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, m, nil, DefaultOptions())
	w.Drive[0] = DriveCommand{Q: 0.5, Kp: 300, Kd: 8}
	stepN(t, w, 500)
	if math.Abs(w.Qpos[0]-0.5) > 1e-6 || math.Abs(w.Qvel[0]) > 1e-6 {
		t.Errorf("after 0.5 s: q %.6g (target 0.5), q̇ %.3g", w.Qpos[0], w.Qvel[0])
	}
	// the reported torque is what the drive delivered over the step: at rest
	// at the target it is zero
	if math.Abs(w.ActuatorForce[0]) > 1e-6 {
		t.Errorf("torque at rest on target %.3g N·m", w.ActuatorForce[0])
	}
}

// A failed drive delivers no torque whatever it is commanded.
func TestFailedMotor(t *testing.T) {
	m := chain(t, []float64{1}, []float64{0.5})
	m.Actuators = append(m.Actuators, rbd.Actuator{Name: "a", Joint: 0, Gear: 1, Gain: 1})
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, m, nil, DefaultOptions())
	w.Ctrl[0] = 5
	w.Drive[0] = DriveCommand{Tau: 3, Q: 1, Kp: 100}
	w.Motors[0].Failed = true
	stepN(t, w, 10)
	if w.ActuatorForce[0] != 0 || w.QfrcActuator[0] != 0 {
		t.Errorf("failed drive delivered %g N·m", w.ActuatorForce[0])
	}
}

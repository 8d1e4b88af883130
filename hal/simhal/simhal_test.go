package simhal

import (
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
)

func newRobot(t *testing.T, p sim.SensorParams) *Robot { return newRobotTB(t, p) }

func newRobotTB(t testing.TB, p sim.SensorParams) *Robot {
	t.Helper()
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(m, nil, sim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(w, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// hold returns a command holding the current joint positions.
func hold(r *Robot, s *hal.Sensors) hal.Commands {
	c := hal.Commands{N: s.N}
	for i := 0; i < s.N; i++ {
		c.Joint[i] = hal.JointCommand{Q: s.Q[i], Kp: 300, Kd: 8}
	}
	return c
}

// A NaN or infinite command is rejected with an error naming the joint; the
// previous command stays in force and the simulation stays finite.
func TestBadCommandRejected(t *testing.T) {
	r := newRobot(t, sim.SensorParams{})
	var s hal.Sensors
	if err := r.Read(&s); err != nil {
		t.Fatal(err)
	}
	good := hold(r, &s)
	if err := r.Write(&good); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Joint[3].Tau = math.NaN()
	err := r.Write(&bad)
	if err == nil || !strings.Contains(err.Error(), "left_knee_pitch") || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("NaN torque: got %v, want an error naming left_knee_pitch", err)
	}
	bad = good
	bad.Joint[0].Q = math.Inf(-1)
	if err := r.Write(&bad); err == nil {
		t.Fatal("an infinite target was accepted")
	}
	if r.World.Drive[3].Tau != 0 || r.World.Drive[3].Kp != 300 {
		t.Fatalf("rejected command reached the drives: %+v", r.World.Drive[3])
	}
	for i := 0; i < 500; i++ {
		if err := r.Advance(0.001); err != nil {
			t.Fatal(err)
		}
	}
	for i, q := range r.World.Qpos {
		if math.IsNaN(q) {
			t.Fatalf("qpos[%d] is NaN", i)
		}
	}
	if z := r.Truth().BasePos[2]; z < 0.7 {
		t.Errorf("robot fell (base at %.3f m) after a rejected command", z)
	}
}

// Halt makes every drive a pure damper.
func TestHaltDamps(t *testing.T) {
	r := newRobot(t, sim.SensorParams{})
	if err := r.Halt(); err != nil {
		t.Fatal(err)
	}
	for i, d := range r.World.Drive {
		if d.Kp != 0 || d.Tau != 0 || d.Kd != HaltDamping {
			t.Fatalf("drive %d after Halt: %+v", i, d)
		}
	}
	if !r.Halted() {
		t.Fatal("Halted() is false after Halt")
	}
}

// Ideal sensors read the true state; the IMU's accelerometer reads +g up at
// rest, its orientation the base's; sequence numbers advance per Read.
func TestSensorsIdealAtRest(t *testing.T) {
	r := newRobot(t, sim.SensorParams{})
	var s hal.Sensors
	_ = r.Read(&s)
	c := hold(r, &s)
	_ = r.Write(&c)
	for i := 0; i < 4000; i++ { // settle
		_ = r.Advance(0.001)
	}
	seq := s.Seq
	if err := r.Read(&s); err != nil {
		t.Fatal(err)
	}
	if s.Seq != seq+1 {
		t.Errorf("Seq went %d → %d, want +1", seq, s.Seq)
	}
	w := r.World
	m := w.Model
	for i := range m.Actuators {
		j := &m.Joints[m.Actuators[i].Joint] // independent of r.Joints, which this checks
		if s.Q[i] != w.Qpos[j.QAdr] || s.Qd[i] != w.Qvel[j.DofAdr] {
			t.Fatalf("joint %d: sensor (%g, %g), state (%g, %g)", i, s.Q[i], s.Qd[i], w.Qpos[j.QAdr], w.Qvel[j.DofAdr])
		}
		if r.Joints.QAdr[i] != j.QAdr || r.Joints.DofAdr[i] != j.DofAdr || r.Joints.Names[i] != r.Info().Joints[i].Name {
			t.Fatalf("joint %d: map %d/%d/%s, model %d/%d/%s", i, r.Joints.QAdr[i], r.Joints.DofAdr[i], r.Joints.Names[i], j.QAdr, j.DofAdr, j.Name)
		}
	}
	// specific force at rest: gravity reaction along the IMU's up axis
	a := s.IMU.Accel
	if n := math.Sqrt(a[0]*a[0] + a[1]*a[1] + a[2]*a[2]); math.Abs(n-9.81) > 0.05 {
		t.Errorf("|accel| at rest %.4f m/s², want 9.81 ± 0.05", n)
	}
	tr := r.Truth()
	q := s.IMU.Quat
	dot := math.Abs(q[0]*tr.BaseQuat.W + q[1]*tr.BaseQuat.X + q[2]*tr.BaseQuat.Y + q[3]*tr.BaseQuat.Z)
	if dot < 1-1e-9 {
		t.Errorf("IMU orientation differs from the base's (|⟨q, q_true⟩| = %.12f)", dot)
	}
	for k := 0; k < 3; k++ {
		if math.Abs(s.IMU.Gyro[k]) > 1e-3 {
			t.Errorf("gyro[%d] = %.3g rad/s at rest", k, s.IMU.Gyro[k])
		}
	}
	if !tr.Feet[0].InContact || !tr.Feet[1].InContact {
		t.Errorf("feet not in contact while standing: %+v", tr.Feet)
	}
}

// Noisy sensors: encoder readings fall on the quantisation grid, noise has the
// configured spread, and the same seed gives the same readings.
func TestSensorNoiseReproducible(t *testing.T) {
	p := sim.RealisticSensors(7)
	read := func() []float64 {
		r := newRobot(t, p)
		var out []float64
		var s hal.Sensors
		for i := 0; i < 200; i++ {
			_ = r.Read(&s)
			out = append(out, s.Q[0], s.Qd[0], s.IMU.Gyro[2])
		}
		return out
	}
	a, b := read(), read()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("reading %d differs between runs with the same seed", i)
		}
	}
	step := 2 * math.Pi / p.EncoderCounts
	var sum, sum2 float64
	n := 0
	for i := 0; i < len(a); i += 3 {
		if k := a[i] / step; math.Abs(k-math.Round(k)) > 1e-6 {
			t.Fatalf("encoder reading %g is off the %g rad grid", a[i], step)
		}
		sum += a[i+1]
		sum2 += a[i+1] * a[i+1]
		n++
	}
	sd := math.Sqrt(sum2/float64(n) - (sum/float64(n))*(sum/float64(n)))
	if sd < 0.5*p.JointVelNoise || sd > 1.5*p.JointVelNoise {
		t.Errorf("joint velocity noise σ = %.4f, configured %.4f", sd, p.JointVelNoise)
	}
}

// Freeze replays the last sample (a stale stream); Mutate edits samples.
func TestFaultInjectionHooks(t *testing.T) {
	r := newRobot(t, sim.SensorParams{})
	var s hal.Sensors
	_ = r.Read(&s)
	r.Freeze = true
	_ = r.Advance(0.01)
	var s2 hal.Sensors
	_ = r.Read(&s2)
	if s2.Seq != s.Seq {
		t.Errorf("frozen stream advanced its sequence %d → %d", s.Seq, s2.Seq)
	}
	r.Freeze = false
	r.Mutate = func(x *hal.Sensors) { x.Q[2] = math.NaN() }
	_ = r.Read(&s2)
	if !math.IsNaN(s2.Q[2]) {
		t.Error("Mutate did not reach the sample")
	}
}

package esteval

import (
	"strings"
	"testing"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

func robot(t *testing.T) *simhal.Robot {
	m, err := models.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(m, nil, sim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	r, err := simhal.New(w, sim.SensorParams{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// run holds the robot's joints for n ticks with the tap in the loop.
func run(t *testing.T, r *simhal.Robot, tap *Tap, n int) {
	var s hal.Sensors
	var e estimator.Estimate
	if err := r.Read(&s); err != nil {
		t.Fatal(err)
	}
	tap.Reset(&s)
	c := hal.Commands{N: s.N}
	for i := 0; i < s.N; i++ {
		c.Joint[i] = hal.JointCommand{Q: s.Q[i], Kp: 400, Kd: 10}
	}
	for i := 0; i < n; i++ {
		if err := r.Read(&s); err != nil {
			t.Fatal(err)
		}
		tap.Update(&s, &e)
		if err := r.Write(&c); err != nil {
			t.Fatal(err)
		}
		if err := r.Advance(0.001); err != nil {
			t.Fatal(err)
		}
	}
}

// The truth estimator scores zero error; the InEKF a small one, with the
// baseline beside it; IMUOnly reports no velocity or position figures.
func TestTapScores(t *testing.T) {
	r := robot(t)
	est, _ := New("truth", r)
	tap, err := NewTap("truth", est, r)
	if err != nil {
		t.Fatal(err)
	}
	run(t, r, tap, 300)
	m, b := tap.Report()
	if b != nil || m.VelRMSE == nil || *m.VelRMSE != 0 || *m.HeightErrorRMS != 0 || *m.PosDrift != 0 || m.Ticks != 300 {
		t.Errorf("truth scored %+v (baseline %v), want zero errors over 300 ticks and no baseline", m, b)
	}

	r = robot(t)
	est, err = New("inekf", r)
	if err != nil {
		t.Fatal(err)
	}
	tap, _ = NewTap("inekf", est, r)
	run(t, r, tap, 1000)
	m, b = tap.Report()
	t.Logf("inekf: %v\nbaseline: %v", m, b)
	if b == nil || b.Name != "linear" || m.VelRMSE == nil || *m.VelRMSE > 0.01 || *m.HeightErrorRMS > 0.005 {
		t.Errorf("inekf scored %v, baseline %v", m, b)
	}

	r = robot(t)
	est, _ = New("imu", r)
	tap, _ = NewTap("imu", est, r)
	run(t, r, tap, 10)
	if m, _ = tap.Report(); m.VelRMSE != nil || m.PosDrift != nil || m.YawDriftDeg == nil {
		t.Errorf("imu scored %v: want no velocity or position figures, a yaw figure", m)
	}
}

// Unknown names and a re-run of truth are refused with the choices named.
func TestNames(t *testing.T) {
	r := robot(t)
	if _, err := New("kalman", r); err == nil || !strings.Contains(err.Error(), "inekf, linear, imu, truth") {
		t.Errorf("New(kalman): %v", err)
	}
	m := r.World.Model
	if _, _, err := ForModel("truth", m, rbd.ActuatedJointNames(m)); err == nil || !strings.Contains(err.Error(), "cannot re-run") {
		t.Errorf("ForModel(truth): %v", err)
	}
	for _, n := range []string{"inekf", "linear", "imu"} {
		if e, desc, err := ForModel(n, m, rbd.ActuatedJointNames(m)); err != nil || e == nil || desc == "" {
			t.Errorf("ForModel(%s): %v", n, err)
		}
	}
}

package esteval

import (
	"math"
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
	run(t, r, tap, 2000)
	m, b = tap.Report()
	t.Logf("inekf: %v\nbaseline: %v", m, b)
	if b == nil || b.Name != "linear" || m.VelRMSE == nil || *m.VelRMSE > 0.01 || *m.HeightErrorRMS > 0.005 {
		t.Errorf("inekf scored %v, baseline %v", m, b)
	}
	// Standing still on ideal sensors the InEKF's errors are far inside its
	// covariance: NEES scored (from 1 s on), its mean well below 9; the
	// baseline has none.
	if m.NEESMean == nil || m.NEESInBand == nil || *m.NEESMean > 9 || *m.NEESMean <= 0 || b.NEESMean != nil {
		t.Errorf("NEES: inekf mean %v in band %v, baseline %v: want a mean in (0, 9] for the InEKF, none for the baseline", m.NEESMean, m.NEESInBand, b.NEESMean)
	}

	r = robot(t)
	est, _ = New("imu", r)
	tap, _ = NewTap("imu", est, r)
	run(t, r, tap, 10)
	if m, _ = tap.Report(); m.VelRMSE != nil || m.PosDrift != nil || m.YawDriftDeg == nil {
		t.Errorf("imu scored %v: want no velocity or position figures, a yaw figure", m)
	}
}

// mahalanobis9 is ξᵀC⁻¹ξ: on a diagonal C the sum of ξᵢ²/Cᵢᵢ, on a full
// one what its inverse gives, and it refuses a C that is not positive
// definite.
func TestMahalanobis9(t *testing.T) {
	var C, L [81]float64
	var xi [9]float64
	want := 0.0
	for i := 0; i < 9; i++ {
		C[i*9+i] = float64(i + 1)
		xi[i] = float64(i) - 4
		want += xi[i] * xi[i] / float64(i+1)
	}
	C[1], C[9] = 0.5, 0.5 // couple 0 and 1: inverse of [[1, .5], [.5, 2]] is [[2, −.5], [−.5, 1]]/1.75
	want += -(xi[0]*xi[0]/1 + xi[1]*xi[1]/2) + (2*xi[0]*xi[0]-xi[0]*xi[1]+xi[1]*xi[1])/1.75
	got, ok := mahalanobis9(&C, &xi, &L)
	if !ok || math.Abs(got-want) > 1e-12 {
		t.Errorf("mahalanobis9 = %v (%v), want %v", got, ok, want)
	}
	C[4*9+4] = -1
	if _, ok := mahalanobis9(&C, &xi, &L); ok {
		t.Error("a covariance with a negative variance was accepted")
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

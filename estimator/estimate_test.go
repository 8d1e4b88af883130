package estimator

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/hal"
)

// IMUOnly normalises the IMU quaternion, turns the gyro into world axes and
// claims nothing else; a quaternion that is no rotation leaves everything
// invalid.
func TestIMUOnly(t *testing.T) {
	// 90° about z, given with norm 1.2: body x is world y.
	c := math.Sqrt(0.5)
	s := hal.Sensors{IMU: hal.IMU{Quat: [4]float64{1.2 * c, 0, 0, 1.2 * c}, Gyro: [3]float64{1, 0, 0.5}}}
	var e Estimate
	e.PositionValid, e.Pos = true, [3]float64{1, 2, 3} // must be cleared
	IMUOnly{}.Update(&s, &e)
	// 1.2 is inside the accepted norm band (0.5, 1.5).
	if !e.OrientationValid || e.PositionValid || e.VelocityValid || e.ContactValid || e.Pos != [3]float64{} {
		t.Fatalf("validity %+v", e)
	}
	const tol = 1e-12
	want := [4]float64{c, 0, 0, c}
	for k := range want {
		if math.Abs(e.Quat[k]-want[k]) > tol {
			t.Errorf("quat %v, want %v", e.Quat, want)
		}
	}
	wantW := [3]float64{0, 1, 0.5}
	for k := range wantW {
		if math.Abs(e.AngVel[k]-wantW[k]) > tol {
			t.Errorf("angvel %v, want %v", e.AngVel, wantW)
		}
	}
	for _, q := range [][4]float64{{0, 0, 0, 0}, {math.NaN(), 0, 0, 0}, {3, 0, 0, 0}} {
		s.IMU.Quat = q
		IMUOnly{}.Update(&s, &e)
		if e.OrientationValid || e != (Estimate{}) {
			t.Errorf("quat %v: estimate %+v, want empty", q, e)
		}
	}
}

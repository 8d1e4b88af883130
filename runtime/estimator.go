package runtime

import (
	"math"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Estimate is what the estimator believes about the floating base. The
// Valid flags say which parts it actually knows; the rest are zero and no
// check or controller may use them.
type Estimate struct {
	Quat   [4]float64 // base orientation in world (w, x, y, z); valid with OrientationValid
	AngVel [3]float64 // rad/s, world; valid with OrientationValid
	Pos    [3]float64 // m, world; valid with PositionValid
	LinVel [3]float64 // m/s, world; valid with VelocityValid
	// Contact is each foot's contact probability (left, right); valid with
	// ContactValid.
	Contact [2]float64

	OrientationValid bool
	PositionValid    bool
	VelocityValid    bool
	ContactValid     bool
}

// Estimator turns sensor samples into an Estimate. It is called once per
// tick, right after the read, from the loop's goroutine, and must not
// allocate. The base state estimator of the estimator package plugs in here
// (through an adapter: estimator must not import runtime).
type Estimator interface {
	// Reset forgets the past; s is the first sample of a run.
	Reset(s *hal.Sensors)
	// Update folds in the newest sample and writes the estimate.
	Update(s *hal.Sensors, e *Estimate)
}

// IMUOnly is the placeholder estimator until the real one exists: it passes
// the IMU's orientation through as the base orientation (the IMU is taken to
// be mounted on the base, aligned with it) and turns the gyro's rate into
// world axes. Position, linear velocity and contacts are unknown: their Valid
// flags stay false, so fall detection checks tilt only, not height.
type IMUOnly struct{}

var _ Estimator = IMUOnly{}

// Reset implements Estimator.
func (IMUOnly) Reset(*hal.Sensors) {}

// Update implements Estimator.
func (IMUOnly) Update(s *hal.Sensors, e *Estimate) {
	*e = Estimate{}
	q := s.IMU.Quat
	n := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
	if !(n > 0.5 && n < 1.5) { // NaN or not a rotation: orientation unknown
		return
	}
	u := spatial.Quat{W: q[0] / n, X: q[1] / n, Y: q[2] / n, Z: q[3] / n}
	e.Quat = [4]float64{u.W, u.X, u.Y, u.Z}
	e.AngVel = u.Rotate(spatial.Vec3(s.IMU.Gyro))
	e.OrientationValid = true
}

// tilt returns the angle (rad) between the body z axis of orientation q and
// the world's vertical: cos(tilt) = 1 − 2(x² + y²) for a unit quaternion.
func tilt(q [4]float64) float64 {
	c := 1 - 2*(q[1]*q[1]+q[2]*q[2])
	return math.Acos(math.Max(-1, math.Min(1, c)))
}

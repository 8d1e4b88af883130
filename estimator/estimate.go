package estimator

import (
	"math"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Estimate is what an estimator believes about the floating base. The Valid
// flags say which parts it actually knows; the rest are zero and no check or
// controller may use them.
type Estimate struct {
	Quat   [4]float64 // base orientation in world (w, x, y, z); valid with OrientationValid
	AngVel [3]float64 // rad/s, world; valid with OrientationValid
	Pos    [3]float64 // m, world; valid with PositionValid
	LinVel [3]float64 // m/s, world; valid with VelocityValid
	// Contact is each foot's contact probability (left, right); valid with
	// ContactValid.
	Contact [2]float64
	// GyroBias (rad/s) and AccelBias (m/s²) are the IMU biases the filter
	// has learned, in the IMU's axes; zero when it does not estimate them.
	GyroBias, AccelBias [3]float64
	// Cov is the covariance's diagonal: orientation error x, y, z (rad²),
	// velocity x, y, z (m²/s²), position x, y, z (m²). Zero where the part
	// is not valid, or when the estimator keeps no covariance.
	Cov [9]float64

	OrientationValid bool
	PositionValid    bool
	VelocityValid    bool
	ContactValid     bool
}

// ContactSchedule is what a gait controller publishes for the estimator: the
// stance it plans for each foot now. The estimator may use it as a contact
// prior; with Valid false there is no schedule and the estimator detects
// contact on its own.
type ContactSchedule struct {
	Valid     bool       // false: no schedule
	Stance    [2]bool    // planned stance now (left, right)
	Phase     [2]float64 // progress 0..1 through the current stance or swing of each foot
	Remaining [2]float64 // s left in the current stance or swing of each foot
}

// IMUOnly is the placeholder estimator until the real one exists: it passes
// the IMU's orientation through as the base orientation (the IMU is taken to
// be mounted on the base, aligned with it) and turns the gyro's rate into
// world axes. Position, linear velocity and contacts are unknown: their Valid
// flags stay false, so fall detection checks tilt only, not height. It
// ignores contact schedules and allocates nothing.
type IMUOnly struct{}

// Reset forgets the past; IMUOnly has none.
func (IMUOnly) Reset(*hal.Sensors) {}

// Update writes the estimate for sample s.
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

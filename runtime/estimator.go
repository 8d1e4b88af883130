package runtime

import (
	"math"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// Estimator turns sensor samples into an estimator.Estimate. It is called
// once per tick, right after the read, from the loop's goroutine, and must
// not allocate. estimator.IMUOnly and the estimator package's filter
// implement it directly.
type Estimator interface {
	// Reset forgets the past; s is the first sample of a run.
	Reset(s *hal.Sensors)
	// Update folds in the newest sample and writes the estimate.
	Update(s *hal.Sensors, e *estimator.Estimate)
}

// ScheduleReceiver is implemented by estimators that use the gait
// controller's contact schedule. The loop calls SetSchedule every tick,
// before Update, with the schedule the controller published on the tick
// before (Valid false when there is none).
type ScheduleReceiver interface {
	SetSchedule(s *estimator.ContactSchedule)
}

var _ Estimator = estimator.IMUOnly{}

// RecordEstimate writes estimate e as its telemetry record b: the parts the
// estimate does not know (their Valid flag false) are recorded as zero. It is
// the one place the base-state estimate becomes telemetry.
func RecordEstimate(b *telemetry.BaseState, e *estimator.Estimate) {
	*b = telemetry.BaseState{Quat: e.Quat, AngVel: e.AngVel}
	if e.PositionValid {
		b.Pos = e.Pos
	}
	if e.VelocityValid {
		b.LinVel = e.LinVel
	}
	if e.ContactValid {
		b.Contact = e.Contact
	}
}

// tilt returns the angle (rad) between the body z axis of orientation q and
// the world's vertical: cos(tilt) = 1 − 2(x² + y²) for a unit quaternion.
func tilt(q [4]float64) float64 {
	c := 1 - 2*(q[1]*q[1]+q[2]*q[2])
	return math.Acos(math.Max(-1, math.Min(1, c)))
}

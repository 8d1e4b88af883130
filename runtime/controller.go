package runtime

import (
	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/locomotion"
)

// Controller is what locomotion mode runs: the gait controller, once it
// exists. Its methods are called from the loop's goroutine; Step and Err
// must not allocate. The input's types live in locomotion and estimator, so
// a controller in locomotion implements this interface directly.
//
// Lifecycle: Start on the tick locomotion mode is entered (a controller with
// a goroutine, such as an MPC solver, starts it here); Step once per tick
// while in locomotion mode; Stop on the tick the mode is left and on
// Loop.Close. After a Step, Err reports a failure (a solver that diverged or
// fell behind, a goroutine that died); a non-nil error, or one returned by
// Start, trips the safety layer's FaultController, which damps the robot and
// logs the error's text in the fault event.
type Controller interface {
	// Name says what the controller is; it is logged on entering locomotion.
	Name() string
	// Start readies the controller to run from the input's state, clearing
	// any earlier failure. An error refuses locomotion (FaultController).
	Start(in *locomotion.Input) error
	// Step writes the command for one tick.
	Step(in *locomotion.Input, out *hal.Commands)
	// Stop ends what Start began and waits for any goroutine to finish.
	// It is called once after each Start that returned nil.
	Stop()
	// Err returns the controller's failure, or nil while it is healthy.
	Err() error
}

// GaitReporter is implemented by controllers that know their gait and phase;
// the loop records them in telemetry.
type GaitReporter interface {
	Gait() (g locomotion.Gait, phase float64)
}

// SchedulePublisher is implemented by controllers that plan foot contacts.
// After each Step in locomotion mode the loop asks for the schedule and
// hands it to the estimator on the next tick (see ScheduleReceiver); in every
// other mode the estimator gets a schedule with Valid false.
type SchedulePublisher interface {
	// Schedule writes the contact schedule in force after the last Step.
	Schedule(s *estimator.ContactSchedule)
}

// standIn is locomotion mode's placeholder until the gait controller exists:
// it holds the stand posture with the stand gains and ignores velocity
// commands. Its name says so in the log; nothing pretends to walk.
type standIn struct{ stand *locomotion.Stand }

const standInName = "placeholder locomotion (no gait controller yet): holds the stand posture, ignores velocity"

func (s *standIn) Name() string                                 { return standInName }
func (s *standIn) Start(*locomotion.Input) error                { return nil }
func (s *standIn) Step(in *locomotion.Input, out *hal.Commands) { s.stand.Step(in.Sensors, out) }
func (s *standIn) Stop()                                        {}
func (s *standIn) Err() error                                   { return nil }
func (s *standIn) Gait() (locomotion.Gait, float64)             { return locomotion.GaitStand, 0 }

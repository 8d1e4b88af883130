package runtime

import (
	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/locomotion"
)

// ControlInput is what a controller sees on a tick. The pointers stay valid
// for the loop's life; their contents change every tick.
type ControlInput struct {
	Time     float64      // s, loop time of the tick
	Sensors  *hal.Sensors // this tick's sample
	Estimate *Estimate    // this tick's estimate
	Input    *Input       // the command in force
	Home     []float64    // the home pose, in hal joint order (read only)
}

// Controller is what locomotion mode runs: the gait controller, once it
// exists. It is called from the loop's goroutine and must not allocate.
// (locomotion must not import runtime: its controllers plug in through an
// adapter.)
type Controller interface {
	// Name says what the controller is; it is logged on entering locomotion.
	Name() string
	// Start is called on the tick locomotion mode is entered.
	Start(c *ControlInput)
	// Step writes the command for one tick.
	Step(c *ControlInput, out *hal.Commands)
}

// GaitReporter is implemented by controllers that know their gait and phase;
// the loop records them in telemetry.
type GaitReporter interface {
	Gait() (g Gait, phase float64)
}

// standIn is locomotion mode's placeholder until the gait controller exists:
// it holds the stand posture with the stand gains and ignores velocity
// commands. Its name says so in the log; nothing pretends to walk.
type standIn struct{ stand *locomotion.Stand }

const standInName = "placeholder locomotion (no gait controller yet): holds the stand posture, ignores velocity"

func (s *standIn) Name() string                            { return standInName }
func (s *standIn) Start(*ControlInput)                     {}
func (s *standIn) Step(c *ControlInput, out *hal.Commands) { s.stand.Step(c.Sensors, out) }
func (s *standIn) Gait() (Gait, float64)                   { return GaitStand, 0 }

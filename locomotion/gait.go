package locomotion

import (
	"fmt"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/hal"
)

// Gait is the kind of gait a command asks for. Its number is what
// telemetry.Tick.Gait records.
type Gait uint8

// Gaits.
const (
	GaitStand Gait = iota
	GaitWalk
	GaitRun
	numGaits
)

var gaitNames = [numGaits]string{"stand", "walk", "run"}

func (g Gait) String() string {
	if g < numGaits {
		return gaitNames[g]
	}
	return fmt.Sprintf("Gait(%d)", g)
}

// Valid reports whether g is one of the gaits.
func (g Gait) Valid() bool { return g < numGaits }

// GaitNames returns the gaits' names by number (for a log's header).
func GaitNames() []string { return append([]string(nil), gaitNames[:]...) }

// ParseGait turns a gait's name into a Gait.
func ParseGait(s string) (Gait, error) {
	for i, n := range gaitNames {
		if s == n {
			return Gait(i), nil
		}
	}
	return 0, fmt.Errorf("unknown gait %q: want stand, walk or run", s)
}

// Command is the set-points in force: what the user asks the robot to do.
type Command struct {
	Vx, Vy  float64 // m/s, forward and left, in the base's heading frame
	YawRate float64 // rad/s, counter-clockwise seen from above
	Height  float64 // m, offset of the standing height from the home pose's
	Gait    Gait
}

// Input is what a controller sees on a tick. The runtime's loop keeps one
// for its whole life: the pointers stay valid, their contents change every
// tick. A controller reads it and must not write through it.
type Input struct {
	Time     float64             // s, loop time of the tick
	Sensors  *hal.Sensors        // this tick's sample
	Estimate *estimator.Estimate // this tick's estimate
	Command  *Command            // the set-points in force
	Home     []float64           // the home pose, in hal joint order (rad)
}

package simrun

import (
	"testing"

	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/tools/locoeval"

	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim/scene"
)

// The built-in robot's walking profile derives, and the locomotion probe,
// which runs in the recorder's seat on every tick, allocates nothing; both
// feet of the robot standing on its start keyframe are found in contact.
func TestLocoProbe(t *testing.T) {
	robot, _, err := Robot(scene.Spec{Timestep: 0.001, Integrator: "euler", Terrain: "flat"}, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	wk, err := Walker(robot)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newLocoProbe(robot, wk, 0.001)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if err := robot.Advance(0.001); err != nil {
			t.Fatal(err)
		}
	}
	tk := &telemetry.Tick{Mode: uint8(runtime.ModeLocomotion)}
	if a := testing.AllocsPerRun(100, func() { tk.Time += 0.001; p.record(tk) }); a != 0 {
		t.Errorf("record allocates %g times a tick", a)
	}
	if !p.s.Contact[0] || !p.s.Contact[1] {
		t.Errorf("contacts %v, want both feet down", p.s.Contact)
	}
	if r := p.meter.Report(); r == nil || r.Seconds < 0.1 {
		t.Errorf("report %+v", r)
	}
}

// locoeval's gait numbers are locomotion's (it may not import locomotion).
func TestLocoevalGaits(t *testing.T) {
	if locoeval.GaitStand != uint8(locomotion.GaitStand) || locoeval.GaitWalk != uint8(locomotion.GaitWalk) || locoeval.GaitRun != uint8(locomotion.GaitRun) {
		t.Error("locoeval's gait numbers differ from locomotion's")
	}
}

package simhal

import (
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// momentum returns the robot's total linear momentum (N·s, world).
func momentum(r *Robot) spatial.Vec3 {
	w := r.World
	d := rbd.NewData(w.Model)
	rbd.Kinematics(w.Model, d, w.Qpos)
	rbd.Velocities(w.Model, d, w.Qvel)
	return rbd.Momentum(w.Model, d).Lin
}

// A push of a known impulse, given in the heading frame of a robot turned
// 90° and floating well above the ground (joints damped), changes its total
// linear momentum by that impulse turned into the world, plus gravity's
// M·g·t over the same time: to 0.01 N·s, 0.05 % of the impulse. (Without
// a push the momentum follows gravity to rounding; with one, the spin the
// off-centre push gives the robot and the integrator's step leave about
// 0.001 N·s.)
func TestPushChangesMomentum(t *testing.T) {
	r := newRobot(t, sim.SensorParams{})
	w := r.World
	w.Qpos[2] += 5 // far above the floor: no contact
	yaw := math.Pi / 2
	w.Qpos[3], w.Qpos[4], w.Qpos[5], w.Qpos[6] = math.Cos(yaw/2), 0, 0, math.Sin(yaw/2)
	if err := r.Halt(); err != nil {
		t.Fatal(err)
	}
	p0 := momentum(r)
	t0 := w.Time
	imp := [3]float64{20, -5, 3} // N·s: forward, right, up in the heading frame
	if err := r.Push(imp, 0.05); err != nil {
		t.Fatal(err)
	}
	if !r.Pushing() {
		t.Fatal("Pushing() is false right after Push")
	}
	if err := r.Advance(0.1); err != nil { // the push and as long again after it
		t.Fatal(err)
	}
	if r.Pushing() {
		t.Fatal("still pushing 0.1 s after a 0.05 s push")
	}
	if len(w.Contacts) != 0 {
		t.Fatalf("%d contacts: the robot is meant to float", len(w.Contacts))
	}
	mass := w.Model.TotalMass()
	g := w.Model.Gravity.Scale(mass * (w.Time - t0))
	want := spatial.Vec3{-imp[1], imp[0], imp[2]}.Add(g) // heading x is world y after a 90° yaw
	got := momentum(r).Sub(p0)
	if d := got.Sub(want); math.Sqrt(d.Dot(d)) > 0.01 {
		t.Fatalf("momentum changed by %v N·s, want %v (the impulse in the world, plus gravity)", got, want)
	}
	if f := w.XfrcApplied[baseBody].Lin; f != (spatial.Vec3{}) {
		t.Fatalf("applied force left on the base after the push: %v", f)
	}
}

// A push with a non-finite impulse or a bad duration is refused, naming
// what is wrong, and nothing is pushed.
func TestPushRefusesBadInput(t *testing.T) {
	r := newRobot(t, sim.SensorParams{})
	for _, c := range []struct {
		imp  [3]float64
		dur  float64
		want string
	}{
		{[3]float64{math.NaN(), 0, 0}, 0.05, "impulse[0]"},
		{[3]float64{0, 0, math.Inf(1)}, 0.05, "impulse[2]"},
		{[3]float64{1, 0, 0}, 0, "duration"},
		{[3]float64{1, 0, 0}, math.NaN(), "duration"},
	} {
		err := r.Push(c.imp, c.dur)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Push(%v, %v): got %v, want an error naming %s", c.imp, c.dur, err, c.want)
		}
		if r.Pushing() {
			t.Errorf("Push(%v, %v) was refused but a push is under way", c.imp, c.dur)
		}
	}
}

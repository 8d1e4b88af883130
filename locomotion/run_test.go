package locomotion

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/sim/spatial"
)

// The walk ↔ run selection: a run command runs at any speed; a walk command
// runs above FroudeUp and walks again only below FroudeDown (hysteresis);
// with Auto off it always walks; a stand request while running keeps
// running until the speed is below the StopFroude speed.
func TestGaitSelector(t *testing.T) {
	c := DefaultRunConfig()
	const g, leg = 9.81, 0.7
	up, down, stop := math.Sqrt(c.FroudeUp*g*leg), math.Sqrt(c.FroudeDown*g*leg), math.Sqrt(c.StopFroude*g*leg)
	var s gaitSelector
	for _, st := range []struct {
		gait Gait
		v    float64
		want bool
	}{
		{GaitWalk, 0, false}, {GaitWalk, up - 0.01, false}, {GaitWalk, up + 0.01, true},
		{GaitWalk, (up + down) / 2, true}, {GaitWalk, down + 0.01, true}, {GaitWalk, down - 0.01, false},
		{GaitWalk, (up + down) / 2, false}, {GaitRun, 0, true}, {GaitStand, 3, true}, {GaitStand, down - 0.01, true}, {GaitStand, stop - 0.01, false},
	} {
		if got := s.update(&c, st.gait, st.v, g, leg); got != st.want {
			t.Errorf("%v at %.3f m/s: run %v, want %v", st.gait, st.v, got, st.want)
		}
	}
	if s.changes != 4 {
		t.Errorf("%d changes, want 4", s.changes)
	}
	c.Auto = false
	if s.update(&c, GaitWalk, 5, g, leg) {
		t.Error("auto off: a walk command at 5 m/s runs")
	}
}

// The duty factor is continuous in time through a switch at any phase and
// in speed along the gait's curve: it never moves more than DutyRate·dt a
// tick; running it settles ≤ RunDutyMax (a flight each step: both feet off
// in the plan), walking ≥ WalkDutyMin (double support).
func TestSchedulerRunBlend(t *testing.T) {
	s, err := NewScheduler(DefaultTiming())
	if err != nil {
		t.Fatal(err)
	}
	s.Run = DefaultRunConfig()
	const dt = 0.001
	prev := s.Duty()
	var flight, double int
	for i := 0; i < 20000; i++ {
		v := math.Min(float64(i)*dt*0.5, 4) // ramp 0 → 4 m/s
		run := (i/2500)%2 == 1              // switch every 2.5 s, at whatever phase
		s.SetRun(run)
		s.Update(dt, true, v)
		if d := math.Abs(s.Duty() - prev); d > s.Run.DutyRate*dt+1e-12 {
			t.Fatalf("tick %d: duty jumped by %g", i, d)
		}
		prev = s.Duty()
		if i%2500 > 1500 { // settled
			if run && s.Duty() > s.Run.RunDutyMax+1e-9 || !run && s.Duty() < s.Run.WalkDutyMin-1e-9 {
				t.Fatalf("tick %d (run %v, %.2f m/s): duty %g", i, run, v, s.Duty())
			}
			if run && s.InFlight() {
				flight++
			}
			if !run && s.InDoubleSupport() {
				double++
			}
		}
	}
	if flight == 0 || double == 0 {
		t.Errorf("planned flight ticks %d, double-support ticks %d: want both", flight, double)
	}
}

// Free fall: position and velocity, and the touchdown time solves the
// height equation (rising, falling, already below, never reaching).
func TestBallisticTouchdown(t *testing.T) {
	const g = 9.81
	p, v := Ballistic(spatial.Vec3{1, 2, 0.7}, spatial.Vec3{3, 0, 0.5}, g, 0.2)
	if math.Abs(p[0]-1.6) > 1e-12 || math.Abs(p[2]-(0.7+0.1-0.5*g*0.04)) > 1e-12 || math.Abs(v[2]-(0.5-g*0.2)) > 1e-12 {
		t.Errorf("ballistic %v %v", p, v)
	}
	for _, c := range [][3]float64{{0.72, 0.5, 0.7}, {0.72, -0.3, 0.7}, {0.9, 0, 0.7}} {
		tt := TouchdownTime(c[0], c[1], g, c[2])
		if z := c[0] + c[1]*tt - 0.5*g*tt*tt; math.Abs(z-c[2]) > 1e-9 || tt < 0 || c[1]-g*tt > 0 {
			t.Errorf("TouchdownTime(%v) = %g: height there %g, falling %v", c, tt, z, c[1]-g*tt <= 0)
		}
	}
	if tt := TouchdownTime(0.6, -1, g, 0.7); tt != 0 {
		t.Errorf("below and falling: %g, want 0", tt)
	}
	if tt := TouchdownTime(0.6, 0.2, g, 0.7); math.Abs(tt-0.2/g) > 1e-12 {
		t.Errorf("never reaching: %g, want the apex time %g", tt, 0.2/g)
	}
}

// Raibert's rule: at the commanded speed the foot lands half a stance ahead
// of the predicted centre of mass, half the width out on its own side; too
// fast, it lands further ahead; reach limits hold.
func TestPlanRun(t *testing.T) {
	p := Planner{Height: 0.65, Gravity: 9.81, Width: 0.2, MinWidth: 0.14, MaxWidth: 0.5, MaxStepX: 0.45, Gain: 1}
	r := RunStepRequest{Foot: Left, Pos: spatial.Vec3{0, 0, 0.7}, Vel: spatial.Vec3{3, 0, 0.5}, Vx: 3, TimeLeft: 0.1, Stance: 0.2, RaibertK: 0.5, LateralK: 0.5}
	s := p.PlanRun(&r)
	if want := (spatial.Vec3{0.3 + 0.3, 0.1, 0}); s.Pos.Sub(want).Norm() > 1e-9 {
		t.Errorf("neutral: %v, want %v", s.Pos, want)
	}
	r.Vel[0] = 3.5
	r.Foot = Right
	s2 := p.PlanRun(&r)
	if want := 0.35 + 0.35 + 0.5*0.5/p.Omega(); math.Abs(s2.Pos[0]-math.Min(want, 0.35+0.45)) > 1e-9 || math.Abs(s2.Pos[1]+0.1) > 1e-9 {
		t.Errorf("fast: %v, want x %g, y −0.1", s2.Pos, want)
	}
	r.Vel[0] = 10
	if s3 := p.PlanRun(&r); s3.Pos[0]-1.0 > 0.45+1e-9 {
		t.Errorf("reach: %v", s3.Pos)
	}
}

// The running push carries the weight: its impulse over a stance is m·g·T/2
// for a stance of β·T.
func TestRunPushImpulse(t *testing.T) {
	const m, g, beta, T = 40, 9.81, 0.35, 0.6
	var imp float64
	n := 10000
	for i := 0; i < n; i++ {
		imp += runPush(m, g, beta, (float64(i)+0.5)/float64(n)) * beta * T / float64(n)
	}
	if math.Abs(imp-m*g*T/2) > 1e-3 {
		t.Errorf("impulse %g, want %g", imp, m*g*T/2)
	}
}

func TestRunConfigValidate(t *testing.T) {
	c := DefaultRunConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.FroudeDown = 0.8
	if err := c.Validate(); err == nil {
		t.Error("froude_down > froude_up accepted")
	}
	c = DefaultRunConfig()
	c.RunDutyMax = 0.5
	if err := c.Validate(); err == nil {
		t.Error("run_duty_max 0.5 accepted")
	}
}

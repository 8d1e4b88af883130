package locomotion

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/sim/spatial"
)

func TestTimingContinuous(t *testing.T) {
	tm := DefaultTiming()
	if err := tm.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ v, period, duty float64 }{
		{0, 0.8, 0.6},
		{0.75, 0.7, 0.6 - 0.1*0.75/1.85},
		{1.5, 0.6, 0.6 - 0.1*1.5/1.85},
		{1.85, 0.6, 0.5},
		{-1.85, 0.6, 0.5}, // magnitude
		{10, 0.6, 0.3},    // clamped
	}
	for _, c := range cases {
		if p := tm.Period(c.v); math.Abs(p-c.period) > 1e-12 {
			t.Errorf("T(%g) = %g, want %g", c.v, p, c.period)
		}
		if d := tm.Duty(c.v); math.Abs(d-c.duty) > 1e-12 {
			t.Errorf("β(%g) = %g, want %g", c.v, d, c.duty)
		}
	}
	// Continuity: no jump larger than the slope allows on a fine grid.
	for v := 0.0; v < 4; v += 0.001 {
		if math.Abs(tm.Period(v+0.001)-tm.Period(v)) > 0.2/1.5*0.001+1e-12 ||
			math.Abs(tm.Duty(v+0.001)-tm.Duty(v)) > 0.1/1.85*0.001+1e-12 {
			t.Fatalf("T or β jumps at v = %g", v)
		}
	}
	bad := tm
	bad.Duty0 = 0.5
	if bad.Validate() == nil {
		t.Error("duty0 0.5 accepted for walking")
	}
}

// The contact schedule of a walk at rest speed, table-tested over one
// stride: β = 0.6, T = 0.8 s.
func TestSchedulerTable(t *testing.T) {
	s, err := NewScheduler(DefaultTiming())
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Stance(); !st[Left] || !st[Right] || s.Walking() {
		t.Fatalf("new scheduler not standing: %v", st)
	}
	const dt = 0.001
	type row struct {
		t           float64 // s after the walk request
		left, right bool
	}
	// φ = t/0.8; left stance φ < 0.6; right stance φ ∈ [0.5, 1.1).
	table := []row{
		{0.0005, true, true}, // double support [0, 0.08 s)
		{0.05, true, true},
		{0.1, true, false}, // right swings [0.08, 0.4)
		{0.39, true, false},
		{0.41, true, true}, // double support [0.4, 0.48)
		{0.5, false, true}, // left swings [0.48, 0.8)
		{0.79, false, true},
		{0.85, true, true}, // next double support
	}
	now := 0.0
	for _, r := range table {
		for now < r.t-1e-9 {
			s.Update(dt, true, 0)
			now += dt
		}
		st := s.Stance()
		if st[Left] != r.left || st[Right] != r.right {
			t.Errorf("t = %.3f s (φ = %.4f): stance %v, want [%v %v]", now, s.Phase(), st, r.left, r.right)
		}
	}
	// Foot timing mid right swing: φ = 0.25 → ψ_R = 0.75, swing progress (0.75−0.6)/0.4.
	s.Reset()
	for i := 0; i < 200; i++ {
		s.Update(dt, true, 0)
	}
	st, prog, rem, dur := s.FootTiming(Right)
	if st || math.Abs(prog-0.375) > 1e-6 || math.Abs(rem-0.2) > 1e-6 || math.Abs(dur-0.32) > 1e-9 {
		t.Errorf("right at φ 0.25: stance %v progress %g remaining %g duration %g, want swing 0.375 0.2 0.32", st, prog, rem, dur)
	}
	st, prog, rem, _ = s.FootTiming(Left)
	if !st || math.Abs(prog-0.25/0.6) > 1e-6 || math.Abs(rem-0.28) > 1e-6 {
		t.Errorf("left at φ 0.25: stance %v progress %g remaining %g", st, prog, rem)
	}
	var cs estimator.ContactSchedule
	s.Schedule(&cs)
	if !cs.Valid || cs.Stance != [2]bool{true, false} || math.Abs(cs.Phase[Right]-0.375) > 1e-6 || math.Abs(cs.Remaining[Left]-0.28) > 1e-6 {
		t.Errorf("published schedule %+v at φ 0.25", cs)
	}
}

// A stand request while walking keeps stepping to the next double support
// and stops there; walking again resumes from that phase.
func TestSchedulerStopsInDoubleSupport(t *testing.T) {
	s, _ := NewScheduler(DefaultTiming())
	const dt = 0.001
	for start := 1; start < 800; start += 37 {
		s.Reset()
		for i := 0; i < start; i++ {
			s.Update(dt, true, 0.5)
		}
		n := 0
		for s.Walking() {
			s.Update(dt, false, 0.5)
			if st := s.Stance(); !s.Walking() && !(st[Left] && st[Right]) {
				t.Fatalf("stopped out of double support at φ %g", s.Phase())
			}
			n++
			if n > 1000 {
				t.Fatalf("from %d ticks: still walking 1 s after the stop request", start)
			}
		}
		// At most half a stride to the next double support.
		if float64(n)*dt > s.Period()/2+dt {
			t.Errorf("from %d ticks: %d ticks to stop, more than half a stride", start, n)
		}
		phi := s.Phase()
		s.Update(dt, false, 0)
		if s.Phase() != phi {
			t.Error("the clock runs while standing")
		}
	}
}

func TestQuinticBoundary(t *testing.T) {
	var q Quintic
	p0, v0, a0 := spatial.Vec3{1, 2, 3}, spatial.Vec3{0.5, -1, 0}, spatial.Vec3{2, 0, -3}
	p1, v1, a1 := spatial.Vec3{-1, 0, 4}, spatial.Vec3{0, 1, 2}, spatial.Vec3{1, 1, 1}
	q.Set(p0, v0, a0, p1, v1, a1, 0.7)
	near := func(a, b spatial.Vec3) bool { return a.Sub(b).Norm() < 1e-9 }
	p, v, a := q.Eval(0)
	if !near(p, p0) || !near(v, v0) || !near(a, a0) {
		t.Errorf("start %v %v %v", p, v, a)
	}
	p, v, a = q.Eval(0.7)
	if !near(p, p1) || !near(v, v1) || !near(a, a1) {
		t.Errorf("end %v %v %v", p, v, a)
	}
	// Derivatives agree with finite differences.
	h := 1e-6
	pa, _, _ := q.Eval(0.3 - h)
	pb, _, _ := q.Eval(0.3 + h)
	_, v, _ = q.Eval(0.3)
	if !near(pb.Sub(pa).Scale(1/(2*h)), v) && pb.Sub(pa).Scale(1/(2*h)).Sub(v).Norm() > 1e-5 {
		t.Errorf("velocity %v vs finite difference %v", v, pb.Sub(pa).Scale(1/(2*h)))
	}
}

func TestSwing(t *testing.T) {
	s := DefaultSwing()
	from, to := spatial.Vec3{0, 0.1, 0}, spatial.Vec3{0.3, 0.12, 0.02}
	s.Start(1, from, to, 0.4)
	p, v, a := s.Eval(1)
	if p.Sub(from).Norm() > 1e-12 || v.Norm() > 1e-12 || a.Norm() > 1e-12 {
		t.Errorf("lift-off: %v %v %v", p, v, a)
	}
	p, v, _ = s.Eval(1.2)
	if math.Abs(p[2]-(0.02+s.Apex)) > 1e-12 || math.Abs(v[2]) > 1e-12 {
		t.Errorf("apex: z %g (want %g), vz %g", p[2], 0.02+s.Apex, v[2])
	}
	if math.Abs(p[0]-0.15) > 1e-12 {
		t.Errorf("mid-swing x %g, want 0.15 (symmetric quintic)", p[0])
	}
	p, v, a = s.Eval(1.4)
	if p.Sub(to).Norm() > 1e-12 || v.Norm() > 1e-12 || a.Norm() > 1e-12 {
		t.Errorf("touchdown: %v %v %v", p, v, a)
	}
	// Retarget mid-swing: continuous position and velocity, lands on the new target.
	p0, v0, _ := s.Eval(1.25)
	nt := spatial.Vec3{0.4, 0.15, 0.02}
	s.Retarget(1.25, nt)
	p1, v1, _ := s.Eval(1.25)
	if p1.Sub(p0).Norm() > 1e-12 || v1.Sub(v0).Norm() > 1e-9 {
		t.Errorf("retarget jumps: %v→%v, %v→%v", p0, p1, v0, v1)
	}
	if p, v, _ = s.Eval(1.4); p.Sub(nt).Norm() > 1e-12 || v.Norm() > 1e-12 {
		t.Errorf("retargeted touchdown %v %v, want %v at rest", p, v, nt)
	}
	// Late: keep reaching down, bounded.
	if !s.Late(1.45) {
		t.Error("not late past the duration")
	}
	p, _, _ = s.Eval(1.45)
	if want := 0.02 - 0.05*s.LateSpeed; math.Abs(p[2]-want) > 1e-12 {
		t.Errorf("late z %g, want %g", p[2], want)
	}
	p, _, _ = s.Eval(3)
	if want := 0.02 - s.LateDepth; math.Abs(p[2]-want) > 1e-12 {
		t.Errorf("late z %g, want %g (depth bound)", p[2], want)
	}
	if s.EarlyContactAllowed(1.05) || !s.EarlyContactAllowed(1.35) {
		t.Error("early contact window wrong")
	}
}

func testPlanner() Planner {
	return Planner{Height: 0.7, Gravity: 9.81, Width: 0.18, MinWidth: 0.12, MaxWidth: 0.4, MaxStepX: 0.35, Gain: 1}
}

// Analytic steady gaits: a base in the periodic LIP state lands the foot
// on the periodic footholds; off it, the capture-point error moves the foot
// by Gain·(ξ_td − ξ_ref).
func TestPlannerSteadyGaits(t *testing.T) {
	p := testPlanner()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	w := p.Omega()
	const ts = 0.4
	e := math.Exp(w * ts)
	for _, vx := range []float64{0, 0.3, 0.5} {
		// Periodic walk: left foot at (0, W/2), stance; right foot lands at
		// (L, −W/2) after ts. With ξ_td = p_right + b and stance left:
		// ξ(0) = p_left + (ξ_td − p_left)/e.
		L := vx * ts
		bx := L / (e - 1)
		by := p.Width / (e + 1) // right lands, next step goes left: +W
		left := spatial.Vec3{0, p.Width / 2, 0}
		right := spatial.Vec3{L, -p.Width / 2, 0}
		xiTD := spatial.Vec3{right[0] + bx, right[1] + by, 0}
		xi0 := left.Add(xiTD.Sub(left).Scale(1 / e))
		// Any split of ξ0 into x + ẋ/ω with ẋ = v_des works for the x part;
		// pick ẋ = (vx, 0) and put the rest in x.
		vel := spatial.Vec3{vx, 0, 0}
		pos := xi0.Sub(vel.Scale(1 / w))
		r := StepRequest{Foot: Right, Pos: pos, Vel: vel, Vx: vx, Stance: left, TimeLeft: ts, StepTime: ts}
		st := p.Plan(&r)
		if st.Pos.Sub(right).Norm() > 1e-9 {
			t.Errorf("vx %g: foot %v, want the periodic foothold %v", vx, st.Pos, right)
		}
		// A velocity error of 0.1 m/s moves the foot by the capture-point
		// prediction: Δξ_td = 0.1/ω·e^{ω t}.
		r.Vel[0] += 0.1
		st2 := p.Plan(&r)
		want := 0.1 / w * e
		if d := st2.Pos[0] - st.Pos[0]; math.Abs(d-want) > 1e-9 {
			t.Errorf("vx %g: +0.1 m/s moves the foot %g m, want %g", vx, d, want)
		}
	}
}

func TestPlannerLimits(t *testing.T) {
	p := testPlanner()
	left := spatial.Vec3{0, 0.09, 0.03}
	base := StepRequest{Foot: Right, Pos: spatial.Vec3{0, 0, 0.7}, Stance: left, TimeLeft: 0.3, StepTime: 0.4, GroundZ: 0.03}
	// Fast forward: reach limit.
	r := base
	r.Vel = spatial.Vec3{3, 0, 0}
	st := p.Plan(&r)
	if math.Abs(st.Pos[0]-p.MaxStepX) > 1e-9 {
		t.Errorf("fast forward: foot x %g, want the reach limit %g", st.Pos[0], p.MaxStepX)
	}
	// Falling towards the stance side: the right foot would cross under the
	// left; it stops MinWidth to the right of it.
	r = base
	r.Vel = spatial.Vec3{0, 1.5, 0}
	st = p.Plan(&r)
	if got := left[1] - st.Pos[1]; math.Abs(got-p.MinWidth) > 1e-9 {
		t.Errorf("crossing: lateral distance %g, want MinWidth %g", got, p.MinWidth)
	}
	// Falling away: capped at MaxWidth.
	r.Vel = spatial.Vec3{0, -3, 0}
	st = p.Plan(&r)
	if got := left[1] - st.Pos[1]; math.Abs(got-p.MaxWidth) > 1e-9 {
		t.Errorf("wide: lateral distance %g, want MaxWidth %g", got, p.MaxWidth)
	}
	if st.Pos[2] != 0.03 {
		t.Errorf("touchdown height %g, want the ground height 0.03", st.Pos[2])
	}
	// Heading: the foot yaw is the heading at touchdown.
	r = base
	r.Yaw, r.YawRate = 0.2, 0.5
	if st = p.Plan(&r); math.Abs(st.Yaw-(0.2+0.5*0.3)) > 1e-12 {
		t.Errorf("yaw %g, want %g", st.Yaw, 0.35)
	}
}

package locomotion

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/sim/spatial"
)

// Planner places the swing foot's next touchdown. It uses the linear
// inverted pendulum of height Height: ω₀ = √(g/h), the divergent component
// of motion (capture point) ξ = x + ẋ/ω₀ and, with the stance foot as the
// centre of pressure, ξ(t) = p + (ξ₀ − p)·e^{ω₀t}. The step is placed where
// the predicted ξ at touchdown, ξ_td, is the steady-gait offset b away from
// the new foot (Englsberger's DCM step rule, solved for a periodic gait):
//
//	foot = ξ_td − b,  b = L/(e^{ω₀T_s} − 1) + s·W/(e^{ω₀T_s} + 1) ŷ
//
// where L = v_des·T_s is the commanded displacement per step, W the nominal
// step width (the left foot s = −1: the next step goes to the right) and T_s
// the step time. In steady walking this is the Raibert neutral point (the foot
// ½·v·T_stance ahead of the hip); off it, the velocity error enters with the
// capture-point gain 1/ω₀ and grows with the time left, which is what catches
// the robot. Gain scales the feedback part (1: deadbeat). The yaw-rate term
// ½·(h/g)·(v × ω_z) of Cheetah's rule is added for turning.
//
// Limits (heading frame at touchdown): fore-aft within MaxStepX of the base,
// lateral within [MinWidth, MaxWidth] of the stance foot on the foot's own
// side (the legs never cross). The touchdown height is the ground height the
// caller gives (no vision: the height under the stance foot).
type Planner struct {
	Height    float64 // m, centre-of-mass height above the ground
	Gravity   float64 // m/s², magnitude
	Width     float64 // m, nominal lateral distance between the feet
	MinWidth  float64 // m, smallest lateral distance between the feet
	MaxWidth  float64 // m, largest lateral distance between the feet
	MaxStepX  float64 // m, largest fore-aft distance of the foot from the base
	Gain      float64 // feedback gain on the capture-point error (1: deadbeat)
	FootShift float64 // m, fore-aft offset of the sole centres from the base at rest (centres the reach limits)
}

// Validate says what is wrong with p, naming the field.
func (p *Planner) Validate() error {
	switch {
	case !(p.Height > 0.1 && p.Height < 5):
		return fmt.Errorf("locomotion: planner height %g m outside (0.1, 5)", p.Height)
	case !(p.Gravity > 0):
		return fmt.Errorf("locomotion: planner gravity %g must be positive", p.Gravity)
	case !(p.MinWidth > 0 && p.MinWidth <= p.Width && p.Width <= p.MaxWidth):
		return fmt.Errorf("locomotion: planner widths min %g ≤ nominal %g ≤ max %g m do not hold", p.MinWidth, p.Width, p.MaxWidth)
	case !(p.MaxStepX > 0):
		return fmt.Errorf("locomotion: planner max_step_x %g m must be positive", p.MaxStepX)
	case !(p.Gain >= 0 && p.Gain <= 2):
		return fmt.Errorf("locomotion: planner gain %g outside [0, 2]", p.Gain)
	}
	return nil
}

// Omega returns ω₀ = √(g/h).
func (p *Planner) Omega() float64 { return math.Sqrt(p.Gravity / p.Height) }

// StepRequest is what Plan needs for one foot.
type StepRequest struct {
	Foot     int          // Left or Right: the swing foot
	Pos, Vel spatial.Vec3 // base (centre of mass) position and velocity, world
	Yaw      float64      // rad, base heading now
	Vx, Vy   float64      // m/s, commanded velocity in the heading frame
	YawRate  float64      // rad/s, commanded
	Stance   spatial.Vec3 // the stance foot's sole centre, world (centre of pressure)
	TimeLeft float64      // s until touchdown
	StepTime float64      // s, time from one touchdown to the next (half the stride)
	GroundZ  float64      // m, terrain height for the touchdown
}

// Step is a planned touchdown.
type Step struct {
	Pos spatial.Vec3 // sole centre, world
	Yaw float64      // rad, foot heading
}

// Plan returns the touchdown for r.
func (p *Planner) Plan(r *StepRequest) Step {
	w := p.Omega()
	t := math.Max(r.TimeLeft, 0)
	ts := math.Max(r.StepTime, 0.05)
	yaw := r.Yaw + r.YawRate*t // heading at touchdown
	c, s := math.Cos(yaw), math.Sin(yaw)
	fwd := spatial.Vec3{c, s, 0}
	left := spatial.Vec3{-s, c, 0}
	vdes := fwd.Scale(r.Vx).Add(left.Scale(r.Vy))

	// Capture point now and at touchdown (horizontal), stance foot as CoP.
	e := math.Exp(w * t)
	var xi, xiTD, ref spatial.Vec3
	for k := 0; k < 2; k++ {
		xi[k] = r.Pos[k] + r.Vel[k]/w
		xiTD[k] = r.Stance[k] + (xi[k]-r.Stance[k])*e
		// Reference: the same prediction had the base moved at v_des.
		ref[k] = r.Stance[k] + (r.Pos[k]+vdes[k]/w-r.Stance[k])*e
	}
	sign := 1.0 // the next step after a left touchdown goes right
	if r.Foot == Right {
		sign = -1
	}
	es := math.Exp(w * ts)
	b := vdes.Scale(ts / (es - 1)).Add(left.Scale(-sign * p.Width / (es + 1)))
	nominal := ref.Sub(b)
	foot := nominal.Add(xiTD.Sub(ref).Scale(p.Gain))
	// Turning: Cheetah's ½·(h/g)·(v × ω) term.
	foot = foot.Add(vdes.Cross(spatial.Vec3{2: r.YawRate}).Scale(0.5 * p.Height / p.Gravity))

	// Limits in the heading frame at touchdown.
	base := r.Pos.Add(vdes.Scale(t)) // where the base is expected
	d := foot.Sub(base)
	dx := clamp(d.Dot(fwd), -p.MaxStepX+p.FootShift, p.MaxStepX+p.FootShift)
	rel := foot.Sub(r.Stance).Dot(left) * sign // lateral distance on the foot's own side
	rel = clamp(rel, p.MinWidth, p.MaxWidth)
	out := base.Add(fwd.Scale(dx))
	// Lateral: measured from the stance foot.
	out = out.Add(left.Scale(r.Stance.Sub(base).Dot(left) + sign*rel))
	out[2] = r.GroundZ
	return Step{Pos: out, Yaw: yaw}
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

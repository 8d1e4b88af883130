package locomotion

import (
	"math"

	"github.com/stride-robotics/stride/sim/spatial"
)

// Quintic is a fifth-order polynomial p(t) = Σ c_k t^k on [0, T] through
// given position, velocity and acceleration at both ends, per axis.
type Quintic struct {
	C [6]spatial.Vec3
	T float64
}

// Set fits q to (p0, v0, a0) at t = 0 and (p1, v1, a1) at t = T. A T ≤ 0
// gives the constant p1.
func (q *Quintic) Set(p0, v0, a0, p1, v1, a1 spatial.Vec3, T float64) {
	q.T = T
	if !(T > 1e-6) {
		q.C = [6]spatial.Vec3{p1}
		q.T = 0
		return
	}
	T2 := T * T
	T3 := T2 * T
	T4 := T3 * T
	T5 := T4 * T
	for k := 0; k < 3; k++ {
		// Standard solution of the six boundary conditions.
		h := p1[k] - p0[k]
		q.C[0][k] = p0[k]
		q.C[1][k] = v0[k]
		q.C[2][k] = a0[k] / 2
		q.C[3][k] = (20*h - (8*v1[k]+12*v0[k])*T - (3*a0[k]-a1[k])*T2) / (2 * T3)
		q.C[4][k] = (-30*h + (14*v1[k]+16*v0[k])*T + (3*a0[k]-2*a1[k])*T2) / (2 * T4)
		q.C[5][k] = (12*h - 6*(v1[k]+v0[k])*T - (a0[k]-a1[k])*T2) / (2 * T5)
	}
}

// Eval returns position, velocity and acceleration at t, clamped to [0, T].
func (q *Quintic) Eval(t float64) (p, v, a spatial.Vec3) {
	t = math.Max(0, math.Min(t, q.T))
	c := &q.C
	for k := 0; k < 3; k++ {
		p[k] = c[0][k] + t*(c[1][k]+t*(c[2][k]+t*(c[3][k]+t*(c[4][k]+t*c[5][k]))))
		v[k] = c[1][k] + t*(2*c[2][k]+t*(3*c[3][k]+t*(4*c[4][k]+t*5*c[5][k])))
		a[k] = 2*c[2][k] + t*(6*c[3][k]+t*(12*c[4][k]+t*20*c[5][k]))
	}
	return
}

// Swing is one swing foot's trajectory from lift-off to touchdown. The
// horizontal path is a quintic from the lift-off point to the target, with
// zero velocity and acceleration at both ends; it may be re-aimed during the
// swing (Retarget) from the current desired state, so a moving footstep
// target never makes the reference jump. The height rises along a quintic to
// Apex above the higher of the lift-off and touchdown heights at mid-swing and
// falls along another to the touchdown height, again with zero velocity and
// acceleration at lift-off, apex and touchdown.
//
// Touchdown handling: a late touchdown (the swing time is up and no contact
// yet) keeps lowering the foot at LateSpeed, down to LateDepth below the
// planned height (Late reports it); an early touchdown is the caller's to
// detect (contact after EarlyFraction of the swing, foot descending), and it
// then ends the swing (the foot goes to stance where it is).
type Swing struct {
	Apex          float64 // m, apex height above the higher end
	LateSpeed     float64 // m/s, descent speed past the planned touchdown
	LateDepth     float64 // m, furthest extension below the planned height
	EarlyFraction float64 // fraction of the swing after which a contact ends it

	xy       Quintic // horizontal, z ignored
	up, down Quintic // vertical, x and y ignored
	t0, dur  float64 // lift-off time and planned duration, s
	z0, z1   float64 // lift-off and touchdown heights
	target   spatial.Vec3
	active   bool
	landVel  float64 // m/s, downward foot speed at the planned touchdown (running, SetLanding)
}

// SetLanding sets the downward speed (m/s) the foot has at the planned
// touchdown for the swings started from now on (0: it arrives at rest, as
// walking does; running lands moving so the foot does not hover over the
// ground and cut the flight short).
func (s *Swing) SetLanding(v float64) { s.landVel = math.Max(v, 0) }

// DefaultSwing returns a swing with a 0.08 m apex.
func DefaultSwing() Swing {
	return Swing{Apex: 0.08, LateSpeed: 0.3, LateDepth: 0.05, EarlyFraction: 0.6}
}

// Start begins a swing at time t from the foot position from to target,
// lasting dur seconds.
func (s *Swing) Start(t float64, from, target spatial.Vec3, dur float64) {
	s.t0, s.dur, s.active = t, dur, true
	s.z0, s.z1, s.target = from[2], target[2], target
	var zero spatial.Vec3
	s.xy.Set(from, zero, zero, target, zero, zero, dur)
	top := math.Max(s.z0, s.z1) + s.Apex
	s.up.Set(spatial.Vec3{2: s.z0}, zero, zero, spatial.Vec3{2: top}, zero, zero, dur/2)
	s.down.Set(spatial.Vec3{2: top}, zero, zero, spatial.Vec3{2: s.z1}, spatial.Vec3{2: -s.landVel}, zero, dur/2)
}

// Active reports whether a swing is under way.
func (s *Swing) Active() bool { return s.active }

// End marks the swing finished (touchdown).
func (s *Swing) End() { s.active = false }

// Target returns the touchdown target.
func (s *Swing) Target() spatial.Vec3 { return s.target }

// Progress returns the fraction of the planned swing elapsed at t (≥ 0; past
// 1 when late).
func (s *Swing) Progress(t float64) float64 {
	if !(s.dur > 0) {
		return 1
	}
	return math.Max(0, (t-s.t0)/s.dur)
}

// Retarget moves the touchdown point at time t: the horizontal quintic is
// refitted from the current desired state to the new target over the time
// left; the touchdown height changes the falling half (before the apex only,
// so the descent never jumps).
func (s *Swing) Retarget(t float64, target spatial.Vec3) {
	if !s.active {
		return
	}
	el := t - s.t0
	left := s.dur - el
	if left > 0.02 {
		p, v, a := s.xy.Eval(el - (s.dur - s.xy.T))
		var zero spatial.Vec3
		s.xy.Set(p, v, a, target, zero, zero, left)
	}
	if el < s.dur/2 && math.Abs(target[2]-s.z1) > 1e-9 {
		s.z1 = target[2]
		top := math.Max(s.z0, s.z1) + s.Apex
		var zero spatial.Vec3
		s.up.Set(spatial.Vec3{2: s.z0}, zero, zero, spatial.Vec3{2: top}, zero, zero, s.dur/2)
		s.down.Set(spatial.Vec3{2: top}, zero, zero, spatial.Vec3{2: s.z1}, spatial.Vec3{2: -s.landVel}, zero, s.dur/2)
	}
	s.target = spatial.Vec3{target[0], target[1], s.z1}
}

// Eval returns the foot's desired position, velocity and acceleration at t.
func (s *Swing) Eval(t float64) (p, v, a spatial.Vec3) {
	el := t - s.t0
	// The horizontal quintic may have been refitted: it starts dur − xy.T
	// after lift-off.
	p, v, a = s.xy.Eval(el - (s.dur - s.xy.T))
	var zp, zv, za spatial.Vec3
	switch {
	case el < s.dur/2:
		zp, zv, za = s.up.Eval(el)
	case el <= s.dur:
		zp, zv, za = s.down.Eval(el - s.dur/2)
	default: // late: keep reaching down
		d := math.Min(s.LateSpeed*(el-s.dur), s.LateDepth)
		zp[2] = s.z1 - d
		if d < s.LateDepth {
			zv[2] = -s.LateSpeed
		}
	}
	p[2], v[2], a[2] = zp[2], zv[2], za[2]
	return
}

// Late reports whether the swing has run past its planned duration at t.
func (s *Swing) Late(t float64) bool { return s.active && t-s.t0 > s.dur }

// EarlyContactAllowed reports whether a detected contact at t may end the
// swing early: past EarlyFraction of the swing, on the way down.
func (s *Swing) EarlyContactAllowed(t float64) bool {
	return s.active && s.Progress(t) >= math.Max(0.5, s.EarlyFraction)
}

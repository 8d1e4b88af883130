package sim

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// chain returns a planar chain of point masses on hinges about y, each hanging
// a distance l[i] below the previous joint.
func chain(t testing.TB, mass, l []float64) *rbd.Model {
	t.Helper()
	m := rbd.NewModel("chain")
	for i := range mass {
		pos := spatial.Vec3{}
		if i > 0 {
			pos = spatial.Vec3{0, 0, -l[i-1]}
		}
		m.Bodies = append(m.Bodies, rbd.Body{Name: string(rune('a' + i)), Parent: i, Pos: pos, Quat: spatial.IdentityQuat(),
			Mass: mass[i], COM: spatial.Vec3{0, 0, -l[i]}})
		m.Joints = append(m.Joints, rbd.Joint{Name: string(rune('A' + i)), Type: rbd.JointHinge, Body: i + 1, Axis: spatial.Vec3{0, 1, 0}})
	}
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	return m
}

// ellipticK returns the complete elliptic integral of the first kind K(k) by
// the arithmetic–geometric mean.
func ellipticK(k float64) float64 {
	a, b := 1.0, math.Sqrt(1-k*k)
	for math.Abs(a-b) > 1e-16 {
		a, b = (a+b)/2, math.Sqrt(a*b)
	}
	return math.Pi / (2 * a)
}

// The period of a pendulum released from rest at θ0 = 2 rad must be the exact
// large-amplitude period 4·√(l/g)·K(sin(θ0/2)).
func TestPendulumPeriod(t *testing.T) {
	const l, g, th0 = 0.8, 9.81, 2.0
	want := 4 * math.Sqrt(l/g) * ellipticK(math.Sin(th0/2))
	for _, tc := range []struct {
		integ Integrator
		tol   float64
	}{{RK4, 1e-9}, {Euler, 2e-4}} {
		m := chain(t, []float64{1.5}, []float64{l})
		opt := DefaultOptions()
		opt.Integrator = tc.integ
		w := newWorld(t, m, nil, opt)
		w.Qpos[0] = th0
		// time of the third upward zero crossing of θ̇ → 1.5 periods? use
		// successive downward zero crossings of θ, interpolated linearly.
		var crossings []float64
		prevQ, prevT := w.Qpos[0], w.Time
		for len(crossings) < 3 && w.Time < 10 {
			stepN(t, w, 1)
			q := w.Qpos[0]
			if prevQ > 0 && q <= 0 {
				crossings = append(crossings, prevT+(w.Time-prevT)*prevQ/(prevQ-q))
			}
			prevQ, prevT = q, w.Time
		}
		if len(crossings) < 3 {
			t.Fatalf("%v: pendulum did not swing", tc.integ)
		}
		got := (crossings[2] - crossings[0]) / 2
		if math.Abs(got-want)/want > tc.tol {
			t.Errorf("%v: period %.10f s, want %.10f (rel tol %g)", tc.integ, got, want, tc.tol)
		}
	}
}

// doublePendulumRef integrates the textbook equations of a double pendulum of
// point masses (absolute angles from the downward vertical) with RK4 at a
// tiny step: an independent reference.
func doublePendulumRef(m1, m2, l1, l2, g, p1, p2, T float64) (float64, float64) {
	type st [4]float64
	f := func(s st) st {
		a, b, da, db := s[0], s[1], s[2], s[3]
		c, sn := math.Cos(a-b), math.Sin(a-b)
		// [ (m1+m2) l1   m2 l2 c ] [a'']   [ -m2 l2 db² sn - (m1+m2) g sin a ]
		// [ l1 c         l2      ] [b''] = [  l1 da² sn - g sin b            ]
		A11, A12, A21, A22 := (m1+m2)*l1, m2*l2*c, l1*c, l2
		r1 := -m2*l2*db*db*sn - (m1+m2)*g*math.Sin(a)
		r2 := l1*da*da*sn - g*math.Sin(b)
		det := A11*A22 - A12*A21
		return st{da, db, (r1*A22 - A12*r2) / det, (A11*r2 - A21*r1) / det}
	}
	s := st{p1, p2, 0, 0}
	const h = 1e-5
	add := func(s, k st, c float64) st {
		for i := range s {
			s[i] += c * k[i]
		}
		return s
	}
	for i := 0; i < int(math.Round(T/h)); i++ {
		k1 := f(s)
		k2 := f(add(s, k1, h/2))
		k3 := f(add(s, k2, h/2))
		k4 := f(add(s, k3, h))
		for j := range s {
			s[j] += h / 6 * (k1[j] + 2*k2[j] + 2*k3[j] + k4[j])
		}
	}
	return s[0], s[1]
}

// A double pendulum over 1.5 s of large, non-linear swinging must match the
// reference: RK4 at 1 ms to 1e-7 rad; Euler first order (halving the step
// halves its error).
func TestDoublePendulum(t *testing.T) {
	const m1, m2, l1, l2, g = 1.0, 0.7, 0.5, 0.4, 9.81
	const p1, p2, T = 1.2, -0.4, 1.5
	r1, r2 := doublePendulumRef(m1, m2, l1, l2, g, p1, p2, T)
	run := func(integ Integrator, h float64) float64 {
		m := chain(t, []float64{m1, m2}, []float64{l1, l2})
		m.Gravity = spatial.Vec3{0, 0, -g}
		opt := DefaultOptions()
		opt.Integrator, opt.Timestep = integ, h
		w := newWorld(t, m, nil, opt)
		w.Qpos[0], w.Qpos[1] = p1, p2-p1 // relative second angle
		stepN(t, w, int(math.Round(T/h)))
		return math.Max(math.Abs(w.Qpos[0]-r1), math.Abs(w.Qpos[0]+w.Qpos[1]-r2))
	}
	if e := run(RK4, 0.001); e > 1e-7 {
		t.Errorf("RK4 at 1 ms: error %.3g rad, want ≤ 1e-7", e)
	}
	e1, e2 := run(Euler, 0.001), run(Euler, 0.0005)
	if r := e1 / e2; r < 1.6 || r > 2.5 {
		t.Errorf("Euler: error %.3g at 1 ms, %.3g at 0.5 ms: ratio %.2f, want ≈ 2 (first order)", e1, e2, r)
	}
	t.Logf("Euler errors: %.3g rad (1 ms), %.3g rad (0.5 ms)", e1, e2)
}

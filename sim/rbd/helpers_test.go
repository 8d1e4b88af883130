package rbd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stride-robotics/stride/sim/spatial"
)

// randomModel builds a tree of n bodies under a floating base: each body hangs
// from a random earlier body by a random mix of hinge, slide and ball joints
// (sometimes two hinges in one body, sometimes none), with random inertias,
// anchors, armature and damping.
func randomModel(t testing.TB, rng *rand.Rand, n int, floating bool) *Model {
	t.Helper()
	m := NewModel("random")
	uv := func(s float64) spatial.Vec3 {
		return spatial.Vec3{s * (2*rng.Float64() - 1), s * (2*rng.Float64() - 1), s * (2*rng.Float64() - 1)}
	}
	rq := func() spatial.Quat {
		return spatial.Quat{W: rng.NormFloat64(), X: rng.NormFloat64(), Y: rng.NormFloat64(), Z: rng.NormFloat64()}.Normalize()
	}
	inertia := func() (float64, spatial.Vec3, spatial.Mat3) {
		mass := 0.2 + 3*rng.Float64()
		d := spatial.Vec3{0.01 + 0.05*rng.Float64(), 0.01 + 0.05*rng.Float64(), 0}
		lo, hi := math.Abs(d[0]-d[1]), d[0]+d[1]
		d[2] = lo + (0.05+0.9*rng.Float64())*(hi-lo) // triangle inequality
		R := rq().Mat3()
		D := spatial.Diag3(d)
		RD := R.Mul(&D)
		return mass, uv(0.1), RD.MulT(&R)
	}
	for i := 1; i <= n; i++ {
		parent := 0
		if i > 1 {
			parent = 1 + rng.IntN(i-1)
		}
		mass, com, I := inertia()
		m.Bodies = append(m.Bodies, Body{Name: "b" + string(rune('a'+i)), Parent: parent, Pos: uv(0.3), Quat: rq(),
			Mass: mass, COM: com, Inertia: I})
		add := func(tp JointType) {
			m.Joints = append(m.Joints, Joint{Name: "j" + string(rune('a'+len(m.Joints))), Type: tp, Body: i,
				Pos: uv(0.05), Axis: uv(1), Ref: 0.1 * rng.Float64(), Armature: 0.02 * rng.Float64(), Damping: rng.Float64()})
		}
		switch {
		case i == 1 && floating:
			m.Joints = append(m.Joints, Joint{Name: "root", Type: JointFree, Body: 1})
		case i == 1:
			add(JointHinge)
		default:
			switch rng.IntN(6) {
			case 0:
				add(JointSlide)
			case 1:
				add(JointBall)
			case 2:
				add(JointHinge)
				add(JointHinge)
			case 3: // welded
			default:
				add(JointHinge)
			}
		}
	}
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	return m
}

// randomState returns a random configuration and velocity for m.
func randomState(m *Model, rng *rand.Rand) (q, v []float64) {
	q = make([]float64, m.Nq)
	v = make([]float64, m.Nv)
	for ji := range m.Joints {
		j := &m.Joints[ji]
		switch j.Type {
		case JointFree:
			for k := 0; k < 3; k++ {
				q[j.QAdr+k] = 2*rng.Float64() - 1
			}
			qq := spatial.Quat{W: rng.NormFloat64(), X: rng.NormFloat64(), Y: rng.NormFloat64(), Z: rng.NormFloat64()}.Normalize()
			copy(q[j.QAdr+3:], []float64{qq.W, qq.X, qq.Y, qq.Z})
		case JointBall:
			qq := spatial.Quat{W: rng.NormFloat64(), X: rng.NormFloat64(), Y: rng.NormFloat64(), Z: rng.NormFloat64()}.Normalize()
			copy(q[j.QAdr:], []float64{qq.W, qq.X, qq.Y, qq.Z})
		default:
			q[j.QAdr] = 3 * (2*rng.Float64() - 1)
		}
	}
	for k := range v {
		v[k] = 3 * (2*rng.Float64() - 1)
	}
	return q, v
}

// integrateQ returns q advanced by v·h on the configuration manifold.
func integrateQ(m *Model, q, v []float64, h float64) []float64 {
	out := append([]float64(nil), q...)
	for ji := range m.Joints {
		j := &m.Joints[ji]
		qa, da := j.QAdr, j.DofAdr
		switch j.Type {
		case JointFree:
			for k := 0; k < 3; k++ {
				out[qa+k] += h * v[da+k]
			}
			qq := spatial.Quat{W: q[qa+3], X: q[qa+4], Y: q[qa+5], Z: q[qa+6]}
			qq = qq.Integrate(spatial.Vec3{v[da+3], v[da+4], v[da+5]}, h)
			copy(out[qa+3:], []float64{qq.W, qq.X, qq.Y, qq.Z})
		case JointBall:
			qq := spatial.Quat{W: q[qa], X: q[qa+1], Y: q[qa+2], Z: q[qa+3]}
			qq = qq.Integrate(spatial.Vec3{v[da], v[da+1], v[da+2]}, h)
			copy(out[qa:], []float64{qq.W, qq.X, qq.Y, qq.Z})
		default:
			out[qa] += h * v[da]
		}
	}
	return out
}

func approx(t testing.TB, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Errorf("%s: got %.15g, want %.15g (tol %g)", what, got, want, tol)
	}
}

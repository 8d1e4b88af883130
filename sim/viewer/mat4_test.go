package viewer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stride-robotics/stride/sim/spatial"
)

func randVec(r *rand.Rand) spatial.Vec3 {
	return spatial.Vec3{r.NormFloat64(), r.NormFloat64(), r.NormFloat64()}
}

func randTransform(r *rand.Rand) spatial.Transform {
	q := spatial.Quat{W: r.NormFloat64(), X: r.NormFloat64(), Y: r.NormFloat64(), Z: r.NormFloat64()}.Normalize()
	return spatial.TransformFromQuat(q, randVec(r))
}

func nearVec(t *testing.T, what string, got, want spatial.Vec3, tol float64) {
	t.Helper()
	if got.Sub(want).Norm() > tol {
		t.Errorf("%s = %v, want %v ± %g", what, got, want, tol)
	}
}

func TestModelMatrixIsScaleThenTransform(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		x := randTransform(r)
		s := spatial.Vec3{0.1 + r.Float64(), 0.1 + r.Float64(), 0.1 + r.Float64()}
		m := modelMatrix(&x, s)
		p := randVec(r)
		got, w := m.project(p)
		approx(t, "w", w, 1, 0)
		want := x.Point(spatial.Vec3{s[0] * p[0], s[1] * p[1], s[2] * p[2]})
		nearVec(t, "M·p", got, want, 1e-12)

		// The normal matrix keeps normals perpendicular to the surface: for a
		// tangent u and normal n at p (n·u = 0 in the local frame), the
		// mapped normal is perpendicular to the mapped tangent.
		n := randVec(r).Normalize()
		u := n.Cross(randVec(r))
		nm := normalMatrix(&x, s)
		var nw spatial.Vec3
		for row := 0; row < 3; row++ {
			for c := 0; c < 3; c++ {
				nw[row] += float64(nm[3*c+row]) * n[c]
			}
		}
		q1, _ := m.project(p.Add(u))
		tw := q1.Sub(got)
		if d := math.Abs(nw.Normalize().Dot(tw.Normalize())); d > 1e-5 {
			t.Errorf("mapped normal·mapped tangent = %g, want 0", d)
		}
	}
}

func TestInverse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	p := perspective(0.8, 1.6, 0.05, 100)
	v := lookAt(spatial.Vec3{3, -2, 1.5}, spatial.Vec3{0, 0, 0.8}, spatial.Vec3{0, 0, 1})
	vp := p.mul(&v)
	inv, ok := vp.inverse()
	if !ok {
		t.Fatal("view-projection reported singular")
	}
	prod := inv.mul(&vp)
	id := identity4()
	for i := range prod {
		approx(t, "inv·m", prod[i], id[i], 1e-9)
	}
	for range 10 {
		q := randVec(r)
		n, _ := vp.project(q)
		back, _ := inv.project(n)
		nearVec(t, "unproject(project(p))", back, q, 1e-7)
	}
	var zero mat4
	if _, ok := zero.inverse(); ok {
		t.Error("the zero matrix was inverted")
	}
}

func TestLookAtAndPerspective(t *testing.T) {
	eye, centre := spatial.Vec3{2, 0, 1}, spatial.Vec3{0, 0, 1}
	v := lookAt(eye, centre, spatial.Vec3{0, 0, 1})
	p := perspective(math.Pi/2, 2, 0.1, 10)
	vp := p.mul(&v)
	// The centre is in the middle of the view.
	n, w := vp.project(centre)
	approx(t, "centre x", n[0], 0, 1e-12)
	approx(t, "centre y", n[1], 0, 1e-12)
	approx(t, "w (distance)", w, 2, 1e-12)
	// Up is up; world +y is screen right when looking along −x.
	up, _ := vp.project(centre.Add(spatial.Vec3{0, 0, 0.5}))
	right, _ := vp.project(centre.Add(spatial.Vec3{0, 0.5, 0}))
	if !(up[1] > 0 && math.Abs(up[0]) < 1e-12) {
		t.Errorf("a point above the centre projects to %v", up)
	}
	if !(right[0] > 0 && math.Abs(right[1]) < 1e-12) {
		t.Errorf("a point at +y projects to %v, want right of centre", right)
	}
	// 90° vertical field of view: a point at 45° up sits on the top edge.
	top, _ := vp.project(centre.Add(spatial.Vec3{0, 0, 2}))
	approx(t, "top edge y", top[1], 1, 1e-12)
	// Near and far planes map to −1 and 1.
	nr, _ := vp.project(eye.Add(spatial.Vec3{-0.1, 0, 0}))
	fr, _ := vp.project(eye.Add(spatial.Vec3{-10, 0, 0}))
	approx(t, "near z", nr[2], -1, 1e-9)
	approx(t, "far z", fr[2], 1, 1e-9)
	o := ortho(-1, 3, -2, 2, 1, 5)
	c, _ := o.project(spatial.Vec3{1, 0, -3})
	nearVec(t, "ortho centre", c, spatial.Vec3{0, 0, 0}, 1e-12)
}

func TestAlignZ(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	dirs := []spatial.Vec3{{0, 0, 1}, {0, 0, -1}, {1, 0, 0}, {-1, 0, 0}, {0, 1, 0}}
	for range 20 {
		dirs = append(dirs, randVec(r))
	}
	for _, d := range dirs {
		R := alignZ(d)
		nearVec(t, "R·z", R.MulVec(spatial.Vec3{0, 0, 1}), d.Normalize(), 1e-12)
		RtR := R.TMul(&R)
		id := spatial.Identity3()
		for i := range RtR {
			approx(t, "RᵀR", RtR[i], id[i], 1e-12)
		}
		approx(t, "det R", R.Det(), 1, 1e-12)
	}
}

package viewer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// checkMesh checks a mesh's indices and unit normals, and that every
// triangle is wound counter-clockwise seen from the side its vertex normals
// face (so a closed mesh's faces point out).
func checkMesh(t *testing.T, name string, m meshData) {
	t.Helper()
	if len(m.idx) == 0 || len(m.idx)%3 != 0 {
		t.Fatalf("%s: %d indices", name, len(m.idx))
	}
	nv := uint32(m.numVerts())
	for i := uint32(0); i < nv; i++ {
		if n := m.normal(i).Norm(); math.Abs(n-1) > 1e-6 {
			t.Fatalf("%s: vertex %d normal length %g", name, i, n)
		}
	}
	for k := 0; k < len(m.idx); k += 3 {
		a, b, c := m.idx[k], m.idx[k+1], m.idx[k+2]
		if a >= nv || b >= nv || c >= nv {
			t.Fatalf("%s: triangle %d has index out of range", name, k/3)
		}
		face := m.pos(b).Sub(m.pos(a)).Cross(m.pos(c).Sub(m.pos(a)))
		if face.Norm() < 1e-12 {
			continue // a degenerate triangle at a pole
		}
		avg := m.normal(a).Add(m.normal(b)).Add(m.normal(c))
		if face.Dot(avg) <= 0 {
			t.Fatalf("%s: triangle %d (%v %v %v) wound against its normals", name, k/3, m.pos(a), m.pos(b), m.pos(c))
		}
	}
}

// bounds returns the vertex bounding box.
func bounds(m meshData) (lo, hi spatial.Vec3) {
	lo, hi = spatial.Vec3{math.Inf(1), math.Inf(1), math.Inf(1)}, spatial.Vec3{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for i := uint32(0); i < uint32(m.numVerts()); i++ {
		p := m.pos(i)
		for k := 0; k < 3; k++ {
			lo[k], hi[k] = math.Min(lo[k], p[k]), math.Max(hi[k], p[k])
		}
	}
	return
}

// closedVolume returns the signed volume enclosed by a mesh (divergence
// theorem over its triangles); positive when the faces point out.
func closedVolume(m meshData) float64 {
	var v float64
	for k := 0; k < len(m.idx); k += 3 {
		a, b, c := m.pos(m.idx[k]), m.pos(m.idx[k+1]), m.pos(m.idx[k+2])
		v += a.Dot(b.Cross(c)) / 6
	}
	return v
}

func TestPrimitiveMeshes(t *testing.T) {
	for _, c := range []struct {
		name   string
		m      meshData
		lo, hi spatial.Vec3
		volume float64 // exact volume of the solid
		tol    float64 // relative, for the faceted approximation
	}{
		{"sphere", unitSphere(16, 24), spatial.Vec3{-1, -1, -1}, spatial.Vec3{1, 1, 1}, 4 * math.Pi / 3, 0.05},
		{"cylinder", unitCylinder(24), spatial.Vec3{-1, -1, -1}, spatial.Vec3{1, 1, 1}, 2 * math.Pi, 0.025},
		{"cone", unitCone(16), spatial.Vec3{-1, -1, 0}, spatial.Vec3{1, 1, 1}, math.Pi / 3, 0.05},
		{"box", unitBox(), spatial.Vec3{-1, -1, -1}, spatial.Vec3{1, 1, 1}, 8, 1e-12},
	} {
		checkMesh(t, c.name, c.m)
		lo, hi := bounds(c.m)
		nearVec(t, c.name+" min", lo, c.lo, 1e-6)
		nearVec(t, c.name+" max", hi, c.hi, 1e-6)
		v := closedVolume(c.m)
		if math.Abs(v-c.volume) > c.tol*c.volume {
			t.Errorf("%s: enclosed volume %g, want %g ± %g%%", c.name, v, c.volume, 100*c.tol)
		}
	}
	s := unitSphere(8, 12)
	for i := uint32(0); i < uint32(s.numVerts()); i++ {
		approx(t, "sphere vertex radius", s.pos(i).Norm(), 1, 1e-6)
	}
	checkMesh(t, "quad", unitQuad())
}

// TestHeightFieldMeshAsSimulated checks that the drawn height field is the
// simulated one: its triangles, interpolated at random points, give the
// terrain's HeightAt.
func TestHeightFieldMeshAsSimulated(t *testing.T) {
	ter := sim.RoughGround(9, 7, 0.25, 0.08, 3, 1)
	f := &ter.Fields[0]
	m := heightFieldMesh(f)
	checkMesh(t, "height field", m)
	if want := 2 * 3 * (f.NX - 1) * (f.NY - 1); len(m.idx) != want {
		t.Fatalf("%d indices, want %d", len(m.idx), want)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 300 {
		x := f.X0 + r.Float64()*f.DX*float64(f.NX-1)
		y := f.Y0 + r.Float64()*f.DY*float64(f.NY-1)
		want, ok := ter.HeightAt(x, y)
		if !ok {
			t.Fatalf("HeightAt(%g, %g) off the field", x, y)
		}
		got, found := meshHeight(m, x, y)
		if !found {
			t.Fatalf("no drawn triangle over (%g, %g)", x, y)
		}
		approx(t, "drawn height", got, want, 1e-6)
	}
	// A malformed field draws nothing rather than panicking.
	if bad := heightFieldMesh(&sim.HeightField{NX: 3, NY: 3, Heights: []float64{1}}); len(bad.idx) != 0 {
		t.Error("a field with too few heights produced triangles")
	}
}

// meshHeight returns the height of the first triangle of m whose horizontal
// projection contains (x, y).
func meshHeight(m meshData, x, y float64) (float64, bool) {
	for k := 0; k < len(m.idx); k += 3 {
		a, b, c := m.pos(m.idx[k]), m.pos(m.idx[k+1]), m.pos(m.idx[k+2])
		d := (b[1]-c[1])*(a[0]-c[0]) + (c[0]-b[0])*(a[1]-c[1])
		l1 := ((b[1]-c[1])*(x-c[0]) + (c[0]-b[0])*(y-c[1])) / d
		l2 := ((c[1]-a[1])*(x-c[0]) + (a[0]-c[0])*(y-c[1])) / d
		l3 := 1 - l1 - l2
		const e = -1e-9
		if l1 >= e && l2 >= e && l3 >= e {
			return l1*a[2] + l2*b[2] + l3*c[2], true
		}
	}
	return 0, false
}

func TestMeshAsset(t *testing.T) {
	// A tetrahedron, outward faces.
	tet := rbd.Mesh{Name: "tet",
		Vertices: []float32{0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1},
		Faces:    []int32{0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3}}
	m := meshAsset(&tet)
	checkMesh(t, "tetrahedron", m)
	approx(t, "tetrahedron volume", closedVolume(m), 1.0/6, 1e-7)
	if len(m.idx) != 12 {
		t.Errorf("%d indices, want 12", len(m.idx))
	}
	// A missing file (no vertices) and bad indices draw nothing.
	if e := meshAsset(&rbd.Mesh{Name: "missing"}); len(e.idx) != 0 {
		t.Error("an empty mesh produced triangles")
	}
	bad := tet
	bad.Faces = []int32{0, 1, 7}
	if e := meshAsset(&bad); len(e.idx) != 0 {
		t.Error("a face with an index out of range produced triangles")
	}
}

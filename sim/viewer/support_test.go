package viewer

import (
	"math/rand/v2"
	"testing"

	"github.com/stride-robotics/stride/sim/spatial"
)

func TestConvexHull(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	corners := []spatial.Vec3{{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}}
	pts := append([]spatial.Vec3(nil), corners...)
	for range 40 { // interior points and points on the edges
		pts = append(pts, spatial.Vec3{r.Float64(), r.Float64(), 0}, spatial.Vec3{r.Float64(), 0, 0})
	}
	r.Shuffle(len(pts), func(i, j int) { pts[i], pts[j] = pts[j], pts[i] })
	h := convexHull(pts)
	if len(h) != 4 {
		t.Fatalf("hull of a square with inner points has %d vertices: %v", len(h), h)
	}
	// Counter-clockwise: positive area.
	area := 0.0
	for i := range h {
		a, b := h[i], h[(i+1)%len(h)]
		area += a[0]*b[1] - b[0]*a[1]
	}
	approx(t, "hull area", area/2, 1, 1e-12)
	for _, c := range corners {
		found := false
		for _, p := range h {
			found = found || p == c
		}
		if !found {
			t.Errorf("corner %v missing from the hull %v", c, h)
		}
	}
	if !insideHull(h, spatial.Vec3{0.5, 0.5, 3}) || !insideHull(h, spatial.Vec3{1, 0.5, 0}) {
		t.Error("a point inside (or on the edge) reported outside")
	}
	if insideHull(h, spatial.Vec3{1.01, 0.5, 0}) || insideHull(h, spatial.Vec3{-0.2, -0.2, 0}) {
		t.Error("a point outside reported inside")
	}
	if insideHull(h[:2], spatial.Vec3{0.5, 0, 0}) {
		t.Error("a segment has an inside")
	}
	if got := convexHull([]spatial.Vec3{{1, 2, 0}}); len(got) != 1 {
		t.Errorf("hull of one point: %v", got)
	}
}

func TestSupportPointsNeedLoad(t *testing.T) {
	up := spatial.Vec3{0, 0, 1}
	cs := []Contact{
		{Pos: spatial.Vec3{0, 0, 0}, Normal: up, Force: spatial.Vec3{0.2, 0, 30}},
		{Pos: spatial.Vec3{1, 0, 0}, Normal: up, Force: spatial.Vec3{0, 0, 0.5}}, // too light
		{Pos: spatial.Vec3{2, 0, 0}, Normal: up, Force: spatial.Vec3{50, 0, 0}},  // tangential only
		{Pos: spatial.Vec3{3, 0, 0}, Normal: up, Force: spatial.Vec3{0, 0, SupportMinForce}},
	}
	got := supportPoints(nil, cs)
	if len(got) != 2 || got[0] != cs[0].Pos || got[1] != cs[3].Pos {
		t.Errorf("support points %v, want the first and the last contact", got)
	}
}

package models

import (
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// sharedDir holds the project's shared test data (vendor models, MuJoCo peer).
const sharedDir = "../../../shared"

// shared returns the path of rel under sharedDir, or skips the test when it is
// absent.
func shared(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(sharedDir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data %s not available (%v); it lives beside the repository in ../shared", p, err)
	}
	return p
}

func builtin(t *testing.T) *rbd.Model {
	t.Helper()
	m, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return m
}

func approx(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.7g, want %.7g ± %g", what, got, want, tol)
	}
}

func keyframe(t *testing.T, m *rbd.Model, name string) []float64 {
	t.Helper()
	for i := range m.Keyframes {
		if m.Keyframes[i].Name == name {
			if m.Keyframes[i].Qpos == nil {
				t.Fatalf("keyframe %q has no qpos", name)
			}
			return append([]float64(nil), m.Keyframes[i].Qpos...)
		}
	}
	t.Fatalf("no keyframe %q", name)
	return nil
}

// halfHeight returns the geom's half-extent along the world z axis for the
// world orientation R, and false for shapes without a finite extent.
func halfHeight(g *rbd.Geom, R *spatial.Mat3) (float64, bool) {
	r0, r1, r2 := R[6], R[7], R[8] // the world z row: z components of the local axes
	s := g.Size
	switch g.Type {
	case rbd.GeomSphere:
		return s[0], true
	case rbd.GeomCapsule:
		return math.Abs(r2)*s[1] + s[0], true
	case rbd.GeomCylinder:
		return math.Abs(r2)*s[1] + s[0]*math.Sqrt(math.Max(0, 1-r2*r2)), true
	case rbd.GeomBox:
		return math.Abs(r0)*s[0] + math.Abs(r1)*s[1] + math.Abs(r2)*s[2], true
	case rbd.GeomEllipsoid:
		return math.Sqrt(r0*r0*s[0]*s[0] + r1*r1*s[1]*s[1] + r2*r2*s[2]*s[2]), true
	}
	return 0, false
}

// zExtent returns the lowest and highest world z of the geoms that pass keep,
// for the poses last computed into d.
func zExtent(m *rbd.Model, d *rbd.Data, keep func(*rbd.Geom) bool) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for i := range m.Geoms {
		g := &m.Geoms[i]
		if !keep(g) {
			continue
		}
		h, ok := halfHeight(g, &d.XGeom[i].R)
		if !ok {
			continue
		}
		z := d.XGeom[i].P[2]
		lo, hi = math.Min(lo, z-h), math.Max(hi, z+h)
	}
	return lo, hi
}

func notPlane(g *rbd.Geom) bool { return g.Type != rbd.GeomPlane }

// footBoxes returns the indices of the foot collision boxes, left then right.
func footBoxes(t *testing.T, m *rbd.Model) [2]int {
	t.Helper()
	var out [2]int
	for k, name := range [2]string{"left_foot", "right_foot"} {
		out[k] = -1
		for i := range m.Geoms {
			if m.Geoms[i].Name == name {
				out[k] = i
			}
		}
		if out[k] < 0 {
			t.Fatalf("no geom %q", name)
		}
		if g := &m.Geoms[out[k]]; g.Type != rbd.GeomBox || !g.Collides() {
			t.Fatalf("geom %q is a %s (collides %v), want a colliding box", name, g.Type, g.Collides())
		}
	}
	return out
}

// soleCorners returns the world positions of the four corners of the bottom
// face (local −z) of box geom i.
func soleCorners(m *rbd.Model, d *rbd.Data, i int) [4]spatial.Vec3 {
	s := m.Geoms[i].Size
	var c [4]spatial.Vec3
	for k, sg := range [4][2]float64{{1, 1}, {-1, 1}, {-1, -1}, {1, -1}} {
		c[k] = d.XGeom[i].Point(spatial.Vec3{sg[0] * s[0], sg[1] * s[1], -s[2]})
	}
	return c
}

type pt struct{ x, y float64 }

// convexHull returns the hull of ps counter-clockwise (Andrew's monotone
// chain), without repeated or collinear points.
func convexHull(ps []pt) []pt {
	p := append([]pt(nil), ps...)
	sort.Slice(p, func(i, j int) bool {
		if p[i].x != p[j].x {
			return p[i].x < p[j].x
		}
		return p[i].y < p[j].y
	})
	cross := func(o, a, b pt) float64 { return (a.x-o.x)*(b.y-o.y) - (a.y-o.y)*(b.x-o.x) }
	var h []pt
	for pass := 0; pass < 2; pass++ {
		start := len(h)
		for _, q := range p {
			for len(h) >= start+2 && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
				h = h[:len(h)-1]
			}
			h = append(h, q)
		}
		h = h[:len(h)-1] // the last point starts the other chain
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
	}
	return h
}

// hullMargin returns the signed distance from q to the boundary of the
// counter-clockwise convex polygon h: positive inside, negative outside
// (outside, the distance to the farthest-violated edge line, which is enough
// to tell the sign).
func hullMargin(h []pt, q pt) float64 {
	m := math.Inf(1)
	for i := range h {
		a, b := h[i], h[(i+1)%len(h)]
		ex, ey := b.x-a.x, b.y-a.y
		m = math.Min(m, (ex*(q.y-a.y)-ey*(q.x-a.x))/math.Hypot(ex, ey))
	}
	return m
}

// stance measures a standing pose q: the heights of the two foot sites, the
// extreme heights of the sole corners, and the margin of the centre of mass's
// ground projection inside the support polygon of the two soles.
type stance struct {
	siteZ          [2]float64
	cornerLo       float64
	cornerHi       float64
	com            spatial.Vec3
	supportMargin  float64
	supportPolygon []pt
}

func measureStance(t *testing.T, m *rbd.Model, q []float64) stance {
	t.Helper()
	d := rbd.NewData(m)
	rbd.Kinematics(m, d, q)
	rbd.GeomPoses(m, d)
	var s stance
	for k, name := range [2]string{"left_foot", "right_foot"} {
		i := m.SiteIndex(name)
		if i < 0 {
			t.Fatalf("no site %q", name)
		}
		s.siteZ[k] = d.XSite[i].P[2]
	}
	s.cornerLo, s.cornerHi = math.Inf(1), math.Inf(-1)
	var pts []pt
	for _, g := range footBoxes(t, m) {
		for _, c := range soleCorners(m, d, g) {
			s.cornerLo, s.cornerHi = math.Min(s.cornerLo, c[2]), math.Max(s.cornerHi, c[2])
			pts = append(pts, pt{c[0], c[1]})
		}
	}
	s.com = rbd.CenterOfMass(m, d)
	s.supportPolygon = convexHull(pts)
	s.supportMargin = hullMargin(s.supportPolygon, pt{s.com[0], s.com[1]})
	return s
}

// grounded reports whether both soles lie on z = 0 within tol: the foot sites
// and every corner of both sole faces.
func (s stance) grounded(tol float64) bool {
	return math.Abs(s.siteZ[0]) <= tol && math.Abs(s.siteZ[1]) <= tol &&
		math.Abs(s.cornerLo) <= tol && math.Abs(s.cornerHi) <= tol
}

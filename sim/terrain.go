package sim

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Terrain is the static world the robot stands on: planes (flat or tilted),
// boxes (steps, platforms, obstacles) and height fields (rough ground). Each
// shape has a Coulomb friction coefficient; a contact uses the larger of the
// terrain's and the robot geom's (MuJoCo's rule), except inside a friction
// patch.
type Terrain struct {
	Planes []Plane
	Boxes  []Box
	Fields []HeightField
	// Patches are regions of the ground with their own friction (ice, oil,
	// a wet floor): a contact whose point lies over one — its x and y
	// inside the rectangle, at any height — takes the patch's coefficient,
	// whatever the shape's and the geom's. The first patch holding the
	// point wins.
	Patches []FrictionPatch
}

// FrictionPatch is a rectangle of the ground, in world x and y, with its own
// Coulomb friction coefficient.
type FrictionPatch struct {
	MinX, MaxX, MinY, MaxY float64
	Friction               float64
}

// contactFriction returns the friction of a contact at p whose shape and
// geom give mu.
func (t *Terrain) contactFriction(p spatial.Vec3, mu float64) float64 {
	for i := range t.Patches {
		c := &t.Patches[i]
		if p[0] >= c.MinX && p[0] <= c.MaxX && p[1] >= c.MinY && p[1] <= c.MaxY {
			return c.Friction
		}
	}
	return mu
}

// Plane is the half-space n·x ≤ Offset (the ground below the surface n·x =
// Offset), n a unit normal pointing out of the ground.
type Plane struct {
	Normal   spatial.Vec3
	Offset   float64
	Friction float64
}

// Box is a solid box with pose X (centre and axes) and half-sizes Half.
type Box struct {
	X        spatial.Transform
	Half     spatial.Vec3
	Friction float64
}

// HeightField is ground whose surface height over the grid point (i, j) is
// Heights[j*NX+i] at x = X0 + i·DX, y = Y0 + j·DY; between grid points the
// surface is made of two triangles per cell. Outside the grid there is no
// ground from this field.
type HeightField struct {
	X0, Y0   float64
	DX, DY   float64
	NX, NY   int
	Heights  []float64
	Friction float64
}

// FlatGround returns a horizontal plane at z = 0 with friction mu.
func FlatGround(mu float64) *Terrain {
	return &Terrain{Planes: []Plane{{Normal: spatial.Vec3{0, 0, 1}, Friction: mu}}}
}

// TiltedGround returns a plane through the origin tilted by angle (rad) about
// the world y axis (the ground rises along +x for positive angles).
func TiltedGround(angle, mu float64) *Terrain {
	return &Terrain{Planes: []Plane{{Normal: spatial.Vec3{-math.Sin(angle), 0, math.Cos(angle)}, Friction: mu}}}
}

// Stairs returns flat ground plus n steps of the given rise and run, the first
// starting at x = x0, each as wide as width (centred on y = 0).
func Stairs(x0, rise, run, width float64, n int, mu float64) *Terrain {
	t := FlatGround(mu)
	for i := 0; i < n; i++ {
		h := rise * float64(i+1)
		t.Boxes = append(t.Boxes, Box{
			X:        spatial.Transform{R: spatial.Identity3(), P: spatial.Vec3{x0 + run*(float64(i)+0.5), 0, h / 2}},
			Half:     spatial.Vec3{run / 2, width / 2, h / 2},
			Friction: mu,
		})
	}
	return t
}

// RoughGround returns a height field of nx×ny points spaced dx apart, centred
// on the origin, with heights uniformly in ±amp from a deterministic sequence
// of the seed.
func RoughGround(nx, ny int, dx, amp float64, seed uint64, mu float64) *Terrain {
	f := HeightField{X0: -dx * float64(nx-1) / 2, Y0: -dx * float64(ny-1) / 2, DX: dx, DY: dx, NX: nx, NY: ny,
		Heights: make([]float64, nx*ny), Friction: mu}
	s := seed*2862933555777941757 + 3037000493
	for i := range f.Heights {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		f.Heights[i] = amp * (2*float64(s>>11)/(1<<53) - 1)
	}
	return &Terrain{Fields: []HeightField{f}}
}

// TerrainFromModel collects the planes and boxes on the model's world body.
// Without any, it returns flat ground at z = 0 with friction 1.
func TerrainFromModel(m *rbd.Model) *Terrain {
	t := &Terrain{}
	for i := range m.Geoms {
		g := &m.Geoms[i]
		if g.Body != 0 || !g.Collides() {
			continue
		}
		x := spatial.TransformFromQuat(g.Quat, g.Pos)
		switch g.Type {
		case rbd.GeomPlane:
			n := x.R.Col(2)
			t.Planes = append(t.Planes, Plane{Normal: n, Offset: n.Dot(x.P), Friction: g.Friction[0]})
		case rbd.GeomBox:
			t.Boxes = append(t.Boxes, Box{X: x, Half: g.Size, Friction: g.Friction[0]})
		}
	}
	if t.NumShapes() == 0 {
		return FlatGround(1)
	}
	return t
}

// NumShapes returns the number of terrain shapes.
func (t *Terrain) NumShapes() int { return len(t.Planes) + len(t.Boxes) + len(t.Fields) }

// Validate reports malformed terrain.
func (t *Terrain) Validate() error {
	for i, p := range t.Planes {
		if math.Abs(p.Normal.Norm()-1) > 1e-9 || !p.Normal.IsFinite() {
			return fmt.Errorf("terrain: plane %d: normal %v is not a unit vector", i, p.Normal)
		}
	}
	for i, b := range t.Boxes {
		if !(b.Half[0] > 0 && b.Half[1] > 0 && b.Half[2] > 0) {
			return fmt.Errorf("terrain: box %d: half-sizes %v must be positive", i, b.Half)
		}
	}
	for i, c := range t.Patches {
		if !(c.MinX < c.MaxX && c.MinY < c.MaxY) {
			return fmt.Errorf("terrain: friction patch %d: want MinX < MaxX and MinY < MaxY, have x [%g, %g], y [%g, %g]", i, c.MinX, c.MaxX, c.MinY, c.MaxY)
		}
		if !(c.Friction >= 0) || math.IsInf(c.Friction, 0) {
			return fmt.Errorf("terrain: friction patch %d: friction %g: want a finite value ≥ 0", i, c.Friction)
		}
	}
	for i, f := range t.Fields {
		if f.NX < 2 || f.NY < 2 || len(f.Heights) != f.NX*f.NY || !(f.DX > 0 && f.DY > 0) {
			return fmt.Errorf("terrain: height field %d: need NX, NY ≥ 2, DX, DY > 0 and NX·NY heights", i)
		}
	}
	return nil
}

// HeightAt returns the terrain's surface height under (x, y): the highest of
// the planes (where not vertical), tops of boxes with a vertical z axis, and
// height fields there, and whether any surface is there.
func (t *Terrain) HeightAt(x, y float64) (float64, bool) {
	best, ok := math.Inf(-1), false
	for _, p := range t.Planes {
		if math.Abs(p.Normal[2]) > 1e-6 {
			z := (p.Offset - p.Normal[0]*x - p.Normal[1]*y) / p.Normal[2]
			best, ok = math.Max(best, z), true
		}
	}
	for i := range t.Boxes {
		b := &t.Boxes[i]
		if b.X.R[8] < 1-1e-9 {
			continue // only boxes with a vertical z axis have a flat top
		}
		l := b.X.InvPoint(spatial.Vec3{x, y, b.X.P[2]})
		if math.Abs(l[0]) <= b.Half[0] && math.Abs(l[1]) <= b.Half[1] {
			best, ok = math.Max(best, b.X.P[2]+b.Half[2]), true
		}
	}
	for i := range t.Fields {
		if z, _, in := t.Fields[i].surface(x, y); in {
			best, ok = math.Max(best, z), true
		}
	}
	return best, ok
}

// distance returns the signed distance from p to the box surface (negative
// inside) and the outward surface normal at the closest point.
func (b *Box) distance(p spatial.Vec3) (float64, spatial.Vec3) {
	l := b.X.InvPoint(p)
	var q spatial.Vec3
	outside := false
	for k := 0; k < 3; k++ {
		q[k] = math.Max(-b.Half[k], math.Min(b.Half[k], l[k]))
		if q[k] != l[k] {
			outside = true
		}
	}
	if outside {
		d := l.Sub(q)
		n := d.Norm()
		return n, b.X.R.MulVec(d.Scale(1 / n))
	}
	// inside: the nearest face
	best, axis, sign := math.Inf(1), 0, 1.0
	for k := 0; k < 3; k++ {
		if g := b.Half[k] - l[k]; g < best {
			best, axis, sign = g, k, 1
		}
		if g := b.Half[k] + l[k]; g < best {
			best, axis, sign = g, k, -1
		}
	}
	var n spatial.Vec3
	n[axis] = sign
	return -best, b.X.R.MulVec(n)
}

// surface returns the height field's height and upward unit normal at (x, y),
// and whether (x, y) is over the grid.
func (f *HeightField) surface(x, y float64) (float64, spatial.Vec3, bool) {
	u, v := (x-f.X0)/f.DX, (y-f.Y0)/f.DY
	if !(u >= 0 && v >= 0 && u <= float64(f.NX-1) && v <= float64(f.NY-1)) {
		return 0, spatial.Vec3{}, false
	}
	i, j := min(int(u), f.NX-2), min(int(v), f.NY-2)
	a, b := u-float64(i), v-float64(j)
	h00 := f.Heights[j*f.NX+i]
	h10 := f.Heights[j*f.NX+i+1]
	h01 := f.Heights[(j+1)*f.NX+i]
	h11 := f.Heights[(j+1)*f.NX+i+1]
	var z, gx, gy float64
	if a+b <= 1 { // lower-left triangle (00, 10, 01)
		gx, gy = (h10-h00)/f.DX, (h01-h00)/f.DY
		z = h00 + a*(h10-h00) + b*(h01-h00)
	} else { // upper-right triangle (11, 01, 10)
		gx, gy = (h11-h01)/f.DX, (h11-h10)/f.DY
		z = h11 + (a-1)*(h11-h01) + (b-1)*(h11-h10)
	}
	return z, spatial.Vec3{-gx, -gy, 1}.Normalize(), true
}

package sim

import (
	"math"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Contact is one point where a robot geom touches (or is within the margin
// of) the terrain.
type Contact struct {
	Geom     int          // robot geom index
	Body     int          // its body
	Shape    int          // terrain shape: planes, then boxes, then height fields
	Feature  int          // which corner / end / rim point of the geom
	Pos      spatial.Vec3 // point on the robot geom's surface, world
	Normal   spatial.Vec3 // unit, from the terrain towards the robot
	Dist     float64      // signed distance along Normal; negative is penetration (m)
	Friction float64      // Coulomb coefficient
	Force    spatial.Vec3 // force the terrain exerts on the robot, world (N); ConstraintSolve
}

// speculativeSlack (m) is the gap below which a contact is always kept.
const speculativeSlack = 2e-4

// maxContactsPerGeom bounds the contacts one geom makes with one shape.
const maxContactsPerGeom = 16

// collidable reports whether robot geoms of kind t collide with terrain.
func collidable(t rbd.GeomType) bool {
	switch t {
	case rbd.GeomSphere, rbd.GeomCapsule, rbd.GeomBox, rbd.GeomCylinder:
		return true
	}
	return false
}

// collision finds the contacts of every collision geom of the robot with
// every terrain shape into Contacts.
func (w *World) collision() {
	w.Contacts = w.contactBuf[:0]
	if w.Opt.DisableConstraints || w.Opt.DisableContacts {
		return
	}
	t := w.Terrain
	margin := w.Opt.Contact.Margin
	for _, gi := range w.collisionGeoms {
		g, x := w.collider(gi)
		rb := boundingRadius(g)
		shape := 0
		for pi := range t.Planes {
			p := &t.Planes[pi]
			if p.Normal.Dot(x.P)-p.Offset-rb < margin {
				w.collideGeom(gi, g, x, terrainRef{kind: shapePlane, plane: p, mu: p.Friction}, shape)
			}
			shape++
		}
		for bi := range t.Boxes {
			b := &t.Boxes[bi]
			if dist := b.X.P.Sub(x.P).Norm(); dist-rb-b.Half.Norm() < margin {
				w.collideGeom(gi, g, x, terrainRef{kind: shapeBox, box: b, mu: b.Friction}, shape)
			}
			shape++
		}
		for fi := range t.Fields {
			f := &t.Fields[fi]
			w.collideGeom(gi, g, x, terrainRef{kind: shapeField, field: f, mu: f.Friction}, shape)
			shape++
		}
	}
}

type shapeKind uint8

const (
	shapePlane shapeKind = iota
	shapeBox
	shapeField
)

// terrainRef is one terrain shape with its signed distance function.
type terrainRef struct {
	kind  shapeKind
	plane *Plane
	box   *Box
	field *HeightField
	mu    float64
}

// sdf returns the signed distance from p to the shape's surface and the
// surface normal; ok is false where the shape has no surface (off a height
// field).
func (s *terrainRef) sdf(p spatial.Vec3) (dist float64, n spatial.Vec3, ok bool) {
	switch s.kind {
	case shapePlane:
		return s.plane.Normal.Dot(p) - s.plane.Offset, s.plane.Normal, true
	case shapeBox:
		d, n := s.box.distance(p)
		return d, n, true
	default:
		z, n, in := s.field.surface(p[0], p[1])
		if !in {
			return 0, n, false
		}
		return (p[2] - z) * n[2], n, true
	}
}

func boundingRadius(g *rbd.Geom) float64 {
	switch g.Type {
	case rbd.GeomSphere:
		return g.Size[0]
	case rbd.GeomCapsule:
		return g.Size[0] + g.Size[1]
	case rbd.GeomCylinder:
		return math.Hypot(g.Size[0], g.Size[1])
	default:
		return g.Size.Norm()
	}
}

// collideGeom adds the contacts of robot geom gi (pose x) with one shape.
func (w *World) collideGeom(gi int, g *rbd.Geom, x *spatial.Transform, s terrainRef, shape int) {
	vel := &w.Data.BodyVel[g.Body]
	h := w.Opt.Timestep
	probe := func(feature int, p spatial.Vec3, r float64) {
		dist, n, ok := s.sdf(p)
		if !ok || dist-r >= w.Opt.Contact.Margin || len(w.Contacts) == cap(w.Contacts) {
			return
		}
		// A point still apart is kept only if it could touch within about two
		// steps: otherwise its row could not act, and would only cost time.
		if gap := dist - r; gap > speculativeSlack {
			if approach := -n.Dot(vel.At(p.AddScaled(-r, n))); gap > 2*h*approach+speculativeSlack {
				return
			}
		}
		pos := p.AddScaled(-r, n)
		mu := w.Terrain.contactFriction(pos, math.Max(s.mu, g.Friction[0]))
		w.Contacts = append(w.Contacts, Contact{Geom: gi, Body: g.Body, Shape: shape, Feature: feature,
			Pos: pos, Normal: n, Dist: dist - r, Friction: mu})
	}
	axis := x.R.Col(2)
	switch g.Type {
	case rbd.GeomSphere:
		probe(0, x.P, g.Size[0])
	case rbd.GeomCapsule:
		r, hl := g.Size[0], g.Size[1]
		probe(0, x.P.AddScaled(hl, axis), r)
		probe(1, x.P.AddScaled(-hl, axis), r)
		if s.kind != shapePlane { // a convex plane never touches the middle first
			probe(2, x.P, r)
		}
	case rbd.GeomBox:
		h := g.Size
		for c := 0; c < 8; c++ {
			l := spatial.Vec3{h[0] * sgn(c&1), h[1] * sgn(c&2), h[2] * sgn(c&4)}
			probe(c, x.Point(l), 0)
		}
		if s.kind == shapeBox {
			w.boxCornersInGeomBox(gi, g, x, s, shape)
		}
	case rbd.GeomCylinder:
		r, hl := g.Size[0], g.Size[1]
		for cap := 0; cap < 2; cap++ {
			c := x.P.AddScaled(hl*sgn(cap), axis)
			_, n, ok := s.sdf(c)
			if !ok {
				continue
			}
			// deepest rim direction: −n projected onto the cap plane
			dn := n.Neg().AddScaled(n.Dot(axis), axis)
			if dn.Norm() < 1e-9 {
				dn = x.R.Col(0)
			}
			dn = dn.Normalize()
			dp := axis.Cross(dn)
			for k := 0; k < 4; k++ {
				dir := dn
				switch k {
				case 1:
					dir = dp
				case 2:
					dir = dn.Neg()
				case 3:
					dir = dp.Neg()
				}
				probe(4*cap+k, c.AddScaled(r, dir), 0)
			}
		}
	}
}

// boxCornersInGeomBox adds contacts where a terrain box's corners poke into a
// robot box (a foot over a step edge): the contact normal is the robot face
// the corner is nearest to, reversed.
func (w *World) boxCornersInGeomBox(gi int, g *rbd.Geom, x *spatial.Transform, s terrainRef, shape int) {
	geomBox := Box{X: *x, Half: g.Size}
	tb := s.box
	for c := 0; c < 8; c++ {
		if len(w.Contacts) == cap(w.Contacts) {
			return
		}
		l := spatial.Vec3{tb.Half[0] * sgn(c&1), tb.Half[1] * sgn(c&2), tb.Half[2] * sgn(c&4)}
		p := tb.X.Point(l)
		dist, n := geomBox.distance(p)
		if dist >= w.Opt.Contact.Margin {
			continue
		}
		w.Contacts = append(w.Contacts, Contact{Geom: gi, Body: g.Body, Shape: shape, Feature: 8 + c,
			Pos: p, Normal: n.Neg(), Dist: dist, Friction: w.Terrain.contactFriction(p, math.Max(s.mu, g.Friction[0]))})
	}
}

func sgn(bit int) float64 {
	if bit != 0 {
		return 1
	}
	return -1
}

package mjcf

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// bodyMass is a body's mass, centre of mass and rotational inertia about the
// centre of mass, in the body frame.
type bodyMass struct {
	mass    float64
	com     spatial.Vec3
	inertia spatial.Mat3
}

// massProps is the volume, centroid and inertia (about the centroid, per unit
// density) of a solid in its own frame.
type massProps struct {
	vol     float64
	com     spatial.Vec3
	inertia spatial.Mat3
}

// primitiveProps returns the mass properties of a primitive geom of uniform
// unit density, centred on its frame. A capsule is a cylinder of half-length h
// plus two hemispheres whose centroids sit 3r/8 beyond its ends.
func primitiveProps(typ rbd.GeomType, s spatial.Vec3) massProps {
	var vol float64
	var d spatial.Vec3
	switch typ {
	case rbd.GeomSphere:
		vol = 4 * math.Pi * s[0] * s[0] * s[0] / 3
		i := vol * 2 * s[0] * s[0] / 5
		d = spatial.Vec3{i, i, i}
	case rbd.GeomEllipsoid:
		vol = 4 * math.Pi * s[0] * s[1] * s[2] / 3
		a, b, c := s[0]*s[0], s[1]*s[1], s[2]*s[2]
		d = spatial.Vec3{vol * (b + c) / 5, vol * (a + c) / 5, vol * (a + b) / 5}
	case rbd.GeomBox:
		vol = 8 * s[0] * s[1] * s[2]
		a, b, c := s[0]*s[0], s[1]*s[1], s[2]*s[2]
		d = spatial.Vec3{vol * (b + c) / 3, vol * (a + c) / 3, vol * (a + b) / 3}
	case rbd.GeomCylinder:
		r, h := s[0], s[1]
		vol = math.Pi * r * r * 2 * h
		i := vol * (r*r/4 + h*h/3)
		d = spatial.Vec3{i, i, vol * r * r / 2}
	case rbd.GeomCapsule:
		r, h := s[0], s[1]
		vc := math.Pi * r * r * 2 * h
		vs := 4 * math.Pi * r * r * r / 3
		vol = vc + vs
		i := vc*(r*r/4+h*h/3) + vs*(2*r*r/5+h*h+3*h*r/4)
		d = spatial.Vec3{i, i, vc*r*r/2 + vs*2*r*r/5}
	}
	return massProps{vol: vol, inertia: spatial.Diag3(d)}
}

// meshMassProps returns the mass properties of a closed triangle mesh by the
// divergence theorem: a sum over the signed tetrahedra joining the origin to
// each face. A mesh whose faces point inwards gives a negative volume and is
// flipped. It reports false for a mesh with (almost) no volume.
func meshMassProps(v []float64, f []int32) (massProps, bool) {
	var vol float64
	var first spatial.Vec3
	var cov spatial.Mat3 // ∫ x xᵀ dV
	for t := 0; t+2 < len(f); t += 3 {
		a, b, c := vertex(v, f[t]), vertex(v, f[t+1]), vertex(v, f[t+2])
		dv := a.Dot(b.Cross(c)) / 6
		s := a.Add(b).Add(c)
		vol += dv
		first = first.AddScaled(dv/4, s)
		cv := spatial.Outer(a, a).Add(spatial.Outer(b, b)).Add(spatial.Outer(c, c)).Add(spatial.Outer(s, s))
		cov = cov.Add(cv.Scale(dv / 20))
	}
	if vol < 0 {
		vol, first, cov = -vol, first.Neg(), cov.Scale(-1)
	}
	if !(vol > 1e-18) {
		return massProps{}, false
	}
	com := first.Scale(1 / vol)
	cov = cov.Sub(spatial.Outer(com, com).Scale(vol)) // about the centroid
	tr := cov[0] + cov[4] + cov[8]
	I := spatial.Diag3(spatial.Vec3{tr, tr, tr}).Sub(cov)
	return massProps{vol: vol, com: com, inertia: I.Symmetrize()}, true
}

func vertex(v []float64, i int32) spatial.Vec3 {
	k := 3 * int(i)
	return spatial.Vec3{v[k], v[k+1], v[k+2]}
}

// massFromGeoms sums the geoms of a body whose group lies in the compiler's
// inertiagrouprange, each of uniform density (or of its given mass).
func (l *loader) massFromGeoms(geoms []geomMass) (bodyMass, error) {
	var total float64
	var first spatial.Vec3
	var iOrigin spatial.Mat3 // about the body origin
	for i := range geoms {
		g := &geoms[i]
		if g.spec.group < l.opts.groupRange[0] || g.spec.group > l.opts.groupRange[1] {
			continue
		}
		mp, ok := l.geomProps(g)
		if !ok {
			continue
		}
		density := g.spec.density
		if g.spec.hasMass {
			if mp.vol <= 0 {
				return bodyMass{}, attrErrorf(g.e, "mass", "the geom has no volume to spread the mass over")
			}
			density = g.spec.mass / mp.vol
		}
		m := density * mp.vol
		if m == 0 {
			continue
		}
		R := g.x.quat.Mat3()
		c := g.x.pos.Add(g.x.quat.Rotate(mp.com))
		total += m
		first = first.AddScaled(m, c)
		iOrigin = iOrigin.Add(rotateInertia(R, mp.inertia.Scale(density))).Add(shift(m, c))
	}
	if total == 0 {
		return bodyMass{}, nil
	}
	com := first.Scale(1 / total)
	return bodyMass{mass: total, com: com, inertia: asMuJoCo(iOrigin.Sub(shift(total, com)))}, nil
}

// asMuJoCo returns the inertia MuJoCo simulates for a body whose inertia it
// computed: rebuilt from the principal moments and axes of its decomposition.
func asMuJoCo(I spatial.Mat3) spatial.Mat3 {
	vals, axes := principalAxes(I.Symmetrize())
	return rotateInertia(axes.Mat3(), spatial.Diag3(vals))
}

// geomProps returns a geom's mass properties per unit density, or false when
// it has none (planes, meshes without data).
func (l *loader) geomProps(g *geomMass) (massProps, bool) {
	if g.spec.shellInertia {
		l.warn("mjcf: geom shellinertia is not supported; solid inertia is used (first " + g.e.tag() + " at " + loc(g.e) + ")")
	}
	switch g.typ {
	case rbd.GeomPlane, rbd.GeomHField:
		return massProps{}, false
	case rbd.GeomMesh:
		mp := l.meshMass(g.mesh)
		if mp == nil {
			return massProps{}, false
		}
		return *mp, true
	}
	return primitiveProps(g.typ, g.size), true
}

// shift returns m(|c|²·1 − c cᵀ), the parallel-axis term.
func shift(m float64, c spatial.Vec3) spatial.Mat3 {
	cc := c.Dot(c)
	return spatial.Diag3(spatial.Vec3{cc, cc, cc}).Sub(spatial.Outer(c, c)).Scale(m)
}

// rotateInertia returns R I Rᵀ.
func rotateInertia(R, I spatial.Mat3) spatial.Mat3 {
	t := R.Mul(&I)
	return t.MulT(&R).Symmetrize()
}

// boundInertia applies the compiler's boundmass and boundinertia (a lower
// bound on the principal moments).
func (l *loader) boundInertia(mp bodyMass) bodyMass {
	mp.mass = math.Max(mp.mass, l.opts.boundMass)
	if l.opts.boundInertia > 0 {
		vals, axes := principalAxes(mp.inertia)
		for i := range vals {
			vals[i] = math.Max(vals[i], l.opts.boundInertia)
		}
		mp.inertia = rotateInertia(axes.Mat3(), spatial.Diag3(vals))
	}
	return mp
}

// applyTotalMass scales all masses and inertias to the compiler's
// settotalmass, as MuJoCo still does, with a warning since it is deprecated.
func (l *loader) applyTotalMass() error {
	target := l.opts.setTotalMass
	if target <= 0 {
		return nil
	}
	total := l.m.TotalMass()
	if total == 0 {
		l.warn("mjcf: compiler settotalmass ignored: the model has no mass to scale")
		return nil
	}
	k := target / total
	for i := range l.m.Bodies {
		b := &l.m.Bodies[i]
		b.Mass *= k
		b.Inertia = b.Inertia.Scale(k)
	}
	l.warn(fmt.Sprintf("mjcf: compiler settotalmass is deprecated in MuJoCo; masses and inertias were scaled by %.6g to total %g", k, target))
	return nil
}

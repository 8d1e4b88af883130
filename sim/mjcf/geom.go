package mjcf

import (
	"strconv"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// geomMass is what a geom may contribute to its body's inertia.
type geomMass struct {
	e    *element
	spec geomSpec
	typ  rbd.GeomType
	size spatial.Vec3
	x    pose // in the body frame
	mesh int  // index into the model's meshes, or −1
}

// addGeom builds a <geom> of body bi. Height-field and SDF geoms are left out
// with a warning, and nil is returned for them.
func (l *loader) addGeom(it item, bi int) (*geomMass, error) {
	e := it.e
	cls, err := l.defs.active(e, it.class)
	if err != nil {
		return nil, err
	}
	s := cls.geom
	if err := applyGeom(&s, e); err != nil {
		return nil, err
	}
	if s.typ == "hfield" || s.typ == "sdf" {
		l.warn("mjcf: " + s.typ + " geoms are not supported and were left out (first " + e.tag() + " at " + loc(e) + ")")
		return nil, nil
	}
	typ := geomTypes[s.typ]
	x, size, err := l.geomPose(e, &s, typ)
	if err != nil {
		return nil, err
	}
	x = it.frame.mul(x)
	mesh, err := l.geomMesh(e, &s, typ)
	if err != nil {
		return nil, err
	}
	if err := checkGeomSize(e, typ, size); err != nil {
		return nil, err
	}
	if err := checkNonNegative(e, map[string]float64{"mass": s.mass, "density": s.density}); err != nil {
		return nil, err
	}
	g := rbd.Geom{Body: bi, Type: typ, Size: size, Pos: x.pos, Quat: x.quat, Mesh: mesh,
		Contype: s.contype, Conaffinity: s.conaffinity, Condim: s.condim, Friction: s.friction,
		Group: s.group, Material: s.material}
	g.Name, _ = e.attr("name")
	rgba := s.rgba
	if s.material != "" {
		mat, ok := l.materials[s.material]
		if !ok {
			return nil, attrErrorf(e, "material", "unknown material %q", s.material)
		}
		if !s.hasRGBA && mat.hasRGBA {
			rgba = mat.rgba
		}
	}
	for i, c := range rgba {
		g.RGBA[i] = float32(c)
	}
	if err := l.names.add("geom", e, g.Name); err != nil {
		return nil, err
	}
	l.m.Geoms = append(l.m.Geoms, g)
	return &geomMass{e: e, spec: s, typ: typ, size: size, x: x, mesh: mesh}, nil
}

// geomPose returns the geom's pose in its body (or frame) and its size, from
// fromto when given.
func (l *loader) geomPose(e *element, s *geomSpec, typ rbd.GeomType) (pose, spatial.Vec3, error) {
	size := spatial.Vec3(s.size)
	if !s.hasFromto {
		q, err := s.orient.quat(&l.opts)
		if err != nil {
			return pose{}, size, errorf(e, "%v", err)
		}
		return pose{pos: s.pos, quat: q}, size, nil
	}
	x, half, err := fromto(s.fromto)
	if err != nil {
		return pose{}, size, errorf(e, "%v", err)
	}
	switch typ {
	case rbd.GeomCapsule, rbd.GeomCylinder:
		size[1] = half
	case rbd.GeomBox, rbd.GeomEllipsoid:
		size[1], size[2] = size[0], half
	default:
		return pose{}, size, attrErrorf(e, "fromto", "only capsule, cylinder, box and ellipsoid geoms accept it, not %s", s.typ)
	}
	return x, size, nil
}

// geomMesh resolves the geom's mesh attribute.
func (l *loader) geomMesh(e *element, s *geomSpec, typ rbd.GeomType) (int, error) {
	if s.mesh == "" {
		if typ == rbd.GeomMesh {
			return -1, attrErrorf(e, "mesh", "missing (a mesh geom needs one)")
		}
		return -1, nil
	}
	mi, ok := l.meshIndex[s.mesh]
	if !ok {
		return -1, attrErrorf(e, "mesh", "unknown mesh %q", s.mesh)
	}
	if typ != rbd.GeomMesh {
		l.warn("mjcf: fitting a primitive geom to a mesh is not supported; the geom's own size is used (first " + e.tag() + " at " + loc(e) + ")")
		return -1, nil
	}
	if s.hasFromto {
		return -1, attrErrorf(e, "fromto", "cannot be used with a mesh geom")
	}
	return mi, nil
}

// checkGeomSize checks the size parameters the geom type needs.
func checkGeomSize(e *element, typ rbd.GeomType, size spatial.Vec3) error {
	var need int
	var what string
	switch typ {
	case rbd.GeomSphere:
		need, what = 1, "a sphere needs a radius > 0"
	case rbd.GeomCapsule, rbd.GeomCylinder:
		need, what = 2, "a "+typ.String()+" needs a radius and a half-length > 0"
	case rbd.GeomBox:
		need, what = 3, "a box needs 3 half-sizes > 0"
	case rbd.GeomEllipsoid:
		need, what = 3, "an ellipsoid needs 3 radii > 0"
	case rbd.GeomPlane:
		if size[0] < 0 || size[1] < 0 || size[2] < 0 {
			return attrErrorf(e, "size", "a plane's sizes must be non-negative, got %g %g %g", size[0], size[1], size[2])
		}
	}
	for i := 0; i < need; i++ {
		if !(size[i] > 0) {
			return attrErrorf(e, "size", "%s, got %g %g %g", what, size[0], size[1], size[2])
		}
	}
	return nil
}

// addSite builds a <site> of body bi.
func (l *loader) addSite(it item, bi int) error {
	e := it.e
	cls, err := l.defs.active(e, it.class)
	if err != nil {
		return err
	}
	s := cls.site
	if err := applySite(&s, e); err != nil {
		return err
	}
	var x pose
	if s.hasFromto {
		if x, _, err = fromto(s.fromto); err != nil {
			return errorf(e, "%v", err)
		}
	} else {
		q, err := s.orient.quat(&l.opts)
		if err != nil {
			return errorf(e, "%v", err)
		}
		x = pose{pos: s.pos, quat: q}
	}
	x = it.frame.mul(x)
	site := rbd.Site{Body: bi, Pos: x.pos, Quat: x.quat}
	site.Name, _ = e.attr("name")
	if err := l.names.add("site", e, site.Name); err != nil {
		return err
	}
	l.m.Sites = append(l.m.Sites, site)
	return nil
}

// loc renders an element's location as file:line.
func loc(e *element) string {
	return e.file + ":" + strconv.Itoa(e.line)
}

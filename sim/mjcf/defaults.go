package mjcf

import (
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// A default class holds one dummy element of each defaultable kind. A class
// starts as a copy of its parent's dummies and its <joint>, <geom>, … children
// overwrite the attributes they give; an actual element starts from the
// dummies of its active class and overwrites them likewise. The same apply
// functions therefore read both default and actual elements.
type defaultClass struct {
	name     string
	joint    jointSpec
	geom     geomSpec
	site     siteSpec
	mesh     meshSpec
	actuator actuatorSpec
}

// builtinClass returns MJCF's internal defaults.
func builtinClass(name string) *defaultClass {
	return &defaultClass{
		name:     name,
		joint:    jointSpec{typ: "hinge", axis: spatial.Vec3{0, 0, 1}},
		geom:     defaultGeomSpec(),
		site:     siteSpec{typ: "sphere"},
		mesh:     meshSpec{scale: spatial.Vec3{1, 1, 1}},
		actuator: defaultActuatorSpec(),
	}
}

// jointSpec is a <joint> as read, before unit conversion.
type jointSpec struct {
	typ                   string
	pos, axis             spatial.Vec3
	rng                   [2]float64
	limited               tristate
	ref, springref        float64
	stiffness, damping    float64
	armature, friction    float64
	frcRange              [2]float64
	frcLimited            tristate
	springdamperGiven     bool
	polynomialCoefficient bool // damping or stiffness with more than one coefficient
}

func applyJoint(s *jointSpec, e *element) error {
	r := reader(e)
	r.keyword("type", &s.typ, "free", "ball", "slide", "hinge")
	r.vec3("pos", &s.pos)
	r.vec3("axis", &s.axis)
	r.pair("range", &s.rng)
	r.tri("limited", &s.limited)
	r.float("ref", &s.ref)
	r.float("springref", &s.springref)
	s.polynomialCoefficient = s.polynomialCoefficient || polynomial(r, "stiffness", &s.stiffness) || polynomial(r, "damping", &s.damping)
	r.float("armature", &s.armature)
	r.float("frictionloss", &s.friction)
	r.pair("actuatorfrcrange", &s.frcRange)
	r.tri("actuatorfrclimited", &s.frcLimited)
	var sd [2]float64
	if r.pair("springdamper", &sd) {
		s.springdamperGiven = sd[0] > 0 && sd[1] > 0
	}
	return r.err
}

// polynomial reads an attribute of 1 to 3 coefficients into dst (the linear
// one) and reports whether higher-order coefficients are non-zero.
func polynomial(r *attrReader, name string, dst *float64) bool {
	c := make([]float64, 3)
	c[0] = *dst
	if !r.floats(name, c, 1) {
		return false
	}
	*dst = c[0]
	return c[1] != 0 || c[2] != 0
}

// geomSpec is a <geom> as read.
type geomSpec struct {
	typ                  string
	size                 [3]float64
	pos                  spatial.Vec3
	orient               orientation
	fromto               [6]float64
	hasFromto            bool
	contype, conaffinity uint32
	condim, group        int
	friction             [3]float64
	rgba                 [4]float64
	hasRGBA              bool
	material, mesh       string
	mass, density        float64
	hasMass              bool
	shellInertia         bool
}

func defaultGeomSpec() geomSpec {
	return geomSpec{
		typ: "sphere", contype: 1, conaffinity: 1, condim: 3,
		friction: [3]float64{1, 0.005, 0.0001}, rgba: [4]float64{0.5, 0.5, 0.5, 1}, density: 1000,
	}
}

var geomTypes = map[string]rbd.GeomType{
	"plane": rbd.GeomPlane, "hfield": rbd.GeomHField, "sphere": rbd.GeomSphere, "capsule": rbd.GeomCapsule,
	"ellipsoid": rbd.GeomEllipsoid, "cylinder": rbd.GeomCylinder, "box": rbd.GeomBox, "mesh": rbd.GeomMesh,
}

func applyGeom(s *geomSpec, e *element) error {
	r := reader(e)
	r.keyword("type", &s.typ, "plane", "hfield", "sphere", "capsule", "ellipsoid", "cylinder", "box", "mesh", "sdf")
	r.floats("size", s.size[:], 1)
	r.vec3("pos", &s.pos)
	r.orientation(&s.orient)
	s.hasFromto = r.floats("fromto", s.fromto[:], 6) || s.hasFromto
	r.bitmask("contype", &s.contype)
	r.bitmask("conaffinity", &s.conaffinity)
	r.integer("condim", &s.condim)
	r.integer("group", &s.group)
	r.floats("friction", s.friction[:], 1)
	s.hasRGBA = r.floats("rgba", s.rgba[:], 4) || s.hasRGBA
	r.str("material", &s.material)
	r.str("mesh", &s.mesh)
	s.hasMass = r.float("mass", &s.mass) || s.hasMass
	r.float("density", &s.density)
	r.boolean("shellinertia", &s.shellInertia)
	if r.err != nil {
		return r.err
	}
	if s.condim != 1 && s.condim != 3 && s.condim != 4 && s.condim != 6 {
		return attrErrorf(e, "condim", "%d is not one of 1, 3, 4, 6", s.condim)
	}
	return nil
}

// siteSpec is a <site> as read.
type siteSpec struct {
	typ       string
	size      [3]float64
	pos       spatial.Vec3
	orient    orientation
	fromto    [6]float64
	hasFromto bool
}

func applySite(s *siteSpec, e *element) error {
	r := reader(e)
	r.keyword("type", &s.typ, "sphere", "capsule", "ellipsoid", "cylinder", "box", "mesh")
	r.floats("size", s.size[:], 1)
	r.vec3("pos", &s.pos)
	r.orientation(&s.orient)
	s.hasFromto = r.floats("fromto", s.fromto[:], 6) || s.hasFromto
	var rgba [4]float64
	r.floats("rgba", rgba[:], 4)
	var group int
	r.integer("group", &group)
	return r.err
}

// meshSpec is an <asset><mesh> as read.
type meshSpec struct {
	scale spatial.Vec3
}

func applyMesh(s *meshSpec, e *element) error {
	r := reader(e)
	r.vec3("scale", &s.scale)
	return r.err
}

// defaults holds the default classes by name.
type defaults struct {
	classes map[string]*defaultClass
	main    *defaultClass
}

func newDefaults() *defaults {
	main := builtinClass("main")
	return &defaults{classes: map[string]*defaultClass{"main": main}, main: main}
}

// addTopLevel reads a top-level <default> section. The first one defines the
// top-level class (named "main" unless it says otherwise); later sections add
// to it.
func (d *defaults) addTopLevel(e *element, first bool) error {
	if name, ok := e.attr("class"); ok && name != d.main.name {
		if !first {
			return attrErrorf(e, "class", "%q: a later top-level <default> must extend the top-level class %q", name, d.main.name)
		}
		delete(d.classes, d.main.name)
		d.main.name = name
		d.classes[name] = d.main
	}
	return d.fill(d.main, e)
}

// fill applies the children of a <default> element to class c, then creates
// its nested classes: as in MuJoCo, a nested class inherits all of its
// parent's settings, wherever it appears among them.
func (d *defaults) fill(c *defaultClass, e *element) error {
	for _, k := range e.children {
		if k.name == "default" {
			continue
		}
		if err := applyDefault(c, k); err != nil {
			return err
		}
	}
	for _, k := range e.children {
		if k.name != "default" {
			continue
		}
		name, ok := k.attr("class")
		if !ok || name == "" {
			return errorf(k, "a nested default needs a class name")
		}
		if _, dup := d.classes[name]; dup {
			return attrErrorf(k, "class", "default class %q is defined twice", name)
		}
		child := *c
		child.name = name
		d.classes[name] = &child
		if err := d.fill(&child, k); err != nil {
			return err
		}
	}
	return nil
}

// applyDefault applies one defaultable element to class c.
func applyDefault(c *defaultClass, k *element) error {
	switch k.name {
	case "joint":
		return applyJoint(&c.joint, k)
	case "geom":
		return applyGeom(&c.geom, k)
	case "site":
		return applySite(&c.site, k)
	case "mesh":
		return applyMesh(&c.mesh, k)
	case "motor", "position", "velocity", "general":
		return applyActuator(&c.actuator, k)
	}
	return nil // other defaultable elements (camera, light, tendon, …) have no use here
}

// class returns the named class.
func (d *defaults) class(e *element, name string) (*defaultClass, error) {
	c, ok := d.classes[name]
	if !ok {
		return nil, errorf(e, "unknown default class %q", name)
	}
	return c, nil
}

// active returns the class that sets e's defaults: its own class attribute,
// else the inherited childclass.
func (d *defaults) active(e *element, inherited *defaultClass) (*defaultClass, error) {
	if name, ok := e.attr("class"); ok {
		return d.class(e, name)
	}
	return inherited, nil
}

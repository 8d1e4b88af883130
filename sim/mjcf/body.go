package mjcf

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// item is an element of a body after <frame> elements are dissolved: the
// frame's pose in the body and the default class the element inherits.
type item struct {
	e     *element
	frame pose
	class *defaultClass
}

// flatten lists the children of a body (or of worldbody) in document order,
// descending into <frame> elements and accumulating their poses and
// childclass.
func (l *loader) flatten(e *element, f pose, cls *defaultClass) ([]item, error) {
	var out []item
	for _, c := range e.children {
		if c.name != "frame" {
			out = append(out, item{c, f, cls})
			continue
		}
		p, err := l.framePose(c, identityPose())
		if err != nil {
			return nil, err
		}
		sub, err := l.childClass(c, cls)
		if err != nil {
			return nil, err
		}
		inner, err := l.flatten(c, f.mul(p), sub)
		if err != nil {
			return nil, err
		}
		out = append(out, inner...)
	}
	return out, nil
}

// framePose reads pos and orientation attributes over the defaults in base.
func (l *loader) framePose(e *element, base pose) (pose, error) {
	r := reader(e)
	p := base.pos
	r.vec3("pos", &p)
	var o orientation
	r.orientation(&o)
	if r.err != nil {
		return pose{}, r.err
	}
	q := base.quat
	if o.kind != orientNone {
		var err error
		if q, err = o.quat(&l.opts); err != nil {
			return pose{}, errorf(e, "%v", err)
		}
	}
	return pose{pos: p, quat: q}, nil
}

// childClass returns the class named by e's childclass, or inherited.
func (l *loader) childClass(e *element, inherited *defaultClass) (*defaultClass, error) {
	if name, ok := e.attr("childclass"); ok {
		return l.defs.class(e, name)
	}
	return inherited, nil
}

// readWorld builds the world body's geoms and sites, then the bodies, from
// every <worldbody> section.
func (l *loader) readWorld() error {
	var items []item
	for _, wb := range l.sections("worldbody") {
		its, err := l.flatten(wb, identityPose(), l.defs.main)
		if err != nil {
			return err
		}
		items = append(items, its...)
	}
	_, inertial, err := l.attachments(0, items)
	if err != nil {
		return err
	}
	if inertial != nil {
		l.warnElement(inertial.e, "in <worldbody> was ignored (the world body has no mass)")
	}
	for _, it := range items {
		switch it.e.name {
		case "body":
			if err := l.buildBody(it, 0); err != nil {
				return err
			}
		case "joint", "freejoint":
			return errorf(it.e, "joints are not allowed in the world body")
		}
	}
	return nil
}

// buildBody adds a body, its joints, geoms, sites and inertia, then its
// children, so that bodies stay in topological order and each body's joints
// are contiguous.
func (l *loader) buildBody(it item, parent int) error {
	e := it.e
	cls, err := l.childClass(e, it.class)
	if err != nil {
		return err
	}
	local, err := l.framePose(e, identityPose())
	if err != nil {
		return err
	}
	x := it.frame.mul(local)
	name, _ := e.attr("name")
	if err := l.names.add("body", e, name); err != nil {
		return err
	}
	bi := len(l.m.Bodies)
	l.m.Bodies = append(l.m.Bodies, rbd.Body{Name: name, Parent: parent, Pos: x.pos, Quat: x.quat})
	if err := l.bodyFlags(e); err != nil {
		return err
	}
	items, err := l.flatten(e, identityPose(), cls)
	if err != nil {
		return err
	}
	for _, c := range items {
		if c.e.name == "joint" || c.e.name == "freejoint" {
			if err := l.addJoint(c, bi); err != nil {
				return err
			}
		}
	}
	geoms, inertial, err := l.attachments(bi, items)
	if err != nil {
		return err
	}
	if err := l.bodyInertia(e, bi, inertial, geoms); err != nil {
		return err
	}
	for _, c := range items {
		if c.e.name == "body" {
			if err := l.buildBody(c, bi); err != nil {
				return err
			}
		}
	}
	return nil
}

// attachments adds the geoms and sites among a body's items to body bi and
// returns what the geoms weigh and the <inertial> element, if any. Elements
// other than joints and bodies are noted as ignored.
func (l *loader) attachments(bi int, items []item) ([]geomMass, *item, error) {
	var geoms []geomMass
	var inertial *item
	for i := range items {
		it := items[i]
		switch it.e.name {
		case "geom":
			g, err := l.addGeom(it, bi)
			if err != nil {
				return nil, nil, err
			}
			if g != nil {
				geoms = append(geoms, *g)
			}
		case "site":
			if err := l.addSite(it, bi); err != nil {
				return nil, nil, err
			}
		case "inertial":
			if inertial != nil {
				return nil, nil, errorf(it.e, "a body has at most one <inertial>")
			}
			inertial = &items[i]
		case "body", "joint", "freejoint":
		default:
			l.warnElement(it.e, "")
		}
	}
	return geoms, inertial, nil
}

// bodyFlags reads the body attributes Stride does not model and warns about
// them.
func (l *loader) bodyFlags(e *element) error {
	r := reader(e)
	var mocap bool
	var gravcomp float64
	r.boolean("mocap", &mocap)
	r.float("gravcomp", &gravcomp)
	if r.err != nil {
		return r.err
	}
	if mocap {
		l.warn("mjcf: mocap bodies are not supported; they are welded to their parent (first " + e.tag() + ")")
	}
	if gravcomp != 0 {
		l.warn("mjcf: body gravcomp is not supported and was ignored (first " + e.tag() + ")")
	}
	return nil
}

// addJoint builds a <joint> or <freejoint> of body bi.
func (l *loader) addJoint(it item, bi int) error {
	e := it.e
	s := jointSpec{typ: "free"}
	if v, _ := e.attr("align"); v == "true" {
		l.warn("mjcf: freejoint align is not supported; free bodies keep the frames the file gives them")
	}
	if e.name == "joint" {
		cls, err := l.defs.active(e, it.class)
		if err != nil {
			return err
		}
		s = cls.joint
		if err := applyJoint(&s, e); err != nil {
			return err
		}
	}
	j, err := l.joint(e, &s, it.frame)
	if err != nil {
		return err
	}
	if j.Type == rbd.JointFree && l.m.Bodies[bi].Parent != 0 {
		return errorf(e, "a free joint must belong to a child of the world body; %q is nested deeper", l.m.Bodies[bi].Name)
	}
	j.Body = bi
	if err := l.names.add("joint", e, j.Name); err != nil {
		return err
	}
	if j.Name != "" {
		l.jointIndex[j.Name] = len(l.m.Joints)
	}
	l.m.Joints = append(l.m.Joints, j)
	return nil
}

var jointTypes = map[string]rbd.JointType{
	"free": rbd.JointFree, "ball": rbd.JointBall, "hinge": rbd.JointHinge, "slide": rbd.JointSlide,
}

// joint checks a joint spec and converts it: angles to radians, limits
// resolved, anchor and axis moved out of any enclosing frame.
func (l *loader) joint(e *element, s *jointSpec, f pose) (rbd.Joint, error) {
	j := rbd.Joint{Type: jointTypes[s.typ], Ref: s.ref, SpringRef: s.springref, Range: s.rng, Damping: s.damping,
		Armature: s.armature, FrictionLoss: s.friction, Stiffness: s.stiffness}
	j.Name, _ = e.attr("name")
	j.Pos = f.pos.Add(f.quat.Rotate(s.pos))
	if j.Type == rbd.JointHinge || j.Type == rbd.JointSlide {
		if s.axis.Norm() < 1e-14 {
			return j, attrErrorf(e, "axis", "(%g %g %g) has zero length", s.axis[0], s.axis[1], s.axis[2])
		}
		j.Axis = f.quat.Rotate(s.axis.Normalize())
	}
	if err := checkNonNegative(e, map[string]float64{"damping": s.damping, "armature": s.armature,
		"frictionloss": s.friction, "stiffness": s.stiffness}); err != nil {
		return j, err
	}
	if s.springdamperGiven || s.polynomialCoefficient {
		l.warn("mjcf: joint springdamper and polynomial stiffness/damping are not supported; the linear coefficients are used (first " + e.tag() + ")")
	}
	if j.Type == rbd.JointHinge || j.Type == rbd.JointBall {
		j.Range = [2]float64{l.opts.angle(s.rng[0]), l.opts.angle(s.rng[1])}
	}
	if j.Type == rbd.JointHinge {
		j.Ref, j.SpringRef = l.opts.angle(s.ref), l.opts.angle(s.springref)
	}
	if j.Type == rbd.JointFree {
		j.Range = [2]float64{}
		return j, nil
	}
	var err error
	if j.Limited, err = l.limited(e, s.limited, s.rng, ""); err != nil {
		return j, err
	}
	if j.Limited && j.Type != rbd.JointBall && !(j.Range[0] < j.Range[1]) {
		return j, attrErrorf(e, "range", "[%g, %g] must have lo < hi", s.rng[0], s.rng[1])
	}
	if j.Type == rbd.JointBall {
		return j, nil // actuator force limits apply to hinge and slide joints only
	}
	if j.EffortLimited, err = l.limited(e, s.frcLimited, s.frcRange, "actuatorfrc"); err != nil {
		return j, err
	}
	j.EffortRange = s.frcRange
	if j.EffortLimited && !(s.frcRange[0] <= s.frcRange[1]) {
		return j, attrErrorf(e, "actuatorfrcrange", "[%g, %g] must have lo <= hi", s.frcRange[0], s.frcRange[1])
	}
	return j, nil
}

// checkNonNegative reports the first negative value, in a stable order.
func checkNonNegative(e *element, vals map[string]float64) error {
	for _, name := range []string{"damping", "armature", "frictionloss", "stiffness", "mass", "density"} {
		if v, ok := vals[name]; ok && v < 0 {
			return attrErrorf(e, name, "%g must be non-negative", v)
		}
	}
	return nil
}

// bodyInertia sets the mass, centre of mass and inertia of body bi from its
// <inertial> element or, as the compiler's inertiafromgeom says, its geoms.
func (l *loader) bodyInertia(e *element, bi int, inertial *item, geoms []geomMass) error {
	var mp bodyMass
	var err error
	switch {
	case l.opts.inertiaFromGeom == triTrue || (l.opts.inertiaFromGeom == triAuto && inertial == nil):
		mp, err = l.massFromGeoms(geoms)
	case inertial != nil:
		mp, err = l.readInertial(*inertial)
	}
	if err != nil {
		return err
	}
	mp = l.boundInertia(mp)
	if math.IsInf(mp.mass, 0) || math.IsNaN(mp.mass) || !mp.com.IsFinite() || !mp.inertia.IsFinite() {
		return errorf(e, "the mass or inertia is not finite (geom sizes too large?)")
	}
	if l.bodyHasJoints(bi) {
		if err := checkMoving(e, mp); err != nil {
			return l.explainEmptyMeshes(err, geoms)
		}
	}
	b := &l.m.Bodies[bi]
	b.Mass, b.COM, b.Inertia = mp.mass, mp.com, mp.inertia
	return nil
}

// minMass is MuJoCo's mjMINVAL, the least mass and principal moment of
// inertia it accepts for a body with joints.
const minMass = 1e-15

// checkMoving applies MuJoCo's rule that a body with joints must have mass
// and inertia.
func checkMoving(e *element, mp bodyMass) error {
	vals, _ := principalAxes(mp.inertia)
	if mp.mass >= minMass && vals[0] >= minMass && vals[1] >= minMass && vals[2] >= minMass {
		return nil
	}
	return errorf(e, "the body has joints but mass %g and principal moments %.3g %.3g %.3g; like MuJoCo, Stride needs them above %g (give it an <inertial> or geoms, or set compiler boundmass and boundinertia)",
		mp.mass, vals[0], vals[1], vals[2], minMass)
}

// explainEmptyMeshes adds to a massless-body error why the body's mesh geoms
// had no mass: their mesh files were missing or unreadable.
func (l *loader) explainEmptyMeshes(err error, geoms []geomMass) error {
	var why []string
	seen := map[int]bool{}
	for _, g := range geoms {
		if g.typ == rbd.GeomMesh && g.mesh >= 0 && !seen[g.mesh] && l.meshWhy[g.mesh] != "" {
			seen[g.mesh] = true
			why = append(why, fmt.Sprintf("mesh %q is empty: %s", l.m.Meshes[g.mesh].Name, l.meshWhy[g.mesh]))
		}
	}
	if len(why) == 0 {
		return err
	}
	var me *Error
	if errors.As(err, &me) {
		me.Err = fmt.Errorf("%s; %w", strings.Join(why, "; "), me.Err)
		return me
	}
	return fmt.Errorf("%s; %w", strings.Join(why, "; "), err)
}

func (l *loader) bodyHasJoints(bi int) bool {
	n := len(l.m.Joints)
	return n > 0 && l.m.Joints[n-1].Body == bi
}

// readInertial reads an <inertial> element: mass, centre of mass and either
// diaginertia with the frame's orientation or fullinertia.
func (l *loader) readInertial(it item) (bodyMass, error) {
	e := it.e
	r := reader(e)
	var mp bodyMass
	var pos spatial.Vec3
	var o orientation
	var diag spatial.Vec3
	var full [6]float64
	hasPos := r.vec3("pos", &pos)
	r.orientation(&o)
	hasMass := r.float("mass", &mp.mass)
	hasDiag := r.vec3("diaginertia", &diag)
	hasFull := r.floats("fullinertia", full[:], 6)
	switch {
	case r.err != nil:
		return mp, r.err
	case !hasPos:
		return mp, attrErrorf(e, "pos", "missing (it is required)")
	case !hasMass:
		return mp, attrErrorf(e, "mass", "missing (it is required)")
	case mp.mass < 0 || math.IsNaN(mp.mass):
		return mp, attrErrorf(e, "mass", "%g must be non-negative", mp.mass)
	case hasDiag == hasFull:
		return mp, errorf(e, "give exactly one of diaginertia and fullinertia")
	case hasFull && o.kind != orientNone:
		return mp, errorf(e, "fullinertia and %s cannot both be given", o.attr)
	}
	q, err := o.quat(&l.opts)
	if err != nil {
		return mp, errorf(e, "%v", err)
	}
	x := it.frame.mul(pose{pos: pos, quat: q})
	mp.com = x.pos
	R := x.quat.Mat3()
	if hasDiag {
		if diag[0] < 0 || diag[1] < 0 || diag[2] < 0 {
			return mp, attrErrorf(e, "diaginertia", "(%g %g %g) must be non-negative", diag[0], diag[1], diag[2])
		}
		if diag, err = l.balance(e, diag); err != nil {
			return mp, err
		}
		mp.inertia = rotateInertia(R, spatial.Diag3(diag))
		return mp, nil
	}
	// MuJoCo keeps the principal moments and axes of its own iterative
	// decomposition; using the same one gives the same matrix to 1e-15.
	I := spatial.Mat3{full[0], full[3], full[4], full[3], full[1], full[5], full[4], full[5], full[2]}
	vals, axes := principalAxes(I)
	if !(vals[0] > 0 && vals[1] > 0 && vals[2] > 0) {
		return mp, attrErrorf(e, "fullinertia", "the matrix is not positive definite (eigenvalues %.3g %.3g %.3g)", vals[0], vals[1], vals[2])
	}
	if vals, err = l.balance(e, vals); err != nil {
		return mp, err
	}
	mp.inertia = rotateInertia(R, rotateInertia(axes.Mat3(), spatial.Diag3(vals)))
	return mp, nil
}

// balance checks the triangle inequality of principal moments, or with
// compiler balanceinertia replaces violating moments by their mean.
func (l *loader) balance(e *element, d spatial.Vec3) (spatial.Vec3, error) {
	tol := 1e-9 * math.Max(d[0], math.Max(d[1], d[2]))
	if d[0]+d[1] >= d[2]-tol && d[1]+d[2] >= d[0]-tol && d[0]+d[2] >= d[1]-tol {
		return d, nil
	}
	if l.opts.balanceInertia {
		m := (d[0] + d[1] + d[2]) / 3
		return spatial.Vec3{m, m, m}, nil
	}
	return d, errorf(e, "principal moments %g %g %g violate the triangle inequality A + B >= C (compiler balanceinertia would average them)", d[0], d[1], d[2])
}

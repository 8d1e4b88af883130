package urdf

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// pose is a rigid transform as (position, unit quaternion): the pose of a
// child frame in its parent.
type pose struct {
	p spatial.Vec3
	q spatial.Quat
}

func identityPose() pose { return pose{q: spatial.IdentityQuat()} }

// mul returns X_AC = X_AB · X_BC for a = X_AB, b = X_BC.
func (a pose) mul(b pose) pose {
	return pose{p: a.p.Add(a.q.Rotate(b.p)), q: a.q.Mul(b.q)}
}

// rpyQuat returns the rotation of URDF's roll-pitch-yaw angles: fixed-axis
// rotations about x by roll, then y by pitch, then z by yaw, that is
// R = Rz(yaw)·Ry(pitch)·Rx(roll).
func rpyQuat(rpy spatial.Vec3) spatial.Quat {
	qx := spatial.QuatFromAxisAngle(spatial.Vec3{1, 0, 0}, rpy[0])
	qy := spatial.QuatFromAxisAngle(spatial.Vec3{0, 1, 0}, rpy[1])
	qz := spatial.QuatFromAxisAngle(spatial.Vec3{0, 0, 1}, rpy[2])
	return qz.Mul(qy).Mul(qx)
}

// robot is the parsed file, before the tree is built.
type robot struct {
	name     string
	links    []*link
	joints   []*joint
	linkIdx  map[string]int
	jointIdx map[string]int
}

type link struct {
	name string
	line int
	ctx  string // `<link name="…">`

	mass    float64
	com     pose         // inertial frame in the link frame
	inertia spatial.Mat3 // about the COM, inertial-frame axes
	geoms   []geomSpec

	parent   int   // joint of which this link is the child; −1 for none
	children []int // joints of which this link is the parent, in file order
}

type geomSpec struct {
	collision bool
	name      string
	line      int
	origin    pose
	typ       rbd.GeomType
	size      spatial.Vec3
	mesh      string       // filename as written (GeomMesh)
	scale     spatial.Vec3 // mesh scale
	rgba      [4]float32
	material  string
}

type joint struct {
	name string
	typ  string // URDF type
	line int
	ctx  string

	origin                pose
	parentName, childName string
	parentNode, childNode *node
	parent, child         int // link indices
	axis                  spatial.Vec3

	limited               bool // revolute, prismatic
	lower, upper          float64
	effort, velocity      float64
	damping, frictionLoss float64
}

type material struct {
	rgba     [4]float32
	hasColor bool
}

var defaultRGBA = [4]float32{0.5, 0.5, 0.5, 1}

func (l *loader) errf(n *node, ctx, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.line
	}
	return &Error{File: l.file, Line: line, Element: ctx, Msg: fmt.Sprintf(format, args...)}
}

func (l *loader) errLine(line int, ctx, format string, args ...any) error {
	return &Error{File: l.file, Line: line, Element: ctx, Msg: fmt.Sprintf(format, args...)}
}

func (l *loader) unknown(n *node, in string) {
	l.warn.addTo("unknown:"+n.name, fmt.Sprintf("unknown element <%s> ignored", n.name), fmt.Sprintf("in <%s> at line %d", in, n.line))
}

// only returns the single child element named name, nil if there is none,
// and an error if there are several.
func (l *loader) only(n *node, ctx, name string) (*node, error) {
	var found *node
	for _, k := range n.kids {
		if k.name != name {
			continue
		}
		if found != nil {
			return nil, l.errf(k, ctx, "more than one <%s> in <%s> (first at line %d)", name, n.name, found.line)
		}
		found = k
	}
	return found, nil
}

// float parses one finite number.
func (l *loader) float(n *node, ctx, attr string, def float64, required bool) (float64, error) {
	s, ok := n.attr(attr)
	if !ok {
		if required {
			return 0, l.errf(n, ctx, "<%s> has no %s attribute", n.name, attr)
		}
		return def, nil
	}
	v, err := parseNumber(s)
	if err != nil {
		return 0, l.errf(n, ctx, "<%s> %s %q is not a finite number", n.name, attr, s)
	}
	return v, nil
}

func parseNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("not finite")
	}
	return v, nil
}

// floats parses exactly len(dst) whitespace-separated finite numbers.
func (l *loader) floats(n *node, ctx, attr string, dst []float64) (bool, error) {
	s, ok := n.attr(attr)
	if !ok {
		return false, nil
	}
	f := strings.Fields(s)
	if len(f) != len(dst) {
		return false, l.errf(n, ctx, "<%s> %s %q must hold %d numbers", n.name, attr, s, len(dst))
	}
	for i, t := range f {
		v, err := parseNumber(t)
		if err != nil {
			return false, l.errf(n, ctx, "<%s> %s %q: %q is not a finite number", n.name, attr, s, t)
		}
		dst[i] = v
	}
	return true, nil
}

func (l *loader) vec3(n *node, ctx, attr string, def spatial.Vec3) (spatial.Vec3, error) {
	var v [3]float64
	ok, err := l.floats(n, ctx, attr, v[:])
	if err != nil || !ok {
		return def, err
	}
	return v, nil
}

// origin parses the optional <origin xyz rpy> child of n.
func (l *loader) origin(n *node, ctx string) (pose, error) {
	o, err := l.only(n, ctx, "origin")
	if err != nil || o == nil {
		return identityPose(), err
	}
	xyz, err := l.vec3(o, ctx, "xyz", spatial.Vec3{})
	if err != nil {
		return pose{}, err
	}
	rpy, err := l.vec3(o, ctx, "rpy", spatial.Vec3{})
	if err != nil {
		return pose{}, err
	}
	return pose{p: xyz, q: rpyQuat(rpy)}, nil
}

func (l *loader) parseRobot(root *node) (*robot, error) {
	if root.name != "robot" {
		return nil, l.errf(root, "", "root element is <%s>, want <robot>", root.name)
	}
	r := &robot{linkIdx: map[string]int{}, jointIdx: map[string]int{}}
	r.name, _ = root.attr("name")
	ctx := fmt.Sprintf("<robot name=%q>", r.name)

	// Robot-level materials first: links may name them before they appear.
	mats := map[string]material{}
	matLine := map[string]int{}
	for _, k := range root.kids {
		if k.name != "material" {
			continue
		}
		name, _ := k.attr("name")
		if name == "" {
			return nil, l.errf(k, ctx, "<material> without a name at robot level")
		}
		if line, dup := matLine[name]; dup {
			return nil, l.errf(k, ctx, "duplicate material %q (first at line %d)", name, line)
		}
		mat, err := l.materialColor(k, fmt.Sprintf("<material name=%q>", name))
		if err != nil {
			return nil, err
		}
		mats[name] = mat
		matLine[name] = k.line
	}

	for _, k := range root.kids {
		switch k.name {
		case "material":
		case "link":
			lk, err := l.parseLink(k, mats)
			if err != nil {
				return nil, err
			}
			if i, dup := r.linkIdx[lk.name]; dup {
				return nil, l.errf(k, lk.ctx, "duplicate link name %q (first at line %d)", lk.name, r.links[i].line)
			}
			r.linkIdx[lk.name] = len(r.links)
			r.links = append(r.links, lk)
		case "joint":
			j, err := l.parseJoint(k)
			if err != nil {
				return nil, err
			}
			if i, dup := r.jointIdx[j.name]; dup {
				return nil, l.errf(k, j.ctx, "duplicate joint name %q (first at line %d)", j.name, r.joints[i].line)
			}
			r.jointIdx[j.name] = len(r.joints)
			r.joints = append(r.joints, j)
		case "transmission":
			name, _ := k.attr("name")
			l.warn.addTo("transmission", "<transmission> ignored: every revolute, continuous and prismatic joint gets a direct motor of gear 1",
				fmt.Sprintf("%q at line %d", name, k.line))
		case "gazebo":
			ref, _ := k.attr("reference")
			item := fmt.Sprintf("line %d", k.line)
			if ref != "" {
				item = fmt.Sprintf("%q at line %d", ref, k.line)
			}
			l.warn.addTo("gazebo", "<gazebo> extensions ignored", item)
		default:
			l.unknown(k, "robot")
		}
	}
	if len(r.links) == 0 {
		return nil, l.errf(root, ctx, "no <link> elements")
	}

	// Connect joints to links: each link is the child of at most one joint.
	for _, lk := range r.links {
		lk.parent = -1
	}
	for ji, j := range r.joints {
		p, ok := r.linkIdx[j.parentName]
		if !ok {
			return nil, l.errf(j.parentNode, j.ctx, "parent link %q is not defined", j.parentName)
		}
		c, ok := r.linkIdx[j.childName]
		if !ok {
			return nil, l.errf(j.childNode, j.ctx, "child link %q is not defined", j.childName)
		}
		if p == c {
			return nil, l.errf(j.childNode, j.ctx, "link %q is both parent and child", j.childName)
		}
		if prev := r.links[c].parent; prev >= 0 {
			return nil, l.errf(j.childNode, j.ctx, "link %q is already the child of joint %q (line %d); a link has one parent",
				j.childName, r.joints[prev].name, r.joints[prev].line)
		}
		j.parent, j.child = p, c
		r.links[c].parent = ji
		r.links[p].children = append(r.links[p].children, ji)
	}
	return r, nil
}

func (l *loader) parseLink(n *node, mats map[string]material) (*link, error) {
	name, _ := n.attr("name")
	lk := &link{name: name, line: n.line, ctx: fmt.Sprintf("<link name=%q>", name), com: identityPose(), parent: -1}
	if name == "" {
		return nil, l.errf(n, "", "<link> without a name")
	}
	ctx := lk.ctx
	inertial, err := l.only(n, ctx, "inertial")
	if err != nil {
		return nil, err
	}
	if inertial != nil {
		if err := l.parseInertial(inertial, lk); err != nil {
			return nil, err
		}
	}
	counts := map[bool]int{}
	for _, k := range n.kids {
		switch k.name {
		case "inertial":
		case "visual", "collision":
			g, err := l.parseGeom(k, lk, mats)
			if err != nil {
				return nil, err
			}
			if g.name == "" {
				g.name = lk.name + "_" + k.name
				if c := counts[g.collision]; c > 0 {
					g.name += "_" + strconv.Itoa(c)
				}
			}
			counts[g.collision]++
			lk.geoms = append(lk.geoms, g)
		default:
			l.unknown(k, "link")
		}
	}
	return lk, nil
}

func (l *loader) parseInertial(n *node, lk *link) error {
	ctx := lk.ctx
	for _, k := range n.kids {
		switch k.name {
		case "origin", "mass", "inertia":
		default:
			l.unknown(k, "inertial")
		}
	}
	var err error
	if lk.com, err = l.origin(n, ctx); err != nil {
		return err
	}
	mn, err := l.only(n, ctx, "mass")
	if err != nil {
		return err
	}
	if mn == nil {
		return l.errf(n, ctx, "<inertial> has no <mass>")
	}
	if lk.mass, err = l.float(mn, ctx, "value", 0, true); err != nil {
		return err
	}
	if lk.mass < 0 {
		return l.errf(mn, ctx, "mass %g is negative", lk.mass)
	}
	in, err := l.only(n, ctx, "inertia")
	if err != nil {
		return err
	}
	if in == nil {
		return l.errf(n, ctx, "<inertial> has no <inertia>")
	}
	var v [6]float64
	for i, a := range [6]string{"ixx", "ixy", "ixz", "iyy", "iyz", "izz"} {
		if v[i], err = l.float(in, ctx, a, 0, true); err != nil {
			return err
		}
	}
	I := spatial.Mat3{v[0], v[1], v[2], v[1], v[3], v[4], v[2], v[4], v[5]}
	if msg := inertiaProblem(I); msg != "" {
		return l.errf(in, ctx, "inertia (ixx %g ixy %g ixz %g iyy %g iyz %g izz %g) %s", v[0], v[1], v[2], v[3], v[4], v[5], msg)
	}
	if lk.mass == 0 && I != (spatial.Mat3{}) {
		l.warn.addTo("massless-inertia", "links of zero mass with non-zero inertia: the inertia is dropped", fmt.Sprintf("%q at line %d", lk.name, in.line))
		I = spatial.Mat3{}
	}
	lk.inertia = I
	return nil
}

// inertiaProblem returns why a symmetric rotational inertia about the centre
// of mass cannot be a rigid body's, or "". It must be positive semi-definite
// (all principal minors non-negative) and its principal moments must satisfy
// the triangle inequality, that is the second-moment matrix ½tr(I)·1 − I
// must be positive semi-definite too. Both tests are invariant under
// rotation, and tolerate rounding of the order of 1e-12 of the largest entry.
func inertiaProblem(I spatial.Mat3) string {
	scale := 0.0
	for _, x := range I {
		scale = math.Max(scale, math.Abs(x))
	}
	if scale == 0 {
		return ""
	}
	if !psd(I, 1e-12*scale) {
		return "is not positive semi-definite"
	}
	h := (I[0] + I[4] + I[8]) / 2
	S := spatial.Mat3{h, 0, 0, 0, h, 0, 0, 0, h}.Sub(I)
	if !psd(S, 1e-9*scale) {
		return "violates the triangle inequality of principal moments (no rigid body has it)"
	}
	return ""
}

// psd reports whether the symmetric matrix A has all principal minors ≥ −tol
// (scaled to their degree).
func psd(A spatial.Mat3, tol float64) bool {
	s := math.Max(math.Abs(A[0]), math.Max(math.Abs(A[4]), math.Abs(A[8])))
	s = math.Max(s, tol)
	t2 := tol * s
	// Written as x >= −t so that NaN (from overflow) fails.
	return A[0] >= -tol && A[4] >= -tol && A[8] >= -tol &&
		A[0]*A[4]-A[1]*A[3] >= -t2 && A[0]*A[8]-A[2]*A[6] >= -t2 && A[4]*A[8]-A[5]*A[7] >= -t2 &&
		A.Det() >= -t2*s
}

func (l *loader) materialColor(n *node, ctx string) (material, error) {
	var mat material
	for _, k := range n.kids {
		switch k.name {
		case "color":
			var c [4]float64
			ok, err := l.floats(k, ctx, "rgba", c[:])
			if err != nil {
				return mat, err
			}
			if !ok {
				return mat, l.errf(k, ctx, "<color> has no rgba attribute")
			}
			for i, x := range c {
				if x < 0 || x > 1 {
					return mat, l.errf(k, ctx, "<color> rgba component %g is outside [0, 1]", x)
				}
				mat.rgba[i] = float32(x)
			}
			mat.hasColor = true
		case "texture":
			// Textures are not drawn; the colour (or grey) stands in.
		default:
			l.unknown(k, "material")
		}
	}
	return mat, nil
}

func (l *loader) parseGeom(n *node, lk *link, mats map[string]material) (geomSpec, error) {
	ctx := lk.ctx
	g := geomSpec{collision: n.name == "collision", line: n.line, rgba: defaultRGBA}
	g.name, _ = n.attr("name")
	var err error
	if g.origin, err = l.origin(n, ctx); err != nil {
		return g, err
	}
	gn, err := l.only(n, ctx, "geometry")
	if err != nil {
		return g, err
	}
	if gn == nil {
		return g, l.errf(n, ctx, "<%s> has no <geometry>", n.name)
	}
	if err := l.parseShape(gn, ctx, &g); err != nil {
		return g, err
	}
	mn, err := l.only(n, ctx, "material")
	if err != nil {
		return g, err
	}
	if mn != nil {
		g.material, _ = mn.attr("name")
		mat, err := l.materialColor(mn, ctx)
		if err != nil {
			return g, err
		}
		if !mat.hasColor && g.material != "" {
			global, ok := mats[g.material]
			if !ok {
				l.warn.addTo("material:"+g.material, fmt.Sprintf("material %q is not defined; grey used", g.material), fmt.Sprintf("line %d", mn.line))
			}
			mat = global
		}
		if mat.hasColor {
			g.rgba = mat.rgba
		}
	}
	for _, k := range n.kids {
		switch k.name {
		case "origin", "geometry", "material":
		default:
			l.unknown(k, n.name)
		}
	}
	return g, nil
}

func (l *loader) parseShape(gn *node, ctx string, g *geomSpec) error {
	var shape *node
	for _, k := range gn.kids {
		if shape != nil {
			return l.errf(k, ctx, "<geometry> holds more than one shape (<%s> at line %d, <%s>)", shape.name, shape.line, k.name)
		}
		shape = k
	}
	if shape == nil {
		return l.errf(gn, ctx, "<geometry> holds no shape")
	}
	nonneg := func(attr string) (float64, error) {
		v, err := l.float(shape, ctx, attr, 0, true)
		if err == nil && v < 0 {
			err = l.errf(shape, ctx, "<%s> %s %g is negative", shape.name, attr, v)
		}
		return v, err
	}
	switch shape.name {
	case "box":
		var s [3]float64
		ok, err := l.floats(shape, ctx, "size", s[:])
		if err != nil {
			return err
		}
		if !ok {
			return l.errf(shape, ctx, "<box> has no size attribute")
		}
		for _, x := range s {
			if x < 0 {
				return l.errf(shape, ctx, "<box> size %g is negative", x)
			}
		}
		g.typ = rbd.GeomBox
		g.size = spatial.Vec3{s[0] / 2, s[1] / 2, s[2] / 2}
	case "cylinder", "capsule":
		r, err := nonneg("radius")
		if err != nil {
			return err
		}
		h, err := nonneg("length")
		if err != nil {
			return err
		}
		g.typ = rbd.GeomCylinder
		if shape.name == "capsule" {
			g.typ = rbd.GeomCapsule
		}
		g.size = spatial.Vec3{r, h / 2, 0}
	case "sphere":
		r, err := nonneg("radius")
		if err != nil {
			return err
		}
		g.typ = rbd.GeomSphere
		g.size = spatial.Vec3{r, 0, 0}
	case "mesh":
		f, _ := shape.attr("filename")
		if strings.TrimSpace(f) == "" {
			return l.errf(shape, ctx, "<mesh> has no filename")
		}
		sc, err := l.vec3(shape, ctx, "scale", spatial.Vec3{1, 1, 1})
		if err != nil {
			return err
		}
		if sc[0] == 0 || sc[1] == 0 || sc[2] == 0 {
			return l.errf(shape, ctx, "<mesh> scale %v has a zero component", sc)
		}
		g.typ = rbd.GeomMesh
		g.mesh = strings.TrimSpace(f)
		g.scale = sc
		g.line = shape.line
	default:
		return l.errf(shape, ctx, "unknown geometry <%s> (want box, cylinder, sphere, mesh or capsule)", shape.name)
	}
	return nil
}

func (l *loader) parseJoint(n *node) (*joint, error) {
	name, _ := n.attr("name")
	typ, _ := n.attr("type")
	j := &joint{name: name, typ: typ, line: n.line, ctx: fmt.Sprintf("<joint name=%q>", name), axis: spatial.Vec3{1, 0, 0}}
	ctx := j.ctx
	if name == "" {
		return nil, l.errf(n, "", "<joint> without a name")
	}
	switch typ {
	case "revolute", "continuous", "prismatic", "fixed", "floating":
	case "planar":
		return nil, l.errf(n, ctx, "planar joints are not supported")
	case "":
		return nil, l.errf(n, ctx, "<joint> has no type")
	default:
		return nil, l.errf(n, ctx, "unknown joint type %q (want revolute, continuous, prismatic, fixed or floating)", typ)
	}
	var err error
	if j.origin, err = l.origin(n, ctx); err != nil {
		return nil, err
	}
	for _, rel := range []struct {
		tag  string
		name *string
		node **node
	}{{"parent", &j.parentName, &j.parentNode}, {"child", &j.childName, &j.childNode}} {
		k, err := l.only(n, ctx, rel.tag)
		if err != nil {
			return nil, err
		}
		if k == nil {
			return nil, l.errf(n, ctx, "<joint> has no <%s>", rel.tag)
		}
		v, _ := k.attr("link")
		if v == "" {
			return nil, l.errf(k, ctx, "<%s> has no link attribute", rel.tag)
		}
		*rel.name, *rel.node = v, k
	}
	moving := typ == "revolute" || typ == "continuous" || typ == "prismatic"
	known := map[string]bool{"origin": true, "parent": true, "child": true, "axis": true, "limit": true,
		"dynamics": true, "mimic": true, "calibration": true, "safety_controller": true}
	for _, k := range n.kids {
		if !known[k.name] {
			l.unknown(k, "joint")
		}
		if k.name == "mimic" {
			of, _ := k.attr("joint")
			l.warn.addTo("mimic", "<mimic> ignored: mimic joints move independently",
				fmt.Sprintf("%q follows %q at line %d", name, of, k.line))
		}
	}
	if !moving {
		// Fixed and floating joints have no axis, limits or dynamics.
		return j, nil
	}
	an, err := l.only(n, ctx, "axis")
	if err != nil {
		return nil, err
	}
	if an != nil {
		s, _ := an.attr("xyz")
		if j.axis, err = l.vec3(an, ctx, "xyz", spatial.Vec3{1, 0, 0}); err != nil {
			return nil, err
		}
		norm := j.axis.Norm()
		if !(norm > 1e-9) {
			return nil, l.errf(an, ctx, "axis %q has zero length", s)
		}
		j.axis = j.axis.Scale(1 / norm)
	}
	ln, err := l.only(n, ctx, "limit")
	if err != nil {
		return nil, err
	}
	if ln == nil && typ != "continuous" {
		return nil, l.errf(n, ctx, "%s joint has no <limit> (the URDF format requires one)", typ)
	}
	if ln != nil {
		if j.effort, err = l.float(ln, ctx, "effort", 0, true); err != nil {
			return nil, err
		}
		if j.velocity, err = l.float(ln, ctx, "velocity", 0, true); err != nil {
			return nil, err
		}
		if j.effort < 0 {
			return nil, l.errf(ln, ctx, "effort limit %g is negative", j.effort)
		}
		if j.velocity < 0 {
			return nil, l.errf(ln, ctx, "velocity limit %g is negative", j.velocity)
		}
		if typ != "continuous" {
			if j.lower, err = l.float(ln, ctx, "lower", 0, false); err != nil {
				return nil, err
			}
			if j.upper, err = l.float(ln, ctx, "upper", 0, false); err != nil {
				return nil, err
			}
			if !(j.lower < j.upper) {
				return nil, l.errf(ln, ctx, "limit lower %g must be below upper %g", j.lower, j.upper)
			}
			j.limited = true
		}
	}
	dn, err := l.only(n, ctx, "dynamics")
	if err != nil {
		return nil, err
	}
	if dn != nil {
		if j.damping, err = l.float(dn, ctx, "damping", 0, false); err != nil {
			return nil, err
		}
		if j.frictionLoss, err = l.float(dn, ctx, "friction", 0, false); err != nil {
			return nil, err
		}
		if j.damping < 0 || j.frictionLoss < 0 {
			return nil, l.errf(dn, ctx, "damping %g and friction %g must be non-negative", j.damping, j.frictionLoss)
		}
	}
	return j, nil
}

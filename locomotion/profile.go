package locomotion

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/stride-robotics/stride/internal/yamlnode"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Profile is what the gait controller needs to know about a robot beyond its
// model file: which bodies are the feet and where their soles are, the home
// pose, the nominal base height, which joints make each leg, and per-joint
// gains. DeriveProfile finds it from the model (keyframes, the collision
// geoms under the foot links); a ProfileFile (YAML) fills in or overrides
// what the model cannot say.
type Profile struct {
	Model    *rbd.Model
	Joints   []string      // hal joint order (the model's actuated joints by name)
	JointMap *rbd.JointMap // hal joint order ↔ the model's coordinates
	Joint    []int         // (per hal joint) model joint index
	QAdr     []int         // (per hal joint) qpos index
	Dof      []int         // (per hal joint) dof index

	Feet [2]Foot // Left, Right

	Home      []float64 // (per hal joint) home pose, rad
	HomeQpos  []float64 // (nq) the whole home configuration: base level, soles on z = 0
	Height    float64   // m, base origin above the soles at home
	COMHeight float64   // m, centre of mass above the soles at home
	Width     float64   // m, lateral distance between the sole centres at home
	FootX     float64   // m, fore-aft offset of the sole centres from the base at home

	Kp, Kd      []float64 // (per hal joint) gains, N·m/rad, N·m·s/rad
	EffortLimit []float64 // (per hal joint) N·m, +Inf when the model gives none

	Legs [2][]int // hal joint indices of each leg, root to foot
	// LegLength is the left leg's first joint anchor above the sole with the
	// leg straight (the model's reference pose); HipHeight the same in the
	// home pose. Crouch is how much the walker lowers the home height so the
	// knees are bent (zero unless the home legs are nearly straight, as in
	// a URDF's zero pose): HipHeight − 0.96·LegLength when HipHeight is over
	// 0.99·LegLength.
	LegLength, HipHeight, Crouch float64
	Mass                         float64 // kg
}

// Foot is one foot: its body and the sole rectangle in the body frame.
type Foot struct {
	Body    int
	Name    string
	Center  spatial.Vec3    // sole centre, body frame
	Corners [4]spatial.Vec3 // sole corners, body frame (front-left, front-right, back-right, back-left at home)
	Length  float64         // m, sole extent fore-aft
	Width   float64         // m, sole extent sideways
}

// ProfileFile is the YAML profile: every field is optional and overrides
// what DeriveProfile finds.
//
//	left_foot: LINK_FOOT_L       # foot bodies, by name
//	right_foot: LINK_FOOT_R
//	keyframe: home               # keyframe giving the home pose
//	home: {left_knee_pitch: 0.5} # joint angles, rad, over the keyframe's
//	gains:                       # per joint; "default" for the rest
//	  default: {kp: 200, kd: 6}
//	  left_knee_pitch: {kp: 300, kd: 8}
type ProfileFile struct {
	LeftFoot  string             `yaml:"left_foot"`
	RightFoot string             `yaml:"right_foot"`
	Keyframe  string             `yaml:"keyframe"`
	Home      map[string]float64 `yaml:"home"`
	Gains     map[string]Gains   `yaml:"gains"`
}

// Gains are a joint's PD gains.
type Gains struct {
	Kp float64 `yaml:"kp"`
	Kd float64 `yaml:"kd"`
}

// ParseProfile reads a YAML profile. Unknown keys are errors, as are keys
// set twice, values of the wrong type, negative or non-finite gains and
// non-finite angles. Errors are for people: "name:line:column: profile:
// key: what was expected, found what", with name (a file name) first.
func ParseProfile(name string, data []byte) (*ProfileFile, error) {
	var f ProfileFile
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		se := yamlnode.SyntaxError(data, err)
		return nil, fmt.Errorf("%s:%d:%d: profile: %s", name, se.Line, se.Col, se.Msg)
	}
	if len(root.Content) == 0 { // empty, or only comments: no overrides
		return &f, nil
	}
	var d yamlnode.Decoder
	if err := d.Decode(&root, &f); err != nil {
		var ne *yamlnode.Error
		if !errors.As(err, &ne) {
			return nil, fmt.Errorf("%s: profile: %w", name, err)
		}
		msg := ne.Msg
		if ne.Key != "" {
			msg = ne.Key + ": " + msg
		}
		return nil, fmt.Errorf("%s:%d:%d: profile: %s", name, ne.Line, ne.Col, msg)
	}
	at := func(section, joint string) string { // "p.yaml:3:9" of a joint's value
		line, col := valueAt(root.Content[0], section, joint)
		return fmt.Sprintf("%s:%d:%d", name, line, col)
	}
	for _, j := range sortedKeys(f.Home) {
		if q := f.Home[j]; math.IsNaN(q) || math.IsInf(q, 0) {
			return nil, fmt.Errorf("%s: profile: home.%s: want a finite angle (rad), found %v", at("home", j), j, q)
		}
	}
	for _, j := range sortedKeys(f.Gains) {
		if g := f.Gains[j]; !(g.Kp >= 0 && g.Kp < 1e5) || !(g.Kd >= 0 && g.Kd < 1e4) {
			return nil, fmt.Errorf("%s: profile: gains.%s: kp %g, kd %g: want 0 ≤ kp < 1e5, 0 ≤ kd < 1e4", at("gains", j), j, g.Kp, g.Kd)
		}
	}
	return &f, nil
}

// valueAt returns the line and column of the value of section.key in the
// mapping n (of section's mapping when key is missing; 1, 1 when neither
// is found).
func valueAt(n *yaml.Node, section, key string) (int, int) {
	find := func(n *yaml.Node, k string) *yaml.Node {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				return n.Content[i+1]
			}
		}
		return nil
	}
	sec := find(n, section)
	if v := find(sec, key); v != nil {
		return v.Line, v.Column
	}
	if sec != nil {
		return sec.Line, sec.Column
	}
	return 1, 1
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// DeriveProfile builds the profile of model m for the hal joints named joints
// (in hal order; usually the model's actuated joints), with the optional
// overrides f (nil: none).
//
// Home pose: the keyframe f.Keyframe, else the keyframe "home", else the
// first keyframe, else the model's reference configuration; then f.Home.
// Feet: f.LeftFoot/RightFoot, else the two bodies whose collision geoms reach
// lowest in the home pose (within 1.5 cm of the lowest point); the one further
// left (+y of the base) is the left foot. Soles: the rectangle spanned by the
// foot's collision geometry within 5 mm of its lowest point. Gains: f.Gains,
// else from the joint's effort limit τ_max (kp = 2·τ_max per rad, kd =
// kp/25), else kp 100, kd 4.
func DeriveProfile(m *rbd.Model, joints []string, f *ProfileFile) (*Profile, error) {
	if f == nil {
		f = &ProfileFile{}
	}
	if len(m.Joints) == 0 || m.Joints[0].Type != rbd.JointFree {
		return nil, fmt.Errorf("locomotion: model %q: the first joint must be a free (floating-base) joint", m.Name)
	}
	p := &Profile{Model: m, Joints: append([]string(nil), joints...), Mass: m.TotalMass()}
	n := len(joints)
	p.QAdr, p.Dof, p.Joint = make([]int, n), make([]int, n), make([]int, n)
	p.Home, p.Kp, p.Kd, p.EffortLimit = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	jm, err := rbd.NewJointMap(m, joints)
	if err != nil {
		return nil, fmt.Errorf("locomotion: profile: %w", err)
	}
	p.JointMap = jm
	for i := range joints {
		ji := jm.Joint[i]
		j := &m.Joints[ji]
		p.QAdr[i], p.Dof[i], p.Joint[i] = jm.QAdr[i], jm.DofAdr[i], ji
		p.EffortLimit[i] = math.Inf(1)
		if j.EffortLimited && j.EffortRange[1] > 0 {
			p.EffortLimit[i] = math.Max(-j.EffortRange[0], j.EffortRange[1])
		}
		for _, a := range m.Actuators {
			if a.Joint == ji && a.ForceLimited && a.ForceRange[1] > 0 && math.IsInf(p.EffortLimit[i], 1) {
				p.EffortLimit[i] = math.Max(-a.ForceRange[0], a.ForceRange[1]) * math.Abs(a.Gear)
			}
		}
	}
	for name := range f.Home {
		if indexOf(joints, name) < 0 {
			return nil, fmt.Errorf("locomotion: profile home: no hal joint %q", name)
		}
	}
	for name := range f.Gains {
		if name != "default" && indexOf(joints, name) < 0 {
			return nil, fmt.Errorf("locomotion: profile gains: no hal joint %q", name)
		}
	}

	// Home configuration.
	q := append([]float64(nil), m.Qpos0...)
	kf := -1
	switch {
	case f.Keyframe != "":
		for i := range m.Keyframes {
			if m.Keyframes[i].Name == f.Keyframe {
				kf = i
			}
		}
		if kf < 0 {
			return nil, fmt.Errorf("locomotion: model %q has no keyframe %q", m.Name, f.Keyframe)
		}
	default:
		for i := range m.Keyframes {
			if m.Keyframes[i].Name == "home" {
				kf = i
			}
		}
		if kf < 0 && len(m.Keyframes) > 0 {
			kf = 0
		}
	}
	if kf >= 0 && len(m.Keyframes[kf].Qpos) == m.Nq {
		copy(q, m.Keyframes[kf].Qpos)
	}
	for i, name := range joints {
		if v, ok := f.Home[name]; ok {
			q[p.QAdr[i]] = v
		}
		p.Home[i] = q[p.QAdr[i]]
	}
	// Level base at the origin; the soles go on z = 0 below.
	q[0], q[1], q[2] = 0, 0, 0
	q[3], q[4], q[5], q[6] = 1, 0, 0, 0
	d := rbd.NewData(m)
	rbd.Kinematics(m, d, q)
	rbd.GeomPoses(m, d)

	// Feet.
	var feet [2]int
	if (f.LeftFoot == "") != (f.RightFoot == "") {
		return nil, errors.New("locomotion: profile: give both left_foot and right_foot, or neither")
	}
	if f.LeftFoot != "" {
		for k, name := range []string{f.LeftFoot, f.RightFoot} {
			if feet[k] = m.BodyIndex(name); feet[k] <= 0 {
				return nil, fmt.Errorf("locomotion: model %q has no body %q (profile foot)", m.Name, name)
			}
		}
	} else {
		low := lowestBodies(m, d)
		if len(low) != 2 {
			names := make([]string, len(low))
			for i, b := range low {
				names[i] = m.Bodies[b].Name
			}
			return nil, fmt.Errorf("locomotion: model %q: the lowest collision geoms at home belong to %d bodies %v, not two feet; name them in the profile (left_foot, right_foot)", m.Name, len(low), names)
		}
		feet = [2]int{low[0], low[1]}
		if d.XBody[feet[0]].P[1] < d.XBody[feet[1]].P[1] {
			feet[0], feet[1] = feet[1], feet[0]
		}
	}
	minZ := math.Inf(1)
	for k, b := range feet {
		ft, z, err := soleOf(m, d, b)
		if err != nil {
			return nil, err
		}
		p.Feet[k] = ft
		minZ = math.Min(minZ, z)
	}
	p.Height = -minZ
	q[2] = p.Height
	p.HomeQpos = q
	rbd.Kinematics(m, d, q)
	p.COMHeight = rbd.CenterOfMass(m, d)[2]
	cl := d.XBody[feet[Left]].Point(p.Feet[Left].Center)
	cr := d.XBody[feet[Right]].Point(p.Feet[Right].Center)
	p.Width = cl[1] - cr[1]
	p.FootX = (cl[0] + cr[0]) / 2
	if !(p.Width > 0.02) {
		return nil, fmt.Errorf("locomotion: model %q: feet %q and %q are %.3f m apart sideways at home; want the left foot left of the right", m.Name, p.Feet[Left].Name, p.Feet[Right].Name, p.Width)
	}
	if !(p.Height > 0.1) {
		return nil, fmt.Errorf("locomotion: model %q: base only %.3f m above the soles at home", m.Name, p.Height)
	}

	// Legs: hal joints on the path from the base to each foot.
	for k, b := range feet {
		var leg []int
		for dof := m.BodyLastDof[b]; dof >= 0; dof = m.DofParent[dof] {
			for i := range joints {
				if p.Dof[i] == dof {
					leg = append(leg, i)
				}
			}
		}
		for i, j := 0, len(leg)-1; i < j; i, j = i+1, j-1 {
			leg[i], leg[j] = leg[j], leg[i]
		}
		if len(leg) < 3 {
			return nil, fmt.Errorf("locomotion: model %q: foot %q has %d actuated joints above it; a leg needs at least 3", m.Name, m.Bodies[b].Name, len(leg))
		}
		p.Legs[k] = leg
	}

	// Leg straightness: hip above the sole at home and with the reference
	// pose's joint angles.
	hipJoint := p.Joint[p.Legs[Left][0]]
	rbd.Kinematics(m, d, q)
	p.HipHeight = d.JntPoint[hipJoint][2] - d.XBody[feet[Left]].Point(p.Feet[Left].Center)[2]
	q0 := append([]float64(nil), q...)
	for _, i := range p.Legs[Left] {
		q0[p.QAdr[i]] = m.Qpos0[p.QAdr[i]]
	}
	rbd.Kinematics(m, d, q0)
	p.LegLength = d.JntPoint[hipJoint][2] - d.XBody[feet[Left]].Point(p.Feet[Left].Center)[2]
	if p.HipHeight > 0.99*p.LegLength {
		p.Crouch = p.HipHeight - 0.96*p.LegLength
	}

	// Gains.
	def, hasDef := f.Gains["default"]
	for i, name := range joints {
		g, ok := f.Gains[name]
		switch {
		case ok:
		case hasDef:
			g = def
		case !math.IsInf(p.EffortLimit[i], 1):
			g = Gains{Kp: 2 * p.EffortLimit[i], Kd: 2 * p.EffortLimit[i] / 25}
		default:
			g = Gains{Kp: 100, Kd: 4}
		}
		p.Kp[i], p.Kd[i] = g.Kp, g.Kd
	}
	return p, nil
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}

// supportPoints appends geom g's extreme points in world coordinates (box and
// mesh corners or vertices, sphere/capsule/cylinder/ellipsoid bounding-box
// corners shrunk to their lowest points where simple).
func supportPoints(m *rbd.Model, d *rbd.Data, g int, dst []spatial.Vec3) []spatial.Vec3 {
	geom := &m.Geoms[g]
	x := &d.XGeom[g]
	s := geom.Size
	switch geom.Type {
	case rbd.GeomSphere:
		return append(dst, x.P.Sub(spatial.Vec3{0, 0, s[0]}))
	case rbd.GeomCapsule:
		for _, z := range []float64{-s[1], s[1]} {
			dst = append(dst, x.Point(spatial.Vec3{0, 0, z}).Sub(spatial.Vec3{0, 0, s[0]}))
		}
		return dst
	case rbd.GeomCylinder:
		s = spatial.Vec3{s[0], s[0], s[1]}
	case rbd.GeomEllipsoid, rbd.GeomBox:
	case rbd.GeomMesh:
		if geom.Mesh >= 0 && geom.Mesh < len(m.Meshes) {
			v := m.Meshes[geom.Mesh].Vertices
			for i := 0; i+2 < len(v); i += 3 {
				dst = append(dst, x.Point(spatial.Vec3{float64(v[i]), float64(v[i+1]), float64(v[i+2])}))
			}
		}
		return dst
	default:
		return dst
	}
	for _, sx := range []float64{-1, 1} {
		for _, sy := range []float64{-1, 1} {
			for _, sz := range []float64{-1, 1} {
				dst = append(dst, x.Point(spatial.Vec3{sx * s[0], sy * s[1], sz * s[2]}))
			}
		}
	}
	return dst
}

// lowestBodies returns the bodies whose collision geoms come within 1.5 cm of
// the lowest collision point of the robot.
func lowestBodies(m *rbd.Model, d *rbd.Data) []int {
	lowest := make(map[int]float64)
	minZ := math.Inf(1)
	var pts []spatial.Vec3
	for g := range m.Geoms {
		geom := &m.Geoms[g]
		if geom.Body <= 0 || !geom.Collides() || geom.Type == rbd.GeomPlane {
			continue
		}
		pts = supportPoints(m, d, g, pts[:0])
		for _, pt := range pts {
			if z, ok := lowest[geom.Body]; !ok || pt[2] < z {
				lowest[geom.Body] = pt[2]
			}
			minZ = math.Min(minZ, pt[2])
		}
	}
	var out []int
	for b, z := range lowest {
		if z < minZ+0.015 {
			out = append(out, b)
		}
	}
	sort.Ints(out)
	return out
}

// soleOf finds the sole rectangle of foot body b: the collision points within
// 5 mm of its lowest, bounded in the body's x–y. It returns the foot and the
// lowest z.
func soleOf(m *rbd.Model, d *rbd.Data, b int) (Foot, float64, error) {
	ft := Foot{Body: b, Name: m.Bodies[b].Name}
	var pts []spatial.Vec3
	for g := range m.Geoms {
		if m.Geoms[g].Body == b && m.Geoms[g].Collides() {
			pts = supportPoints(m, d, g, pts)
		}
	}
	if len(pts) == 0 {
		return ft, 0, fmt.Errorf("locomotion: model %q: foot body %q has no collision geometry", m.Name, ft.Name)
	}
	// The sole is the face of the foot's collision geometry lowest along the
	// body's own −z (so a foot pitched in the home pose is still found).
	x := &d.XBody[b]
	if down := x.R.Col(2)[2]; down < 0.7 {
		return ft, 0, fmt.Errorf("locomotion: model %q: foot %q: its body z axis is %.0f° from vertical at home; the sole must face the body's −z", m.Name, ft.Name, math.Acos(math.Max(-1, math.Min(1, down)))*180/math.Pi)
	}
	minZ, zb := math.Inf(1), math.Inf(1)
	for _, pt := range pts {
		minZ = math.Min(minZ, pt[2])
		zb = math.Min(zb, x.InvPoint(pt)[2])
	}
	lo := spatial.Vec3{math.Inf(1), math.Inf(1)}
	hi := spatial.Vec3{math.Inf(-1), math.Inf(-1)}
	for _, pt := range pts {
		l := x.InvPoint(pt)
		if l[2] > zb+0.005 {
			continue
		}
		for k := 0; k < 2; k++ {
			lo[k], hi[k] = math.Min(lo[k], l[k]), math.Max(hi[k], l[k])
		}
	}
	ft.Corners = [4]spatial.Vec3{{hi[0], hi[1], zb}, {hi[0], lo[1], zb}, {lo[0], lo[1], zb}, {lo[0], hi[1], zb}}
	ft.Center = spatial.Vec3{(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, zb}
	ft.Length, ft.Width = hi[0]-lo[0], hi[1]-lo[1]
	if !(ft.Length > 0.02 && ft.Width > 0.01) {
		return ft, 0, fmt.Errorf("locomotion: model %q: foot %q has a sole of %.3f × %.3f m; want a flat sole (a box or mesh under the foot)", m.Name, ft.Name, ft.Length, ft.Width)
	}
	return ft, minZ, nil
}

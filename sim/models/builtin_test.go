package models

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// jointOrder is the actuated joints' order: left leg, right leg, waist, left
// arm, right arm, head.
var jointOrder = []string{
	"left_hip_pitch", "left_hip_roll", "left_hip_yaw", "left_knee_pitch", "left_ankle_pitch", "left_ankle_roll",
	"right_hip_pitch", "right_hip_roll", "right_hip_yaw", "right_knee_pitch", "right_ankle_pitch", "right_ankle_roll",
	"waist_yaw",
	"left_shoulder_pitch", "left_shoulder_roll", "left_shoulder_yaw", "left_elbow_pitch", "left_elbow_yaw",
	"right_shoulder_pitch", "right_shoulder_roll", "right_shoulder_yaw", "right_elbow_pitch", "right_elbow_yaw",
	"head_yaw",
}

// limitsOf returns the public effort (N·m) and velocity (rad/s) limits of a
// joint: hip pitch, hip roll and knee are the large drives.
func limitsOf(name string) (effort, velocity float64) {
	for _, big := range []string{"_hip_pitch", "_hip_roll", "_knee_pitch"} {
		if strings.HasSuffix(name, big) {
			return 164, 26.3
		}
	}
	return 61, 35.2
}

// axisOf returns the joint axis the naming convention implies.
func axisOf(name string) spatial.Vec3 {
	switch {
	case strings.HasSuffix(name, "_pitch"):
		return spatial.Vec3{0, 1, 0}
	case strings.HasSuffix(name, "_roll"):
		return spatial.Vec3{1, 0, 0}
	default:
		return spatial.Vec3{0, 0, 1}
	}
}

func TestBuiltinSizes(t *testing.T) {
	m := builtin(t)
	if m.Name != BuiltinName {
		t.Errorf("model name %q, want %q", m.Name, BuiltinName)
	}
	if m.Nq != 31 || m.Nv != 30 || m.Nu != 24 {
		t.Errorf("nq %d nv %d nu %d, want 31 30 24", m.Nq, m.Nv, m.Nu)
	}
	approx(t, "total mass (kg)", m.TotalMass(), 40, 2)
	approx(t, "timestep (s)", m.Timestep, 0.001, 0)
	if len(m.Warnings) > 0 {
		t.Errorf("loader warnings: %q", m.Warnings)
	}
	if j := m.Joints[0]; j.Type != rbd.JointFree || m.Bodies[j.Body].Name != "pelvis" {
		t.Errorf("joint 0 is a %s joint on %q, want the free joint of the pelvis", j.Type, m.Bodies[j.Body].Name)
	}
	t.Logf("total mass %.3f kg, %d bodies, %d geoms", m.TotalMass(), m.NBody(), len(m.Geoms))
}

func TestBuiltinJointsAndActuators(t *testing.T) {
	m := builtin(t)
	if len(m.Joints) != 1+len(jointOrder) {
		t.Fatalf("%d joints, want 1 free + %d", len(m.Joints), len(jointOrder))
	}
	if len(m.Actuators) != len(jointOrder) {
		t.Fatalf("%d actuators, want %d", len(m.Actuators), len(jointOrder))
	}
	for i, name := range jointOrder {
		j := &m.Joints[1+i]
		if j.Name != name {
			t.Errorf("joint %d is %q, want %q", 1+i, j.Name, name)
			continue
		}
		eff, vel := limitsOf(name)
		if j.Type != rbd.JointHinge {
			t.Errorf("%s: %s joint, want hinge", name, j.Type)
		}
		if a := axisOf(name); j.Axis != a {
			t.Errorf("%s: axis %v, want %v", name, j.Axis, a)
		}
		if !j.Limited || !(j.Range[0] < 0 && 0 < j.Range[1]) {
			t.Errorf("%s: range %v (limited %v), want a limited range around 0", name, j.Range, j.Limited)
		}
		if !j.EffortLimited || j.EffortRange != [2]float64{-eff, eff} {
			t.Errorf("%s: effort range %v (limited %v), want ±%g N·m", name, j.EffortRange, j.EffortLimited, eff)
		}
		if j.VelocityLimit != vel {
			t.Errorf("%s: velocity limit %g, want %g rad/s", name, j.VelocityLimit, vel)
		}
		if !(j.Armature >= 0.01 && j.Armature <= 0.05) || j.Damping != 0.5 || j.FrictionLoss != 0.5 {
			t.Errorf("%s: armature %g damping %g frictionloss %g, want armature in [0.01, 0.05], 0.5, 0.5", name, j.Armature, j.Damping, j.FrictionLoss)
		}
		if eff == 164 && j.Armature < 0.03 {
			t.Errorf("%s: armature %g is low for a 164 N·m drive", name, j.Armature)
		}

		a := &m.Actuators[i]
		if a.Name != name || m.Joints[a.Joint].Name != name {
			t.Errorf("actuator %d is %q on joint %q, want %q on %q", i, a.Name, m.Joints[a.Joint].Name, name, name)
		}
		if a.Kind != rbd.ActMotor || a.Gear != 1 || a.Gain != 1 || a.Bias != [3]float64{} {
			t.Errorf("%s: actuator %s gear %g gain %g bias %v, want a gear-1 motor", name, a.Kind, a.Gear, a.Gain, a.Bias)
		}
		if !a.CtrlLimited || a.CtrlRange != [2]float64{-eff, eff} || !a.ForceLimited || a.ForceRange != [2]float64{-eff, eff} {
			t.Errorf("%s: ctrlrange %v (%v) forcerange %v (%v), want both ±%g", name, a.CtrlRange, a.CtrlLimited, a.ForceRange, a.ForceLimited, eff)
		}
	}
}

// TestBuiltinInertias checks every link's inertia is that of a physical body:
// positive mass, symmetric positive-definite rotational inertia whose diagonal
// obeys the triangle inequality (Ixx + Iyy ≥ Izz holds in any frame).
func TestBuiltinInertias(t *testing.T) {
	m := builtin(t)
	for i := 1; i < m.NBody(); i++ {
		b := &m.Bodies[i]
		I := b.Inertia
		if !(b.Mass > 0) {
			t.Errorf("body %q: mass %g", b.Name, b.Mass)
			continue
		}
		if I[1] != I[3] || I[2] != I[6] || I[5] != I[7] {
			t.Errorf("body %q: inertia not symmetric: %v", b.Name, I)
		}
		if d2 := I[0]*I[4] - I[1]*I[3]; !(I[0] > 0 && d2 > 0 && I.Det() > 0) {
			t.Errorf("body %q: inertia not positive definite: %v", b.Name, I)
		}
		if I[0]+I[4] < I[8] || I[4]+I[8] < I[0] || I[0]+I[8] < I[4] {
			t.Errorf("body %q: inertia diagonal %g %g %g violates the triangle inequality", b.Name, I[0], I[4], I[8])
		}
		// A link's radius of gyration cannot exceed the robot's size.
		if r := math.Sqrt((I[0] + I[4] + I[8]) / b.Mass); r > 0.5 {
			t.Errorf("body %q: radius of gyration %.3f m is implausible", b.Name, r)
		}
	}
}

// TestBuiltinMassDistribution checks the anthropometric budget the design
// follows (pelvis ~5 kg, torso and head ~12 kg, legs ~8 kg with a light foot,
// arms ~2.5 kg).
func TestBuiltinMassDistribution(t *testing.T) {
	m := builtin(t)
	sub := func(name string) float64 {
		i := m.BodyIndex(name)
		if i < 0 {
			t.Fatalf("no body %q", name)
		}
		return m.BodySubtreeMass[i]
	}
	mass := func(name string) float64 { return m.Bodies[m.BodyIndex(name)].Mass }
	for _, side := range []string{"left", "right"} {
		approx(t, side+" leg mass", sub(side+"_hip_pitch_link"), 8, 0.5)
		approx(t, side+" foot mass", mass(side+"_foot"), 0.8, 0.2)
		approx(t, side+" arm mass", sub(side+"_shoulder_pitch_link"), 2.5, 0.3)
		if th, sh := mass(side+"_thigh"), mass(side+"_shank"); !(th > sh && sh > mass(side+"_foot")) {
			t.Errorf("%s leg: thigh %g, shank %g, foot %g kg; want heavier towards the hip", side, th, sh, mass(side+"_foot"))
		}
	}
	approx(t, "pelvis mass", mass("pelvis"), 5, 1)
	approx(t, "torso and head mass", mass("torso")+mass("head"), 12.5, 1)
}

// mirrorY reflects a point or polar vector in the sagittal (x–z) plane.
func mirrorY(v spatial.Vec3) spatial.Vec3 { return spatial.Vec3{v[0], -v[1], v[2]} }

func near3(a, b spatial.Vec3, tol float64) bool { return a.Sub(b).Norm() <= tol }

// TestBuiltinSymmetry checks the right side mirrors the left: bodies (pose,
// mass, centre of mass, inertia), joints (axis and range; a rotation axis is a
// pseudo-vector, so a mirrored roll or yaw range flips sign), geoms and sites.
func TestBuiltinSymmetry(t *testing.T) {
	m := builtin(t)
	const tol = 1e-12
	pairs := 0
	for i := 1; i < m.NBody(); i++ {
		l := &m.Bodies[i]
		if !strings.HasPrefix(l.Name, "left_") {
			continue
		}
		ri := m.BodyIndex("right_" + strings.TrimPrefix(l.Name, "left_"))
		if ri < 0 {
			t.Errorf("body %q has no right counterpart", l.Name)
			continue
		}
		pairs++
		r := &m.Bodies[ri]
		if !near3(r.Pos, mirrorY(l.Pos), tol) || !near3(r.COM, mirrorY(l.COM), tol) || r.Mass != l.Mass || r.Quat != l.Quat {
			t.Errorf("%s/%s: pos %v/%v com %v/%v mass %g/%g quat %v/%v not mirrored", l.Name, r.Name, l.Pos, r.Pos, l.COM, r.COM, l.Mass, r.Mass, l.Quat, r.Quat)
		}
		M := spatial.Diag3(spatial.Vec3{1, -1, 1})
		MI := M.Mul(&l.Inertia)
		if want := MI.Mul(&M); want.Sub(r.Inertia) != (spatial.Mat3{}) {
			t.Errorf("%s/%s: inertia %v / %v not mirrored", l.Name, r.Name, l.Inertia, r.Inertia)
		}
		if l.JntNum != r.JntNum {
			t.Errorf("%s/%s: %d/%d joints", l.Name, r.Name, l.JntNum, r.JntNum)
			continue
		}
		for k := 0; k < l.JntNum; k++ {
			jl, jr := &m.Joints[l.JntAdr+k], &m.Joints[r.JntAdr+k]
			mirrored := mirrorY(jl.Axis).Neg() // pseudo-vector
			want := jl.Range
			switch {
			case near3(jr.Axis, mirrored, tol):
			case near3(jr.Axis, mirrored.Neg(), tol):
				want = [2]float64{-jl.Range[1], -jl.Range[0]}
			default:
				t.Errorf("%s/%s: axis %v/%v not mirrored", jl.Name, jr.Name, jl.Axis, jr.Axis)
			}
			if jr.Range != want || jr.Name != "right_"+strings.TrimPrefix(jl.Name, "left_") {
				t.Errorf("%s/%s: range %v/%v, want the right range %v", jl.Name, jr.Name, jl.Range, jr.Range, want)
			}
			if jr.Armature != jl.Armature || jr.Damping != jl.Damping || jr.FrictionLoss != jl.FrictionLoss ||
				jr.EffortRange != jl.EffortRange || jr.VelocityLimit != jl.VelocityLimit {
				t.Errorf("%s/%s: passive terms or limits differ", jl.Name, jr.Name)
			}
		}
		var gl, gr []*rbd.Geom
		for g := range m.Geoms {
			switch m.Geoms[g].Body {
			case i:
				gl = append(gl, &m.Geoms[g])
			case ri:
				gr = append(gr, &m.Geoms[g])
			}
		}
		if len(gl) != len(gr) {
			t.Errorf("%s/%s: %d/%d geoms", l.Name, r.Name, len(gl), len(gr))
			continue
		}
		for k := range gl {
			a, b := gl[k], gr[k]
			if a.Type != b.Type || a.Size != b.Size || !near3(b.Pos, mirrorY(a.Pos), tol) ||
				a.Contype != b.Contype || a.Conaffinity != b.Conaffinity || a.Group != b.Group {
				t.Errorf("%s/%s: geom %d differs: %+v / %+v", l.Name, r.Name, k, *a, *b)
			}
		}
	}
	if pairs != 11 {
		t.Errorf("%d left/right body pairs, want 11 (6 per leg, 5 per arm)", pairs)
	}
	for _, s := range []string{"foot", "hand"} {
		l, r := m.SiteIndex("left_"+s), m.SiteIndex("right_"+s)
		if l < 0 || r < 0 {
			t.Fatalf("missing site left_%s or right_%s", s, s)
		}
		if !near3(m.Sites[r].Pos, mirrorY(m.Sites[l].Pos), tol) {
			t.Errorf("sites left_%s/right_%s: %v / %v not mirrored", s, s, m.Sites[l].Pos, m.Sites[r].Pos)
		}
	}
}

func TestBuiltinSites(t *testing.T) {
	m := builtin(t)
	for site, body := range map[string]string{
		"imu": "pelvis", "torso": "torso", "head": "head",
		"left_hand": "left_hand", "right_hand": "right_hand",
		"left_foot": "left_foot", "right_foot": "right_foot",
	} {
		i := m.SiteIndex(site)
		if i < 0 {
			t.Errorf("no site %q", site)
			continue
		}
		if got := m.Bodies[m.Sites[i].Body].Name; got != body {
			t.Errorf("site %q is on body %q, want %q", site, got, body)
		}
	}
	// A foot site is the centre of its box's bottom face, axes aligned with the
	// box (z up, out of the sole).
	for k, g := range footBoxes(t, m) {
		name := [2]string{"left_foot", "right_foot"}[k]
		s := &m.Sites[m.SiteIndex(name)]
		box := &m.Geoms[g]
		want := box.Pos.Sub(spatial.Vec3{0, 0, box.Size[2]})
		if s.Body != box.Body || !near3(s.Pos, want, 1e-12) || s.Quat != box.Quat || box.Quat != spatial.IdentityQuat() {
			t.Errorf("site %q at %v (quat %v), want the sole centre %v of box %v (quat %v)", name, s.Pos, s.Quat, want, box.Size, box.Quat)
		}
		if sz := box.Size; !(sz[0] > 0.1 && sz[0] < 0.13 && sz[1] > 0.04 && sz[1] < 0.06 && sz[2] > 0.01 && sz[2] < 0.02) {
			t.Errorf("foot box half-sizes %v, want about 0.11 0.05 0.015", sz)
		}
	}
}

// TestBuiltinCollisionFilter checks the contype/conaffinity design with
// MJCF's rule: the feet touch the ground, no two leg geoms (either leg, feet
// included) can touch, legs never touch the upper body, and the arms can
// touch the torso.
func TestBuiltinCollisionFilter(t *testing.T) {
	m := builtin(t)
	can := func(a, b *rbd.Geom) bool { return a.Contype&b.Conaffinity != 0 || b.Contype&a.Conaffinity != 0 }
	inLeg := func(b int) bool {
		for ; b > 0; b = m.Bodies[b].Parent {
			if n := m.Bodies[b].Name; n == "left_hip_pitch_link" || n == "right_hip_pitch_link" {
				return true
			}
		}
		return false
	}
	var floor *rbd.Geom
	var legs, upper []*rbd.Geom
	for i := range m.Geoms {
		g := &m.Geoms[i]
		switch {
		case g.Body == 0 && g.Type == rbd.GeomPlane:
			floor = g
		case !g.Collides():
			if g.Group != 2 {
				t.Errorf("visual geom %d on %q in group %d, want 2", i, m.Bodies[g.Body].Name, g.Group)
			}
		default:
			if g.Group != 3 || g.Friction != [3]float64{1, 0.02, 0.001} {
				t.Errorf("collision geom %d on %q: group %d friction %v, want 3 and 1 0.02 0.001", i, m.Bodies[g.Body].Name, g.Group, g.Friction)
			}
			if inLeg(g.Body) {
				legs = append(legs, g)
			} else {
				upper = append(upper, g)
			}
		}
	}
	if floor == nil {
		t.Fatal("no ground plane on the world body")
	}
	for _, g := range append(append([]*rbd.Geom(nil), legs...), upper...) {
		if !can(g, floor) {
			t.Errorf("collision geom on %q cannot touch the ground", m.Bodies[g.Body].Name)
		}
	}
	for i, a := range legs {
		for _, b := range legs[i+1:] {
			if can(a, b) {
				t.Errorf("leg geoms on %q and %q can collide", m.Bodies[a.Body].Name, m.Bodies[b.Body].Name)
			}
		}
		for _, b := range upper {
			if can(a, b) {
				t.Errorf("leg geom on %q can collide with %q", m.Bodies[a.Body].Name, m.Bodies[b.Body].Name)
			}
		}
	}
	torso := m.BodyIndex("torso")
	armsTouchTorso := 0
	for _, a := range upper {
		for _, b := range upper {
			if b.Body == torso && strings.Contains(m.Bodies[a.Body].Name, "arm") && can(a, b) {
				armsTouchTorso++
			}
		}
	}
	if armsTouchTorso == 0 {
		t.Error("no arm geom can collide with the torso")
	}
	if len(legs) != 6 {
		t.Errorf("%d leg collision geoms, want 6 (thigh, shank, foot per leg)", len(legs))
	}
}

// TestBuiltinHeight checks the zero pose: straight legs with the soles on the
// ground and the top of the head at 1.38 m.
func TestBuiltinHeight(t *testing.T) {
	m := builtin(t)
	d := rbd.NewData(m)
	rbd.Kinematics(m, d, m.Qpos0)
	rbd.GeomPoses(m, d)
	lo, hi := zExtent(m, d, notPlane)
	approx(t, "lowest point at the zero pose (m)", lo, 0, 0.5e-3)
	approx(t, "standing height at the zero pose (m)", hi-lo, 1.38, 0.02)
	s := measureStance(t, m, m.Qpos0)
	if !s.grounded(0.5e-3) {
		t.Errorf("zero pose: soles at %v (corners %g..%g), want on z = 0", s.siteZ, s.cornerLo, s.cornerHi)
	}
	t.Logf("zero pose: height %.4f m, pelvis at %.4f m, COM %.4f", hi-lo, m.Qpos0[2], s.com)
}

// TestBuiltinHome checks the keyframe "home": the base height is the one
// forward kinematics gives for soles on z = 0, both soles are flat on the
// ground, nothing else touches it, and the centre of mass projects inside the
// support polygon with a margin.
func TestBuiltinHome(t *testing.T) {
	m := builtin(t)
	q := keyframe(t, m, "home")
	// Derive the base height: put the base at z = 0 and read the soles.
	q0 := append([]float64(nil), q...)
	q0[2] = 0
	s0 := measureStance(t, m, q0)
	derived := -(s0.siteZ[0] + s0.siteZ[1]) / 2
	t.Logf("home: base height from forward kinematics %.7f m (keyframe %.7f)", derived, q[2])
	approx(t, "home base height − derived (m)", q[2]-derived, 0, 0.5e-3)

	s := measureStance(t, m, q)
	if !s.grounded(0.5e-3) {
		t.Errorf("home: foot sites at z %.6f %.6f, sole corners %.6f..%.6f; want all on z = 0 ± 0.5 mm", s.siteZ[0], s.siteZ[1], s.cornerLo, s.cornerHi)
	}
	d := rbd.NewData(m)
	rbd.Kinematics(m, d, q)
	rbd.GeomPoses(m, d)
	for _, name := range [2]string{"left_foot", "right_foot"} {
		if z := d.XSite[m.SiteIndex(name)].R.Col(2); z[2] < math.Cos(1e-6) {
			t.Errorf("home: %s site z axis %v, want up", name, z)
		}
	}
	feet := footBoxes(t, m)
	lo, _ := zExtent(m, d, func(g *rbd.Geom) bool {
		return g.Collides() && g.Type != rbd.GeomPlane && g != &m.Geoms[feet[0]] && g != &m.Geoms[feet[1]]
	})
	if lo < 0.02 {
		t.Errorf("home: a collision geom other than the feet reaches down to z = %.4f m", lo)
	}
	if s.supportMargin < 0.02 {
		t.Errorf("home: COM %.4f projects %.4f m inside the support polygon %v, want at least 0.02 m", s.com, s.supportMargin, s.supportPolygon)
	}
	t.Logf("home: COM %.4f, %.4f m inside the support polygon %v", s.com, s.supportMargin, s.supportPolygon)
	// The keyframe respects the joint ranges.
	for _, j := range m.Joints[1:] {
		if v := q[j.QAdr]; j.Limited && (v < j.Range[0] || v > j.Range[1]) {
			t.Errorf("home: %s = %g outside %v", j.Name, v, j.Range)
		}
	}
}

// TestStanceChecksCanFail makes sure the home checks detect what they are
// for: a pose whose soles leave the ground, and a centre of mass outside the
// feet.
func TestStanceChecksCanFail(t *testing.T) {
	m := builtin(t)
	q := keyframe(t, m, "home")
	bent := append([]float64(nil), q...)
	bent[m.Joints[m.JointIndex("left_knee_pitch")].QAdr] += 0.05
	if s := measureStance(t, m, bent); s.grounded(0.5e-3) {
		t.Errorf("a 0.05 rad extra knee bend left the soles on the ground: %v", s.siteZ)
	}
	tilted := append([]float64(nil), q...)
	tilted[m.Joints[m.JointIndex("right_ankle_roll")].QAdr] = 0.1
	if s := measureStance(t, m, tilted); s.grounded(0.5e-3) {
		t.Errorf("a rolled ankle left the sole flat: corners %g..%g", s.cornerLo, s.cornerHi)
	}
	heavy, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	torso := &heavy.Bodies[heavy.BodyIndex("torso")]
	torso.COM[0] += 0.8 // a heavy load far in front
	if err := heavy.Finalize(); err != nil {
		t.Fatal(err)
	}
	if s := measureStance(t, heavy, q); s.supportMargin > 0 {
		t.Errorf("COM %.3f with the torso mass 0.8 m forward still inside the support polygon (margin %.3f)", s.com, s.supportMargin)
	}
}

func TestBuiltinFresh(t *testing.T) {
	a, b := builtin(t), builtin(t)
	a.Joints[1].Name = "changed"
	a.Bodies[1].Mass = 99
	a.Numeric[VelocityLimitNumeric][0] = 1
	if b.Joints[1].Name != jointOrder[0] || b.Bodies[1].Mass == 99 || b.Numeric[VelocityLimitNumeric][0] != 26.3 {
		t.Error("two Builtin results share data")
	}
	x := BuiltinMJCF()
	x[0] = 'X'
	if y := BuiltinMJCF(); y[0] == 'X' || !bytes.Contains(y, []byte(`<mujoco model="`+BuiltinName+`"`)) {
		t.Error("BuiltinMJCF returned shared or unexpected bytes")
	}
}

package mjcf

import (
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

const tol = 1e-12

func geomByName(t *testing.T, m *rbd.Model, name string) *rbd.Geom {
	t.Helper()
	for i := range m.Geoms {
		if m.Geoms[i].Name == name {
			return &m.Geoms[i]
		}
	}
	t.Fatalf("no geom %q", name)
	return nil
}

func jointByName(t *testing.T, m *rbd.Model, name string) *rbd.Joint {
	t.Helper()
	i := m.JointIndex(name)
	if i < 0 {
		t.Fatalf("no joint %q", name)
	}
	return &m.Joints[i]
}

func bodyByName(t *testing.T, m *rbd.Model, name string) *rbd.Body {
	t.Helper()
	i := m.BodyIndex(name)
	if i < 0 {
		t.Fatalf("no body %q", name)
	}
	return &m.Bodies[i]
}

// The example of MuJoCo's modeling guide, extended with joints and nesting.
// A nested class inherits its parent's settings even when they come after it
// in the file (MuJoCo reads a class's own elements before its children).
func TestDefaultsAndChildclass(t *testing.T) {
	m := loadString(t, `<mujoco>
  <default class="main">
    <geom rgba="1 0 0 1" size="0.1 0.2 0.3"/>
    <default class="sub">
      <default class="subsub">
        <joint frictionloss="3" axis="1 0 0"/>
      </default>
      <geom rgba="0 1 0 1"/>
      <joint damping="2"/>
    </default>
    <joint damping="0.5" armature="0.1"/>
  </default>
  <worldbody>
    <geom name="box" type="box"/>
    <body name="b" childclass="sub">
      <joint name="j_sub"/>
      <joint name="j_subsub" class="subsub"/>
      <joint name="j_main" class="main" damping="7"/>
      <geom name="ellipsoid" type="ellipsoid"/>
      <geom name="sphere" type="sphere" rgba="0 0 1 1"/>
      <geom name="cylinder" type="cylinder" class="main"/>
      <body name="c">
        <joint name="j_inherited"/>
        <geom name="deep" type="sphere"/>
      </body>
    </body>
  </worldbody>
</mujoco>`)
	for name, want := range map[string][4]float32{
		"box": {1, 0, 0, 1}, "ellipsoid": {0, 1, 0, 1}, "sphere": {0, 0, 1, 1}, "cylinder": {1, 0, 0, 1}, "deep": {0, 1, 0, 1},
	} {
		if got := geomByName(t, m, name).RGBA; got != want {
			t.Errorf("geom %s rgba %v, want %v", name, got, want)
		}
	}
	if s := geomByName(t, m, "box").Size; s != (spatial.Vec3{0.1, 0.2, 0.3}) {
		t.Errorf("box size %v, want the class default", s)
	}
	for name, want := range map[string][4]float64{ // damping, armature, frictionloss, axis x
		"j_sub": {2, 0.1, 0, 0}, "j_subsub": {2, 0.1, 3, 1}, "j_main": {7, 0.1, 0, 0}, "j_inherited": {2, 0.1, 0, 0},
	} {
		j := jointByName(t, m, name)
		if got := [4]float64{j.Damping, j.Armature, j.FrictionLoss, j.Axis[0]}; got != want {
			t.Errorf("joint %s damping, armature, frictionloss, axis x = %v, want %v", name, got, want)
		}
	}
}

// A freejoint ignores joint defaults; a <joint type="free"> does not.
func TestFreejointIgnoresDefaults(t *testing.T) {
	m := loadString(t, `<mujoco>
  <default><joint damping="3" armature="1"/></default>
  <worldbody>
    <body name="a"><freejoint name="f"/><geom size="0.1"/></body>
    <body name="b"><joint name="g" type="free"/><geom size="0.1"/></body>
  </worldbody>
</mujoco>`)
	if j := jointByName(t, m, "f"); j.Damping != 0 || j.Armature != 0 || j.Type != rbd.JointFree {
		t.Errorf("freejoint %+v, want no damping or armature", j)
	}
	if j := jointByName(t, m, "g"); j.Damping != 3 || j.Armature != 1 {
		t.Errorf("joint type=free %+v, want the defaults", j)
	}
	if m.Nq != 14 || m.Nv != 12 {
		t.Errorf("nq, nv = %d, %d; want 14, 12", m.Nq, m.Nv)
	}
}

func TestAngleUnits(t *testing.T) {
	const body = `<worldbody>
    <body name="a" axisangle="0 0 1 90">
      <joint name="h" range="-90 45" ref="30" springref="-60"/>
      <joint name="s" type="slide" range="-90 45" ref="30"/>
      <geom size="0.1"/>
      <body name="b" euler="0 90 0"><joint name="ball" type="ball" range="0 60"/><geom size="0.1"/></body>
    </body>
  </worldbody>`
	deg := loadString(t, `<mujoco>`+body+`</mujoco>`)
	rad := loadString(t, `<mujoco><compiler angle="radian"/>`+body+`</mujoco>`)
	d2r := math.Pi / 180

	h := jointByName(t, deg, "h")
	nearVec(t, "degree hinge range", h.Range[:], []float64{-90 * d2r, 45 * d2r}, tol)
	near(t, "degree hinge ref", h.Ref, 30*d2r, tol)
	near(t, "degree hinge springref", h.SpringRef, -60*d2r, tol)
	s := jointByName(t, deg, "s")
	nearVec(t, "slide range (never converted)", s.Range[:], []float64{-90, 45}, tol)
	near(t, "slide ref (never converted)", s.Ref, 30, tol)
	nearVec(t, "degree ball range", jointByName(t, deg, "ball").Range[:], []float64{0, 60 * d2r}, tol)
	h2 := math.Sqrt(0.5)
	nearQuat(t, "degree axisangle", bodyByName(t, deg, "a").Quat, spatial.Quat{W: h2, Z: h2}, tol)
	nearQuat(t, "degree euler", bodyByName(t, deg, "b").Quat, spatial.Quat{W: h2, Y: h2}, tol)

	hr := jointByName(t, rad, "h")
	nearVec(t, "radian hinge range", hr.Range[:], []float64{-90, 45}, tol)
	near(t, "radian hinge ref", hr.Ref, 30, tol)
	if math.Abs(deg.Qpos0[0]-30*d2r) > tol || math.Abs(rad.Qpos0[0]-30) > tol {
		t.Errorf("qpos0 of the hinge = %g (degree file), %g (radian file); want its ref", deg.Qpos0[0], rad.Qpos0[0])
	}
	nearQuat(t, "radian axisangle", bodyByName(t, rad, "a").Quat, spatial.QuatFromAxisAngle(spatial.Vec3{0, 0, 1}, 90), tol)
}

// Hand-computed quaternions for quarter turns (qx = (h, h, 0, 0) etc., h = √½):
// xyz (intrinsic) 90 90 0: qx⊗qy = (½, ½, ½, ½);
// XYZ (extrinsic) 90 90 0: qy⊗qx = (½, ½, ½, −½);
// zyx (intrinsic) 90 90 0: qz⊗qy = (½, −½, ½, ½);
// ZYX (extrinsic) 90 90 0: qy⊗qz = (½, ½, ½, ½);
// xzx 90 0 90: qx⊗qx = a half turn about x.
func TestEulerSequences(t *testing.T) {
	cases := []struct {
		seq, angles string
		want        spatial.Quat
	}{
		{"xyz", "90 90 0", spatial.Quat{W: 0.5, X: 0.5, Y: 0.5, Z: 0.5}},
		{"XYZ", "90 90 0", spatial.Quat{W: 0.5, X: 0.5, Y: 0.5, Z: -0.5}},
		{"zyx", "90 90 0", spatial.Quat{W: 0.5, X: -0.5, Y: 0.5, Z: 0.5}},
		{"ZYX", "90 90 0", spatial.Quat{W: 0.5, X: 0.5, Y: 0.5, Z: 0.5}},
		{"xyz", "0 0 90", spatial.Quat{W: math.Sqrt(0.5), Z: math.Sqrt(0.5)}},
		{"xzx", "90 0 90", spatial.Quat{X: 1}},
	}
	for _, c := range cases {
		m := loadString(t, `<mujoco><compiler eulerseq="`+c.seq+`"/><worldbody>
			<body name="b" euler="`+c.angles+`"><geom size="1"/></body></worldbody></mujoco>`)
		nearQuat(t, c.seq+" "+c.angles, m.Bodies[1].Quat, c.want, 1e-12)
	}
	// General angles: xyz is Rx(a)·Ry(b)·Rz(c) and XYZ is Rz(c)·Ry(b)·Rx(a).
	a, b, cc := 0.3, -1.1, 2.2
	qx := spatial.QuatFromAxisAngle(spatial.Vec3{1, 0, 0}, a)
	qy := spatial.QuatFromAxisAngle(spatial.Vec3{0, 1, 0}, b)
	qz := spatial.QuatFromAxisAngle(spatial.Vec3{0, 0, 1}, cc)
	for seq, want := range map[string]spatial.Quat{"xyz": qx.Mul(qy).Mul(qz), "XYZ": qz.Mul(qy).Mul(qx)} {
		m := loadString(t, `<mujoco><compiler angle="radian" eulerseq="`+seq+`"/><worldbody>
			<body euler="0.3 -1.1 2.2"><geom size="1"/></body></worldbody></mujoco>`)
		nearQuat(t, seq, m.Bodies[1].Quat, want, 1e-12)
	}
}

func TestOrientationForms(t *testing.T) {
	m := loadString(t, `<mujoco><worldbody>
    <body name="q" quat="2 0 0 2"><geom size="1"/></body>
    <body name="xy" xyaxes="0 1 0 -1 0 0"><geom size="1"/></body>
    <body name="z" zaxis="0 0 -1"><geom size="1"/></body>
    <body name="zx" zaxis="1 0 0"><geom size="1"/></body>
  </worldbody></mujoco>`)
	h := math.Sqrt(0.5)
	nearQuat(t, "quat (normalised)", bodyByName(t, m, "q").Quat, spatial.Quat{W: h, Z: h}, tol)
	nearQuat(t, "xyaxes", bodyByName(t, m, "xy").Quat, spatial.Quat{W: h, Z: h}, tol)
	nearQuat(t, "zaxis down", bodyByName(t, m, "z").Quat, spatial.Quat{X: 1}, tol)
	nearQuat(t, "zaxis +x", bodyByName(t, m, "zx").Quat, spatial.Quat{W: h, Y: h}, tol)
}

func TestFromto(t *testing.T) {
	m := loadString(t, `<mujoco><worldbody><body>
    <geom name="cap" type="capsule" fromto="0 0 0 0 0 0.4" size="0.05 9"/>
    <geom name="tilted" type="cylinder" fromto="1 0 0 1 0.3 0.4" size="0.02"/>
    <geom name="box" type="box" fromto="0 0 0 0.6 0 0" size="0.1"/>
    <site name="s" fromto="0 0 0 0 0 0.2"/>
  </body></worldbody></mujoco>`)
	cap := geomByName(t, m, "cap")
	nearVec(t, "capsule pos", cap.Pos[:], []float64{0, 0, 0.2}, tol)
	nearVec(t, "capsule size", cap.Size[:2], []float64{0.05, 0.2}, tol)
	// MuJoCo's z axis runs from the second point to the first.
	nearQuat(t, "capsule quat", cap.Quat, spatial.Quat{X: 1}, tol)
	tl := geomByName(t, m, "tilted")
	nearVec(t, "tilted pos", tl.Pos[:], []float64{1, 0.15, 0.2}, tol)
	near(t, "tilted half-length", tl.Size[1], 0.25, tol)
	z := tl.Quat.Rotate(spatial.Vec3{0, 0, 1})
	nearVec(t, "tilted z axis", z[:], []float64{0, -0.6, -0.8}, tol)
	box := geomByName(t, m, "box")
	nearVec(t, "box fromto size", box.Size[:], []float64{0.1, 0.1, 0.3}, tol)
	nearVec(t, "site fromto pos", m.Sites[0].Pos[:], []float64{0, 0, 0.1}, tol)
}

func TestFrame(t *testing.T) {
	m := loadString(t, `<mujoco><compiler angle="radian"/>
  <default><default class="f"><geom rgba="0 0 1 1"/></default></default>
  <worldbody><body name="a">
    <frame pos="1 0 0" axisangle="0 0 1 1.5707963267948966" childclass="f">
      <geom name="g" size="0.1" pos="1 0 0"/>
      <joint name="j" axis="1 0 0" pos="0 1 0"/>
      <body name="b" pos="0 2 0"><geom size="0.1"/></body>
    </frame>
  </body></worldbody></mujoco>`)
	g := geomByName(t, m, "g")
	nearVec(t, "geom in frame", g.Pos[:], []float64{1, 1, 0}, 1e-12)
	if g.RGBA != [4]float32{0, 0, 1, 1} {
		t.Errorf("frame childclass not applied: rgba %v", g.RGBA)
	}
	j := jointByName(t, m, "j")
	nearVec(t, "joint anchor in frame", j.Pos[:], []float64{0, 0, 0}, 1e-12)
	nearVec(t, "joint axis in frame", j.Axis[:], []float64{0, 1, 0}, 1e-12)
	nearVec(t, "body in frame", bodyByName(t, m, "b").Pos[:], []float64{-1, 0, 0}, 1e-12)
}

func TestInertiaFromGeoms(t *testing.T) {
	m := loadString(t, `<mujoco><worldbody>
    <body name="box"><geom type="box" size="0.1 0.2 0.3" density="500"/></body>
    <body name="sphere"><geom type="sphere" size="0.2" pos="0.1 0 0"/></body>
    <body name="capsule"><geom type="capsule" size="0.05 0.2" density="800"/></body>
    <body name="cylinder"><geom type="cylinder" size="0.05 0.2" mass="3"/></body>
    <body name="ellipsoid"><geom type="ellipsoid" size="0.1 0.2 0.3"/></body>
    <body name="pair">
      <geom type="sphere" size="0.1" pos="-0.5 0 0" mass="1"/>
      <geom type="sphere" size="0.1" pos="0.5 0 0" mass="3"/>
      <geom type="sphere" size="0.3" mass="0"/>
    </body>
    <body name="rotated"><geom type="box" size="0.1 0.2 0.3" axisangle="0 0 1 90" mass="2"/></body>
  </worldbody></mujoco>`)

	// Box: m = ρ·8abc, Ixx = m(b² + c²)/3 with half-sizes.
	b := bodyByName(t, m, "box")
	mb := 500 * 8 * 0.1 * 0.2 * 0.3
	near(t, "box mass", b.Mass, mb, 1e-12)
	nearVec(t, "box inertia", b.Inertia[:], []float64{mb * (0.04 + 0.09) / 3, 0, 0, 0, mb * (0.01 + 0.09) / 3, 0, 0, 0, mb * (0.01 + 0.04) / 3}, 1e-12)

	// Sphere: m = 4/3 π r³ ρ, I = 2/5 m r², centred on the geom.
	s := bodyByName(t, m, "sphere")
	ms := 4.0 / 3 * math.Pi * 0.008 * 1000
	near(t, "sphere mass", s.Mass, ms, 1e-9)
	nearVec(t, "sphere com", s.COM[:], []float64{0.1, 0, 0}, 1e-12)
	i := 0.4 * ms * 0.04
	nearVec(t, "sphere inertia", s.Inertia[:], []float64{i, 0, 0, 0, i, 0, 0, 0, i}, 1e-12)

	// Capsule: a cylinder of length L = 2h and two hemispheres. A hemisphere
	// of mass mh has its centroid 3r/8 from its flat face and, about it, the
	// transverse inertia (2/5 − 9/64)·mh·r² = 83/320·mh·r².
	c := bodyByName(t, m, "capsule")
	r, L, rho := 0.05, 0.4, 800.0
	mc := rho * math.Pi * r * r * L
	mh := rho * 2.0 / 3 * math.Pi * r * r * r
	near(t, "capsule mass", c.Mass, mc+2*mh, 1e-12)
	d := L/2 + 3*r/8
	ixx := mc*(3*r*r+L*L)/12 + 2*(83.0/320*mh*r*r+mh*d*d)
	izz := mc*r*r/2 + 2*(0.4*mh*r*r)
	nearVec(t, "capsule inertia", c.Inertia[:], []float64{ixx, 0, 0, 0, ixx, 0, 0, 0, izz}, 1e-12)

	// Cylinder with a given mass: Ixx = m(3r² + L²)/12, Izz = m r²/2.
	cy := bodyByName(t, m, "cylinder")
	near(t, "cylinder mass", cy.Mass, 3, 1e-12)
	nearVec(t, "cylinder inertia diagonal", []float64{cy.Inertia[0], cy.Inertia[8]}, []float64{3 * (3*r*r + L*L) / 12, 3 * r * r / 2}, 1e-12)

	// Ellipsoid: m = 4/3 π abc ρ, Ixx = m(b² + c²)/5.
	e := bodyByName(t, m, "ellipsoid")
	me := 4.0 / 3 * math.Pi * 0.006 * 1000
	near(t, "ellipsoid mass", e.Mass, me, 1e-9)
	near(t, "ellipsoid Ixx", e.Inertia[0], me*(0.04+0.09)/5, 1e-12)

	// Two point-like spheres: COM at the mass-weighted mean and the
	// parallel-axis terms about it; a zero-mass geom adds nothing.
	p := bodyByName(t, m, "pair")
	near(t, "pair mass", p.Mass, 4, 1e-12)
	nearVec(t, "pair com", p.COM[:], []float64{0.25, 0, 0}, 1e-12)
	own := 0.4 * 0.01 // 2/5 r² per kg
	iyy := 4*own + 1*0.75*0.75 + 3*0.25*0.25
	nearVec(t, "pair inertia", p.Inertia[:], []float64{4 * own, 0, 0, 0, iyy, 0, 0, 0, iyy}, 1e-12)

	// A box turned a quarter turn about z swaps its x and y moments.
	ro := bodyByName(t, m, "rotated")
	nearVec(t, "rotated box inertia diagonal", []float64{ro.Inertia[0], ro.Inertia[4], ro.Inertia[8]},
		[]float64{2 * (0.01 + 0.09) / 3, 2 * (0.04 + 0.09) / 3, 2 * (0.01 + 0.04) / 3}, 1e-12)
}

func TestInertiaFromGeomSettings(t *testing.T) {
	const body = `<worldbody><body name="a">
      <inertial pos="0 0 0" mass="7" diaginertia="1 1 1"/>
      <geom type="sphere" size="0.1" mass="2"/>
      <geom type="sphere" size="0.1" mass="5" group="4"/>
    </body><body name="b"><geom type="sphere" size="0.1" mass="2"/></body></worldbody>`
	auto := loadString(t, `<mujoco>`+body+`</mujoco>`)
	near(t, "auto: explicit inertial", bodyByName(t, auto, "a").Mass, 7, 0)
	near(t, "auto: geoms without inertial", bodyByName(t, auto, "b").Mass, 2, 0)
	on := loadString(t, `<mujoco><compiler inertiafromgeom="true"/>`+body+`</mujoco>`)
	near(t, "true: geoms override the inertial", bodyByName(t, on, "a").Mass, 7, 0)
	grp := loadString(t, `<mujoco><compiler inertiafromgeom="true" inertiagrouprange="0 3"/>`+body+`</mujoco>`)
	near(t, "true with inertiagrouprange 0 3", bodyByName(t, grp, "a").Mass, 2, 0)
	off := loadString(t, `<mujoco><compiler inertiafromgeom="false"/>`+body+`</mujoco>`)
	near(t, "false: no inference", bodyByName(t, off, "b").Mass, 0, 0)
	bound := loadString(t, `<mujoco><compiler inertiafromgeom="false" boundmass="0.5" boundinertia="0.01"/>`+body+`</mujoco>`)
	bb := bodyByName(t, bound, "b")
	near(t, "boundmass", bb.Mass, 0.5, 0)
	nearVec(t, "boundinertia", bb.Inertia[:], []float64{0.01, 0, 0, 0, 0.01, 0, 0, 0, 0.01}, 1e-15)
}

func TestInertial(t *testing.T) {
	m := loadString(t, `<mujoco><compiler angle="radian"/><worldbody>
    <body name="full"><inertial pos="0.1 0.2 0.3" mass="2" fullinertia="0.3 0.2 0.25 0.01 -0.02 0.005"/></body>
    <body name="diag"><inertial pos="0 0 0.1" mass="1" diaginertia="0.1 0.2 0.25" axisangle="0 0 1 1.5707963267948966"/></body>
    <body name="balanced"><inertial pos="0 0 0" mass="1" diaginertia="1 1 1"/></body>
  </worldbody></mujoco>`)
	f := bodyByName(t, m, "full")
	near(t, "mass", f.Mass, 2, 0)
	nearVec(t, "com", f.COM[:], []float64{0.1, 0.2, 0.3}, 0)
	// As given, to the accuracy of MuJoCo's decomposition into principal
	// moments and axes, which the loader reproduces.
	nearVec(t, "fullinertia (body frame)", f.Inertia[:], []float64{0.3, 0.01, -0.02, 0.01, 0.2, 0.005, -0.02, 0.005, 0.25}, 1e-8)
	d := bodyByName(t, m, "diag")
	nearVec(t, "R·diag·Rᵀ", d.Inertia[:], []float64{0.2, 0, 0, 0, 0.1, 0, 0, 0, 0.25}, 1e-14)
}

func TestBalanceInertia(t *testing.T) {
	src := `<worldbody><body><inertial pos="0 0 0" mass="1" diaginertia="1 1 3"/></body></worldbody></mujoco>`
	wantContains(t, loadErr(t, `<mujoco>`+src), "model.xml:1", "<inertial>", "triangle inequality")
	m := loadString(t, `<mujoco><compiler balanceinertia="true"/>`+src)
	nearVec(t, "balanced", []float64{m.Bodies[1].Inertia[0], m.Bodies[1].Inertia[4], m.Bodies[1].Inertia[8]}, []float64{5.0 / 3, 5.0 / 3, 5.0 / 3}, 1e-12)
}

func TestLatin1(t *testing.T) {
	m := loadString(t, `<?xml version="1.0" encoding="ISO-8859-1"?>`+"<mujoco model=\"caf\xe9\"/>")
	if m.Name != "café" {
		t.Errorf("name %q, want café", m.Name)
	}
}

func TestOptionAndName(t *testing.T) {
	m := loadString(t, `<mujoco model="robot"><option timestep="0.001" gravity="0 0 -1.62" integrator="RK4"/></mujoco>`)
	if m.Name != "robot" || m.Timestep != 0.001 || m.Gravity != (spatial.Vec3{0, 0, -1.62}) {
		t.Errorf("name %q timestep %g gravity %v", m.Name, m.Timestep, m.Gravity)
	}
	d := loadString(t, `<mujoco/>`)
	if d.Name != "MuJoCo Model" || d.Timestep != 0 || d.Gravity != (spatial.Vec3{0, 0, -9.81}) {
		t.Errorf("defaults: name %q timestep %g gravity %v", d.Name, d.Timestep, d.Gravity)
	}
	off := loadString(t, `<mujoco><option><flag gravity="disable" warmstart="disable" contact="enable"/></option></mujoco>`)
	if off.Gravity != (spatial.Vec3{}) {
		t.Errorf("flag gravity=disable: gravity %v", off.Gravity)
	}
	if len(off.Warnings) != 1 || !strings.Contains(off.Warnings[0], "warmstart=disable") || strings.Contains(off.Warnings[0], "contact") {
		t.Errorf("warnings %q, want one about warmstart only", off.Warnings)
	}
}

func TestGeomAttributes(t *testing.T) {
	m := loadString(t, `<mujoco>
  <asset>
    <material name="red" rgba="1 0 0 1"/>
    <material name="plain"/>
  </asset>
  <default><geom friction="0.7 0.01 0.001" condim="4"/></default>
  <worldbody>
    <geom name="floor" type="plane" size="0 0 0.1" material="plain"/>
    <body>
      <geom name="a" size="0.1" friction="0.9" contype="2" conaffinity="6" group="3" material="red"/>
      <geom name="b" size="0.1" material="red" rgba="0 1 0 0.5"/>
      <geom name="c" size="0.1" condim="1"/>
    </body>
  </worldbody>
</mujoco>`)
	f := geomByName(t, m, "floor")
	if f.Body != 0 || f.Type != rbd.GeomPlane || f.RGBA != [4]float32{0.5, 0.5, 0.5, 1} || f.Material != "plain" {
		t.Errorf("floor %+v", f)
	}
	a := geomByName(t, m, "a")
	if a.Friction != [3]float64{0.9, 0.01, 0.001} || a.Contype != 2 || a.Conaffinity != 6 || a.Group != 3 || a.Condim != 4 {
		t.Errorf("geom a %+v: partial friction keeps the rest, class condim", a)
	}
	if a.RGBA != [4]float32{1, 0, 0, 1} {
		t.Errorf("geom a rgba %v, want the material's", a.RGBA)
	}
	if b := geomByName(t, m, "b"); b.RGBA != [4]float32{0, 1, 0, 0.5} {
		t.Errorf("geom b rgba %v, want its own", b.RGBA)
	}
	if c := geomByName(t, m, "c"); c.Condim != 1 || c.Mesh != -1 {
		t.Errorf("geom c %+v", c)
	}
}

func TestInclude(t *testing.T) {
	fsys := fstest.MapFS{
		"robot/main.xml": {Data: []byte(`<mujoco model="inc">
  <include file="parts/defaults.xml"/>
  <asset><include file="parts/assets.xml"/></asset>
  <worldbody>
    <body name="base"><freejoint/><geom size="0.1"/>
      <include file="parts/limbs.xml"/>
    </body>
  </worldbody>
  <actuator><include file="parts/motors.xml"/></actuator>
</mujoco>`)},
		"robot/parts/defaults.xml": {Data: []byte(`<mujoco><default><joint damping="4"/></default></mujoco>`)},
		"robot/parts/assets.xml":   {Data: []byte(`<mujoco><mesh file="../meshes/tri.stl"/></mujoco>`)},
		// limbs.xml includes a file next to itself.
		"robot/parts/limbs.xml":   {Data: []byte(`<mujoco><body name="leg"><joint name="knee"/><geom type="mesh" mesh="tri"/><include file="foot.xml"/></body></mujoco>`)},
		"robot/parts/foot.xml":    {Data: []byte(`<mujoco><body name="foot"><joint name="ankle"/><geom size="0.05"/></body></mujoco>`)},
		"robot/parts/motors.xml":  {Data: []byte(`<mujoco><motor joint="knee"/><motor joint="ankle"/></mujoco>`)},
		"robot/meshes/tri.stl":    {Data: encodeSTL(tetrahedron())},
		"robot/parts/unused.xml":  {Data: []byte(`not xml`)},
		"robot/parts/broken.xml":  {Data: []byte("<mujoco>\n<body>\n</mujoco>")},
		"robot/parts/self.xml":    {Data: []byte(`<mujoco><include file="self.xml"/></mujoco>`)},
		"robot/parts/missing.xml": {Data: []byte("<mujoco>\n\n<include file=\"nowhere.xml\"/></mujoco>")},
	}
	m, err := Load(fsys, "robot/main.xml")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "inc" || m.Nq != 9 || m.Nu != 2 || len(m.Meshes) != 1 || jointByName(t, m, "ankle").Damping != 4 {
		t.Fatalf("included model: name %q nq %d nu %d meshes %d", m.Name, m.Nq, m.Nu, len(m.Meshes))
	}
	if m.Meshes[0].Name != "tri" || len(m.Meshes[0].Vertices) != 12 || len(m.Meshes[0].Faces) != 12 {
		t.Errorf("mesh %q: %d vertex coordinates, %d face indices", m.Meshes[0].Name, len(m.Meshes[0].Vertices), len(m.Meshes[0].Faces))
	}

	for _, c := range []struct {
		include string
		want    []string
	}{
		{"parts/nowhere.xml", []string{"main.xml:2:", "<include>", `"parts/nowhere.xml"`, `tried "parts/nowhere.xml"`}},
		{"parts/broken.xml", []string{"parts/broken.xml:3:", "malformed XML"}},
		{"parts/self.xml", []string{"parts/self.xml:1:", "included more than once"}},
		{"parts/missing.xml", []string{"parts/missing.xml:3:", `"nowhere.xml"`, `tried "parts/nowhere.xml", "nowhere.xml"`}},
	} {
		fsys["robot/main.xml"] = &fstest.MapFile{Data: []byte("<mujoco>\n<include file=\"" + c.include + "\"/></mujoco>")}
		_, err := Load(fsys, "robot/main.xml")
		if err == nil {
			t.Errorf("include %s: no error", c.include)
			continue
		}
		wantContains(t, err.Error(), c.want...)
	}
}

func tetrahedron() [][3]spatial.Vec3 {
	o, x, y, z := spatial.Vec3{}, spatial.Vec3{1, 0, 0}, spatial.Vec3{0, 1, 0}, spatial.Vec3{0, 0, 1}
	return [][3]spatial.Vec3{{o, y, x}, {o, x, z}, {o, z, y}, {x, y, z}}
}

func TestKeyframe(t *testing.T) {
	const robot = `<worldbody><body name="a"><freejoint/><geom size="0.1"/>
      <body><joint name="h"/><geom size="0.1"/></body></body></worldbody>
    <actuator><motor joint="h"/></actuator>`
	m := loadString(t, `<mujoco>`+robot+`<keyframe>
    <key name="home" time="1.5" qpos="0 0 1 1 0 0 0 0.3" qvel="0 0 0 0 0 0 2" ctrl="0.5"/>
    <key name="partial" qvel="1 2 3 4 5 6 7"/>
  </keyframe></mujoco>`)
	if len(m.Keyframes) != 2 {
		t.Fatalf("%d keyframes", len(m.Keyframes))
	}
	k := m.Keyframes[0]
	if k.Name != "home" || k.Time != 1.5 || len(k.Qpos) != 8 || k.Qpos[7] != 0.3 || k.Qvel[6] != 2 || k.Ctrl[0] != 0.5 {
		t.Errorf("keyframe %+v", k)
	}
	if p := m.Keyframes[1]; p.Qpos != nil || p.Ctrl != nil || len(p.Qvel) != 7 {
		t.Errorf("partial keyframe %+v: unset vectors must stay nil", p)
	}
	msg := loadErr(t, "<mujoco>"+robot+"<keyframe>\n<key name=\"bad\" qpos=\"0 0 1\"/></keyframe></mujoco>")
	wantContains(t, msg, "model.xml:4:", `<key name="bad">`, "qpos", "has 3 numbers", "nq = 8")
}

func TestActuators(t *testing.T) {
	m := loadString(t, `<mujoco>
  <default>
    <default class="lim"><motor ctrlrange="-1 1"/></default>
    <default class="servo"><position kp="100" kv="5" forcerange="-30 30"/></default>
  </default>
  <worldbody><body><joint name="a"/><joint name="b" type="slide" range="-0.5 0.5"/><geom size="0.1"/></body></worldbody>
  <actuator>
    <motor name="m" joint="a" gear="50" class="lim"/>
    <position name="p" joint="a" class="servo"/>
    <position name="p2" joint="a" class="servo" kp="20"/>
    <velocity name="v" joint="b" kv="7" ctrllimited="false"/>
    <general name="g" joint="b" gainprm="2 0 0" biasprm="0.5 -3 -0.2" biastype="affine" ctrlrange="-2 2" ctrllimited="true"/>
    <general name="gs" joint="b" class="servo"/>
    <position name="ir" joint="b" kp="10" inheritrange="0.5"/>
  </actuator>
</mujoco>`)
	want := map[string]rbd.Actuator{
		"m":  {Kind: rbd.ActMotor, Gear: 50, Gain: 1, CtrlLimited: true, CtrlRange: [2]float64{-1, 1}},
		"p":  {Kind: rbd.ActPosition, Gear: 1, Gain: 100, Bias: [3]float64{0, -100, -5}, ForceLimited: true, ForceRange: [2]float64{-30, 30}},
		"p2": {Kind: rbd.ActPosition, Gear: 1, Gain: 20, Bias: [3]float64{0, -20, -5}, ForceLimited: true, ForceRange: [2]float64{-30, 30}},
		"v":  {Kind: rbd.ActVelocity, Joint: 1, Gear: 1, Gain: 7, Bias: [3]float64{0, 0, -7}},
		"g":  {Kind: rbd.ActGeneral, Joint: 1, Gear: 1, Gain: 2, Bias: [3]float64{0.5, -3, -0.2}, CtrlLimited: true, CtrlRange: [2]float64{-2, 2}},
		// A general actuator in a class whose actuator default is a position
		// servo is a position servo (MuJoCo's shortcut rule).
		"gs": {Kind: rbd.ActGeneral, Joint: 1, Gear: 1, Gain: 100, Bias: [3]float64{0, -100, -5}, ForceLimited: true, ForceRange: [2]float64{-30, 30}},
		"ir": {Kind: rbd.ActPosition, Joint: 1, Gear: 1, Gain: 10, Bias: [3]float64{0, -10, 0}, CtrlLimited: true, CtrlRange: [2]float64{-0.25, 0.25}},
	}
	if m.Nu != len(want) {
		t.Fatalf("nu = %d, want %d", m.Nu, len(want))
	}
	for _, a := range m.Actuators {
		w := want[a.Name]
		w.Name = a.Name
		if a != w {
			t.Errorf("actuator %s:\n got %+v\nwant %+v", a.Name, a, w)
		}
	}
}

func TestActuatorSkipsAndErrors(t *testing.T) {
	m := loadString(t, `<mujoco>
  <worldbody><body><joint name="a"/><joint name="ball" type="ball"/><geom size="0.1"/><site name="s"/></body></worldbody>
  <tendon><fixed name="t"><joint joint="a" coef="1"/></fixed></tendon>
  <actuator>
    <motor name="m1" joint="a"/>
    <motor name="mt" tendon="t"/>
    <muscle name="mu" joint="a"/>
    <motor name="ms" site="s"/>
    <motor name="mb" joint="ball"/>
    <motor name="m2" joint="a" gear="2"/>
  </actuator>
  <keyframe><key ctrl="1 2 3 4 5 6"/></keyframe>
</mujoco>`)
	if m.Nu != 2 || m.Actuators[0].Name != "m1" || m.Actuators[1].Name != "m2" {
		t.Fatalf("actuators %+v, want m1 and m2", m.Actuators)
	}
	if got := m.Keyframes[0].Ctrl; len(got) != 2 || got[0] != 1 || got[1] != 6 {
		t.Errorf("keyframe ctrl %v, want the kept actuators' entries [1 6]", got)
	}
	all := strings.Join(m.Warnings, "\n")
	wantContains(t, all, "tendon transmissions are not supported", "<muscle> actuators are not supported",
		"site transmissions", "ball and free joints", "<tendon> is not supported")

	for _, c := range []struct{ src, want string }{
		{`<general name="x" joint="a" dyntype="integrator"/>`, `<general name="x">: dyntype "integrator" is not supported`},
		{`<general name="x" joint="a" gaintype="affine"/>`, `gaintype "affine" is not supported`},
		{`<position name="x" joint="a" dampratio="1"/>`, "dampratio is not supported"},
		{`<position name="x" joint="a" timeconst="0.1"/>`, `dyntype "filterexact"`},
		{`<motor name="x" joint="nope"/>`, `joint: unknown joint "nope"`},
		{`<motor name="x"/>`, "no transmission"},
		{`<motor name="x" joint="a" ctrlrange="1 -1"/>`, "ctrlrange: [1, -1] must have lo < hi"},
		{`<motor name="x" joint="a" class="nope"/>`, `unknown default class "nope"`},
	} {
		msg := loadErr(t, `<mujoco><worldbody><body><joint name="a"/><geom size="0.1"/></body></worldbody>
<actuator>`+c.src+`</actuator></mujoco>`)
		wantContains(t, msg, "model.xml:2:", c.want)
	}
}

func TestAutolimits(t *testing.T) {
	m := loadString(t, `<mujoco><worldbody><body>
    <joint name="r" range="-1 1"/><joint name="n"/><joint name="off" range="-1 1" limited="false"/>
    <joint name="f" actuatorfrcrange="-5 5"/><geom size="0.1"/></body></worldbody></mujoco>`)
	if !jointByName(t, m, "r").Limited || jointByName(t, m, "n").Limited || jointByName(t, m, "off").Limited {
		t.Error("autolimits: limited should follow the presence of range")
	}
	if f := jointByName(t, m, "f"); !f.EffortLimited || f.EffortRange != [2]float64{-5, 5} {
		t.Errorf("actuatorfrcrange: %+v", f)
	}
	msg := loadErr(t, `<mujoco><compiler autolimits="false"/><worldbody><body><joint name="r" range="-1 1"/><geom size="0.1"/></body></worldbody></mujoco>`)
	wantContains(t, msg, `<joint name="r">`, "range is given but limited is not")
}

func TestNumeric(t *testing.T) {
	m := loadString(t, `<mujoco><custom>
    <numeric name="gains" data="1 2 3"/>
    <numeric name="padded" data="4" size="3"/>
    <numeric name="zeros" size="2"/>
    <text name="t" data="hello"/>
  </custom></mujoco>`)
	for name, want := range map[string][]float64{"gains": {1, 2, 3}, "padded": {4, 0, 0}, "zeros": {0, 0}} {
		got := m.Numeric[name]
		if len(got) != len(want) {
			t.Errorf("numeric %s = %v, want %v", name, got, want)
			continue
		}
		nearVec(t, "numeric "+name, got, want, 0)
	}
	wantContains(t, strings.Join(m.Warnings, "\n"), "<text> (in <custom>)")
	msg := loadErr(t, `<mujoco><custom><numeric name="x" data="1 2 3" size="2"/></custom></mujoco>`)
	wantContains(t, msg, `<numeric name="x">`, "more than size 2")
}

func TestWarningsOncePerElement(t *testing.T) {
	m := loadString(t, `<mujoco>
  <visual><map force="0.1"/></visual><visual/>
  <sensor><gyro site="s"/></sensor><sensor/>
  <contact><exclude body1="a" body2="world"/></contact>
  <equality/><tendon/><statistic extent="2"/>
  <asset><texture name="t" builtin="flat"/><texture name="u" builtin="flat"/><hfield name="h" nrow="2" ncol="2" size="1 1 1 1"/></asset>
  <worldbody><light/><camera/><body name="a"><camera/><light/><geom size="1"/><site name="s"/><composite/></body></worldbody>
  <bogus/>
</mujoco>`)
	counts := map[string]int{}
	for _, w := range m.Warnings {
		for _, el := range []string{"visual", "sensor", "contact", "equality", "tendon", "statistic", "texture", "hfield", "light", "camera", "composite", "bogus"} {
			if strings.Contains(w, "<"+el+">") {
				counts[el]++
			}
		}
	}
	for _, el := range []string{"visual", "sensor", "contact", "equality", "tendon", "statistic", "texture", "hfield", "light", "camera", "composite", "bogus"} {
		if counts[el] != 1 {
			t.Errorf("<%s> reported %d times, want once; warnings:\n%s", el, counts[el], strings.Join(m.Warnings, "\n"))
		}
	}
	wantContains(t, strings.Join(m.Warnings, "\n"), "<visual> was ignored (cosmetic)", "<tendon> is not supported and was ignored")
}

func TestDuplicateNames(t *testing.T) {
	msg := loadErr(t, "<mujoco><worldbody>\n<body name=\"a\"><geom size=\"1\"/></body>\n<body name=\"a\"><geom size=\"1\"/></body></worldbody></mujoco>")
	wantContains(t, msg, "model.xml:3:", `body name "a" is used twice`)
}

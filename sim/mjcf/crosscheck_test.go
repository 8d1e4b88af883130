package mjcf

// Cross-check against MuJoCo itself: testdata/mjdump.c is compiled against
// the installed libmujoco (the Makefile installs libmujoco-dev 2.2.2) and prints
// what MuJoCo compiles from a file; the test loads the same file and compares.
// The tests skip when gcc or MuJoCo is not available.

import (
	"bufio"
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stride-robotics/stride/sim/peer"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

var (
	dumpOnce sync.Once
	dumpBin  string
	dumpErr  string
	// dumpUnavailable: gcc or MuJoCo is missing (skip), not a compile error
	dumpUnavailable bool
)

// mjdump builds testdata/mjdump.c once, or skips the test.
func mjdump(t *testing.T) string {
	t.Helper()
	dumpOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mjdump")
		if err != nil {
			dumpErr = err.Error()
			return
		}
		bin := filepath.Join(dir, "mjdump")
		if err := peer.Build("testdata/mjdump.c", bin); err != nil {
			dumpErr, dumpUnavailable = err.Error(), errors.Is(err, peer.ErrUnavailable)
			return
		}
		dumpBin = bin
	})
	if dumpBin == "" && dumpUnavailable {
		t.Skip(dumpErr)
	}
	if dumpBin == "" {
		t.Fatal(dumpErr)
	}
	return dumpBin
}

// mjModel is the part of MuJoCo's compiled model that mjdump prints.
type mjModel struct {
	nq, nv, nu int
	option     []float64
	records    map[string][][]string // kind → records (fields after the kind)
}

func runMjdump(t *testing.T, file string) *mjModel {
	t.Helper()
	out, err := exec.Command(mjdump(t), file).CombinedOutput()
	if err != nil {
		t.Fatalf("MuJoCo rejects %s: %v\n%s", file, err, out)
	}
	d := &mjModel{records: map[string][][]string{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		d.records[f[0]] = append(d.records[f[0]], f[1:])
	}
	sizes := d.records["sizes"][0]
	d.nq, d.nv, d.nu = atoi(t, sizes[0]), atoi(t, sizes[1]), atoi(t, sizes[2])
	d.option = floats(t, d.records["option"][0])
	return d
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func floats(t *testing.T, f []string) []float64 {
	t.Helper()
	out := make([]float64, len(f))
	for i, s := range f {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = x
	}
	return out
}

// checker compares numbers with a relative-and-absolute tolerance.
type checker struct {
	t   *testing.T
	tol float64
}

func (c checker) near(what string, got, want float64) {
	c.t.Helper()
	if math.Abs(got-want) > c.tol*(1+math.Abs(want)) {
		c.t.Errorf("%s = %.12g, MuJoCo %.12g", what, got, want)
	}
}

func (c checker) vec(what string, got []float64, want []float64) {
	c.t.Helper()
	for i := range want {
		c.near(what+"["+strconv.Itoa(i)+"]", got[i], want[i])
	}
}

// quat compares unit quaternions up to sign.
func (c checker) quat(what string, q spatial.Quat, want []float64) {
	c.t.Helper()
	got := []float64{q.W, q.X, q.Y, q.Z}
	dot := 0.0
	for i := range want {
		dot += got[i] * want[i]
	}
	if dot < 0 {
		for i := range got {
			got[i] = -got[i]
		}
	}
	c.vec(what, got, want)
}

var mjGeomType = map[rbd.GeomType]int{rbd.GeomPlane: 0, rbd.GeomHField: 1, rbd.GeomSphere: 2, rbd.GeomCapsule: 3,
	rbd.GeomEllipsoid: 4, rbd.GeomCylinder: 5, rbd.GeomBox: 6, rbd.GeomMesh: 7}

var mjJointType = map[rbd.JointType]int{rbd.JointFree: 0, rbd.JointBall: 1, rbd.JointSlide: 2, rbd.JointHinge: 3}

// compareWithMuJoCo checks sizes, options, bodies, joints, geoms, sites and
// actuators field by field.
func compareWithMuJoCo(t *testing.T, m *rbd.Model, d *mjModel) {
	t.Helper()
	c := checker{t, 1e-9}
	if m.Nq != d.nq || m.Nv != d.nv || m.Nu != d.nu {
		t.Fatalf("nq, nv, nu = %d, %d, %d; MuJoCo %d, %d, %d", m.Nq, m.Nv, m.Nu, d.nq, d.nv, d.nu)
	}
	if m.Timestep != 0 {
		c.near("timestep", m.Timestep, d.option[0])
	}
	c.vec("gravity", m.Gravity[:], d.option[1:4])
	compareBodies(t, m, d.records["body"])
	compareJoints(t, m, d.records["joint"])
	compareGeoms(t, m, d.records["geom"])
	compareSites(t, m, d.records["site"])
	compareActuators(t, m, d.records["actuator"])
}

func compareBodies(t *testing.T, m *rbd.Model, recs [][]string) {
	t.Helper()
	if len(recs) != len(m.Bodies) {
		t.Fatalf("%d bodies, MuJoCo %d", len(m.Bodies), len(recs))
	}
	for i := 1; i < len(recs); i++ {
		b, r := &m.Bodies[i], recs[i]
		v := floats(t, r[2:])
		what := "body " + r[0]
		c := checker{t, 1e-9}
		if hasMeshGeom(m, i) {
			c.tol = 1e-6 // MuJoCo rounds mesh vertices to float32 after centring them
		}
		if name(b.Name) != r[0] || b.Parent != atoi(t, r[1]) {
			t.Errorf("%s: name %q parent %d; MuJoCo %s parent %s", what, b.Name, b.Parent, r[0], r[1])
		}
		c.vec(what+" pos", b.Pos[:], v[0:3])
		c.quat(what+" quat", b.Quat, v[3:7])
		c.near(what+" mass", b.Mass, v[7])
		c.vec(what+" com", b.COM[:], v[8:11])
		scale := math.Max(math.Abs(v[11]), math.Max(math.Abs(v[15]), math.Abs(v[19])))
		ci := checker{t, c.tol * scale}
		ci.vec(what+" inertia", b.Inertia[:], v[11:20])
	}
}

func hasMeshGeom(m *rbd.Model, body int) bool {
	for i := range m.Geoms {
		if m.Geoms[i].Body == body && m.Geoms[i].Type == rbd.GeomMesh {
			return true
		}
	}
	return false
}

func name(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func compareJoints(t *testing.T, m *rbd.Model, recs [][]string) {
	t.Helper()
	if len(recs) != len(m.Joints) {
		t.Fatalf("%d joints, MuJoCo %d", len(m.Joints), len(recs))
	}
	c := checker{t, 1e-9}
	for i, r := range recs {
		j := &m.Joints[i]
		what := "joint " + r[0]
		if name(j.Name) != r[0] || mjJointType[j.Type] != atoi(t, r[1]) || j.Body != atoi(t, r[2]) {
			t.Errorf("%s: name %q type %v body %d; MuJoCo %v", what, j.Name, j.Type, j.Body, r[:3])
			continue
		}
		v := floats(t, r[3:])
		if j.Type == rbd.JointFree {
			continue
		}
		c.vec(what+" pos", j.Pos[:], v[0:3])
		if j.Type != rbd.JointBall {
			c.vec(what+" axis", j.Axis[:], v[3:6])
			c.near(what+" ref", j.Ref, v[9])
			c.near(what+" springref", j.SpringRef, v[11])
		}
		if j.Limited != (v[6] == 1) {
			t.Errorf("%s: limited %v, MuJoCo %v", what, j.Limited, v[6])
		}
		c.vec(what+" range", j.Range[:], v[7:9])
		c.near(what+" stiffness", j.Stiffness, v[10])
		c.near(what+" damping", j.Damping, v[12])
		c.near(what+" armature", j.Armature, v[13])
		c.near(what+" frictionloss", j.FrictionLoss, v[14])
	}
}

func compareGeoms(t *testing.T, m *rbd.Model, recs [][]string) {
	t.Helper()
	if len(recs) != len(m.Geoms) {
		t.Fatalf("%d geoms, MuJoCo %d", len(m.Geoms), len(recs))
	}
	c := checker{t, 1e-9}
	nsize := map[rbd.GeomType]int{rbd.GeomPlane: 3, rbd.GeomSphere: 1, rbd.GeomCapsule: 2, rbd.GeomCylinder: 2, rbd.GeomBox: 3, rbd.GeomEllipsoid: 3}
	for i, r := range recs {
		g := &m.Geoms[i]
		what := "geom " + strconv.Itoa(i) + " " + r[0]
		if name(g.Name) != r[0] || mjGeomType[g.Type] != atoi(t, r[1]) || g.Body != atoi(t, r[2]) {
			t.Errorf("%s: name %q type %v body %d; MuJoCo %v", what, g.Name, g.Type, g.Body, r[:3])
			continue
		}
		v := floats(t, r[3:])
		if g.Type != rbd.GeomMesh { // MuJoCo moves mesh geoms to the mesh's centroid
			c.vec(what+" size", g.Size[:nsize[g.Type]], v[0:nsize[g.Type]])
			c.vec(what+" pos", g.Pos[:], v[3:6])
			c.quat(what+" quat", g.Quat, v[6:10])
		}
		if float64(g.Contype) != v[10] || float64(g.Conaffinity) != v[11] || float64(g.Condim) != v[12] || float64(g.Group) != v[16] {
			t.Errorf("%s: contype %d conaffinity %d condim %d group %d; MuJoCo %v %v %v %v", what, g.Contype, g.Conaffinity, g.Condim, g.Group, v[10], v[11], v[12], v[16])
		}
		c.vec(what+" friction", g.Friction[:], v[13:16])
		if g.Material == "" { // Stride takes the colour of a material into the geom
			rgba := []float64{float64(g.RGBA[0]), float64(g.RGBA[1]), float64(g.RGBA[2]), float64(g.RGBA[3])}
			checker{t, 1e-6}.vec(what+" rgba", rgba, v[17:21])
		}
	}
}

func compareSites(t *testing.T, m *rbd.Model, recs [][]string) {
	t.Helper()
	if len(recs) != len(m.Sites) {
		t.Fatalf("%d sites, MuJoCo %d", len(m.Sites), len(recs))
	}
	c := checker{t, 1e-9}
	for i, r := range recs {
		s := &m.Sites[i]
		what := "site " + r[0]
		if name(s.Name) != r[0] || s.Body != atoi(t, r[1]) {
			t.Errorf("%s: name %q body %d; MuJoCo %v", what, s.Name, s.Body, r[:2])
		}
		v := floats(t, r[2:])
		c.vec(what+" pos", s.Pos[:], v[0:3])
		c.quat(what+" quat", s.Quat, v[3:7])
	}
}

func compareActuators(t *testing.T, m *rbd.Model, recs [][]string) {
	t.Helper()
	c := checker{t, 1e-9}
	for i, r := range recs {
		a := &m.Actuators[i]
		what := "actuator " + r[0]
		v := floats(t, r[1:])
		if name(a.Name) != r[0] || float64(a.Joint) != v[1] {
			t.Errorf("%s: name %q joint %d; MuJoCo %v", what, a.Name, a.Joint, r[:3])
		}
		c.near(what+" gear", a.Gear, v[2])
		if a.CtrlLimited != (v[3] == 1) || a.ForceLimited != (v[6] == 1) {
			t.Errorf("%s: ctrllimited %v forcelimited %v; MuJoCo %v %v", what, a.CtrlLimited, a.ForceLimited, v[3], v[6])
		}
		if a.CtrlLimited {
			c.vec(what+" ctrlrange", a.CtrlRange[:], v[4:6])
		}
		if a.ForceLimited {
			c.vec(what+" forcerange", a.ForceRange[:], v[7:9])
		}
		c.near(what+" gain", a.Gain, v[9])
		bias := []float64{0, 0, 0}
		if v[0] == 1 { // mjBIAS_AFFINE
			bias = v[10:13]
		}
		c.vec(what+" bias", a.Bias[:], bias)
	}
}

func TestCrossCheckHumanoid(t *testing.T) {
	const file = "/usr/share/mujoco/model/humanoid/humanoid.xml"
	if _, err := os.Stat(file); err != nil {
		t.Skip("MuJoCo's humanoid.xml is not installed")
	}
	d := runMjdump(t, file)
	m, err := LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	compareWithMuJoCo(t, m, d)
}

// The peer copy of PM01 is edited for MuJoCo 2.2.2 (no actuatorfrcrange; its
// meshdir points at the vendor meshes).
func TestCrossCheckPM01Peer(t *testing.T) {
	const file = "../../../shared/peer/pm01-mujoco222/resource/pm_v2.xml"
	if _, err := os.Stat(file); err != nil {
		t.Skip("../../../shared not present")
	}
	d := runMjdump(t, file)
	m, err := LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	compareWithMuJoCo(t, m, d)
}

// Small models that exercise the conventions one by one: angle units, Euler
// sequences, the other orientation forms, fromto, defaults and childclass,
// inertia from geoms (including a mesh) and actuator shortcuts with defaults.
func TestCrossCheckInline(t *testing.T) {
	mjdump(t)
	for name, src := range crossModels {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "box.stl"), boxSTL(0.1, 0.2, 0.3, spatial.Vec3{0.05, 0, 0}), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "cube.obj"), []byte(cubeOBJ), 0o644); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "model.xml")
			if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			d := runMjdump(t, file)
			m, err := LoadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			compareWithMuJoCo(t, m, d)
		})
	}
}

var crossModels = map[string]string{
	"degrees-zyx": `<mujoco model="x">
  <compiler angle="degree" eulerseq="zyx" autolimits="true"/>
  <option timestep="0.004" gravity="0 0.5 -9.8"/>
  <default>
    <joint damping="0.5" armature="0.01"/>
    <geom density="500" friction="0.9"/>
    <position kp="50"/>
    <default class="arm">
      <joint damping="2" range="-45 45"/>
      <geom type="capsule" size="0.03" rgba="1 0 0 1" group="2" contype="2"/>
    </default>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="0 0 1"/>
    <body name="a" pos="0 0 1" euler="10 20 30">
      <freejoint name="root"/>
      <geom name="box" type="box" size="0.1 0.2 0.3" pos="0.01 0.02 0.03" axisangle="1 1 0 30"/>
      <geom name="ell" type="ellipsoid" size="0.05 0.06 0.07" pos="0 0.1 0" xyaxes="0 1 0 -1 0 1"/>
      <site name="s1" pos="0.1 0 0" zaxis="1 1 1"/>
      <body name="b" pos="0.2 0 0" childclass="arm" quat="0.9 0.1 0.2 0.3">
        <joint name="j1" axis="1 1 0" pos="0 0 0.05"/>
        <joint name="j2" type="slide" axis="0 0 2" range="-0.1 0.2"/>
        <geom name="cap" fromto="0 0 0 0.3 0.1 -0.2"/>
        <geom name="cyl" type="cylinder" fromto="0 0 0 0 0.1 0.2" size="0.02" mass="0.7"/>
        <geom name="bx" type="box" fromto="0 0 0 0.2 0 0" size="0.02"/>
        <geom name="el2" type="ellipsoid" fromto="0 0 0 0 0 -0.2" size="0.02"/>
        <site name="s2" type="capsule" fromto="0 0 0 0.1 0.1 0" size="0.01"/>
        <body name="c" pos="0.3 0.1 -0.2">
          <joint name="j3" type="ball" range="0 60"/>
          <inertial pos="0.01 0 0" mass="1.5" fullinertia="0.03 0.02 0.025 0.001 -0.002 0.0005"/>
          <geom type="sphere" size="0.05" class="main"/>
        </body>
        <body name="d" pos="0 0.1 0" euler="90 0 0">
          <joint name="j4" ref="10" springref="5" stiffness="3" class="main"/>
          <inertial pos="0 0 0.1" quat="0.7 0.7 0 0" mass="0.5" diaginertia="0.01 0.02 0.025"/>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <position name="p1" joint="j1" ctrlrange="-1 1"/>
    <motor name="m1" joint="j2" gear="20" forcerange="-5 5"/>
    <velocity name="v1" joint="j4" kv="2"/>
    <general name="g1" joint="j1" gainprm="3" ctrllimited="false"/>
    <general name="g2" joint="j4" gainprm="4" biasprm="1 -2 -3" biastype="affine" gear="2"/>
  </actuator>
</mujoco>`,
	"radians-XYZ": `<mujoco>
  <compiler angle="radian" eulerseq="XYZ" autolimits="true"/>
  <default><geom size="0.1 0.2 0.3" friction="0.5 0.1 0.2"/></default>
  <worldbody>
    <body name="a" euler="0.1 0.2 0.3">
      <geom name="partial" type="box" size="0.05" friction="0.9"/>
      <joint name="h" range="-1 1" ref="0.2"/>
      <geom type="capsule" size="0.05 0.2" euler="1 0 0.5"/>
      <body name="b" euler="-0.5 1.2 2" pos="0 0 0.3">
        <joint type="ball"/>
        <geom type="box" size="0.1 0.05 0.02" axisangle="0 0 1 0.7"/>
      </body>
    </body>
  </worldbody>
</mujoco>`,
	"degrees-default-xyz": `<mujoco>
  <default>
    <default class="late"><geom rgba="0 1 0 1"/></default>
    <joint damping="3"/>
    <geom friction="0.5"/>
  </default>
  <worldbody>
    <body name="a" euler="10 -20 30" pos="0.1 0.2 0.3">
      <joint name="h" axis="0 1 0" limited="true" range="-90 30"/>
      <geom type="cylinder" size="0.05 0.2" euler="30 0 60"/>
      <body name="b" euler="45 45 45">
        <joint type="slide" axis="1 0 0" class="late"/>
        <geom type="sphere" size="0.1" pos="0.1 0 0" class="late"/>
        <geom type="sphere" size="0.05" pos="-0.1 0.2 0" density="2000"/>
      </body>
    </body>
  </worldbody>
</mujoco>`,
	"mesh-and-bounds": `<mujoco>
  <compiler inertiafromgeom="true" boundmass="0.2" boundinertia="0.001" inertiagrouprange="0 2"/>
  <asset><mesh name="box" file="box.stl" scale="1 2 1"/><mesh file="cube.obj" scale="0.5 0.2 0.1"/></asset>
  <worldbody>
    <body name="a">
      <freejoint/>
      <inertial pos="0 0 0" mass="100" diaginertia="1 1 1"/>
      <geom type="mesh" mesh="box" pos="0.1 0 0" euler="0 0 30"/>
      <geom type="sphere" size="0.3" group="3"/>
      <body name="cube" pos="0 1 0" euler="10 20 30">
        <joint type="ball"/>
        <geom type="mesh" mesh="cube" euler="0 30 0" pos="0.1 0.2 0.3"/>
      </body>
      <body name="light" pos="1 0 0">
        <joint axis="1 0 0"/>
        <geom type="sphere" size="0.01"/>
      </body>
    </body>
  </worldbody>
</mujoco>`,
}

// boxSTL returns a binary STL of a closed box with half-sizes (a, b, c)
// centred at centre.
func boxSTL(a, b, c float64, centre spatial.Vec3) []byte {
	var corners [8]spatial.Vec3
	for i := range corners {
		s := func(bit int, h float64) float64 {
			if i>>bit&1 == 1 {
				return h
			}
			return -h
		}
		corners[i] = spatial.Vec3{s(0, a), s(1, b), s(2, c)}.Add(centre)
	}
	// Each face as two triangles, counter-clockwise seen from outside.
	quads := [6][4]int{{0, 2, 3, 1}, {4, 5, 7, 6}, {0, 1, 5, 4}, {2, 6, 7, 3}, {0, 4, 6, 2}, {1, 3, 7, 5}}
	var tris [][3]spatial.Vec3
	for _, q := range quads {
		tris = append(tris, [3]spatial.Vec3{corners[q[0]], corners[q[1]], corners[q[2]]},
			[3]spatial.Vec3{corners[q[0]], corners[q[2]], corners[q[3]]})
	}
	return encodeSTL(tris)
}

package urdf

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// loadString loads src as "r.urdf" from an in-memory file system holding
// also the extra files.
func loadString(src string, opt Options, extra ...string) (*rbd.Model, error) {
	fsys := fstest.MapFS{"r.urdf": {Data: []byte(src)}}
	for i := 0; i+1 < len(extra); i += 2 {
		fsys[extra[i]] = &fstest.MapFile{Data: []byte(extra[i+1])}
	}
	return Load(fsys, "r.urdf", opt)
}

func mustLoad(t *testing.T, src string, opt Options, extra ...string) *rbd.Model {
	t.Helper()
	m, err := loadString(src, opt, extra...)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return m
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func checkVec(t *testing.T, what string, got, want spatial.Vec3, tol float64) {
	t.Helper()
	for i := range got {
		if !near(got[i], want[i], tol) {
			t.Errorf("%s = %v, want %v (tol %g)", what, got, want, tol)
			return
		}
	}
}

func checkMat(t *testing.T, what string, got, want spatial.Mat3, tol float64) {
	t.Helper()
	for i := range got {
		if !near(got[i], want[i], tol) {
			t.Errorf("%s =\n%v, want\n%v (tol %g)", what, got, want, tol)
			return
		}
	}
}

const boxInertia = `<inertial><mass value="1"/><inertia ixx="0.01" ixy="0" ixz="0" iyy="0.01" iyz="0" izz="0.01"/></inertial>`

// TestRPY checks URDF's fixed-axis roll-pitch-yaw against the rotation matrix
// written out by hand, for a joint origin, an inertial origin and a merged
// link.
func TestRPY(t *testing.T) {
	r, p, y := 0.3, -0.7, 1.1
	src := fmt.Sprintf(`<robot name="rpy">
  <link name="base">%s</link>
  <link name="arm">
    <inertial><origin rpy="0 0 1.5707963267948966"/><mass value="2"/>
      <inertia ixx="1" ixy="0" ixz="0" iyy="2" iyz="0" izz="3"/></inertial>
  </link>
  <link name="tool"/>
  <joint name="j" type="revolute">
    <origin xyz="0.1 0.2 0.3" rpy="%g %g %g"/>
    <parent link="base"/><child link="arm"/>
    <axis xyz="0 0 2"/><limit lower="-1" upper="1" effort="1" velocity="1"/>
  </joint>
  <joint name="f" type="fixed">
    <origin xyz="1 0 0" rpy="%g %g %g"/>
    <parent link="arm"/><child link="tool"/>
  </joint>
</robot>`, boxInertia, r, p, y, r, p, y)
	m := mustLoad(t, src, Options{})

	cr, sr := math.Cos(r), math.Sin(r)
	cp, sp := math.Cos(p), math.Sin(p)
	cy, sy := math.Cos(y), math.Sin(y)
	want := spatial.Mat3{ // Rz(y)·Ry(p)·Rx(r)
		cy * cp, cy*sp*sr - sy*cr, cy*sp*cr + sy*sr,
		sy * cp, sy*sp*sr + cy*cr, sy*sp*cr - cy*sr,
		-sp, cp * sr, cp * cr,
	}
	const tol = 1e-12
	arm := m.Bodies[m.BodyIndex("arm")]
	checkMat(t, "arm rotation", arm.Quat.Mat3(), want, tol)
	checkVec(t, "arm position", arm.Pos, spatial.Vec3{0.1, 0.2, 0.3}, tol)
	checkVec(t, "axis", m.Joints[m.JointIndex("j")].Axis, spatial.Vec3{0, 0, 1}, tol)

	// The merged tool frame is the fixed joint's origin in arm's frame; in
	// the world it is R = want·want, p = (0.1, 0.2, 0.3) + want·(1, 0, 0).
	s := m.Sites[m.SiteIndex("tool")]
	checkMat(t, "tool site rotation", s.Quat.Mat3(), want, tol)
	checkVec(t, "tool site position", s.Pos, spatial.Vec3{1, 0, 0}, tol)
	xs := spatial.TransformFromQuat(s.Quat, s.Pos)
	xw := m.BodyX0[s.Body].Mul(&xs)
	ww := want.Mul(&want)
	checkMat(t, "tool world rotation", xw.R, ww, tol)
	checkVec(t, "tool world position", xw.P, spatial.Vec3{0.1, 0.2, 0.3}.Add(want.Col(0)), tol)

	// Inertial yaw of 90°: principal moments (1, 2, 3) about the inertial
	// axes are (2, 1, 3) about the body axes.
	checkMat(t, "arm inertia", arm.Inertia, spatial.Diag3(spatial.Vec3{2, 1, 3}), tol)

	// Single-axis sanity: yaw 90° takes x to y, roll 90° takes y to z.
	checkVec(t, "yaw", rpyQuat(spatial.Vec3{0, 0, math.Pi / 2}).Rotate(spatial.Vec3{1, 0, 0}), spatial.Vec3{0, 1, 0}, tol)
	checkVec(t, "roll", rpyQuat(spatial.Vec3{math.Pi / 2, 0, 0}).Rotate(spatial.Vec3{0, 1, 0}), spatial.Vec3{0, 0, 1}, tol)
}

// TestMergeFixed welds two boxes and checks the merged body against the
// parallel-axis theorem worked out here, plus the geoms, site and a child
// body below the merged link.
func TestMergeFixed(t *testing.T) {
	testMergeFixed(t, mustLoad(t, mergeSrc, Options{}))
}

const mergeSrc = `<robot name="weld">
  <link name="A">
    <inertial><mass value="2"/>
      <inertia ixx="0.013333333333333334" ixy="0" ixz="0" iyy="0.03333333333333333" iyz="0" izz="0.03333333333333333"/></inertial>
    <visual><geometry><box size="0.4 0.2 0.2"/></geometry></visual>
  </link>
  <link name="B">
    <inertial><origin xyz="0 0 0.15"/><mass value="1"/>
      <inertia ixx="0.008333333333333333" ixy="0" ixz="0" iyy="0.008333333333333333" iyz="0" izz="0.0016666666666666668"/></inertial>
    <collision><origin xyz="0 0 0.15"/><geometry><box size="0.1 0.1 0.3"/></geometry></collision>
  </link>
  <link name="C">` + boxInertia + `</link>
  <joint name="weld" type="fixed">
    <origin xyz="0.2 0 0.1" rpy="1.5707963267948966 0 0"/>
    <parent link="A"/><child link="B"/><axis xyz="0 0 0"/>
  </joint>
  <joint name="hinge" type="continuous">
    <origin xyz="0 0 0.3"/>
    <parent link="B"/><child link="C"/>
    <axis xyz="0 1 0"/>
  </joint>
</robot>`

func testMergeFixed(t *testing.T, m *rbd.Model) {
	t.Helper()
	if len(m.Bodies) != 3 || m.Bodies[1].Name != "A" || m.Bodies[2].Name != "C" {
		t.Fatalf("bodies %v, want world, A, C", bodyNames(m))
	}
	const tol = 1e-12
	a := m.Bodies[1]
	// Parts in A's frame: A at the origin; B's centre at (0.2, 0, 0.1) +
	// Rx(90°)·(0, 0, 0.15) = (0.2, −0.15, 0.1), its moments (Ixx, Iyy, Izz)
	// turned to (Ixx, Izz, Iyy) by the 90° roll.
	mA, mB := 2.0, 1.0
	cA, cB := spatial.Vec3{0, 0, 0}, spatial.Vec3{0.2, -0.15, 0.1}
	IA := spatial.Diag3(spatial.Vec3{2.0 / 12 * (0.04 + 0.04), 2.0 / 12 * (0.16 + 0.04), 2.0 / 12 * (0.16 + 0.04)})
	IB := spatial.Diag3(spatial.Vec3{1.0 / 12 * (0.01 + 0.09), 1.0 / 12 * (0.01 + 0.01), 1.0 / 12 * (0.01 + 0.09)})
	M := mA + mB
	com := cA.Scale(mA / M).Add(cB.Scale(mB / M))
	shift := func(m float64, d spatial.Vec3) spatial.Mat3 { // m(|d|²·1 − d dᵀ)
		var s spatial.Mat3
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				if i == j {
					s[3*i+j] = m * d.Dot(d)
				}
				s[3*i+j] -= m * d[i] * d[j]
			}
		}
		return s
	}
	want := IA.Add(shift(mA, cA.Sub(com))).Add(IB).Add(shift(mB, cB.Sub(com)))
	if !near(a.Mass, 3, tol) {
		t.Errorf("mass %g, want 3", a.Mass)
	}
	checkVec(t, "COM", a.COM, spatial.Vec3{0.2 / 3, -0.05, 0.1 / 3}, tol)
	checkMat(t, "inertia about COM", a.Inertia, want, tol)
	// Spot-check one entry by hand: Ixx = 0.013333 + 0.008333 +
	// 2·(0.05² + 0.0333²) + 1·(0.1² + 0.0667²).
	ixx := 2.0/12*0.08 + 1.0/12*0.1 + 2*(0.05*0.05+0.1/3*0.1/3) + (0.1*0.1 + 0.2/3*0.2/3)
	if !near(a.Inertia[0], ixx, tol) {
		t.Errorf("Ixx %g, want %g", a.Inertia[0], ixx)
	}

	rx := spatial.QuatFromAxisAngle(spatial.Vec3{1, 0, 0}, math.Pi/2)
	if len(m.Sites) != 1 || m.Sites[0].Name != "B" || m.Sites[0].Body != 1 {
		t.Fatalf("sites %+v, want B on body A", m.Sites)
	}
	checkVec(t, "site B", m.Sites[0].Pos, spatial.Vec3{0.2, 0, 0.1}, tol)
	checkMat(t, "site B rotation", m.Sites[0].Quat.Mat3(), rx.Mat3(), tol)

	if len(m.Geoms) != 2 {
		t.Fatalf("%d geoms, want 2", len(m.Geoms))
	}
	gB := m.Geoms[1]
	if gB.Body != 1 || gB.Type != rbd.GeomBox || gB.Contype != 1 || gB.Group != 3 {
		t.Errorf("B's geom %+v: want a collision box on body A", gB)
	}
	checkVec(t, "B geom position", gB.Pos, cB, tol)
	checkVec(t, "B geom half-sizes", gB.Size, spatial.Vec3{0.05, 0.05, 0.15}, tol)
	checkMat(t, "B geom rotation", gB.Quat.Mat3(), rx.Mat3(), tol)

	// C hangs below the merged B: its pose composes through the weld, and its
	// axis stays in its own frame.
	c := m.Bodies[2]
	if c.Parent != 1 {
		t.Errorf("C's parent %d, want 1", c.Parent)
	}
	checkVec(t, "C position", c.Pos, spatial.Vec3{0.2, -0.3, 0.1}, tol)
	checkMat(t, "C rotation", c.Quat.Mat3(), rx.Mat3(), tol)
	checkVec(t, "C axis", m.Joints[0].Axis, spatial.Vec3{0, 1, 0}, tol)
	if !near(m.TotalMass(), 4, tol) {
		t.Errorf("total mass %g, want 4", m.TotalMass())
	}
}

func bodyNames(m *rbd.Model) []string {
	var s []string
	for _, b := range m.Bodies {
		s = append(s, b.Name)
	}
	return s
}

const limitsSrc = `<robot name="limits">
  <link name="base">` + boxInertia + `</link>
  <link name="l1">` + boxInertia + `</link>
  <link name="l2">` + boxInertia + `</link>
  <link name="l3">` + boxInertia + `</link>
  <link name="l4">` + boxInertia + `</link>
  <joint name="rev" type="revolute">
    <parent link="base"/><child link="l1"/><axis xyz="0 0 1"/>
    <limit lower="-1.5" upper="2.5" effort="30" velocity="4"/>
    <dynamics damping="0.7" friction="0.2"/>
  </joint>
  <joint name="cont" type="continuous">
    <parent link="l1"/><child link="l2"/>
    <limit lower="-1" upper="1" effort="12" velocity="8"/>
  </joint>
  <joint name="slide" type="prismatic">
    <parent link="l2"/><child link="l3"/><axis xyz="0 3 4"/>
    <limit lower="-0.1" upper="0.2" effort="0" velocity="0.5"/>
  </joint>
  <joint name="free_spin" type="continuous">
    <parent link="l3"/><child link="l4"/>
  </joint>
</robot>`

// TestLimits checks revolute against continuous limits, prismatic joints,
// effort and velocity limits, dynamics and the motors made for them.
func TestLimits(t *testing.T) {
	m := mustLoad(t, limitsSrc, Options{})
	if m.Nq != 4 || m.Nv != 4 || m.Nu != 4 {
		t.Fatalf("nq %d nv %d nu %d, want 4 4 4", m.Nq, m.Nv, m.Nu)
	}
	rev := m.Joints[m.JointIndex("rev")]
	if rev.Type != rbd.JointHinge || !rev.Limited || rev.Range != [2]float64{-1.5, 2.5} {
		t.Errorf("rev: %+v", rev)
	}
	if !rev.EffortLimited || rev.EffortRange != [2]float64{-30, 30} || rev.VelocityLimit != 4 {
		t.Errorf("rev effort/velocity: %+v", rev)
	}
	if rev.Damping != 0.7 || rev.FrictionLoss != 0.2 {
		t.Errorf("rev dynamics: damping %g friction %g", rev.Damping, rev.FrictionLoss)
	}
	cont := m.Joints[m.JointIndex("cont")]
	if cont.Type != rbd.JointHinge || cont.Limited || cont.Range != [2]float64{} {
		t.Errorf("continuous joint must be unlimited: %+v", cont)
	}
	if !cont.EffortLimited || cont.EffortRange != [2]float64{-12, 12} || cont.VelocityLimit != 8 {
		t.Errorf("cont effort/velocity: %+v", cont)
	}
	checkVec(t, "default axis", cont.Axis, spatial.Vec3{1, 0, 0}, 0)
	sl := m.Joints[m.JointIndex("slide")]
	if sl.Type != rbd.JointSlide || !sl.Limited || sl.Range != [2]float64{-0.1, 0.2} || sl.EffortLimited {
		t.Errorf("slide: %+v", sl)
	}
	checkVec(t, "normalised axis", sl.Axis, spatial.Vec3{0, 0.6, 0.8}, 1e-15)
	fs := m.Joints[m.JointIndex("free_spin")]
	if fs.Limited || fs.EffortLimited || fs.VelocityLimit != 0 {
		t.Errorf("continuous without <limit>: %+v", fs)
	}

	for i, name := range []string{"rev", "cont", "slide", "free_spin"} {
		a := m.Actuators[i]
		if a.Name != name || a.Kind != rbd.ActMotor || a.Gear != 1 || a.Gain != 1 || m.Joints[a.Joint].Name != name {
			t.Errorf("actuator %d: %+v", i, a)
		}
		j := m.Joints[a.Joint]
		if a.ForceLimited != j.EffortLimited || a.CtrlLimited != j.EffortLimited ||
			a.ForceRange != j.EffortRange || a.CtrlRange != j.EffortRange {
			t.Errorf("actuator %q ranges %+v do not follow the joint's effort %v", name, a, j.EffortRange)
		}
	}
}

// TestFloatingBase switches the free joint on and off, and checks a root
// link named "world".
func TestFloatingBase(t *testing.T) {
	on := DefaultOptions()
	on.BasePos = spatial.Vec3{0, 0, 0.8}
	m := mustLoad(t, limitsSrc, on)
	if m.Nq != 11 || m.Nv != 10 || m.Nu != 4 {
		t.Errorf("floating: nq %d nv %d nu %d, want 11 10 4", m.Nq, m.Nv, m.Nu)
	}
	if j := m.Joints[0]; j.Type != rbd.JointFree || j.Name != FreeJointName || j.Body != 1 {
		t.Errorf("free joint: %+v", j)
	}
	if q := m.Qpos0[:7]; q[2] != 0.8 || q[3] != 1 {
		t.Errorf("qpos0 %v, want base at z 0.8 with identity orientation", q)
	}
	m = mustLoad(t, limitsSrc, Options{})
	if m.Nq != 4 || m.Nv != 4 || m.Bodies[1].JntNum != 0 {
		t.Errorf("fixed: nq %d nv %d, root joints %d; want 4 4 0", m.Nq, m.Nv, m.Bodies[1].JntNum)
	}

	// A file joint named like the free joint pushes the free joint's name aside.
	src := strings.Replace(limitsSrc, `name="rev"`, `name="floating_base"`, 1)
	m = mustLoad(t, src, DefaultOptions())
	if m.Joints[0].Name != FreeJointName+"_" || m.Joints[1].Name != FreeJointName {
		t.Errorf("joint names %q %q", m.Joints[0].Name, m.Joints[1].Name)
	}

	world := `<robot name="w">
  <link name="world"><visual><geometry><box size="1 1 0.1"/></geometry></visual></link>
  <link name="base">` + boxInertia + `</link>
  <link name="arm">` + boxInertia + `</link>
  <joint name="mount" type="%s"><origin xyz="0 0 1"/><parent link="world"/><child link="base"/></joint>
  <joint name="j" type="continuous"><parent link="base"/><child link="arm"/></joint>
</robot>`
	m = mustLoad(t, fmt.Sprintf(world, "floating"), Options{})
	if m.Nq != 8 || m.Nv != 7 || m.Joints[0].Name != "mount" || m.Joints[0].Type != rbd.JointFree {
		t.Errorf("floating from world: nq %d nv %d joint %+v", m.Nq, m.Nv, m.Joints[0])
	}
	if m.Qpos0[2] != 1 {
		t.Errorf("floating from world: qpos0 %v, want z 1", m.Qpos0)
	}
	if len(m.Geoms) != 1 || m.Geoms[0].Body != 0 {
		t.Errorf("world link's geom must be on body 0: %+v", m.Geoms)
	}
	m = mustLoad(t, fmt.Sprintf(world, "fixed"), DefaultOptions())
	if m.Nq != 1 || m.Bodies[1].Name != "base" || m.Bodies[1].JntNum != 0 || m.Bodies[1].Pos[2] != 1 {
		t.Errorf("fixed to world: nq %d bodies %v", m.Nq, bodyNames(m))
	}
	if !hasWarning(m, "FloatingBase ignored") {
		t.Errorf("want a warning that FloatingBase is ignored; got %q", m.Warnings)
	}
}

func hasWarning(m *rbd.Model, sub string) bool {
	for _, w := range m.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

// asciiSTL is a unit right triangle and a second sharing an edge.
const asciiSTL = `solid two
facet normal 0 0 1
 outer loop
  vertex 0 0 0
  vertex 1 0 0
  vertex 0 1 0
 endloop
endfacet
facet normal 0 0 1
 outer loop
  vertex 1 0 0
  vertex 1 1 0
  vertex 0 1 0
 endloop
endfacet
endsolid two
`

// TestMeshes checks mesh lookup (package:// upward search, relative paths,
// MeshDir), scaling, sharing, and that a missing file is a warning.
func TestMeshes(t *testing.T) {
	src := `<robot name="m">
  <link name="base">
    <visual><geometry><mesh filename="package://foo/meshes/a.stl" scale="2 3 -1"/></geometry></visual>
    <collision><geometry><mesh filename="package://foo/meshes/a.stl" scale="2 3 -1"/></geometry></collision>
    <visual><geometry><mesh filename="../meshes/a.stl"/></geometry></visual>
    <visual><geometry><mesh filename="package://bar/b.STL"/></geometry></visual>
    <collision><geometry><mesh filename="package://foo/meshes/missing.stl"/></geometry></collision>
    <visual><geometry><mesh filename="model.dae"/></geometry></visual>
  </link>
</robot>`
	fsys := fstest.MapFS{
		"robots/foo/urdf/r.urdf":    {Data: []byte(src)},
		"robots/foo/meshes/a.stl":   {Data: []byte(asciiSTL)},
		"robots/bar/b.STL":          {Data: []byte(asciiSTL)},
		"robots/foo/urdf/model.dae": {Data: []byte("<COLLADA/>")},
	}
	m, err := Load(fsys, "robots/foo/urdf/r.urdf", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Geoms) != 6 {
		t.Fatalf("%d geoms, want 6", len(m.Geoms))
	}
	// Scaled a.stl shared by the first two geoms; unscaled a.stl; b; missing; dae.
	if len(m.Meshes) != 5 {
		t.Fatalf("%d meshes, want 5: %+v", len(m.Meshes), m.Meshes)
	}
	if m.Geoms[0].Mesh != m.Geoms[1].Mesh || m.Geoms[0].Mesh == m.Geoms[2].Mesh {
		t.Errorf("mesh sharing: geom meshes %d %d %d", m.Geoms[0].Mesh, m.Geoms[1].Mesh, m.Geoms[2].Mesh)
	}
	a := m.Meshes[m.Geoms[0].Mesh]
	if a.File != "robots/foo/meshes/a.stl" || a.Name != "a" {
		t.Errorf("mesh a: name %q file %q", a.Name, a.File)
	}
	wantV := []float32{0, 0, 0, 2, 0, 0, 0, 3, 0, 2, 3, 0}
	if !slices.Equal(a.Vertices, wantV) { // −0 == 0
		t.Errorf("scaled vertices %v, want %v", a.Vertices, wantV)
	}
	// Negative scale mirrors: the winding is flipped to keep normals outward.
	if fmt.Sprint(a.Faces) != "[0 2 1 1 2 3]" {
		t.Errorf("mirrored faces %v, want [0 2 1 1 2 3]", a.Faces)
	}
	if u := m.Meshes[m.Geoms[2].Mesh]; u.Name != "a_2" || fmt.Sprint(u.Faces) != "[0 1 2 1 3 2]" {
		t.Errorf("unscaled a.stl: %+v", u)
	}
	if b := m.Meshes[m.Geoms[3].Mesh]; b.File != "robots/bar/b.STL" || len(b.Vertices) != 12 {
		t.Errorf("package://bar found via a sibling directory: %+v", b)
	}
	miss := m.Meshes[m.Geoms[4].Mesh]
	if m.Geoms[4].Type != rbd.GeomMesh || len(miss.Vertices) != 0 || miss.File != "package://foo/meshes/missing.stl" {
		t.Errorf("missing mesh: geom %+v mesh %+v", m.Geoms[4], miss)
	}
	if !hasWarning(m, `mesh file "package://foo/meshes/missing.stl" not found`) {
		t.Errorf("no missing-mesh warning in %q", m.Warnings)
	}
	if !hasWarning(m, `"model.dae" is not STL`) {
		t.Errorf("no not-STL warning in %q", m.Warnings)
	}

	// MeshDir finds files by base name first.
	fsys["lib/missing.stl"] = &fstest.MapFile{Data: []byte(asciiSTL)}
	m, err = Load(fsys, "robots/foo/urdf/r.urdf", Options{MeshDir: "lib"})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Meshes[m.Geoms[4].Mesh]; got.File != "lib/missing.stl" || len(got.Faces) != 6 {
		t.Errorf("MeshDir: %+v", got)
	}

	// A corrupt STL is an error at the mesh's line.
	fsys["robots/bar/b.STL"] = &fstest.MapFile{Data: []byte("solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0\n")}
	_, err = Load(fsys, "robots/foo/urdf/r.urdf", Options{})
	var e *Error
	if !errors.As(err, &e) || e.Line != 6 || !strings.Contains(err.Error(), `mesh "package://bar/b.STL"`) {
		t.Errorf("corrupt STL: got %v", err)
	}
}

// TestMaterials checks named robot-level materials (defined after use),
// inline colours, undefined names and defaults.
func TestMaterials(t *testing.T) {
	src := `<robot name="mat">
  <link name="base">
    <visual><geometry><sphere radius="0.1"/></geometry><material name="blue"/></visual>
    <visual><geometry><sphere radius="0.1"/></geometry>
      <material name="own"><color rgba="0.1 0.2 0.3 0.4"/></material></visual>
    <visual><geometry><sphere radius="0.1"/></geometry><material name="nowhere"/></visual>
    <visual><geometry><cylinder radius="0.1" length="0.5"/></geometry></visual>
    <collision><geometry><sphere radius="0.1"/></geometry></collision>
  </link>
  <material name="blue"><color rgba="0 0 1 1"/></material>
</robot>`
	m := mustLoad(t, src, Options{})
	want := [][4]float32{{0, 0, 1, 1}, {0.1, 0.2, 0.3, 0.4}, defaultRGBA, defaultRGBA, defaultRGBA}
	for i, g := range m.Geoms {
		if g.RGBA != want[i] {
			t.Errorf("geom %d (%s) rgba %v, want %v", i, g.Name, g.RGBA, want[i])
		}
	}
	if m.Geoms[0].Material != "blue" || m.Geoms[1].Material != "own" {
		t.Errorf("material names %q %q", m.Geoms[0].Material, m.Geoms[1].Material)
	}
	if !hasWarning(m, `material "nowhere" is not defined`) {
		t.Errorf("no warning for the undefined material: %q", m.Warnings)
	}
	g := m.Geoms[3]
	if g.Type != rbd.GeomCylinder || g.Size != (spatial.Vec3{0.1, 0.25, 0}) || g.Name != "base_visual_3" {
		t.Errorf("cylinder %+v: want size (0.1, 0.25, 0)", g)
	}
	for i, g := range m.Geoms {
		coll := i == 4
		if g.Collides() != coll || (coll && g.Group != 3) || (!coll && g.Group != 2) ||
			g.Condim != 3 || g.Friction != [3]float64{1, 0.005, 0.0001} {
			t.Errorf("geom %d flags %+v", i, g)
		}
	}
}

// TestIgnoredElements checks one warning per kind of ignored element.
func TestIgnoredElements(t *testing.T) {
	src := `<robot name="w">
  <link name="a">` + boxInertia + `<sensor/></link>
  <link name="b">` + boxInertia + `</link>
  <link name="c">` + boxInertia + `</link>
  <joint name="j1" type="continuous"><parent link="a"/><child link="b"/></joint>
  <joint name="j2" type="continuous"><parent link="b"/><child link="c"/>
    <mimic joint="j1" multiplier="2"/><calibration rising="0"/><safety_controller k_velocity="1"/></joint>
  <transmission name="t1"/><transmission name="t2"/>
  <gazebo reference="a"/><gazebo/>
  <foo/>
</robot>`
	m := mustLoad(t, src, Options{})
	for _, kind := range []string{"<mimic>", "<transmission>", "<gazebo>", "<sensor>", "<foo>"} {
		n := 0
		for _, w := range m.Warnings {
			if strings.Contains(w, kind) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d warnings mention %s, want 1: %q", n, kind, m.Warnings)
		}
	}
	if len(m.Warnings) != 5 {
		t.Errorf("%d warnings, want 5: %q", len(m.Warnings), m.Warnings)
	}
	if !hasWarning(m, `<transmission> ignored`) || !hasWarning(m, "2 occurrences") {
		t.Errorf("warnings %q", m.Warnings)
	}
}

// TestMassless checks that massless links load and that a moving body without
// mass below it draws a warning.
func TestMassless(t *testing.T) {
	src := `<robot name="ml">
  <link name="base"/>
  <link name="dummy"/>
  <link name="leg">` + boxInertia + `</link>
  <link name="tip"><inertial><mass value="0"/><inertia ixx="0" ixy="0" ixz="0" iyy="0" iyz="0" izz="0"/></inertial></link>
  <joint name="a" type="continuous"><parent link="base"/><child link="dummy"/></joint>
  <joint name="b" type="continuous"><parent link="dummy"/><child link="leg"/></joint>
  <joint name="c" type="continuous"><parent link="leg"/><child link="tip"/></joint>
</robot>`
	m := mustLoad(t, src, DefaultOptions())
	if m.Bodies[m.BodyIndex("dummy")].Mass != 0 || m.TotalMass() != 1 {
		t.Errorf("masses: dummy %g total %g", m.Bodies[m.BodyIndex("dummy")].Mass, m.TotalMass())
	}
	if !hasWarning(m, `without mass in their subtree`) || !hasWarning(m, `"tip"`) || hasWarning(m, `"dummy"`) {
		t.Errorf("warnings %q: want tip (not dummy) flagged", m.Warnings)
	}
}

// TestErrors checks that each kind of bad input gives an error naming the
// file, line and element.
func TestErrors(t *testing.T) {
	for _, c := range errorCases() {
		t.Run(c.name, func(t *testing.T) {
			m, err := loadString(c.src, DefaultOptions())
			if err == nil {
				t.Fatalf("no error; model has %d bodies", len(m.Bodies))
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error\n  %v\nwant it to contain\n  %s", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "r.urdf") {
				t.Errorf("error %q does not name the file", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %T is not an *Error", err)
			}
		})
	}
}

type errorCase struct{ name, src, want string }

// errorCases are bad inputs and a part of the error each must give.
func errorCases() []errorCase {
	link := func(name string) string { return `<link name="` + name + `">` + boxInertia + `</link>` }
	joint := func(name, typ, parent, child, extra string) string {
		return `<joint name="` + name + `" type="` + typ + `"><parent link="` + parent + `"/><child link="` + child + `"/>` + extra + `</joint>`
	}
	lim := `<limit lower="-1" upper="1" effort="1" velocity="1"/>`
	robot := func(body ...string) string {
		return "<robot name=\"r\">\n" + strings.Join(body, "\n") + "\n</robot>"
	}
	return []errorCase{
		{"empty", "", "r.urdf:1: no root element"},
		{"malformed", "<robot name=\"r\">\n<link name=\"a\">\n</robot>", "r.urdf:3: XML syntax error: element <link> closed by </robot>"},
		{"truncated", "<robot name=\"r\">\n<link name=\"a\">\n<inertial>", "r.urdf:3: XML syntax error: unexpected EOF"},
		{"trailing element", "<robot name=\"r\"><link name=\"a\"/></robot>\n<robot/>", "r.urdf:2: element <robot> after the root element"},
		{"not robot", "<sdf/>", "r.urdf:1: root element is <sdf>, want <robot>"},
		{"no links", "<robot name=\"r\"/>", `r.urdf:1: <robot name="r">: no <link> elements`},
		{"unknown joint type", robot(link("a"), link("b"), joint("j", "hinge", "a", "b", "")), `r.urdf:4: <joint name="j">: unknown joint type "hinge"`},
		{"planar", robot(link("a"), link("b"), joint("j", "planar", "a", "b", "")), `r.urdf:4: <joint name="j">: planar joints are not supported`},
		{"no type", robot(link("a"), link("b"), `<joint name="j"><parent link="a"/><child link="b"/></joint>`), `r.urdf:4: <joint name="j">: <joint> has no type`},
		{"missing parent element", robot(link("a"), link("b"), `<joint name="j" type="fixed"><child link="b"/></joint>`), `r.urdf:4: <joint name="j">: <joint> has no <parent>`},
		{"undefined parent", robot(link("a"), link("b"), joint("j", "fixed", "x", "b", "")), `r.urdf:4: <joint name="j">: parent link "x" is not defined`},
		{"undefined child", robot(link("a"), link("b"), "<joint name=\"j\" type=\"fixed\">\n<parent link=\"a\"/>\n<child link=\"y\"/></joint>"), `r.urdf:6: <joint name="j">: child link "y" is not defined`},
		{"duplicate link", robot(link("a"), link("a")), `r.urdf:3: <link name="a">: duplicate link name "a" (first at line 2)`},
		{"duplicate joint", robot(link("a"), link("b"), link("c"), joint("j", "fixed", "a", "b", ""), joint("j", "fixed", "b", "c", "")), `r.urdf:6: <joint name="j">: duplicate joint name "j" (first at line 5)`},
		{"link without name", robot(`<link/>`), `r.urdf:2: <link> without a name`},
		{"self loop", robot(link("a"), joint("j", "fixed", "a", "a", "")), `r.urdf:3: <joint name="j">: link "a" is both parent and child`},
		{"cycle", robot(link("r"), link("a"), link("b"), joint("j1", "fixed", "a", "b", ""), joint("j2", "fixed", "b", "a", "")),
			`r.urdf:5: <joint name="j1">: the joints form a cycle: "j1" (a → b), "j2" (b → a)`},
		{"no root", robot(link("a"), link("b"), joint("j1", "fixed", "a", "b", ""), joint("j2", "fixed", "b", "a", "")),
			`no root link (every link is some joint's child)`},
		{"two roots", robot(link("a"), link("b"), link("c"), joint("j", "fixed", "a", "b", "")),
			`r.urdf:4: 2 root links (links that are no joint's child): "a" (line 2), "c" (line 4); a URDF tree has exactly one`},
		{"two parents", robot(link("a"), link("b"), link("c"), joint("j1", "fixed", "a", "c", ""), joint("j2", "fixed", "b", "c", "")),
			`r.urdf:6: <joint name="j2">: link "c" is already the child of joint "j1" (line 5)`},
		{"negative mass", robot(`<link name="a"><inertial><mass value="-1"/><inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/></inertial></link>`),
			`r.urdf:2: <link name="a">: mass -1 is negative`},
		{"not PSD", robot("<link name=\"a\"><inertial><mass value=\"1\"/>\n<inertia ixx=\"1\" ixy=\"2\" ixz=\"0\" iyy=\"1\" iyz=\"0\" izz=\"1\"/></inertial></link>"),
			`r.urdf:3: <link name="a">: inertia (ixx 1 ixy 2 ixz 0 iyy 1 iyz 0 izz 1) is not positive semi-definite`},
		{"negative moment", robot(`<link name="a"><inertial><mass value="1"/><inertia ixx="-1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/></inertial></link>`),
			`is not positive semi-definite`},
		{"triangle", robot(`<link name="a"><inertial><mass value="1"/><inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="3"/></inertial></link>`),
			`violates the triangle inequality`},
		{"missing inertia attr", robot(`<link name="a"><inertial><mass value="1"/><inertia ixx="1" ixy="0" iyy="1" iyz="0" izz="1"/></inertial></link>`),
			`<link name="a">: <inertia> has no ixz attribute`},
		{"no mass", robot(`<link name="a"><inertial><inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/></inertial></link>`),
			`<link name="a">: <inertial> has no <mass>`},
		{"bad number", robot(link("a"), link("b"), "<joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/>\n<origin xyz=\"0 abc 0\"/></joint>"),
			`r.urdf:5: <joint name="j">: <origin> xyz "0 abc 0": "abc" is not a finite number`},
		{"nan", robot(link("a"), link("b"), joint("j", "fixed", "a", "b", `<origin rpy="0 NaN 0"/>`)), `"NaN" is not a finite number`},
		{"inf mass", robot(`<link name="a"><inertial><mass value="Inf"/><inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/></inertial></link>`),
			`<mass> value "Inf" is not a finite number`},
		{"two numbers", robot(link("a"), link("b"), joint("j", "fixed", "a", "b", `<origin xyz="1 2"/>`)), `<origin> xyz "1 2" must hold 3 numbers`},
		{"zero axis", robot(link("a"), link("b"), "<joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>\n<axis xyz=\"0 0 0\"/>"+lim+"</joint>"),
			`r.urdf:5: <joint name="j">: axis "0 0 0" has zero length`},
		{"no limit", robot(link("a"), link("b"), joint("j", "revolute", "a", "b", "")), `r.urdf:4: <joint name="j">: revolute joint has no <limit>`},
		{"no effort", robot(link("a"), link("b"), joint("j", "prismatic", "a", "b", `<limit lower="0" upper="1" velocity="1"/>`)), `<limit> has no effort attribute`},
		{"empty range", robot(link("a"), link("b"), joint("j", "revolute", "a", "b", `<limit lower="1" upper="1" effort="1" velocity="1"/>`)), `limit lower 1 must be below upper 1`},
		{"negative effort", robot(link("a"), link("b"), joint("j", "revolute", "a", "b", `<limit lower="0" upper="1" effort="-1" velocity="1"/>`)), `effort limit -1 is negative`},
		{"negative damping", robot(link("a"), link("b"), joint("j", "continuous", "a", "b", `<dynamics damping="-1"/>`)), `damping -1 and friction 0 must be non-negative`},
		{"floating inside", robot(link("a"), link("b"), joint("j", "floating", "a", "b", "")),
			`r.urdf:4: <joint name="j">: floating joint from link "a": only a floating joint from the root link "world" is supported`},
		{"two origins", robot(link("a"), link("b"), joint("j", "fixed", "a", "b", "<origin/>\n<origin/>")), `r.urdf:5: <joint name="j">: more than one <origin> in <joint> (first at line 4)`},
		{"no geometry", robot(`<link name="a"><visual/></link>`), `<link name="a">: <visual> has no <geometry>`},
		{"empty geometry", robot(`<link name="a"><visual><geometry/></visual></link>`), `<geometry> holds no shape`},
		{"two shapes", robot(`<link name="a"><visual><geometry><box size="1 1 1"/><sphere radius="1"/></geometry></visual></link>`), `<geometry> holds more than one shape`},
		{"unknown shape", robot(`<link name="a"><collision><geometry><cone/></geometry></collision></link>`), `unknown geometry <cone>`},
		{"negative box", robot(`<link name="a"><collision><geometry><box size="1 -1 1"/></geometry></collision></link>`), `<box> size -1 is negative`},
		{"negative radius", robot(`<link name="a"><collision><geometry><sphere radius="-1"/></geometry></collision></link>`), `<sphere> radius -1 is negative`},
		{"no filename", robot(`<link name="a"><collision><geometry><mesh/></geometry></collision></link>`), `<mesh> has no filename`},
		{"zero scale", robot(`<link name="a"><collision><geometry><mesh filename="x.stl" scale="1 0 1"/></geometry></collision></link>`), `has a zero component`},
		{"bad rgba", robot(`<link name="a"><visual><geometry><sphere radius="1"/></geometry><material name="m"><color rgba="1 2 1 1"/></material></visual></link>`),
			`rgba component 2 is outside [0, 1]`},
		{"duplicate material", robot(`<material name="m"/>`, `<material name="m"/>`, link("a")), `r.urdf:3: <robot name="r">: duplicate material "m" (first at line 2)`},
	}
}

// TestFileErrors checks LoadFile's error on a missing file and Error's format.
func TestFileErrors(t *testing.T) {
	if _, err := LoadFile("testdata/does-not-exist.urdf", DefaultOptions()); err == nil || !strings.Contains(err.Error(), "does-not-exist.urdf") {
		t.Errorf("missing file: %v", err)
	}
	e := &Error{File: "f.urdf", Msg: "m"}
	if e.Error() != "f.urdf: m" {
		t.Errorf("%q", e.Error())
	}
	e = &Error{File: "f.urdf", Line: 3, Element: `<link name="a">`, Msg: "m"}
	if e.Error() != `f.urdf:3: <link name="a">: m` {
		t.Errorf("%q", e.Error())
	}
}

// TestLoadFileOS loads from the operating system's file system: package://
// URIs found by the upward search, relative paths, MeshDir relative to the
// working directory, and Mesh.File as an operating-system path.
func TestLoadFileOS(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ws/src/bot/urdf/bot.urdf", `<robot name="bot">
  <link name="base">
    <visual><geometry><mesh filename="package://bot/meshes/a.stl"/></geometry></visual>
    <visual><geometry><mesh filename="../meshes/a.stl" scale="2 2 2"/></geometry></visual>
    <visual><geometry><mesh filename="package://other/c.stl"/></geometry></visual>
  </link>
</robot>`)
	write("ws/src/bot/meshes/a.stl", asciiSTL)
	write("lib/c.stl", asciiSTL)
	m, err := LoadFile(filepath.Join(dir, "ws/src/bot/urdf/bot.urdf"), Options{MeshDir: filepath.Join(dir, "lib")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(dir, "ws", "src", "bot", "meshes", "a.stl"),
		filepath.Join(dir, "ws", "src", "bot", "meshes", "a.stl"),
		filepath.Join(dir, "lib", "c.stl"),
	}
	for i, g := range m.Geoms {
		me := m.Meshes[g.Mesh]
		if me.File != want[i] || len(me.Faces) != 6 {
			t.Errorf("geom %d: mesh file %q with %d faces, want %q with 6", i, me.File, len(me.Faces), want[i])
		}
	}
	if len(m.Warnings) != 0 {
		t.Errorf("warnings %q", m.Warnings)
	}

	// Errors name the path as given.
	write("bad.urdf", "<robot name=\"b\">\n<link name=\"a\">\n")
	_, err = LoadFile(filepath.Join(dir, "bad.urdf"), DefaultOptions())
	if err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, "bad.urdf")+":3: XML syntax error") {
		t.Errorf("error %v", err)
	}
}

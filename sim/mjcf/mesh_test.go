package mjcf

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim/spatial"
)

func asciiSTLText(tris [][3]spatial.Vec3) string {
	var b strings.Builder
	b.WriteString("solid test\n")
	for _, t := range tris {
		b.WriteString("  facet normal 0 0 0\n    outer loop\n")
		for _, v := range t {
			fmt.Fprintf(&b, "      vertex %g %g %g\n", v[0], v[1], v[2])
		}
		b.WriteString("    endloop\n  endfacet\n")
	}
	b.WriteString("endsolid test\n")
	return b.String()
}

// A unit cube as an OBJ file with quad faces and a negative index.
const cubeOBJ = `# cube
o cube
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
v 0 0 1
v 1 0 1
v 1 1 1
v 0 1 1
vt 0 0
vn 0 0 1
f 1 4 3 2
f 5/1 6/1 7/1 8/1
f 1//1 2//1 6//1 5//1
f 2 3 7 6
f 3 4 8 7
f 4 1 5 -1
`

func TestMeshFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"m.xml": {Data: []byte(`<mujoco>
  <compiler meshdir="assets"/>
  <default><mesh scale="2 2 2"/><default class="unit"><mesh scale="1 1 1"/></default></default>
  <asset>
    <mesh file="box.stl" class="unit"/>
    <mesh name="tet" file="tet.STL"/>
    <mesh file="cube.obj" class="unit" scale="1 -1 1"/>
    <mesh name="inline" vertex="0 0 0  1 0 0  0 1 0  0 0 1" face="0 2 1  0 1 3  0 3 2  1 2 3" class="unit"/>
  </asset>
  <worldbody>
    <body name="box"><geom type="mesh" mesh="box"/></body>
    <body name="cube"><geom type="mesh" mesh="cube" density="10"/></body>
    <body name="tet"><geom type="mesh" mesh="inline"/></body>
  </worldbody>
</mujoco>`)},
		"assets/box.stl":  {Data: boxSTL(0.1, 0.2, 0.3, spatial.Vec3{0.05, 0, 0})},
		"assets/tet.STL":  {Data: []byte(asciiSTLText(tetrahedron()))},
		"assets/cube.obj": {Data: []byte(cubeOBJ)},
	}
	m, err := Load(fsys, "m.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Warnings) != 0 {
		t.Errorf("warnings: %v", m.Warnings)
	}
	counts := map[string][2]int{"box": {8, 12}, "tet": {4, 4}, "cube": {8, 12}, "inline": {4, 4}}
	for _, mesh := range m.Meshes {
		want := counts[mesh.Name]
		if len(mesh.Vertices) != 3*want[0] || len(mesh.Faces) != 3*want[1] {
			t.Errorf("mesh %s: %d vertices, %d triangles; want %v", mesh.Name, len(mesh.Vertices)/3, len(mesh.Faces)/3, want)
		}
	}
	if tet := m.Meshes[1]; tet.Scale != (spatial.Vec3{2, 2, 2}) || tet.Vertices[3*3+2] != 2 {
		t.Errorf("tet: scale %v from the main class, vertices %v", tet.Scale, tet.Vertices)
	}
	if m.Meshes[2].Vertices[3*2+1] != -1 {
		t.Errorf("cube: scale y -1 not applied: %v", m.Meshes[2].Vertices)
	}

	// Box mesh: the same mass properties as a box primitive, centred on the
	// mesh's centroid (float32 vertices: tolerance 1e-6).
	b := bodyByName(t, m, "box")
	mb := 1000 * 0.2 * 0.4 * 0.6
	near(t, "box mesh mass", b.Mass, mb, 1e-4)
	nearVec(t, "box mesh com", b.COM[:], []float64{0.05, 0, 0}, 1e-7)
	nearVec(t, "box mesh inertia", b.Inertia[:], []float64{mb * (0.04 + 0.09) / 3, 0, 0, 0, mb * (0.01 + 0.09) / 3, 0, 0, 0, mb * (0.01 + 0.04) / 3}, 1e-6)

	// Unit cube mirrored in y: the volume stays positive.
	c := bodyByName(t, m, "cube")
	near(t, "mirrored cube mass", c.Mass, 10, 1e-12)
	nearVec(t, "mirrored cube com", c.COM[:], []float64{0.5, -0.5, 0.5}, 1e-12)
	near(t, "mirrored cube Ixx", c.Inertia[0], 10*(1+1)/12.0, 1e-12)

	// Unit right tetrahedron: volume 1/6, centroid (1/4, 1/4, 1/4), and about
	// the centroid Ixx = ρ/80 (from ∫x² dV = 1/60 at the corner, shifted).
	tt := bodyByName(t, m, "tet")
	near(t, "tetrahedron mass", tt.Mass, 1000.0/6, 1e-9)
	nearVec(t, "tetrahedron com", tt.COM[:], []float64{0.25, 0.25, 0.25}, 1e-12)
	near(t, "tetrahedron Ixx", tt.Inertia[0], 1000*(2.0/60-2*(1.0/6)*(1.0/16)), 1e-9)
	near(t, "tetrahedron Ixy", tt.Inertia[1], -1000*(1.0/120-(1.0/6)*(1.0/16)), 1e-9)
}

func TestMeshFileProblemsAreWarnings(t *testing.T) {
	fsys := fstest.MapFS{
		"m.xml": {Data: []byte(`<mujoco><asset>
    <mesh file="bad.stl"/><mesh name="bad2" file="bad.obj"/><mesh file="x.msh"/><mesh file="flat.stl"/>
  </asset><worldbody><body><geom type="mesh" mesh="flat"/><geom size="1"/></body></worldbody></mujoco>`)},
		"bad.stl":  {Data: []byte("garbage")},
		"bad.obj":  {Data: []byte("v 0 0 0\nf 1 2 3\n")},
		"x.msh":    {Data: []byte{0, 0, 0, 0}},
		"flat.stl": {Data: encodeSTL([][3]spatial.Vec3{{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}})},
	}
	m, err := Load(fsys, "m.xml")
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, joinWarnings(m.Warnings), `"bad.stl": not an STL file`, `"bad.obj": line 2: vertex index 2 out of range`,
		`format ".msh" is not supported`, `mesh "flat" encloses no volume`)
	if len(m.Meshes) != 4 {
		t.Errorf("%d meshes, want 4 (empty ones kept)", len(m.Meshes))
	}
}

// principalAxes stops, as MuJoCo does, once a rotation would turn by less
// than about 1.4e-6 rad, so R·Λ·Rᵀ matches the matrix to a few parts in 1e6
// of the spread of the moments.
func TestPrincipalAxes(t *testing.T) {
	for _, a := range []spatial.Mat3{
		{4, 1, -2, 1, 3, 0.5, -2, 0.5, 5},
		{1, 0, 0, 0, 2, 0, 0, 0, 3},
		{2, 1e-9, 0, 1e-9, 2, 0, 0, 0, 1},
	} {
		vals, q := principalAxes(a)
		back := rotateInertia(q.Mat3(), spatial.Diag3(vals))
		nearVec(t, "R·Λ·Rᵀ", back[:], a[:], 1e-5)
		if !(vals[0]+1e-12 >= vals[1] && vals[1]+1e-12 >= vals[2]) {
			t.Errorf("moments %v not in decreasing order", vals)
		}
	}
}

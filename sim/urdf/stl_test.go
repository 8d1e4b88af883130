package urdf

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim/meshio"
)

// STL parsing is sim/meshio's, and tested there; this checks what the loader
// does with binary files (TestMeshes covers ASCII ones).
func TestMeshBinarySTL(t *testing.T) {
	src := `<robot name="m"><link name="a">
  <visual><geometry><mesh filename="sw.STL" scale="1 1 -2"/></geometry></visual>
</link></robot>`
	fsys := fstest.MapFS{
		"r.urdf": {Data: []byte(src)},
		"sw.STL": {Data: binarySTL("solid exported by SolidWorks", square...)},
	}
	m, err := Load(fsys, "r.urdf", Options{})
	if err != nil {
		t.Fatal(err)
	}
	mesh := m.Meshes[m.Geoms[0].Mesh]
	if !slices.Equal(mesh.Vertices, []float32{0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0}) || !slices.Equal(mesh.Faces, []int32{0, 2, 1, 1, 2, 3}) {
		t.Errorf("vertices %v faces %v (mirrored by z scale -2)", mesh.Vertices, mesh.Faces)
	}

	fsys["sw.STL"] = &fstest.MapFile{Data: binarySTL("solid exported by SolidWorks", square...)[:150]}
	_, err = Load(fsys, "r.urdf", Options{})
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || !strings.Contains(err.Error(), `mesh "sw.STL": not an STL file`) ||
		!strings.Contains(err.Error(), "declares 2 triangles (184 bytes) but the file has 150 bytes") {
		t.Errorf("truncated binary STL: got %v", err)
	}
}

// binarySTL and square build mesh files for the loader's tests.

// binarySTL encodes triangles as a binary STL with the given header text.
func binarySTL(header string, tris ...[9]float32) []byte { return meshio.EncodeSTL(header, tris) }

var square = [][9]float32{{0, 0, 0, 1, 0, 0, 0, 1, 0}, {1, 0, 0, 1, 1, 0, 0, 1, 0}}

package meshio

import (
	"fmt"
	"path"
	"strings"
)

// Read reads a mesh file by the extension of name, in any case: ".stl" with
// ReadSTL, ".obj" with ReadOBJ; any other extension is an error.
func Read(name string, data []byte) (verts []float32, faces []int32, err error) {
	switch ext := strings.ToLower(path.Ext(name)); ext {
	case ".stl":
		return ReadSTL(data)
	case ".obj":
		return ReadOBJ(data)
	default:
		return nil, nil, fmt.Errorf("format %q is not supported (STL and OBJ are)", ext)
	}
}

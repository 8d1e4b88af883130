package meshio

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ReadOBJ reads the vertices and faces of a Wavefront OBJ file (see the
// package documentation). A file without vertices is an error; one without
// faces is a point cloud.
func ReadOBJ(data []byte) (verts []float32, faces []int32, err error) {
	ln := 0
	for line := range bytes.Lines(data) {
		ln++
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := bytes.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch string(f[0]) {
		case "v":
			if len(f) < 4 { // x y z, then an optional w or colour
				return nil, nil, fmt.Errorf("line %d: a vertex needs 3 coordinates", ln)
			}
			if len(verts)/3 >= math.MaxInt32 {
				return nil, nil, fmt.Errorf("line %d: too many vertices", ln)
			}
			for _, tok := range f[1:4] {
				x, err := strconv.ParseFloat(string(tok), 32)
				if err != nil && !errors.Is(err, strconv.ErrRange) {
					return nil, nil, fmt.Errorf("line %d: %q is not a number", ln, tok)
				}
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, nil, fmt.Errorf("line %d: %q is not a finite number", ln, tok)
				}
				verts = append(verts, float32(x))
			}
		case "f":
			poly, err := objFace(f[1:], len(verts)/3)
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %v", ln, err)
			}
			for k := 1; k+1 < len(poly); k++ {
				faces = append(faces, poly[0], poly[k], poly[k+1])
			}
		}
	}
	if len(verts) == 0 {
		return nil, nil, errors.New("no vertices")
	}
	return verts, faces, nil
}

// objFace parses the vertex indices of an OBJ face ("7", "7/1", "7//3",
// "7/1/3"; negative indices count back from the last vertex) into 0-based
// indices, given the nv vertices read so far.
func objFace(refs [][]byte, nv int) ([]int32, error) {
	if len(refs) < 3 {
		return nil, errors.New("a face needs 3 vertices")
	}
	out := make([]int32, len(refs))
	for i, ref := range refs {
		s, _, _ := bytes.Cut(ref, []byte("/"))
		k, err := strconv.Atoi(string(s))
		if err != nil {
			return nil, fmt.Errorf("bad vertex index %q", ref)
		}
		if k < 0 {
			k = nv + k + 1
		}
		if k < 1 || k > nv {
			return nil, fmt.Errorf("vertex index %s out of range (%d vertices so far)", s, nv)
		}
		out[i] = int32(k - 1)
	}
	return out, nil
}

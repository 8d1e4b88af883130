package urdf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// readSTL reads a binary or ASCII STL mesh. It returns the vertices as
// x, y, z triples, with repeated vertices merged, and the triangles as vertex
// index triples; triangles that collapse to a line or point are dropped. A
// binary file is recognised by its size (84 + 50·n bytes for n triangles,
// whatever its header says: SolidWorks starts binary headers with "solid"),
// an ASCII one by its leading "solid".
func readSTL(r io.Reader) (verts []float32, faces []int32, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	var n uint64
	if len(data) >= 84 {
		n = uint64(binary.LittleEndian.Uint32(data[80:84]))
		if uint64(len(data)) == 84+50*n {
			return readBinarySTL(data, int(n))
		}
	}
	if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("solid")) {
		return readASCIISTL(data)
	}
	if len(data) < 84 {
		return nil, nil, fmt.Errorf("STL: %d bytes is too short for a binary STL and there is no ASCII \"solid\" header", len(data))
	}
	if uint64(len(data)) > 84+50*n { // trailing bytes after the triangles
		return readBinarySTL(data, int(n))
	}
	return nil, nil, fmt.Errorf("STL: binary header declares %d triangles (%d bytes) but the file has %d bytes", n, 84+50*n, len(data))
}

// stlBuilder merges repeated vertices.
type stlBuilder struct {
	verts []float32
	faces []int32
	index map[[3]float32]int32
}

func (b *stlBuilder) vertex(v [3]float32) (int32, error) {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return 0, fmt.Errorf("STL: vertex %v is not finite", v)
		}
	}
	if i, ok := b.index[v]; ok {
		return i, nil
	}
	if len(b.verts)/3 >= math.MaxInt32 {
		return 0, errors.New("STL: too many vertices")
	}
	i := int32(len(b.verts) / 3)
	b.verts = append(b.verts, v[0], v[1], v[2])
	b.index[v] = i
	return i, nil
}

func (b *stlBuilder) triangle(v [3][3]float32) error {
	var idx [3]int32
	for k := range v {
		i, err := b.vertex(v[k])
		if err != nil {
			return err
		}
		idx[k] = i
	}
	if idx[0] != idx[1] && idx[1] != idx[2] && idx[0] != idx[2] {
		b.faces = append(b.faces, idx[0], idx[1], idx[2])
	}
	return nil
}

func readBinarySTL(data []byte, n int) ([]float32, []int32, error) {
	b := stlBuilder{index: make(map[[3]float32]int32, n/2+1)}
	b.faces = make([]int32, 0, 3*n)
	for t := 0; t < n; t++ {
		rec := data[84+50*t : 84+50*t+50]
		var v [3][3]float32
		for k := 0; k < 3; k++ {
			for c := 0; c < 3; c++ {
				off := 12 + 12*k + 4*c
				v[k][c] = math.Float32frombits(binary.LittleEndian.Uint32(rec[off : off+4]))
			}
		}
		if err := b.triangle(v); err != nil {
			return nil, nil, fmt.Errorf("%w (triangle %d)", err, t)
		}
	}
	return b.verts, b.faces, nil
}

func readASCIISTL(data []byte) ([]float32, []int32, error) {
	toks := bytes.Fields(data)
	b := stlBuilder{index: map[[3]float32]int32{}}
	i := 0
	next := func() string {
		if i >= len(toks) {
			return ""
		}
		i++
		return string(toks[i-1])
	}
	expect := func(want string) error {
		if got := next(); got != want {
			if got == "" {
				return fmt.Errorf("ASCII STL: file ends where %q is expected", want)
			}
			return fmt.Errorf("ASCII STL: %q where %q is expected", got, want)
		}
		return nil
	}
	number := func() (float32, error) {
		s := next()
		v, err := strconv.ParseFloat(s, 32)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("ASCII STL: %q is not a finite number", s)
		}
		return float32(v), nil
	}
	inSolid := false
	facets := 0 // in the current solid
	for i < len(toks) {
		tok := next()
		switch {
		case tok == "solid" && !inSolid:
			inSolid, facets = true, 0
		case !inSolid:
			// The name after endsolid, or text between solids.
		case tok == "endsolid":
			inSolid = false
		case tok == "facet":
			facets++
			if err := expect("normal"); err != nil {
				return nil, nil, err
			}
			for k := 0; k < 3; k++ {
				if _, err := number(); err != nil {
					return nil, nil, err
				}
			}
			if err := expect("outer"); err != nil {
				return nil, nil, err
			}
			if err := expect("loop"); err != nil {
				return nil, nil, err
			}
			var v [3][3]float32
			for k := 0; k < 3; k++ {
				if err := expect("vertex"); err != nil {
					return nil, nil, err
				}
				for c := 0; c < 3; c++ {
					x, err := number()
					if err != nil {
						return nil, nil, err
					}
					v[k][c] = x
				}
			}
			if err := expect("endloop"); err != nil {
				return nil, nil, err
			}
			if err := expect("endfacet"); err != nil {
				return nil, nil, err
			}
			if err := b.triangle(v); err != nil {
				return nil, nil, err
			}
		default:
			// Solid name tokens before the first facet.
			if facets > 0 {
				return nil, nil, fmt.Errorf("ASCII STL: unexpected %q between facets", tok)
			}
		}
	}
	return b.verts, b.faces, nil
}

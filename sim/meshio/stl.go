package meshio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ReadSTL reads a binary or ASCII STL file (see the package documentation
// for how the two are told apart). It merges repeated vertices and drops
// triangles that collapse onto a line or a point.
func ReadSTL(data []byte) (verts []float32, faces []int32, err error) {
	var n uint64 // triangles declared by a binary header
	if len(data) >= 84 {
		n = uint64(binary.LittleEndian.Uint32(data[80:84]))
		if uint64(len(data)) == 84+50*n {
			return readBinarySTL(data, int(n))
		}
	}
	// A binary file declaring fewer than 2²⁴ triangles has a NUL at byte 83,
	// so a truncated one whose header starts with "solid" is not taken for
	// ASCII.
	solid := bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("solid"))
	if solid && bytes.IndexByte(data, 0) < 0 {
		return readASCIISTL(data)
	}
	why := `it does not start with "solid" as ASCII STL does`
	if solid {
		why = `it starts with "solid" but holds NUL bytes, which ASCII STL cannot`
	}
	if len(data) < 84 {
		return nil, nil, fmt.Errorf("not an STL file: %s, and %d bytes is too short for binary STL", why, len(data))
	}
	if uint64(len(data)) > 84+50*n { // trailing bytes after the triangles
		return readBinarySTL(data, int(n))
	}
	return nil, nil, fmt.Errorf("not an STL file: %s, and its binary header declares %d triangles (%d bytes) but the file has %d bytes",
		why, n, 84+50*n, len(data))
}

// stlBuilder merges repeated vertices and drops collapsed triangles.
type stlBuilder struct {
	verts []float32
	faces []int32
	index map[[3]float32]int32
}

func (b *stlBuilder) vertex(v [3]float32) (int32, error) {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return 0, fmt.Errorf("vertex (%g, %g, %g) is not finite", v[0], v[1], v[2])
		}
	}
	if i, ok := b.index[v]; ok {
		return i, nil
	}
	if len(b.verts)/3 >= math.MaxInt32 {
		return 0, errors.New("too many vertices")
	}
	i := int32(len(b.verts) / 3)
	b.verts = append(b.verts, v[0], v[1], v[2])
	b.index[v] = i
	return i, nil
}

func (b *stlBuilder) triangle(v *[3][3]float32) error {
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

// readBinarySTL reads the n 50-byte triangle records after the 84-byte
// header: a normal, three vertices, and two attribute bytes.
func readBinarySTL(data []byte, n int) ([]float32, []int32, error) {
	b := stlBuilder{index: make(map[[3]float32]int32, n/2+1), faces: make([]int32, 0, 3*n)}
	for t := range n {
		rec := data[84+50*t : 84+50*t+50]
		var v [3][3]float32
		for k := range 3 {
			for c := range 3 {
				off := 12 + 12*k + 4*c
				v[k][c] = math.Float32frombits(binary.LittleEndian.Uint32(rec[off : off+4]))
			}
		}
		if err := b.triangle(&v); err != nil {
			return nil, nil, fmt.Errorf("binary STL: triangle %d: %w", t, err)
		}
	}
	return b.verts, b.faces, nil
}

// stlTokens splits ASCII STL into whitespace-separated tokens, counting
// lines.
type stlTokens struct {
	data []byte
	pos  int
	line int // of the last token returned
}

// next returns the next token, or nil at the end.
func (s *stlTokens) next() []byte {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '\n':
			s.line++
		case ' ', '\t', '\r', '\v', '\f':
		default:
			start := s.pos
			for s.pos < len(s.data) && !isSpace(s.data[s.pos]) {
				s.pos++
			}
			return s.data[start:s.pos]
		}
		s.pos++
	}
	return nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

func (s *stlTokens) errorf(format string, args ...any) error {
	return fmt.Errorf("ASCII STL: line %d: %s", s.line, fmt.Sprintf(format, args...))
}

// expect reads the next token, which must be want.
func (s *stlTokens) expect(want string) error {
	got := s.next()
	if got == nil {
		return s.errorf("file ends where %q is expected", want)
	}
	if string(got) != want {
		return s.errorf("%q where %q is expected", got, want)
	}
	return nil
}

// number reads a finite coordinate.
func (s *stlTokens) number() (float32, error) {
	tok := s.next()
	if tok == nil {
		return 0, s.errorf("file ends where a number is expected")
	}
	v, err := strconv.ParseFloat(string(tok), 32)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, s.errorf("%q is not a finite number", tok)
	}
	return float32(v), nil
}

// readASCIISTL reads one or more "solid name … endsolid name" sections of
// facets.
func readASCIISTL(data []byte) ([]float32, []int32, error) {
	s := stlTokens{data: data, line: 1}
	b := stlBuilder{index: map[[3]float32]int32{}}
	inSolid := false
	facets := 0 // in the current solid
	for tok := s.next(); tok != nil; tok = s.next() {
		switch {
		case string(tok) == "solid" && !inSolid:
			inSolid, facets = true, 0
		case !inSolid:
			// The name after endsolid, or text between solids.
		case string(tok) == "endsolid":
			inSolid = false
		case string(tok) == "facet":
			facets++
			if err := s.expect("normal"); err != nil {
				return nil, nil, err
			}
			for range 3 { // ignored, and may be anything (exporters write nan)
				if s.next() == nil {
					return nil, nil, s.errorf("file ends in a facet normal")
				}
			}
			if err := s.expect("outer"); err != nil {
				return nil, nil, err
			}
			if err := s.expect("loop"); err != nil {
				return nil, nil, err
			}
			var v [3][3]float32
			for k := range 3 {
				if err := s.expect("vertex"); err != nil {
					return nil, nil, err
				}
				for c := range 3 {
					x, err := s.number()
					if err != nil {
						return nil, nil, err
					}
					v[k][c] = x
				}
			}
			if err := s.expect("endloop"); err != nil {
				return nil, nil, err
			}
			if err := s.expect("endfacet"); err != nil {
				return nil, nil, err
			}
			if err := b.triangle(&v); err != nil {
				return nil, nil, s.errorf("%v", err)
			}
		default:
			// Solid name tokens before the first facet.
			if facets > 0 {
				return nil, nil, s.errorf("unexpected %q between facets", tok)
			}
		}
	}
	return b.verts, b.faces, nil
}

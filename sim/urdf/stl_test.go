package urdf

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
)

// binarySTL encodes triangles as a binary STL with the given 80-byte header
// text.
func binarySTL(header string, tris ...[9]float32) []byte {
	var b bytes.Buffer
	h := make([]byte, 80)
	copy(h, header)
	b.Write(h)
	binary.Write(&b, binary.LittleEndian, uint32(len(tris)))
	for _, t := range tris {
		binary.Write(&b, binary.LittleEndian, [3]float32{0, 0, 1})
		binary.Write(&b, binary.LittleEndian, t)
		binary.Write(&b, binary.LittleEndian, uint16(0))
	}
	return b.Bytes()
}

var square = [][9]float32{{0, 0, 0, 1, 0, 0, 0, 1, 0}, {1, 0, 0, 1, 1, 0, 0, 1, 0}}

func TestReadSTL(t *testing.T) {
	wantV := []float32{0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0}
	wantF := []int32{0, 1, 2, 1, 3, 2}
	cases := map[string][]byte{
		"ascii":             []byte(asciiSTL),
		"binary":            binarySTL("binary", square...),
		"binary solid":      binarySTL("solid exported by SolidWorks", square...), // header starts like ASCII
		"binary trailing":   append(binarySTL("x", square...), 0, 0, 0),
		"ascii two solids":  []byte(strings.Replace(asciiSTL, "endfacet\nfacet", "endfacet\nendsolid a\nsolid b\nfacet", 1)),
		"binary degenerate": binarySTL("", append([][9]float32{{5, 5, 5, 5, 5, 5, 1, 2, 3}}, square...)...),
	}
	for name, data := range cases {
		v, f, err := readSTL(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if name == "binary degenerate" { // the collapsed triangle's vertices stay, unused
			v, f = v[6:], slices.Clone(f)
			for i := range f {
				f[i] -= 2
			}
		}
		if !slices.Equal(v, wantV) || !slices.Equal(f, wantF) {
			t.Errorf("%s: vertices %v faces %v, want %v %v", name, v, f, wantV, wantF)
		}
	}
	if v, f, err := readSTL(bytes.NewReader(binarySTL("empty"))); err != nil || len(v) != 0 || len(f) != 0 {
		t.Errorf("empty binary: %v %v %v", v, f, err)
	}

	nan := float32(math.NaN())
	bad := map[string]struct {
		data []byte
		want string
	}{
		"short":         {[]byte("abc"), "too short"},
		"truncated":     {binarySTL("x", square...)[:120], "declares 2 triangles (184 bytes) but the file has 120 bytes"},
		"nan":           {binarySTL("x", [9]float32{nan, 0, 0, 1, 0, 0, 0, 1, 0}), "not finite"},
		"ascii number":  {[]byte("solid a\nfacet normal 0 0 1\nouter loop\nvertex 0 x 0\n"), `"x" is not a finite number`},
		"ascii cut":     {[]byte("solid a\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\n"), `file ends where "vertex" is expected`},
		"ascii polygon": {[]byte(strings.Replace(asciiSTL, "  vertex 0 1 0\n endloop", "  vertex 0 1 0\n  vertex 5 5 5\n endloop", 1)), `"vertex" where "endloop" is expected`},
		"ascii garbage": {[]byte(strings.Replace(asciiSTL, "endfacet\nfacet", "endfacet\nbogus\nfacet", 1)), `unexpected "bogus" between facets`},
		"ascii inf":     {[]byte(strings.Replace(asciiSTL, "vertex 1 1 0", "vertex 1 1e99 0", 1)), `"1e99" is not a finite number`},
	}
	for name, c := range bad {
		_, _, err := readSTL(bytes.NewReader(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}

// FuzzReadSTL feeds arbitrary bytes to the STL reader: it must not panic, and
// what it returns must index its own vertices.
func FuzzReadSTL(f *testing.F) {
	f.Add([]byte(asciiSTL))
	f.Add(binarySTL("solid x", square...))
	f.Add([]byte("solid\nfacet normal 0 0 0 outer loop vertex 1 2 3 vertex 4 5 6 vertex 7 8 9 endloop endfacet endsolid"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, faces, err := readSTL(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(v)%3 != 0 || len(faces)%3 != 0 {
			t.Fatalf("%d coordinates, %d indices", len(v), len(faces))
		}
		for _, i := range faces {
			if i < 0 || int(i) >= len(v)/3 {
				t.Fatalf("face index %d out of %d vertices", i, len(v)/3)
			}
		}
	})
}

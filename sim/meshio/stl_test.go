package meshio

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// binarySTL encodes triangles as a binary STL with the given header text.
func binarySTL(header string, tris ...[9]float32) []byte { return EncodeSTL(header, tris) }

var square = [][9]float32{{0, 0, 0, 1, 0, 0, 0, 1, 0}, {1, 0, 0, 1, 1, 0, 0, 1, 0}}

// asciiSTL is square as ASCII STL: a unit right triangle and a second
// sharing an edge.
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

func TestReadSTL(t *testing.T) {
	wantV := []float32{0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0}
	wantF := []int32{0, 1, 2, 1, 3, 2}
	cases := map[string][]byte{
		"ascii":             []byte(asciiSTL),
		"ascii crlf":        []byte(strings.ReplaceAll(asciiSTL, "\n", "\r\n")),
		"ascii nan normal":  []byte(strings.Replace(asciiSTL, "normal 0 0 1", "normal -nan -nan -nan", 1)),
		"ascii leading ws":  []byte("\n  " + asciiSTL),
		"binary":            binarySTL("binary", square...),
		"binary solid":      binarySTL("solid exported by SolidWorks", square...), // header starts like ASCII
		"binary trailing":   append(binarySTL("x", square...), 0, 0, 0),
		"binary solid tail": append(binarySTL("solid x", square...), '\n'),
		"ascii two solids":  []byte(strings.Replace(asciiSTL, "endfacet\nfacet", "endfacet\nendsolid a\nsolid b\nfacet", 1)),
		"binary degenerate": binarySTL("", append([][9]float32{{5, 5, 5, 5, 5, 5, 1, 2, 3}}, square...)...),
	}
	for name, data := range cases {
		v, f, err := ReadSTL(data)
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
	if v, f, err := ReadSTL(binarySTL("empty")); err != nil || len(v) != 0 || len(f) != 0 {
		t.Errorf("empty binary: %v %v %v", v, f, err)
	}
	if v, f, err := ReadSTL([]byte("solid empty\nendsolid empty\n")); err != nil || len(v) != 0 || len(f) != 0 {
		t.Errorf("empty ASCII: %v %v %v", v, f, err)
	}

	nan := float32(math.NaN())
	inf := float32(math.Inf(-1))
	bad := map[string]struct {
		data []byte
		want string
	}{
		"short":           {[]byte("abc"), `not an STL file: it does not start with "solid" as ASCII STL does, and 3 bytes is too short`},
		"garbage":         {[]byte("garbage"), "not an STL file"},
		"truncated":       {binarySTL("x", square...)[:120], "declares 2 triangles (184 bytes) but the file has 120 bytes"},
		"truncated solid": {binarySTL("solid x", square...)[:100], `starts with "solid" but holds NUL bytes, which ASCII STL cannot, and its binary header declares 2 triangles (184 bytes) but the file has 100 bytes`},
		"nan":             {binarySTL("x", [9]float32{nan, 0, 0, 1, 0, 0, 0, 1, 0}), "binary STL: triangle 0: vertex (NaN, 0, 0) is not finite"},
		"inf":             {binarySTL("x", append(square, [9]float32{0, 0, 0, 1, 0, 0, 0, inf, 0})...), "binary STL: triangle 2: vertex (0, -Inf, 0) is not finite"},
		"ascii number":    {[]byte("solid a\nfacet normal 0 0 1\nouter loop\nvertex 0 x 0\n"), `ASCII STL: line 4: "x" is not a finite number`},
		"ascii cut":       {[]byte("solid a\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\n"), `file ends where "vertex" is expected`},
		"ascii cut num":   {[]byte("solid a\nfacet normal 0 0 1\nouter loop\nvertex 0 0"), `file ends where a number is expected`},
		"ascii cut norm":  {[]byte("solid a\nfacet normal 0 0"), `file ends in a facet normal`},
		"ascii polygon":   {[]byte(strings.Replace(asciiSTL, "  vertex 0 1 0\n endloop", "  vertex 0 1 0\n  vertex 5 5 5\n endloop", 1)), `ASCII STL: line 7: "vertex" where "endloop" is expected`},
		"ascii garbage":   {[]byte(strings.Replace(asciiSTL, "endfacet\nfacet", "endfacet\nbogus\nfacet", 1)), `ASCII STL: line 9: unexpected "bogus" between facets`},
		"ascii inf":       {[]byte(strings.Replace(asciiSTL, "vertex 1 1 0", "vertex 1 1e99 0", 1)), `ASCII STL: line 12: "1e99" is not a finite number`},
		"ascii nan":       {[]byte(strings.Replace(asciiSTL, "vertex 1 1 0", "vertex 1 nan 0", 1)), `"nan" is not a finite number`},
	}
	for name, c := range bad {
		_, _, err := ReadSTL(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}

// TestReadSTLMerges checks vertex merging on a closed box of 12 triangles.
func TestReadSTLMerges(t *testing.T) {
	c := [8][3]float32{}
	for i := range c {
		c[i] = [3]float32{float32(i & 1), float32(i >> 1 & 1), float32(i >> 2 & 1)}
	}
	quads := [6][4]int{{0, 2, 3, 1}, {4, 5, 7, 6}, {0, 1, 5, 4}, {2, 6, 7, 3}, {0, 4, 6, 2}, {1, 3, 7, 5}}
	var tris [][9]float32
	for _, q := range quads {
		for _, tri := range [2][3]int{{q[0], q[1], q[2]}, {q[0], q[2], q[3]}} {
			var r [9]float32
			for k, i := range tri {
				copy(r[3*k:], c[i][:])
			}
			tris = append(tris, r)
		}
	}
	v, f, err := ReadSTL(binarySTL("box", tris...))
	if err != nil || len(v) != 3*8 || len(f) != 3*12 {
		t.Fatalf("box: %d vertices, %d triangles, %v; want 8, 12", len(v)/3, len(f)/3, err)
	}
	for i := range 12 { // the triangles are the ones written, in order
		for k := range 3 {
			j := f[3*i+k]
			if got := [3]float32(v[3*j : 3*j+3]); !slices.Equal(got[:], tris[i][3*k:3*k+3]) {
				t.Fatalf("triangle %d vertex %d: %v, want %v", i, k, got, tris[i][3*k:3*k+3])
			}
		}
	}
}

func TestRead(t *testing.T) {
	for _, name := range []string{"a.stl", "dir.x/B.STL", "c.Stl"} {
		if v, _, err := Read(name, []byte(asciiSTL)); err != nil || len(v) != 12 {
			t.Errorf("%s: %d coordinates, %v", name, len(v), err)
		}
	}
	if v, f, err := Read("m.OBJ", []byte("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")); err != nil || len(v) != 9 || len(f) != 3 {
		t.Errorf("OBJ: %v %v %v", v, f, err)
	}
	for name, want := range map[string]string{"x.msh": `format ".msh" is not supported (STL and OBJ are)`, "stl": `format "" is not supported`} {
		if _, _, err := Read(name, []byte(asciiSTL)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", name, err, want)
		}
	}
}

// checkMesh fails unless verts holds whole triples and faces whole triangles
// of indices into them.
func checkMesh(t *testing.T, v []float32, faces []int32) {
	t.Helper()
	if len(v)%3 != 0 || len(faces)%3 != 0 {
		t.Fatalf("%d coordinates, %d indices", len(v), len(faces))
	}
	for _, i := range faces {
		if i < 0 || int(i) >= len(v)/3 {
			t.Fatalf("face index %d out of %d vertices", i, len(v)/3)
		}
	}
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			t.Fatalf("vertex coordinate %g", x)
		}
	}
}

// FuzzReadSTL feeds arbitrary bytes to the STL reader: it must not panic, and
// what it returns must be finite and index its own vertices.
func FuzzReadSTL(f *testing.F) {
	f.Add([]byte(asciiSTL))
	f.Add(binarySTL("solid x", square...))
	f.Add([]byte("solid\nfacet normal 0 0 0 outer loop vertex 1 2 3 vertex 4 5 6 vertex 7 8 9 endloop endfacet endsolid"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, faces, err := ReadSTL(data)
		if err != nil {
			return
		}
		checkMesh(t, v, faces)
		for i := 0; i < len(faces); i += 3 {
			if faces[i] == faces[i+1] || faces[i+1] == faces[i+2] || faces[i] == faces[i+2] {
				t.Fatalf("collapsed triangle %v", faces[i:i+3])
			}
		}
	})
}

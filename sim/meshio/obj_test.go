package meshio

import (
	"slices"
	"strings"
	"testing"
)

// A unit cube with quad faces, texture and normal indices, a negative index,
// a trailing comment and CRLF line ends.
const cubeOBJ = "# cube\r\no cube\r\nv 0 0 0\r\nv 1 0 0\r\nv 1 1 0\r\nv 0 1 0\r\n" +
	"v 0 0 1 1.0\r\nv 1 0 1\r\nv 1 1 1 0.5 0.5 0.5\r\nv 0 1 1\r\nvt 0 0\r\nvn 0 0 1\r\n" +
	"f 1 4 3 2\r\nf 5/1 6/1 7/1 8/1 # top\r\nf 1//1 2//1 6//1 5//1\r\nf 2/1/1 3/1/1 7/1/1 6/1/1\r\ns off\r\nf 3 4 8 7\r\nf 4 1 5 -1\r\n"

func TestReadOBJ(t *testing.T) {
	v, f, err := ReadOBJ([]byte(cubeOBJ))
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 3*8 || len(f) != 3*12 {
		t.Fatalf("%d vertices, %d triangles; want 8, 12", len(v)/3, len(f)/3)
	}
	if !slices.Equal(v[18:21], []float32{1, 1, 1}) {
		t.Errorf("vertex 7 is %v", v[18:21])
	}
	// Fans: quad 1 4 3 2 gives (0 3 2) (0 2 1); the last, 4 1 5 -1, ends with (4 5 8).
	if !slices.Equal(f[:6], []int32{0, 3, 2, 0, 2, 1}) || !slices.Equal(f[33:], []int32{3, 4, 7}) {
		t.Errorf("faces %v", f)
	}
	if v, f, err := ReadOBJ([]byte("v 1 2 3\nv 1e-60 0 0\n")); err != nil || len(v) != 6 || len(f) != 0 || v[3] != 0 {
		t.Errorf("point cloud: %v %v %v", v, f, err)
	}

	bad := map[string]string{
		"v 0 0 0\nf 1 2 3\n":  "line 2: vertex index 2 out of range (1 vertices so far)",
		"v 0 0 0\nf 1 1 -2\n": "line 2: vertex index -2 out of range",
		"v 0 0 0\nf 1 1 0\n":  "line 2: vertex index 0 out of range",
		"v 0 0 0\nf 1 1\n":    "line 2: a face needs 3 vertices",
		"v 0 0 0\nf 1 a 1\n":  `line 2: bad vertex index "a"`,
		"\n\nv 0 0\n":         "line 3: a vertex needs 3 coordinates",
		"v 0 x 0\n":           `line 1: "x" is not a number`,
		"v 0 1e99 0\n":        `line 1: "1e99" is not a finite number`,
		"v 0 nan 0\n":         `line 1: "nan" is not a finite number`,
		"# nothing\nvt 0 0\n": "no vertices",
		"":                    "no vertices",
	}
	for src, want := range bad {
		if _, _, err := ReadOBJ([]byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}

// FuzzReadOBJ feeds arbitrary bytes to the OBJ reader: it must not panic, and
// what it returns must be finite and index its own vertices.
func FuzzReadOBJ(f *testing.F) {
	f.Add([]byte(cubeOBJ))
	f.Add([]byte("v 0 0 0\nv 1 0 0\nv 0 1 0\nf -3 -2 -1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, faces, err := ReadOBJ(data)
		if err != nil {
			return
		}
		checkMesh(t, v, faces)
	})
}

package mjcf

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// loadString loads one in-memory model file named model.xml.
func loadString(t *testing.T, src string) *rbd.Model {
	t.Helper()
	m, err := Load(fstest.MapFS{"model.xml": {Data: []byte(src)}}, "model.xml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return m
}

// loadErr loads one in-memory model file and returns the error message.
func loadErr(t *testing.T, src string) string {
	t.Helper()
	_, err := Load(fstest.MapFS{"model.xml": {Data: []byte(src)}}, "model.xml")
	if err == nil {
		t.Fatalf("Load succeeded, want an error")
	}
	return err.Error()
}

// wantContains fails unless msg contains every part.
func wantContains(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("message %q does not contain %q", msg, p)
		}
	}
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.12g, want %.12g (tolerance %g)", what, got, want, tol)
	}
}

func nearVec(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol {
			t.Errorf("%s = %.9g, want %.9g (tolerance %g)", what, got, want, tol)
			return
		}
	}
}

// nearQuat compares unit quaternions up to sign.
func nearQuat(t *testing.T, what string, got, want spatial.Quat, tol float64) {
	t.Helper()
	if got.W*want.W+got.X*want.X+got.Y*want.Y+got.Z*want.Z < 0 {
		want = spatial.Quat{W: -want.W, X: -want.X, Y: -want.Y, Z: -want.Z}
	}
	nearVec(t, what, []float64{got.W, got.X, got.Y, got.Z}, []float64{want.W, want.X, want.Y, want.Z}, tol)
}

// encodeSTL writes triangles as a binary STL file.
func encodeSTL(tris [][3]spatial.Vec3) []byte {
	buf := make([]byte, 84+50*len(tris))
	binary.LittleEndian.PutUint32(buf[80:], uint32(len(tris)))
	for i, tri := range tris {
		off := 84 + 50*i + 12 // after the normal
		for k := 0; k < 3; k++ {
			for c := 0; c < 3; c++ {
				binary.LittleEndian.PutUint32(buf[off+12*k+4*c:], math.Float32bits(float32(tri[k][c])))
			}
		}
	}
	return buf
}

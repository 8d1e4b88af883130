package mjcf

import (
	"bytes"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim/spatial"
)

// FuzzLoad feeds arbitrary bytes to Load. The input is the main file; after
// a NUL byte comes the content of inc.xml, which the main file may include.
// Two mesh files are present as well. Load must never panic; it either
// returns a finalized model or a located error. The seed corpus is in
// testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	mesh := boxSTL(0.1, 0.2, 0.3, spatial.Vec3{})
	f.Fuzz(func(t *testing.T, data []byte) {
		main, inc, _ := bytes.Cut(data, []byte{0})
		fsys := fstest.MapFS{
			"model.xml":       {Data: main},
			"inc.xml":         {Data: inc},
			"meshes/box.stl":  {Data: mesh},
			"meshes/cube.obj": {Data: []byte(cubeOBJ)},
		}
		m, err := Load(fsys, "model.xml")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File == "" || err.Error() == "" {
				t.Fatalf("error %q is not a located *Error", err)
			}
			return
		}
		if !m.Finalized() || len(m.Qpos0) != m.Nq || len(m.Bodies) == 0 {
			t.Fatalf("model not finalized: nq %d, qpos0 %d", m.Nq, len(m.Qpos0))
		}
	})
}

package urdf

import (
	"math"
	"testing"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim/rbd"
)

// FuzzLoad feeds arbitrary bytes to Load as a URDF, with two mesh files
// present. Load must not panic; a model it accepts must be finalized and
// usable by the kinematics. Seeds: testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(limitsSrc))
	f.Add([]byte(`<robot name="m"><link name="a"><visual><geometry><mesh filename="m.stl" scale="1 2 -1"/></geometry></visual>
<collision><geometry><mesh filename="package://pkg/meshes/b.stl"/></geometry></collision></link></robot>`))
	stl := binarySTL("solid", square...)
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"r.urdf":             {Data: data},
			"m.stl":              {Data: []byte(asciiSTL)},
			"pkg/meshes/b.stl":   {Data: stl},
			"pkg/meshes/bad.stl": {Data: stl[:100]},
		}
		for _, opt := range []Options{DefaultOptions(), {}} {
			m, err := Load(fsys, "r.urdf", opt)
			if err != nil {
				if m != nil {
					t.Fatalf("model and error %v", err)
				}
				continue
			}
			checkModel(t, m)
		}
	})
}

// checkModel checks invariants of a loaded model and runs the kinematics at
// the reference configuration.
func checkModel(t *testing.T, m *rbd.Model) {
	t.Helper()
	if !m.Finalized() || len(m.Qpos0) != m.Nq || m.Nu != len(m.Actuators) {
		t.Fatalf("finalized %v, qpos0 %d values for nq %d, nu %d", m.Finalized(), len(m.Qpos0), m.Nq, m.Nu)
	}
	for _, g := range m.Geoms {
		if g.Type == rbd.GeomMesh {
			if g.Mesh < 0 || g.Mesh >= len(m.Meshes) {
				t.Fatalf("geom %q: mesh %d of %d", g.Name, g.Mesh, len(m.Meshes))
			}
			me := &m.Meshes[g.Mesh]
			for _, i := range me.Faces {
				if i < 0 || int(i) >= len(me.Vertices)/3 {
					t.Fatalf("mesh %q: face index %d out of range", me.Name, i)
				}
			}
		} else if g.Mesh != -1 {
			t.Fatalf("geom %q of type %v has mesh %d", g.Name, g.Type, g.Mesh)
		}
	}
	for _, b := range m.Bodies {
		if math.IsNaN(b.Mass) || !b.COM.IsFinite() || !b.Inertia.IsFinite() {
			t.Fatalf("body %q: mass %g COM %v", b.Name, b.Mass, b.COM)
		}
	}
	d := rbd.NewData(m)
	rbd.Kinematics(m, d, m.Qpos0)
	big := false // offsets near the float64 range may overflow when composed
	for _, b := range m.Bodies {
		big = big || math.Abs(b.Pos[0])+math.Abs(b.Pos[1])+math.Abs(b.Pos[2]) > 1e100
	}
	for i := range d.XBody {
		if !big && (!d.XBody[i].P.IsFinite() || !d.XBody[i].R.IsFinite()) {
			t.Fatalf("body %d pose not finite: %v", i, d.XBody[i])
		}
	}
}

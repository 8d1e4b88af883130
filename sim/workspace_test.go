package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// A model far beyond a robot (3000 free boxes: 18,000 dofs, up to 162,000
// constraint rows, tens of GiB of dense row workspace) is refused by
// NewWorld with a message naming the sizes, before anything that large is
// allocated; a robot-sized model is not affected.
func TestNewWorldRefusesAModelTooLargeToSimulate(t *testing.T) {
	build := func(n int) *rbd.Model {
		m := rbd.NewModel("crowd")
		for i := 0; i < n; i++ {
			m.Bodies = append(m.Bodies, rbd.Body{Name: fmt.Sprintf("b%d", i), Parent: 0, Pos: spatial.Vec3{float64(i), 0, 1},
				Quat: spatial.IdentityQuat(), Mass: 1, Inertia: spatial.Diag3(spatial.Vec3{0.01, 0.01, 0.01})})
			m.Joints = append(m.Joints, rbd.Joint{Name: fmt.Sprintf("f%d", i), Type: rbd.JointFree, Body: i + 1})
			m.Geoms = append(m.Geoms, rbd.Geom{Name: fmt.Sprintf("g%d", i), Body: i + 1, Type: rbd.GeomBox, Size: spatial.Vec3{.1, .1, .1},
				Quat: spatial.IdentityQuat(), Contype: 1, Conaffinity: 1, Condim: 3, Friction: [3]float64{1, 0.005, 0.0001}, Mesh: -1})
		}
		if err := m.Finalize(); err != nil {
			t.Fatal(err)
		}
		return m
	}
	_, err := NewWorld(build(3000), nil, DefaultOptions())
	if err == nil || !strings.Contains(err.Error(), `model "crowd" is too large for the simulator: 18000 degrees of freedom`) ||
		!strings.Contains(err.Error(), "the limit is 1 GiB") {
		t.Fatalf("3000 free boxes: %v", err)
	}
	if _, err := NewWorld(build(20), nil, DefaultOptions()); err != nil {
		t.Fatalf("20 free boxes: %v", err)
	}
}

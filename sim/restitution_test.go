package sim

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// A ball dropped on the ground rebounds with a restitution set by the
// contact's damping ratio: never above the continuous spring–damper's
// exp(−πζ/√(1−ζ²)) (no energy from the discretisation), at least 60 % of it
// at steps up to 1 ms (the implicit step's numerical damping), decreasing
// with ζ, and no bounce at ζ = 1.
func TestRestitutionFollowsDampRatio(t *testing.T) {
	prev := map[float64]float64{}
	for _, c := range []struct{ zeta, h float64 }{{0.1, 0.0005}, {0.2, 0.0005}, {0.4, 0.0005}, {1, 0.0005}, {0.1, 0.001}, {0.2, 0.001}, {0.4, 0.001}, {1, 0.001}} {
		m := rbd.NewModel("ball")
		m.Bodies = append(m.Bodies, rbd.Body{Name: "ball", Parent: 0, Quat: spatial.IdentityQuat(), Mass: 1,
			Inertia: spatial.Diag3(spatial.Vec3{0.004, 0.004, 0.004})})
		m.Joints = append(m.Joints, rbd.Joint{Name: "free", Type: rbd.JointFree, Body: 1})
		m.Geoms = append(m.Geoms, rbd.Geom{Name: "ball", Body: 1, Type: rbd.GeomSphere, Size: spatial.Vec3{0.1},
			Quat: spatial.IdentityQuat(), Mesh: -1, Contype: 1, Conaffinity: 1, Friction: [3]float64{1}})
		if err := m.Finalize(); err != nil {
			t.Fatal(err)
		}
		opt := DefaultOptions()
		opt.Timestep = c.h
		opt.Contact.DampRatio = c.zeta
		w := newWorld(t, m, FlatGround(1), opt)
		w.Qpos[2] = 0.3
		vin, vout := 0.0, 0.0
		for i := 0; i < int(0.5/c.h); i++ {
			stepN(t, w, 1)
			vin = math.Min(vin, w.Qvel[2])
			if vin < 0 && w.Qvel[2] > vout {
				vout = w.Qvel[2]
			}
			if vout > 0 && w.Qvel[2] < vout-0.05 {
				break // rising and decelerating: past the rebound
			}
		}
		e := vout / -vin
		want := math.Exp(-math.Pi * c.zeta / math.Sqrt(1-c.zeta*c.zeta))
		if c.zeta >= 1 {
			want = 0
		}
		t.Logf("ζ %.1f h %.4f: restitution %.3f, continuous spring–damper %.3f", c.zeta, c.h, e, want)
		switch {
		case c.zeta < 1 && e > want+0.02:
			t.Errorf("ζ %.1f h %.4f: restitution %.3f above the continuous %.3f", c.zeta, c.h, e, want)
		case c.zeta < 1 && e < 0.6*want:
			t.Errorf("ζ %.1f h %.4f: restitution %.3f below 60 %% of the continuous %.3f", c.zeta, c.h, e, want)
		case c.zeta >= 1 && e > 0.05:
			t.Errorf("ζ 1 h %.4f: the ball bounced back at %.3f of its speed", c.h, e)
		}
		if p, ok := prev[c.h]; ok && e > p {
			t.Errorf("h %.4f: restitution rose from %.3f to %.3f as ζ rose to %.1f", c.h, p, e, c.zeta)
		}
		prev[c.h] = e
	}
}

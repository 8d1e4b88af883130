package sim

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// oneGeom returns a world with a single free body carrying geom g at pose
// (p, q), on terrain t, after kinematics and collision.
func oneGeom(t *testing.T, g rbd.Geom, p spatial.Vec3, q spatial.Quat, terrain *Terrain) *World {
	t.Helper()
	m := rbd.NewModel("geom")
	m.Bodies = append(m.Bodies, rbd.Body{Name: "b", Parent: 0, Quat: spatial.IdentityQuat(), Mass: 1,
		Inertia: spatial.Diag3(spatial.Vec3{0.01, 0.01, 0.01})})
	m.Joints = append(m.Joints, rbd.Joint{Name: "free", Type: rbd.JointFree, Body: 1})
	g.Body, g.Quat, g.Mesh = 1, spatial.IdentityQuat(), -1
	g.Contype, g.Conaffinity, g.Friction = 1, 1, [3]float64{1, 0, 0}
	m.Geoms = append(m.Geoms, g)
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, m, terrain, DefaultOptions())
	copy(w.Qpos, []float64{p[0], p[1], p[2], q.W, q.X, q.Y, q.Z})
	w.Forward()
	return w
}

// deepest returns the most penetrating contact.
func deepest(w *World) (Contact, bool) {
	var best Contact
	ok := false
	for _, c := range w.Contacts {
		if !ok || c.Dist < best.Dist {
			best, ok = c, true
		}
	}
	return best, ok
}

func TestCollisionAgainstPlanes(t *testing.T) {
	tilt := 0.3
	up := spatial.Vec3{-math.Sin(tilt), 0, math.Cos(tilt)}
	rotY := func(a float64) spatial.Quat { return spatial.QuatFromAxisAngle(spatial.Vec3{0, 1, 0}, a) }
	rotX := func(a float64) spatial.Quat { return spatial.QuatFromAxisAngle(spatial.Vec3{1, 0, 0}, a) }
	cases := []struct {
		name     string
		geom     rbd.Geom
		pos      spatial.Vec3
		quat     spatial.Quat
		terrain  *Terrain
		dist     float64 // expected deepest signed distance
		normal   spatial.Vec3
		contacts int
	}{
		{"sphere flat", rbd.Geom{Type: rbd.GeomSphere, Size: spatial.Vec3{0.1}}, spatial.Vec3{0, 0, 0.098}, spatial.IdentityQuat(), FlatGround(1), -0.002, spatial.Vec3{0, 0, 1}, 1},
		{"sphere tilted", rbd.Geom{Type: rbd.GeomSphere, Size: spatial.Vec3{0.1}}, up.Scale(0.097), spatial.IdentityQuat(), TiltedGround(tilt, 1), -0.003, up, 1},
		{"capsule lying", rbd.Geom{Type: rbd.GeomCapsule, Size: spatial.Vec3{0.05, 0.2}}, spatial.Vec3{0, 0, 0.049}, rotY(math.Pi / 2), FlatGround(1), -0.001, spatial.Vec3{0, 0, 1}, 2},
		{"capsule standing", rbd.Geom{Type: rbd.GeomCapsule, Size: spatial.Vec3{0.05, 0.2}}, spatial.Vec3{0, 0, 0.248}, spatial.IdentityQuat(), FlatGround(1), -0.002, spatial.Vec3{0, 0, 1}, 1},
		{"box flat", rbd.Geom{Type: rbd.GeomBox, Size: spatial.Vec3{0.1, 0.05, 0.02}}, spatial.Vec3{0, 0, 0.019}, spatial.IdentityQuat(), FlatGround(1), -0.001, spatial.Vec3{0, 0, 1}, 4},
		{"box on edge", rbd.Geom{Type: rbd.GeomBox, Size: spatial.Vec3{0.1, 0.1, 0.1}}, spatial.Vec3{0, 0, 0.1*math.Sqrt2 - 0.002}, rotX(math.Pi / 4), FlatGround(1), -0.002, spatial.Vec3{0, 0, 1}, 2},
		{"cylinder lying", rbd.Geom{Type: rbd.GeomCylinder, Size: spatial.Vec3{0.05, 0.1}}, spatial.Vec3{0, 0, 0.0485}, rotY(math.Pi / 2), FlatGround(1), -0.0015, spatial.Vec3{0, 0, 1}, 2},
		{"cylinder upright", rbd.Geom{Type: rbd.GeomCylinder, Size: spatial.Vec3{0.05, 0.1}}, spatial.Vec3{0, 0, 0.099}, spatial.IdentityQuat(), FlatGround(1), -0.001, spatial.Vec3{0, 0, 1}, 4},
		{"sphere above margin", rbd.Geom{Type: rbd.GeomSphere, Size: spatial.Vec3{0.1}}, spatial.Vec3{0, 0, 0.2}, spatial.IdentityQuat(), FlatGround(1), 0, spatial.Vec3{}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := oneGeom(t, c.geom, c.pos, c.quat, c.terrain)
			touching := 0
			for _, ct := range w.Contacts {
				if ct.Dist < 1e-9 {
					touching++
				}
			}
			if touching != c.contacts {
				t.Fatalf("%d penetrating contacts, want %d (all: %+v)", touching, c.contacts, w.Contacts)
			}
			if c.contacts == 0 {
				return
			}
			d, _ := deepest(w)
			if math.Abs(d.Dist-c.dist) > 1e-9 {
				t.Errorf("deepest distance %.9f, want %.9f", d.Dist, c.dist)
			}
			for k := 0; k < 3; k++ {
				if math.Abs(d.Normal[k]-c.normal[k]) > 1e-9 {
					t.Errorf("normal %v, want %v", d.Normal, c.normal)
					break
				}
			}
		})
	}
}

func TestCollisionAgainstBoxAndHeightField(t *testing.T) {
	step := &Terrain{Boxes: []Box{{X: spatial.Transform{R: spatial.Identity3(), P: spatial.Vec3{1, 0, 0.05}}, Half: spatial.Vec3{0.5, 0.5, 0.05}, Friction: 1}}}
	// a sphere resting on the step's top
	w := oneGeom(t, rbd.Geom{Type: rbd.GeomSphere, Size: spatial.Vec3{0.05}}, spatial.Vec3{1, 0, 0.149}, spatial.IdentityQuat(), step)
	d, ok := deepest(w)
	if !ok || math.Abs(d.Dist+0.001) > 1e-9 || math.Abs(d.Normal[2]-1) > 1e-9 {
		t.Errorf("sphere on step: %+v", d)
	}
	// a sphere against the step's riser
	w = oneGeom(t, rbd.Geom{Type: rbd.GeomSphere, Size: spatial.Vec3{0.02}}, spatial.Vec3{0.481, 0, 0.05}, spatial.IdentityQuat(), step)
	d, ok = deepest(w)
	if !ok || math.Abs(d.Dist+0.001) > 1e-9 || math.Abs(d.Normal[0]+1) > 1e-9 {
		t.Errorf("sphere at riser: %+v", d)
	}
	// a foot box overhanging the step's edge: the step's corners poke into it
	w = oneGeom(t, rbd.Geom{Type: rbd.GeomBox, Size: spatial.Vec3{0.1, 0.6, 0.02}}, spatial.Vec3{0.55, 0, 0.119}, spatial.IdentityQuat(), step)
	edge := 0
	for _, c := range w.Contacts {
		if c.Feature >= 8 && c.Dist < 0 {
			edge++
			if math.Abs(c.Normal[2]-1) > 1e-9 {
				t.Errorf("edge contact normal %v, want up", c.Normal)
			}
		}
	}
	if edge != 2 {
		t.Errorf("%d step-edge contacts under the overhanging foot, want 2", edge)
	}
	// height field: a sloped field z = 0.1·x; a sphere over it
	f := HeightField{X0: -1, Y0: -1, DX: 0.5, DY: 0.5, NX: 5, NY: 5, Friction: 1}
	for j := 0; j < 5; j++ {
		for i := 0; i < 5; i++ {
			f.Heights = append(f.Heights, 0.1*(f.X0+float64(i)*f.DX))
		}
	}
	tf := &Terrain{Fields: []HeightField{f}}
	if z, ok := tf.HeightAt(0.3, 0.2); !ok || math.Abs(z-0.03) > 1e-12 {
		t.Errorf("HeightAt(0.3, 0.2) = %v, %v; want 0.03", z, ok)
	}
	w = oneGeom(t, rbd.Geom{Type: rbd.GeomSphere, Size: spatial.Vec3{0.05}}, spatial.Vec3{0.3, 0.2, 0.03 + 0.05/math.Cos(math.Atan(0.1)) - 0.002}, spatial.IdentityQuat(), tf)
	d, ok = deepest(w)
	n := spatial.Vec3{-0.1, 0, 1}.Normalize()
	if !ok || math.Abs(d.Dist+0.002*n[2]) > 1e-6 || math.Abs(d.Normal[0]-n[0]) > 1e-9 {
		t.Errorf("sphere on height field: dist %.6f normal %v, want %.6f %v", d.Dist, d.Normal, -0.002*n[2], n)
	}
}

// PlaceOnGround sets a free body's lowest collision point the clearance above
// flat ground and above a step it stands over.
func TestPlaceOnGround(t *testing.T) {
	m := rbd.NewModel("box")
	m.Bodies = append(m.Bodies, rbd.Body{Name: "b", Parent: 0, Quat: spatial.IdentityQuat(), Mass: 1,
		Inertia: spatial.Diag3(spatial.Vec3{0.01, 0.01, 0.01})})
	m.Joints = append(m.Joints, rbd.Joint{Name: "free", Type: rbd.JointFree, Body: 1})
	m.Geoms = append(m.Geoms, rbd.Geom{Name: "box", Body: 1, Type: rbd.GeomBox, Size: spatial.Vec3{0.1, 0.1, 0.05},
		Pos: spatial.Vec3{0, 0, -0.3}, Quat: spatial.IdentityQuat(), Mesh: -1, Contype: 1, Conaffinity: 1})
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		terrain *Terrain
		ground  float64
	}{{FlatGround(1), 0}, {Stairs(-1, 0.2, 2, 2, 1, 1), 0.2}} {
		w := newWorld(t, m, c.terrain, DefaultOptions())
		if !w.PlaceOnGround(0.001) {
			t.Fatal("not placed")
		}
		// box bottom = base z − 0.3 − 0.05
		if got := w.Qpos[2] - 0.35; math.Abs(got-(c.ground+0.001)) > 1e-12 {
			t.Errorf("box bottom at %.6f, want %.6f", got, c.ground+0.001)
		}
	}
}

package sim

import (
	"math"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// PlaceOnGround moves a robot with a free root joint vertically so that its
// lowest collision geom is clearance (m) above the terrain under it, and zeroes
// its velocity: a model without a keyframe (a URDF, say) then starts standing
// on the ground instead of inside it. It reports whether it moved the robot
// (false when the root is not free or nothing collides).
func (w *World) PlaceOnGround(clearance float64) bool {
	m := w.Model
	if len(m.Bodies) < 2 || m.Bodies[1].JntNum != 1 || m.Joints[m.Bodies[1].JntAdr].Type != rbd.JointFree {
		return false
	}
	lowest := w.GroundClearance()
	if math.IsInf(lowest, 1) {
		return false
	}
	qa := m.Joints[m.Bodies[1].JntAdr].QAdr
	w.Qpos[qa+2] += clearance - lowest
	clear(w.Qvel)
	w.rows.resetWarmStart()
	w.scratch.newton.resetWarmStart()
	w.Forward()
	return true
}

// GroundClearance returns the smallest height of the robot's collision geoms
// above the terrain directly under them at the current configuration
// (negative when something is inside the ground; +Inf when nothing collides),
// measured at box corners, the bottoms of spheres and capsule ends, and
// points around cylinder rims.
func (w *World) GroundClearance() float64 {
	m, d := w.Model, w.Data
	rbd.Kinematics(m, d, w.Qpos)
	lowest := math.Inf(1)
	above := func(p spatial.Vec3) {
		ground := 0.0
		if h, ok := w.Terrain.HeightAt(p[0], p[1]); ok {
			ground = h
		}
		lowest = math.Min(lowest, p[2]-ground)
	}
	down := spatial.Vec3{0, 0, -1}
	for _, gi := range w.collisionGeoms {
		rbd.GeomPose(m, d, gi)
		g, x := w.collider(gi)
		axis := x.R.Col(2)
		switch g.Type {
		case rbd.GeomSphere:
			above(x.P.AddScaled(g.Size[0], down))
		case rbd.GeomCapsule:
			above(x.P.AddScaled(g.Size[1], axis).AddScaled(g.Size[0], down))
			above(x.P.AddScaled(-g.Size[1], axis).AddScaled(g.Size[0], down))
		case rbd.GeomCylinder:
			// eight points around each rim
			u, v := x.R.Col(0), x.R.Col(1)
			for e := -1.0; e <= 1; e += 2 {
				c := x.P.AddScaled(e*g.Size[1], axis)
				for k := 0; k < 8; k++ {
					s, co := math.Sincos(float64(k) * math.Pi / 4)
					above(c.AddScaled(g.Size[0]*co, u).AddScaled(g.Size[0]*s, v))
				}
			}
		default: // box
			for c := 0; c < 8; c++ {
				above(x.Point(spatial.Vec3{g.Size[0] * sgn(c&1), g.Size[1] * sgn(c&2), g.Size[2] * sgn(c&4)}))
			}
		}
	}
	return lowest
}

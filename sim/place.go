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
	m, d := w.Model, w.Data
	if len(m.Bodies) < 2 || m.Bodies[1].JntNum != 1 || m.Joints[m.Bodies[1].JntAdr].Type != rbd.JointFree {
		return false
	}
	rbd.Kinematics(m, d, w.Qpos)
	lowest := math.Inf(1)
	for _, gi := range w.collisionGeoms {
		rbd.GeomPose(m, d, gi)
		g, x := w.collider(gi)
		p, z := lowestPoint(g, x)
		ground := 0.0
		if h, ok := w.Terrain.HeightAt(p[0], p[1]); ok {
			ground = h
		}
		lowest = math.Min(lowest, z-ground)
	}
	if math.IsInf(lowest, 1) {
		return false
	}
	qa := m.Joints[m.Bodies[1].JntAdr].QAdr
	w.Qpos[qa+2] += clearance - lowest
	clear(w.Qvel)
	w.rows.resetWarmStart()
	w.Forward()
	return true
}

// lowestPoint returns a lowest point of a collision geom at pose x and its
// height.
func lowestPoint(g *rbd.Geom, x *spatial.Transform) (spatial.Vec3, float64) {
	axis := x.R.Col(2)
	switch g.Type {
	case rbd.GeomSphere:
		p := x.P.AddScaled(-g.Size[0], spatial.Vec3{0, 0, 1})
		return p, p[2]
	case rbd.GeomCapsule:
		e := x.P.AddScaled(-math.Copysign(g.Size[1], axis[2]), axis)
		p := e.AddScaled(-g.Size[0], spatial.Vec3{0, 0, 1})
		return p, p[2]
	case rbd.GeomCylinder:
		e := x.P.AddScaled(-math.Copysign(g.Size[1], axis[2]), axis)
		drop := g.Size[0] * math.Sqrt(math.Max(0, 1-axis[2]*axis[2]))
		return e, e[2] - drop
	default: // box
		best := spatial.Vec3{0, 0, math.Inf(1)}
		for c := 0; c < 8; c++ {
			p := x.Point(spatial.Vec3{g.Size[0] * sgn(c&1), g.Size[1] * sgn(c&2), g.Size[2] * sgn(c&4)})
			if p[2] < best[2] {
				best = p
			}
		}
		return best, best[2]
	}
}

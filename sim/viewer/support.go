package viewer

import (
	"sort"

	"github.com/stride-robotics/stride/sim/spatial"
)

// SupportMinForce is the normal force (N) a contact must carry to count
// towards the support polygon.
const SupportMinForce = 1.0

// supportPoints appends to dst the contacts of cs that carry at least
// SupportMinForce of normal force.
func supportPoints(dst []spatial.Vec3, cs []Contact) []spatial.Vec3 {
	for i := range cs {
		if cs[i].Force.Dot(cs[i].Normal) >= SupportMinForce {
			dst = append(dst, cs[i].Pos)
		}
	}
	return dst
}

// convexHull reorders pts in place into their convex hull in the horizontal
// (x, y) plane, counter-clockwise seen from above, and returns it (a prefix of
// pts). Collinear and repeated points are dropped (Andrew's monotone chain).
// One or two distinct points come back as they are.
func convexHull(pts []spatial.Vec3) []spatial.Vec3 {
	if len(pts) < 3 {
		return pts
	}
	sort.Slice(pts, func(i, j int) bool {
		if pts[i][0] != pts[j][0] {
			return pts[i][0] < pts[j][0]
		}
		return pts[i][1] < pts[j][1]
	})
	// cross > 0: o→a→b turns left.
	cross := func(o, a, b spatial.Vec3) float64 {
		return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
	}
	n := len(pts)
	hull := make([]spatial.Vec3, 0, 2*n)
	for i := 0; i < n; i++ { // lower chain
		for len(hull) >= 2 && cross(hull[len(hull)-2], hull[len(hull)-1], pts[i]) <= 1e-12 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, pts[i])
	}
	lower := len(hull) + 1
	for i := n - 2; i >= 0; i-- { // upper chain
		for len(hull) >= lower && cross(hull[len(hull)-2], hull[len(hull)-1], pts[i]) <= 1e-12 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, pts[i])
	}
	hull = hull[:len(hull)-1] // the last point repeats the first
	return pts[:copy(pts, hull)]
}

// insideHull reports whether the horizontal projection of p lies inside the
// counter-clockwise convex polygon poly (on the boundary counts as inside).
func insideHull(poly []spatial.Vec3, p spatial.Vec3) bool {
	if len(poly) < 3 {
		return false
	}
	for i := range poly {
		a, b := poly[i], poly[(i+1)%len(poly)]
		if (b[0]-a[0])*(p[1]-a[1])-(b[1]-a[1])*(p[0]-a[0]) < -1e-12 {
			return false
		}
	}
	return true
}

package mjcf

import (
	"math"

	"github.com/stride-robotics/stride/sim/spatial"
)

// principalAxes diagonalises a fullinertia matrix the way MuJoCo's compiler
// does, so that a model compiles to the same inertia in both: cyclic Jacobi
// rotations on the largest off-diagonal entry, accumulated in a quaternion,
// that stop once that entry is below 1e-12 or the next rotation's cosine is
// above 1 − 1e-12 (an angle under about 1.4e-6 rad). The principal axes are
// therefore resolved only to that angle, and the inertia MuJoCo simulates —
// R·diag·Rᵀ with the returned axes — differs from the file's matrix by up to
// a few parts in 1e8 when two moments are close. Matching it keeps Stride's
// dynamics within 1e-10 of MuJoCo's on such models instead of 1e-6.
// Moments come out in decreasing order, as MuJoCo sorts them.
func principalAxes(I spatial.Mat3) (spatial.Vec3, spatial.Quat) {
	const eps = 1e-12
	q := spatial.IdentityQuat()
	var vals spatial.Vec3
	for iter := 0; iter < 500; iter++ {
		R := q.Mat3()
		RtI := R.TMul(&I)
		D := RtI.Mul(&R)
		vals = spatial.Vec3{D[0], D[4], D[8]}
		// the largest off-diagonal entry (r, c) and the axis it rotates about
		r, c, axis := 1, 2, 0
		if math.Abs(D[1]) > math.Abs(D[2]) && math.Abs(D[1]) > math.Abs(D[5]) {
			r, c, axis = 0, 1, 2
		} else if math.Abs(D[2]) > math.Abs(D[5]) {
			r, c, axis = 0, 2, 1
		}
		off := D[3*r+c]
		if math.Abs(off) < eps {
			break
		}
		tau := (D[4*c] - D[4*r]) / (2 * off)
		var t float64
		if tau >= 0 {
			t = 1 / (tau + math.Sqrt(1+tau*tau))
		} else {
			t = -1 / (-tau + math.Sqrt(1+tau*tau))
		}
		cs := 1 / math.Sqrt(1+t*t)
		if cs > 1-eps {
			break
		}
		// the rotation as a quaternion about the axis
		s := math.Sqrt(0.5 - 0.5*cs)
		if tau >= 0 {
			s = -s
		}
		if axis == 1 {
			s = -s
		}
		var rot [4]float64
		rot[axis+1] = s
		rot[0] = math.Sqrt(1 - s*s)
		q = q.Mul(spatial.Quat{W: rot[0], X: rot[1], Y: rot[2], Z: rot[3]}.Normalize()).Normalize()
	}
	// sort the moments in decreasing order by quarter turns (pairs 0-1, 1-2, 0-1)
	for j := 0; j < 3; j++ {
		a := j % 2
		if vals[a]+eps < vals[a+1] {
			vals[a], vals[a+1] = vals[a+1], vals[a]
			var rot [4]float64
			rot[0] = math.Sqrt2 / 2
			rot[(a+2)%3+1] = math.Sqrt2 / 2
			q = q.Mul(spatial.Quat{W: rot[0], X: rot[1], Y: rot[2], Z: rot[3]}).Normalize()
		}
	}
	return vals, q
}

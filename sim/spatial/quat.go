package spatial

import "math"

// Quat is a quaternion (W, X, Y, Z). Rotations use unit quaternions.
type Quat struct{ W, X, Y, Z float64 }

// IdentityQuat returns the identity rotation.
func IdentityQuat() Quat { return Quat{W: 1} }

// QuatFromAxisAngle returns the rotation by angle θ about the unit axis a:
// (cos θ/2, sin θ/2 · a).
func QuatFromAxisAngle(a Vec3, theta float64) Quat {
	s, c := math.Sincos(theta / 2)
	return Quat{c, s * a[0], s * a[1], s * a[2]}
}

// Mul returns the Hamilton product q ⊗ r (rotate by r, then by q).
func (q Quat) Mul(r Quat) Quat {
	return Quat{
		W: q.W*r.W - q.X*r.X - q.Y*r.Y - q.Z*r.Z,
		X: q.W*r.X + q.X*r.W + q.Y*r.Z - q.Z*r.Y,
		Y: q.W*r.Y - q.X*r.Z + q.Y*r.W + q.Z*r.X,
		Z: q.W*r.Z + q.X*r.Y - q.Y*r.X + q.Z*r.W,
	}
}

// Conj returns the conjugate (the inverse of a unit quaternion).
func (q Quat) Conj() Quat { return Quat{q.W, -q.X, -q.Y, -q.Z} }

// Norm returns |q|.
func (q Quat) Norm() float64 { return math.Sqrt(q.W*q.W + q.X*q.X + q.Y*q.Y + q.Z*q.Z) }

// Normalize returns q/|q|, or the identity when |q| is zero.
func (q Quat) Normalize() Quat {
	n := q.Norm()
	if n == 0 {
		return IdentityQuat()
	}
	return Quat{q.W / n, q.X / n, q.Y / n, q.Z / n}
}

// Rotate returns q ⊗ v ⊗ q* for a unit quaternion q.
func (q Quat) Rotate(v Vec3) Vec3 {
	u := Vec3{q.X, q.Y, q.Z}
	t := u.Cross(v).Scale(2)
	return v.Add(t.Scale(q.W)).Add(u.Cross(t))
}

// Mat3 returns the rotation matrix of a unit quaternion.
func (q Quat) Mat3() Mat3 {
	w, x, y, z := q.W, q.X, q.Y, q.Z
	return Mat3{
		1 - 2*(y*y+z*z), 2 * (x*y - w*z), 2 * (x*z + w*y),
		2 * (x*y + w*z), 1 - 2*(x*x+z*z), 2 * (y*z - w*x),
		2 * (x*z - w*y), 2 * (y*z + w*x), 1 - 2*(x*x+y*y),
	}
}

// QuatFromMat3 returns the unit quaternion (with W ≥ 0) of a rotation matrix
// (Shepperd's method).
func QuatFromMat3(m Mat3) Quat {
	tr := m[0] + m[4] + m[8]
	var q Quat
	switch {
	case tr > 0:
		s := math.Sqrt(tr+1) * 2
		q = Quat{s / 4, (m[7] - m[5]) / s, (m[2] - m[6]) / s, (m[3] - m[1]) / s}
	case m[0] > m[4] && m[0] > m[8]:
		s := math.Sqrt(1+m[0]-m[4]-m[8]) * 2
		q = Quat{(m[7] - m[5]) / s, s / 4, (m[1] + m[3]) / s, (m[2] + m[6]) / s}
	case m[4] > m[8]:
		s := math.Sqrt(1+m[4]-m[0]-m[8]) * 2
		q = Quat{(m[2] - m[6]) / s, (m[1] + m[3]) / s, s / 4, (m[5] + m[7]) / s}
	default:
		s := math.Sqrt(1+m[8]-m[0]-m[4]) * 2
		q = Quat{(m[3] - m[1]) / s, (m[2] + m[6]) / s, (m[5] + m[7]) / s, s / 4}
	}
	if q.W < 0 {
		q = Quat{-q.W, -q.X, -q.Y, -q.Z}
	}
	return q.Normalize()
}

// Integrate returns q ⊗ exp(ω dt / 2): the orientation reached after rotating
// for dt at the constant angular velocity ω, given in the rotated (body) frame.
// This is MuJoCo's convention for free and ball joints.
func (q Quat) Integrate(omega Vec3, dt float64) Quat {
	n := omega.Norm()
	if n == 0 {
		return q
	}
	return q.Mul(QuatFromAxisAngle(omega.Scale(1/n), n*dt)).Normalize()
}

// AxisAngle returns the rotation vector θ·a of a unit quaternion, θ in [0, π].
func (q Quat) AxisAngle() Vec3 {
	if q.W < 0 {
		q = Quat{-q.W, -q.X, -q.Y, -q.Z}
	}
	v := Vec3{q.X, q.Y, q.Z}
	s := v.Norm()
	if s < 1e-12 {
		return v.Scale(2)
	}
	return v.Scale(2 * math.Atan2(s, q.W) / s)
}

// IsFinite reports whether every component is finite.
func (q Quat) IsFinite() bool {
	return isFinite(q.W) && isFinite(q.X) && isFinite(q.Y) && isFinite(q.Z)
}

package spatial

// Transform is a rigid transform X_AB: the pose of frame B in frame A, with
// rotation R (B's axes in A) and translation P (B's origin in A).
type Transform struct {
	R Mat3
	P Vec3
}

// IdentityTransform returns the identity.
func IdentityTransform() Transform { return Transform{R: Identity3()} }

// TransformFromQuat returns {q.Mat3(), p}.
func TransformFromQuat(q Quat, p Vec3) Transform { return Transform{R: q.Mat3(), P: p} }

// Mul returns X_AC = X_AB · X_BC.
func (x *Transform) Mul(y *Transform) Transform {
	r, p := &x.R, &y.P
	return Transform{R: x.R.Mul(&y.R), P: Vec3{
		r[0]*p[0] + r[1]*p[1] + r[2]*p[2] + x.P[0],
		r[3]*p[0] + r[4]*p[1] + r[5]*p[2] + x.P[1],
		r[6]*p[0] + r[7]*p[1] + r[8]*p[2] + x.P[2],
	}}
}

// Inverse returns X_BA for X_AB.
func (x *Transform) Inverse() Transform {
	return Transform{R: x.R.T(), P: x.R.MulTVec(x.P).Neg()}
}

// Point maps a point from B to A coordinates: R p + P.
func (x *Transform) Point(p Vec3) Vec3 { return x.R.MulVec(p).Add(x.P) }

// InvPoint maps a point from A to B coordinates: Rᵀ(p − P).
func (x *Transform) InvPoint(p Vec3) Vec3 { return x.R.MulTVec(p.Sub(x.P)) }

// Motion maps a motion vector from B to A coordinates (origin moved to A's).
func (x *Transform) Motion(m Motion) Motion {
	w := x.R.MulVec(m.Ang)
	return Motion{Ang: w, Lin: x.R.MulVec(m.Lin).Add(x.P.Cross(w))}
}

// InvMotion maps a motion vector from A to B coordinates.
func (x *Transform) InvMotion(m Motion) Motion {
	return Motion{Ang: x.R.MulTVec(m.Ang), Lin: x.R.MulTVec(m.Lin.Sub(x.P.Cross(m.Ang)))}
}

// Force maps a force vector from B to A coordinates (moment taken about A's origin).
func (x *Transform) Force(f Force) Force {
	l := x.R.MulVec(f.Lin)
	return Force{Ang: x.R.MulVec(f.Ang).Add(x.P.Cross(l)), Lin: l}
}

// InvForce maps a force vector from A to B coordinates.
func (x *Transform) InvForce(f Force) Force {
	return Force{Ang: x.R.MulTVec(f.Ang.Sub(x.P.Cross(f.Lin))), Lin: x.R.MulTVec(f.Lin)}
}

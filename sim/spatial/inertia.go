package spatial

// Inertia is a rigid body's spatial inertia in some frame: mass M, first
// moment H = M·c where c is the centre of mass, and rotational inertia I about
// the frame's origin. As a 6×6 matrix acting on (ω, v):
//
//	| I     [H]× |
//	| [H]×ᵀ  M·1 |
type Inertia struct {
	M float64
	H Vec3
	I Mat3
}

// InertiaFromCOM builds the inertia of a body of mass m with centre of mass c
// and rotational inertia Ic about the centre of mass (all in the same frame):
// I = Ic + m(|c|²·1 − c cᵀ).
func InertiaFromCOM(m float64, c Vec3, Ic Mat3) Inertia {
	return Inertia{M: m, H: c.Scale(m), I: Ic.Add(shiftTerm(m, c))}
}

// shiftTerm returns m(|c|²·1 − c cᵀ) = −m [c]×².
func shiftTerm(m float64, c Vec3) Mat3 {
	cc := c.Dot(c)
	return Mat3{
		m * (cc - c[0]*c[0]), -m * c[0] * c[1], -m * c[0] * c[2],
		-m * c[1] * c[0], m * (cc - c[1]*c[1]), -m * c[1] * c[2],
		-m * c[2] * c[0], -m * c[2] * c[1], m * (cc - c[2]*c[2]),
	}
}

// COM returns the centre of mass H/M (the origin for a massless body).
func (a *Inertia) COM() Vec3 {
	if a.M == 0 {
		return Vec3{}
	}
	return a.H.Scale(1 / a.M)
}

// Add returns a + b (both in the same frame).
func (a Inertia) Add(b Inertia) Inertia {
	return Inertia{M: a.M + b.M, H: a.H.Add(b.H), I: a.I.Add(b.I)}
}

// MulMotion returns the momentum (or force) I·v:
// (I ω + H × v, M v − H × ω).
func (a *Inertia) MulMotion(v Motion) Force {
	return Force{
		Ang: a.I.MulVec(v.Ang).Add(a.H.Cross(v.Lin)),
		Lin: v.Lin.Scale(a.M).Sub(a.H.Cross(v.Ang)),
	}
}

// Transform expresses an inertia given in frame B in frame A, for X = X_AB:
// M' = M, H' = R H + M P,
// I' = R I Rᵀ + M(|P|²·1 − P Pᵀ) + 2(RH·P)·1 − RH Pᵀ − P RHᵀ.
func (a *Inertia) Transform(x *Transform) Inertia {
	rh := x.R.MulVec(a.H)
	ri := x.R.Mul(&a.I)
	i := ri.MulT(&x.R)
	i = i.Add(shiftTerm(a.M, x.P))
	d := 2 * rh.Dot(x.P)
	i[0] += d
	i[4] += d
	i[8] += d
	o := Outer(rh, x.P)
	i = i.Sub(o).Sub(o.T())
	return Inertia{M: a.M, H: rh.Add(x.P.Scale(a.M)), I: i}
}

// KineticEnergy returns ½ vᵀ I v.
func (a *Inertia) KineticEnergy(v Motion) float64 {
	return 0.5 * v.Dot(a.MulMotion(v))
}

// Mat6 returns the inertia as a 6×6 matrix.
func (a *Inertia) Mat6() Mat6 {
	var m Mat6
	m.SetInertia(a)
	return m
}

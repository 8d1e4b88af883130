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
	i, h, w, l := &a.I, &a.H, &v.Ang, &v.Lin
	return Force{
		Ang: Vec3{
			i[0]*w[0] + i[1]*w[1] + i[2]*w[2] + h[1]*l[2] - h[2]*l[1],
			i[3]*w[0] + i[4]*w[1] + i[5]*w[2] + h[2]*l[0] - h[0]*l[2],
			i[6]*w[0] + i[7]*w[1] + i[8]*w[2] + h[0]*l[1] - h[1]*l[0],
		},
		Lin: Vec3{
			a.M*l[0] - h[1]*w[2] + h[2]*w[1],
			a.M*l[1] - h[2]*w[0] + h[0]*w[2],
			a.M*l[2] - h[0]*w[1] + h[1]*w[0],
		},
	}
}

// Transform expresses an inertia given in frame B in frame A, for X = X_AB:
// M' = M, H' = R H + M P,
// I' = R I Rᵀ + M(|P|²·1 − P Pᵀ) + 2(RH·P)·1 − RH Pᵀ − P RHᵀ.
func (a *Inertia) Transform(x *Transform) Inertia {
	r, i := &x.R, &a.I
	// T = R·I, then R·I·Rᵀ (symmetric: six entries)
	t0, t1, t2 := r[0]*i[0]+r[1]*i[3]+r[2]*i[6], r[0]*i[1]+r[1]*i[4]+r[2]*i[7], r[0]*i[2]+r[1]*i[5]+r[2]*i[8]
	t3, t4, t5 := r[3]*i[0]+r[4]*i[3]+r[5]*i[6], r[3]*i[1]+r[4]*i[4]+r[5]*i[7], r[3]*i[2]+r[4]*i[5]+r[5]*i[8]
	t6, t7, t8 := r[6]*i[0]+r[7]*i[3]+r[8]*i[6], r[6]*i[1]+r[7]*i[4]+r[8]*i[7], r[6]*i[2]+r[7]*i[5]+r[8]*i[8]
	xx := t0*r[0] + t1*r[1] + t2*r[2]
	xy := t0*r[3] + t1*r[4] + t2*r[5]
	xz := t0*r[6] + t1*r[7] + t2*r[8]
	yy := t3*r[3] + t4*r[4] + t5*r[5]
	yz := t3*r[6] + t4*r[7] + t5*r[8]
	zz := t6*r[6] + t7*r[7] + t8*r[8]
	h := a.H
	rh := Vec3{r[0]*h[0] + r[1]*h[1] + r[2]*h[2], r[3]*h[0] + r[4]*h[1] + r[5]*h[2], r[6]*h[0] + r[7]*h[1] + r[8]*h[2]}
	p, m := x.P, a.M
	// m(|p|²1 − ppᵀ) + 2(rh·p)1 − rh pᵀ − p rhᵀ
	pp := p[0]*p[0] + p[1]*p[1] + p[2]*p[2]
	d := m*pp + 2*(rh[0]*p[0]+rh[1]*p[1]+rh[2]*p[2])
	xx += d - m*p[0]*p[0] - 2*rh[0]*p[0]
	yy += d - m*p[1]*p[1] - 2*rh[1]*p[1]
	zz += d - m*p[2]*p[2] - 2*rh[2]*p[2]
	xy += -m*p[0]*p[1] - rh[0]*p[1] - p[0]*rh[1]
	xz += -m*p[0]*p[2] - rh[0]*p[2] - p[0]*rh[2]
	yz += -m*p[1]*p[2] - rh[1]*p[2] - p[1]*rh[2]
	return Inertia{
		M: m,
		H: Vec3{rh[0] + m*p[0], rh[1] + m*p[1], rh[2] + m*p[2]},
		I: Mat3{xx, xy, xz, xy, yy, yz, xz, yz, zz},
	}
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

package spatial

// In-place forms of the spatial operations, for the inner loops of the
// dynamics algorithms: they take pointers and write into the receiver, so
// nothing is copied and each inlines or compiles to straight-line code.

// AddScaledIn sets m ← m + s·b.
func (m *Motion) AddScaledIn(s float64, b *Motion) {
	m.Ang[0] += s * b.Ang[0]
	m.Ang[1] += s * b.Ang[1]
	m.Ang[2] += s * b.Ang[2]
	m.Lin[0] += s * b.Lin[0]
	m.Lin[1] += s * b.Lin[1]
	m.Lin[2] += s * b.Lin[2]
}

// AddIn sets f ← f + b.
func (f *Force) AddIn(b *Force) {
	f.Ang[0] += b.Ang[0]
	f.Ang[1] += b.Ang[1]
	f.Ang[2] += b.Ang[2]
	f.Lin[0] += b.Lin[0]
	f.Lin[1] += b.Lin[1]
	f.Lin[2] += b.Lin[2]
}

// AddScaledIn sets f ← f + s·b.
func (f *Force) AddScaledIn(s float64, b *Force) {
	f.Ang[0] += s * b.Ang[0]
	f.Ang[1] += s * b.Ang[1]
	f.Ang[2] += s * b.Ang[2]
	f.Lin[0] += s * b.Lin[0]
	f.Lin[1] += s * b.Lin[1]
	f.Lin[2] += s * b.Lin[2]
}

// DotP returns the power m·f.
func (m *Motion) DotP(f *Force) float64 {
	return m.Ang[0]*f.Ang[0] + m.Ang[1]*f.Ang[1] + m.Ang[2]*f.Ang[2] +
		m.Lin[0]*f.Lin[0] + m.Lin[1]*f.Lin[1] + m.Lin[2]*f.Lin[2]
}

// SetCross sets m ← a ×ₘ b.
func (m *Motion) SetCross(a, b *Motion) {
	w, v, bw, bv := &a.Ang, &a.Lin, &b.Ang, &b.Lin
	m.Ang = Vec3{w[1]*bw[2] - w[2]*bw[1], w[2]*bw[0] - w[0]*bw[2], w[0]*bw[1] - w[1]*bw[0]}
	m.Lin = Vec3{
		w[1]*bv[2] - w[2]*bv[1] + v[1]*bw[2] - v[2]*bw[1],
		w[2]*bv[0] - w[0]*bv[2] + v[2]*bw[0] - v[0]*bw[2],
		w[0]*bv[1] - w[1]*bv[0] + v[0]*bw[1] - v[1]*bw[0],
	}
}

// SetMul sets f ← I·v.
func (f *Force) SetMul(a *Inertia, v *Motion) {
	i, h, w, l := &a.I, &a.H, &v.Ang, &v.Lin
	f.Ang = Vec3{
		i[0]*w[0] + i[1]*w[1] + i[2]*w[2] + h[1]*l[2] - h[2]*l[1],
		i[3]*w[0] + i[4]*w[1] + i[5]*w[2] + h[2]*l[0] - h[0]*l[2],
		i[6]*w[0] + i[7]*w[1] + i[8]*w[2] + h[0]*l[1] - h[1]*l[0],
	}
	f.Lin = Vec3{
		a.M*l[0] - h[1]*w[2] + h[2]*w[1],
		a.M*l[1] - h[2]*w[0] + h[0]*w[2],
		a.M*l[2] - h[0]*w[1] + h[1]*w[0],
	}
}

// AddCrossForce sets f ← f + v ×_f g = f + (ω×n + u×g_f, ω×g_f).
func (f *Force) AddCrossForce(v *Motion, g *Force) {
	w, u, n, l := &v.Ang, &v.Lin, &g.Ang, &g.Lin
	f.Ang[0] += w[1]*n[2] - w[2]*n[1] + u[1]*l[2] - u[2]*l[1]
	f.Ang[1] += w[2]*n[0] - w[0]*n[2] + u[2]*l[0] - u[0]*l[2]
	f.Ang[2] += w[0]*n[1] - w[1]*n[0] + u[0]*l[1] - u[1]*l[0]
	f.Lin[0] += w[1]*l[2] - w[2]*l[1]
	f.Lin[1] += w[2]*l[0] - w[0]*l[2]
	f.Lin[2] += w[0]*l[1] - w[1]*l[0]
}

// AddIn sets a ← a + b.
func (a *Inertia) AddIn(b *Inertia) {
	a.M += b.M
	a.H[0] += b.H[0]
	a.H[1] += b.H[1]
	a.H[2] += b.H[2]
	for k := range a.I {
		a.I[k] += b.I[k]
	}
}

// SetMul sets m ← a·b (m may not alias a or b).
func (m *Mat3) SetMul(a, b *Mat3) {
	m[0] = a[0]*b[0] + a[1]*b[3] + a[2]*b[6]
	m[1] = a[0]*b[1] + a[1]*b[4] + a[2]*b[7]
	m[2] = a[0]*b[2] + a[1]*b[5] + a[2]*b[8]
	m[3] = a[3]*b[0] + a[4]*b[3] + a[5]*b[6]
	m[4] = a[3]*b[1] + a[4]*b[4] + a[5]*b[7]
	m[5] = a[3]*b[2] + a[4]*b[5] + a[5]*b[8]
	m[6] = a[6]*b[0] + a[7]*b[3] + a[8]*b[6]
	m[7] = a[6]*b[1] + a[7]*b[4] + a[8]*b[7]
	m[8] = a[6]*b[2] + a[7]*b[5] + a[8]*b[8]
}

// SetMul sets x ← a·b, the composition X_AC = X_AB·X_BC (x may not alias a or
// b).
func (x *Transform) SetMul(a, b *Transform) {
	x.R.SetMul(&a.R, &b.R)
	r, p := &a.R, &b.P
	x.P = Vec3{
		r[0]*p[0] + r[1]*p[1] + r[2]*p[2] + a.P[0],
		r[3]*p[0] + r[4]*p[1] + r[5]*p[2] + a.P[1],
		r[6]*p[0] + r[7]*p[1] + r[8]*p[2] + a.P[2],
	}
}

// MulMotionTo sets f ← M·v.
func (m *Mat6) MulMotionTo(f *Force, v *Motion) {
	x0, x1, x2, x3, x4, x5 := v.Ang[0], v.Ang[1], v.Ang[2], v.Lin[0], v.Lin[1], v.Lin[2]
	r := m[:36:36]
	f.Ang[0] = r[0]*x0 + r[1]*x1 + r[2]*x2 + r[3]*x3 + r[4]*x4 + r[5]*x5
	f.Ang[1] = r[6]*x0 + r[7]*x1 + r[8]*x2 + r[9]*x3 + r[10]*x4 + r[11]*x5
	f.Ang[2] = r[12]*x0 + r[13]*x1 + r[14]*x2 + r[15]*x3 + r[16]*x4 + r[17]*x5
	f.Lin[0] = r[18]*x0 + r[19]*x1 + r[20]*x2 + r[21]*x3 + r[22]*x4 + r[23]*x5
	f.Lin[1] = r[24]*x0 + r[25]*x1 + r[26]*x2 + r[27]*x3 + r[28]*x4 + r[29]*x5
	f.Lin[2] = r[30]*x0 + r[31]*x1 + r[32]*x2 + r[33]*x3 + r[34]*x4 + r[35]*x5
}

package spatial

// Mat3 is a 3×3 matrix stored row-major.
type Mat3 [9]float64

// Identity3 returns the 3×3 identity.
func Identity3() Mat3 { return Mat3{1, 0, 0, 0, 1, 0, 0, 0, 1} }

// Diag3 returns diag(d).
func Diag3(d Vec3) Mat3 { return Mat3{d[0], 0, 0, 0, d[1], 0, 0, 0, d[2]} }

// Skew returns [v]×, the matrix with [v]× w = v × w.
func Skew(v Vec3) Mat3 { return Mat3{0, -v[2], v[1], v[2], 0, -v[0], -v[1], v[0], 0} }

// Outer returns a bᵀ.
func Outer(a, b Vec3) Mat3 {
	return Mat3{
		a[0] * b[0], a[0] * b[1], a[0] * b[2],
		a[1] * b[0], a[1] * b[1], a[1] * b[2],
		a[2] * b[0], a[2] * b[1], a[2] * b[2],
	}
}

// MulVec returns M v.
func (m *Mat3) MulVec(v Vec3) Vec3 {
	return Vec3{
		m[0]*v[0] + m[1]*v[1] + m[2]*v[2],
		m[3]*v[0] + m[4]*v[1] + m[5]*v[2],
		m[6]*v[0] + m[7]*v[1] + m[8]*v[2],
	}
}

// MulTVec returns Mᵀ v.
func (m *Mat3) MulTVec(v Vec3) Vec3 {
	return Vec3{
		m[0]*v[0] + m[3]*v[1] + m[6]*v[2],
		m[1]*v[0] + m[4]*v[1] + m[7]*v[2],
		m[2]*v[0] + m[5]*v[1] + m[8]*v[2],
	}
}

// Mul returns M N.
func (m *Mat3) Mul(n *Mat3) Mat3 {
	return Mat3{
		m[0]*n[0] + m[1]*n[3] + m[2]*n[6], m[0]*n[1] + m[1]*n[4] + m[2]*n[7], m[0]*n[2] + m[1]*n[5] + m[2]*n[8],
		m[3]*n[0] + m[4]*n[3] + m[5]*n[6], m[3]*n[1] + m[4]*n[4] + m[5]*n[7], m[3]*n[2] + m[4]*n[5] + m[5]*n[8],
		m[6]*n[0] + m[7]*n[3] + m[8]*n[6], m[6]*n[1] + m[7]*n[4] + m[8]*n[7], m[6]*n[2] + m[7]*n[5] + m[8]*n[8],
	}
}

// MulT returns M Nᵀ.
func (m *Mat3) MulT(n *Mat3) Mat3 {
	return Mat3{
		m[0]*n[0] + m[1]*n[1] + m[2]*n[2], m[0]*n[3] + m[1]*n[4] + m[2]*n[5], m[0]*n[6] + m[1]*n[7] + m[2]*n[8],
		m[3]*n[0] + m[4]*n[1] + m[5]*n[2], m[3]*n[3] + m[4]*n[4] + m[5]*n[5], m[3]*n[6] + m[4]*n[7] + m[5]*n[8],
		m[6]*n[0] + m[7]*n[1] + m[8]*n[2], m[6]*n[3] + m[7]*n[4] + m[8]*n[5], m[6]*n[6] + m[7]*n[7] + m[8]*n[8],
	}
}

// TMul returns Mᵀ N.
func (m *Mat3) TMul(n *Mat3) Mat3 {
	return Mat3{
		m[0]*n[0] + m[3]*n[3] + m[6]*n[6], m[0]*n[1] + m[3]*n[4] + m[6]*n[7], m[0]*n[2] + m[3]*n[5] + m[6]*n[8],
		m[1]*n[0] + m[4]*n[3] + m[7]*n[6], m[1]*n[1] + m[4]*n[4] + m[7]*n[7], m[1]*n[2] + m[4]*n[5] + m[7]*n[8],
		m[2]*n[0] + m[5]*n[3] + m[8]*n[6], m[2]*n[1] + m[5]*n[4] + m[8]*n[7], m[2]*n[2] + m[5]*n[5] + m[8]*n[8],
	}
}

// T returns Mᵀ.
func (m Mat3) T() Mat3 { return Mat3{m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]} }

// Add returns M + N.
func (m Mat3) Add(n Mat3) Mat3 {
	for i := range m {
		m[i] += n[i]
	}
	return m
}

// Sub returns M − N.
func (m Mat3) Sub(n Mat3) Mat3 {
	for i := range m {
		m[i] -= n[i]
	}
	return m
}

// Scale returns s M.
func (m Mat3) Scale(s float64) Mat3 {
	for i := range m {
		m[i] *= s
	}
	return m
}

// Det returns det M.
func (m *Mat3) Det() float64 {
	return m[0]*(m[4]*m[8]-m[5]*m[7]) - m[1]*(m[3]*m[8]-m[5]*m[6]) + m[2]*(m[3]*m[7]-m[4]*m[6])
}

// Inverse returns M⁻¹ and whether M was invertible.
func (m *Mat3) Inverse() (Mat3, bool) {
	d := m.Det()
	if d == 0 {
		return Mat3{}, false
	}
	inv := 1 / d
	return Mat3{
		(m[4]*m[8] - m[5]*m[7]) * inv, (m[2]*m[7] - m[1]*m[8]) * inv, (m[1]*m[5] - m[2]*m[4]) * inv,
		(m[5]*m[6] - m[3]*m[8]) * inv, (m[0]*m[8] - m[2]*m[6]) * inv, (m[2]*m[3] - m[0]*m[5]) * inv,
		(m[3]*m[7] - m[4]*m[6]) * inv, (m[1]*m[6] - m[0]*m[7]) * inv, (m[0]*m[4] - m[1]*m[3]) * inv,
	}, true
}

// Col returns column c.
func (m *Mat3) Col(c int) Vec3 { return Vec3{m[c], m[3+c], m[6+c]} }

// Symmetrize returns (M + Mᵀ)/2.
func (m Mat3) Symmetrize() Mat3 {
	a, b, c := (m[1]+m[3])/2, (m[2]+m[6])/2, (m[5]+m[7])/2
	m[1], m[3] = a, a
	m[2], m[6] = b, b
	m[5], m[7] = c, c
	return m
}

// IsFinite reports whether every entry is finite.
func (m *Mat3) IsFinite() bool {
	for _, x := range m {
		if !isFinite(x) {
			return false
		}
	}
	return true
}

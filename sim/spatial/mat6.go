package spatial

// Mat6 is a 6×6 matrix stored row-major, acting on spatial vectors ordered
// (angular, linear). It holds articulated-body inertias, which are symmetric
// but not rigid-body inertias.
type Mat6 [36]float64

// SetInertia sets m to the 6×6 matrix of a rigid-body inertia.
func (m *Mat6) SetInertia(a *Inertia) {
	h := a.H
	*m = Mat6{
		a.I[0], a.I[1], a.I[2], 0, -h[2], h[1],
		a.I[3], a.I[4], a.I[5], h[2], 0, -h[0],
		a.I[6], a.I[7], a.I[8], -h[1], h[0], 0,
		0, h[2], -h[1], a.M, 0, 0,
		-h[2], 0, h[0], 0, a.M, 0,
		h[1], -h[0], 0, 0, 0, a.M,
	}
}

// AddInertia adds a rigid-body inertia to m.
func (m *Mat6) AddInertia(a *Inertia) {
	h := a.H
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			m[6*r+c] += a.I[3*r+c]
		}
	}
	m[4] -= h[2]
	m[5] += h[1]
	m[9] += h[2]
	m[11] -= h[0]
	m[15] -= h[1]
	m[16] += h[0]
	m[19] += h[2]
	m[20] -= h[1]
	m[24] -= h[2]
	m[26] += h[0]
	m[30] += h[1]
	m[31] -= h[0]
	m[21] += a.M
	m[28] += a.M
	m[35] += a.M
}

// Add adds n to m.
func (m *Mat6) Add(n *Mat6) {
	for i := range m {
		m[i] += n[i]
	}
}

// MulMotion returns m·v as a force.
func (m *Mat6) MulMotion(v Motion) Force {
	x := [6]float64{v.Ang[0], v.Ang[1], v.Ang[2], v.Lin[0], v.Lin[1], v.Lin[2]}
	var y [6]float64
	for r := 0; r < 6; r++ {
		row := m[6*r : 6*r+6 : 6*r+6]
		y[r] = row[0]*x[0] + row[1]*x[1] + row[2]*x[2] + row[3]*x[3] + row[4]*x[4] + row[5]*x[5]
	}
	return Force{Vec3{y[0], y[1], y[2]}, Vec3{y[3], y[4], y[5]}}
}

// SubOuter sets m ← m − s·u uᵀ for a force-like vector u.
func (m *Mat6) SubOuter(s float64, u Force) {
	x := [6]float64{u.Ang[0], u.Ang[1], u.Ang[2], u.Lin[0], u.Lin[1], u.Lin[2]}
	for r := 0; r < 6; r++ {
		sr := s * x[r]
		row := m[6*r : 6*r+6 : 6*r+6]
		for c := 0; c < 6; c++ {
			row[c] -= sr * x[c]
		}
	}
}

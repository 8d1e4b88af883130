package viewer

import (
	"math"

	"github.com/stride-robotics/stride/sim/spatial"
)

// mat4 is a 4×4 matrix in column-major order (OpenGL's): element (row r,
// column c) is m[4c+r]. Points are columns: p' = M p.
type mat4 [16]float64

func identity4() mat4 { return mat4{0: 1, 5: 1, 10: 1, 15: 1} }

// mul returns a·b.
func (a *mat4) mul(b *mat4) mat4 {
	var m mat4
	for c := 0; c < 4; c++ {
		for r := 0; r < 4; r++ {
			var s float64
			for k := 0; k < 4; k++ {
				s += a[4*k+r] * b[4*c+k]
			}
			m[4*c+r] = s
		}
	}
	return m
}

// project maps the point p through m and divides by w: for a view-projection
// matrix the result is in normalised device coordinates (x, y, z in [−1, 1]
// inside the view volume). w is returned too; w ≤ 0 means behind the eye.
func (a *mat4) project(p spatial.Vec3) (spatial.Vec3, float64) {
	var v [4]float64
	for r := 0; r < 4; r++ {
		v[r] = a[r]*p[0] + a[4+r]*p[1] + a[8+r]*p[2] + a[12+r]
	}
	if v[3] == 0 {
		return spatial.Vec3{}, 0
	}
	return spatial.Vec3{v[0] / v[3], v[1] / v[3], v[2] / v[3]}, v[3]
}

// f32 converts m for glUniformMatrix4fv.
func (a *mat4) f32() [16]float32 {
	var f [16]float32
	for i, v := range a {
		f[i] = float32(v)
	}
	return f
}

// perspective is the usual OpenGL projection: vertical field of view fovy
// (rad), aspect = width/height, clip planes at near and far.
func perspective(fovy, aspect, near, far float64) mat4 {
	f := 1 / math.Tan(fovy/2)
	return mat4{
		0:  f / aspect,
		5:  f,
		10: (far + near) / (near - far),
		11: -1,
		14: 2 * far * near / (near - far),
	}
}

// ortho is the orthographic projection of the box [l, r]×[b, t]×[−n, −f] in
// eye coordinates.
func ortho(l, r, b, t, n, f float64) mat4 {
	return mat4{
		0:  2 / (r - l),
		5:  2 / (t - b),
		10: -2 / (f - n),
		12: -(r + l) / (r - l),
		13: -(t + b) / (t - b),
		14: -(f + n) / (f - n),
		15: 1,
	}
}

// lookAt is the view matrix of an eye at eye looking at centre with up
// roughly up.
func lookAt(eye, centre, up spatial.Vec3) mat4 {
	f := centre.Sub(eye).Normalize()
	s := f.Cross(up).Normalize()
	u := s.Cross(f)
	return mat4{
		s[0], u[0], -f[0], 0,
		s[1], u[1], -f[1], 0,
		s[2], u[2], -f[2], 0,
		-s.Dot(eye), -u.Dot(eye), f.Dot(eye), 1,
	}
}

// modelMatrix returns the matrix that scales by s along the local axes, then
// applies the rigid transform x.
func modelMatrix(x *spatial.Transform, s spatial.Vec3) mat4 {
	R := &x.R // row-major
	return mat4{
		R[0] * s[0], R[3] * s[0], R[6] * s[0], 0,
		R[1] * s[1], R[4] * s[1], R[7] * s[1], 0,
		R[2] * s[2], R[5] * s[2], R[8] * s[2], 0,
		x.P[0], x.P[1], x.P[2], 1,
	}
}

// normalMatrix returns the column-major 3×3 matrix that maps normals for
// modelMatrix(x, s): R·S⁻¹ (the inverse transpose of R·S).
func normalMatrix(x *spatial.Transform, s spatial.Vec3) [9]float32 {
	R := &x.R
	var n [9]float32
	for c := 0; c < 3; c++ {
		inv := 0.0
		if s[c] != 0 {
			inv = 1 / s[c]
		}
		for r := 0; r < 3; r++ {
			n[3*c+r] = float32(R[3*r+c] * inv)
		}
	}
	return n
}

// inverse returns a⁻¹ by Gauss–Jordan elimination with partial pivoting, and
// false when a is singular.
func (a *mat4) inverse() (mat4, bool) {
	var m [4][8]float64 // rows: [a | I]
	for r := 0; r < 4; r++ {
		for c := 0; c < 4; c++ {
			m[r][c] = a[4*c+r]
		}
		m[r][4+r] = 1
	}
	for c := 0; c < 4; c++ {
		p := c
		for r := c + 1; r < 4; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if m[p][c] == 0 || math.IsNaN(m[p][c]) {
			return mat4{}, false
		}
		m[c], m[p] = m[p], m[c]
		inv := 1 / m[c][c]
		for k := range m[c] {
			m[c][k] *= inv
		}
		for r := 0; r < 4; r++ {
			if r != c && m[r][c] != 0 {
				f := m[r][c]
				for k := range m[r] {
					m[r][k] -= f * m[c][k]
				}
			}
		}
	}
	var out mat4
	for r := 0; r < 4; r++ {
		for c := 0; c < 4; c++ {
			out[4*c+r] = m[r][4+c]
		}
	}
	return out, true
}

// alignZ returns a rotation that takes the z axis to the unit vector d.
func alignZ(d spatial.Vec3) spatial.Mat3 {
	z := d.Normalize()
	a := spatial.Vec3{1, 0, 0}
	if math.Abs(z[0]) > 0.9 {
		a = spatial.Vec3{0, 1, 0}
	}
	x := a.Cross(z).Normalize()
	y := z.Cross(x)
	return spatial.Mat3{x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]}
}

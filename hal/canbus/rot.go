package canbus

import "math"

// rpyMatrix is Rz(yaw)·Ry(pitch)·Rx(roll).
func rpyMatrix(r, p, y float64) [3][3]float64 {
	cr, sr := math.Cos(r), math.Sin(r)
	cp, sp := math.Cos(p), math.Sin(p)
	cy, sy := math.Cos(y), math.Sin(y)
	return [3][3]float64{
		{cy * cp, cy*sp*sr - sy*cr, cy*sp*cr + sy*sr},
		{sy * cp, sy*sp*sr + cy*cr, sy*sp*cr - cy*sr},
		{-sp, cp * sr, cp * cr},
	}
}

// matQuat converts a rotation matrix to a unit quaternion (w, x, y, z).
func matQuat(m *[3][3]float64) [4]float64 {
	tr := m[0][0] + m[1][1] + m[2][2]
	var q [4]float64
	switch {
	case tr > 0:
		s := 2 * math.Sqrt(tr+1)
		q = [4]float64{s / 4, (m[2][1] - m[1][2]) / s, (m[0][2] - m[2][0]) / s, (m[1][0] - m[0][1]) / s}
	case m[0][0] > m[1][1] && m[0][0] > m[2][2]:
		s := 2 * math.Sqrt(1+m[0][0]-m[1][1]-m[2][2])
		q = [4]float64{(m[2][1] - m[1][2]) / s, s / 4, (m[0][1] + m[1][0]) / s, (m[0][2] + m[2][0]) / s}
	case m[1][1] > m[2][2]:
		s := 2 * math.Sqrt(1+m[1][1]-m[0][0]-m[2][2])
		q = [4]float64{(m[0][2] - m[2][0]) / s, (m[0][1] + m[1][0]) / s, s / 4, (m[1][2] + m[2][1]) / s}
	default:
		s := 2 * math.Sqrt(1+m[2][2]-m[0][0]-m[1][1])
		q = [4]float64{(m[1][0] - m[0][1]) / s, (m[0][2] + m[2][0]) / s, (m[1][2] + m[2][1]) / s, s / 4}
	}
	return q
}

func quatMul(a, b [4]float64) [4]float64 {
	return [4]float64{
		a[0]*b[0] - a[1]*b[1] - a[2]*b[2] - a[3]*b[3],
		a[0]*b[1] + a[1]*b[0] + a[2]*b[3] - a[3]*b[2],
		a[0]*b[2] - a[1]*b[3] + a[2]*b[0] + a[3]*b[1],
		a[0]*b[3] + a[1]*b[2] - a[2]*b[1] + a[3]*b[0],
	}
}

// Mount returns the rotation from the IMU's own frame to the model's IMU
// frame (MountRPY): v_model = R · v_imu.
func (s *IMUSpec) Mount() [3][3]float64 {
	d := math.Pi / 180
	return rpyMatrix(s.MountRPY[0]*d, s.MountRPY[1]*d, s.MountRPY[2]*d)
}

// MountQuat is Mount as a unit quaternion (w, x, y, z).
func (s *IMUSpec) MountQuat() [4]float64 {
	m := s.Mount()
	return matQuat(&m)
}

// QuatMul returns the Hamilton product a ⊗ b.
func QuatMul(a, b [4]float64) [4]float64 { return quatMul(a, b) }

package estimator

import (
	"math"

	"github.com/stride-robotics/stride/sim/spatial"
)

// Rotation-group helpers, written out on spatial.Mat3 (row-major).

// expSO3 returns the rotation exp([φ]×) (Rodrigues).
func expSO3(phi spatial.Vec3) spatial.Mat3 {
	th := phi.Norm()
	K := spatial.Skew(phi)
	K2 := K.Mul(&K)
	var a, b float64
	if th < 1e-6 {
		a, b = 1-th*th/6, 0.5-th*th/24
	} else {
		s, c := math.Sincos(th)
		a, b = s/th, (1-c)/(th*th)
	}
	return spatial.Identity3().Add(K.Scale(a)).Add(K2.Scale(b))
}

// gamma1 returns Γ₁(φ) = Σ [φ]×ⁿ/(n+1)!, the left Jacobian of SO(3).
func gamma1(phi spatial.Vec3) spatial.Mat3 {
	th := phi.Norm()
	K := spatial.Skew(phi)
	K2 := K.Mul(&K)
	var a, b float64
	if th < 1e-5 {
		a, b = 0.5-th*th/24, 1.0/6-th*th/120
	} else {
		s, c := math.Sincos(th)
		a, b = (1-c)/(th*th), (th-s)/(th*th*th)
	}
	return spatial.Identity3().Add(K.Scale(a)).Add(K2.Scale(b))
}

// gamma2 returns Γ₂(φ) = Σ [φ]×ⁿ/(n+2)!.
func gamma2(phi spatial.Vec3) spatial.Mat3 {
	th := phi.Norm()
	K := spatial.Skew(phi)
	K2 := K.Mul(&K)
	var a, b float64
	if th < 1e-4 {
		a, b = 1.0/6-th*th/120, 1.0/24-th*th/720
	} else {
		s, c := math.Sincos(th)
		th2 := th * th
		a, b = (th-s)/(th2*th), (th2+2*c-2)/(2*th2*th2)
	}
	return spatial.Identity3().Scale(0.5).Add(K.Scale(a)).Add(K2.Scale(b))
}

// logSO3 returns φ with exp([φ]×) = R, |φ| ≤ π.
func logSO3(R *spatial.Mat3) spatial.Vec3 {
	tr := R[0] + R[4] + R[8]
	c := math.Max(-1, math.Min(1, (tr-1)/2))
	th := math.Acos(c)
	w := spatial.Vec3{R[7] - R[5], R[2] - R[6], R[3] - R[1]}
	if th < 1e-6 {
		return w.Scale(0.5)
	}
	if math.Pi-th < 1e-4 { // near π: axis from the symmetric part
		var ax spatial.Vec3
		i := 0
		if R[4] > R[i*4] {
			i = 1
		}
		if R[8] > R[i*4] {
			i = 2
		}
		for k := 0; k < 3; k++ {
			ax[k] = (R[k*3+i] + R[i*3+k]) / 2
		}
		ax[i] = math.Sqrt(math.Max(0, (R[i*4]+1)/2))
		ax = ax.Normalize()
		if ax.Dot(w) < 0 {
			ax = ax.Neg()
		}
		return ax.Scale(th)
	}
	return w.Scale(th / (2 * math.Sin(th)))
}

// orthonormalize returns the rotation nearest-ish to R (Gram–Schmidt on the
// rows), keeping a long run's products on the group.
func orthonormalize(R spatial.Mat3) spatial.Mat3 {
	x := spatial.Vec3{R[0], R[1], R[2]}.Normalize()
	y := spatial.Vec3{R[3], R[4], R[5]}
	y = y.Sub(x.Scale(x.Dot(y))).Normalize()
	z := x.Cross(y)
	return spatial.Mat3{x[0], x[1], x[2], y[0], y[1], y[2], z[0], z[1], z[2]}
}

// quatMat returns the rotation matrix of quaternion q (w, x, y, z),
// normalised, and whether q is a usable rotation.
func quatMat(q [4]float64) (spatial.Mat3, bool) {
	n := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
	if !(n > 0.5 && n < 1.5) {
		return spatial.Identity3(), false
	}
	u := spatial.Quat{W: q[0] / n, X: q[1] / n, Y: q[2] / n, Z: q[3] / n}
	return u.Mat3(), true
}

// gravityAlign returns the rotation with zero yaw whose body z axis is along
// the measured specific force f (IMU axes): the orientation an accelerometer
// at rest implies.
func gravityAlign(f spatial.Vec3) spatial.Mat3 {
	z := f.Normalize() // world z in IMU axes
	x := spatial.Vec3{1, 0, 0}
	x = x.Sub(z.Scale(z.Dot(x)))
	if x.Norm() < 1e-6 {
		x = spatial.Vec3{0, 1, 0}.Sub(z.Scale(z[1]))
	}
	x = x.Normalize()
	y := z.Cross(x)
	// rows: world axes in IMU coordinates → R_wi
	return spatial.Mat3{x[0], x[1], x[2], y[0], y[1], y[2], z[0], z[1], z[2]}
}

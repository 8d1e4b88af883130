package spatial

import "math"

// Vec3 is a 3-vector.
type Vec3 [3]float64

// Add returns a + b.
func (a Vec3) Add(b Vec3) Vec3 { return Vec3{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }

// Sub returns a − b.
func (a Vec3) Sub(b Vec3) Vec3 { return Vec3{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }

// Scale returns s·a.
func (a Vec3) Scale(s float64) Vec3 { return Vec3{s * a[0], s * a[1], s * a[2]} }

// Neg returns −a.
func (a Vec3) Neg() Vec3 { return Vec3{-a[0], -a[1], -a[2]} }

// Dot returns a·b.
func (a Vec3) Dot(b Vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// Cross returns a × b.
func (a Vec3) Cross(b Vec3) Vec3 {
	return Vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// Norm returns |a|.
func (a Vec3) Norm() float64 { return math.Sqrt(a.Dot(a)) }

// Normalize returns a/|a|, or the zero vector when |a| is zero.
func (a Vec3) Normalize() Vec3 {
	n := a.Norm()
	if n == 0 {
		return Vec3{}
	}
	return a.Scale(1 / n)
}

// AddScaled returns a + s·b.
func (a Vec3) AddScaled(s float64, b Vec3) Vec3 {
	return Vec3{a[0] + s*b[0], a[1] + s*b[1], a[2] + s*b[2]}
}

// IsFinite reports whether every component is neither NaN nor ±Inf.
func (a Vec3) IsFinite() bool {
	return isFinite(a[0]) && isFinite(a[1]) && isFinite(a[2])
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

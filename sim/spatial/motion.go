package spatial

// Motion is a spatial motion vector (twist or spatial acceleration): angular
// part Ang, and Lin, the linear velocity of the point at the coordinate origin.
type Motion struct{ Ang, Lin Vec3 }

// Force is a spatial force vector (wrench or momentum): moment Ang about the
// coordinate origin, and force Lin.
type Force struct{ Ang, Lin Vec3 }

// Add returns a + b.
func (a Motion) Add(b Motion) Motion { return Motion{a.Ang.Add(b.Ang), a.Lin.Add(b.Lin)} }

// Sub returns a − b.
func (a Motion) Sub(b Motion) Motion { return Motion{a.Ang.Sub(b.Ang), a.Lin.Sub(b.Lin)} }

// Scale returns s·a.
func (a Motion) Scale(s float64) Motion { return Motion{a.Ang.Scale(s), a.Lin.Scale(s)} }

// AddScaled returns a + s·b.
func (a Motion) AddScaled(s float64, b Motion) Motion {
	return Motion{a.Ang.AddScaled(s, b.Ang), a.Lin.AddScaled(s, b.Lin)}
}

// Cross returns the motion cross product a ×ₘ b = (ω×ω_b, ω×v_b + v×ω_b):
// the rate of change of b when it moves with velocity a.
func (a Motion) Cross(b Motion) Motion {
	return Motion{a.Ang.Cross(b.Ang), a.Ang.Cross(b.Lin).Add(a.Lin.Cross(b.Ang))}
}

// CrossForce returns the force cross product a ×_f f = (ω×n + v×f, ω×f).
func (a Motion) CrossForce(f Force) Force {
	return Force{a.Ang.Cross(f.Ang).Add(a.Lin.Cross(f.Lin)), a.Ang.Cross(f.Lin)}
}

// Dot returns the power a·f = ω·n + v·f.
func (a Motion) Dot(f Force) float64 { return a.Ang.Dot(f.Ang) + a.Lin.Dot(f.Lin) }

// DotMotion returns the plain Euclidean product of two motion vectors.
func (a Motion) DotMotion(b Motion) float64 { return a.Ang.Dot(b.Ang) + a.Lin.Dot(b.Lin) }

// At returns the linear velocity of the point p (same coordinates): v + ω × p.
func (a Motion) At(p Vec3) Vec3 { return a.Lin.Add(a.Ang.Cross(p)) }

// Add returns a + b.
func (a Force) Add(b Force) Force { return Force{a.Ang.Add(b.Ang), a.Lin.Add(b.Lin)} }

// Sub returns a − b.
func (a Force) Sub(b Force) Force { return Force{a.Ang.Sub(b.Ang), a.Lin.Sub(b.Lin)} }

// Scale returns s·a.
func (a Force) Scale(s float64) Force { return Force{a.Ang.Scale(s), a.Lin.Scale(s)} }

// AddScaled returns a + s·b.
func (a Force) AddScaled(s float64, b Force) Force {
	return Force{a.Ang.AddScaled(s, b.Ang), a.Lin.AddScaled(s, b.Lin)}
}

// AtPoint returns the same force with its moment taken about p instead of the
// origin: (n − p × f, f).
func (a Force) AtPoint(p Vec3) Force { return Force{a.Ang.Sub(p.Cross(a.Lin)), a.Lin} }

// ForceAt returns the wrench of a pure force f applied at point p, with its
// moment about the origin: (p × f, f).
func ForceAt(p, f Vec3) Force { return Force{p.Cross(f), f} }

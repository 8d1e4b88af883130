package spatial

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randVec(r *rand.Rand) Vec3 { return Vec3{r.NormFloat64(), r.NormFloat64(), r.NormFloat64()} }
func randQuat(r *rand.Rand) Quat {
	return Quat{r.NormFloat64(), r.NormFloat64(), r.NormFloat64(), r.NormFloat64()}.Normalize()
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s: got %.17g, want %.17g (tol %g)", what, got, want, tol)
	}
}

func nearVec(t *testing.T, what string, got, want Vec3, tol float64) {
	t.Helper()
	for i := range got {
		near(t, what, got[i], want[i], tol)
	}
}

func TestQuatRotationAgreesWithMatrix(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100; i++ {
		q, v := randQuat(r), randVec(r)
		R := q.Mat3()
		nearVec(t, "q⊗v⊗q* = R v", q.Rotate(v), R.MulVec(v), 1e-14)
		near(t, "det R", R.Det(), 1, 1e-14)
		p := randQuat(r)
		Rp := p.Mat3()
		RRp := R.Mul(&Rp)
		QR := q.Mul(p).Mat3()
		for k := range QR {
			near(t, "R(q⊗p) = R(q) R(p)", QR[k], RRp[k], 1e-14)
		}
		back := QuatFromMat3(R)
		if back.W*q.W+back.X*q.X+back.Y*q.Y+back.Z*q.Z < 0 {
			back = Quat{-back.W, -back.X, -back.Y, -back.Z}
		}
		near(t, "QuatFromMat3 W", back.W, q.W, 1e-13)
		near(t, "QuatFromMat3 X", back.X, q.X, 1e-13)
	}
}

func TestAxisAngleAndIntegrate(t *testing.T) {
	a := Vec3{1, 2, 2}.Normalize()
	q := QuatFromAxisAngle(a, 0.8)
	nearVec(t, "AxisAngle", q.AxisAngle(), a.Scale(0.8), 1e-14)
	// Integrating a constant body rate for 1 s in 1000 steps equals one step.
	w := Vec3{0.3, -1.1, 0.7}
	p := IdentityQuat()
	for i := 0; i < 1000; i++ {
		p = p.Integrate(w, 1e-3)
	}
	nearVec(t, "integrated rotation vector", p.AxisAngle(), w, 1e-12)
}

func TestTransformInverseAndActions(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 50; i++ {
		X := TransformFromQuat(randQuat(r), randVec(r))
		Xi := X.Inverse()
		p := randVec(r)
		nearVec(t, "X⁻¹ X p", Xi.Point(X.Point(p)), p, 1e-13)
		nearVec(t, "InvPoint", X.InvPoint(X.Point(p)), p, 1e-13)
		m := Motion{randVec(r), randVec(r)}
		f := Force{randVec(r), randVec(r)}
		// Power is frame-independent.
		near(t, "power invariance", X.Motion(m).Dot(X.Force(f)), m.Dot(f), 1e-12)
		back := X.InvMotion(X.Motion(m))
		nearVec(t, "InvMotion", back.Lin, m.Lin, 1e-13)
		fb := X.InvForce(X.Force(f))
		nearVec(t, "InvForce", fb.Ang, f.Ang, 1e-13)
		// Cross products commute with frame changes.
		n := Motion{randVec(r), randVec(r)}
		c1 := X.Motion(m.Cross(n))
		c2 := X.Motion(m).Cross(X.Motion(n))
		nearVec(t, "X(m×n) = Xm × Xn", c1.Lin, c2.Lin, 1e-12)
		g1 := X.Force(m.CrossForce(f))
		g2 := X.Motion(m).CrossForce(X.Force(f))
		nearVec(t, "X(m×*f) = Xm ×* Xf", g1.Ang, g2.Ang, 1e-12)
	}
}

// An inertia moved to another frame must give the same momentum for the same
// physical motion, and its 6×6 matrix must act like MulMotion.
func TestInertiaTransform(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 50; i++ {
		R := randQuat(r).Mat3()
		D := Diag3(Vec3{0.2, 0.3, 0.4})
		RD := R.Mul(&D)
		Ic := RD.MulT(&R)
		I := InertiaFromCOM(2.5, randVec(r), Ic)
		X := TransformFromQuat(randQuat(r), randVec(r))
		IA := I.Transform(&X)
		v := Motion{randVec(r), randVec(r)}
		h1 := X.Force(I.MulMotion(v))
		h2 := IA.MulMotion(X.Motion(v))
		nearVec(t, "momentum ang", h1.Ang, h2.Ang, 1e-12)
		nearVec(t, "momentum lin", h1.Lin, h2.Lin, 1e-12)
		M6 := IA.Mat6()
		h3 := M6.MulMotion(X.Motion(v))
		nearVec(t, "Mat6 ang", h3.Ang, h2.Ang, 1e-12)
		var A Mat6
		A.AddInertia(&IA)
		h4 := A.MulMotion(X.Motion(v))
		nearVec(t, "AddInertia lin", h4.Lin, h2.Lin, 1e-12)
		near(t, "kinetic energy invariance", IA.KineticEnergy(X.Motion(v)), I.KineticEnergy(v), 1e-12)
		nearVec(t, "COM", IA.COM(), X.Point(I.COM()), 1e-12)
	}
}

package rbd

import "github.com/stride-robotics/stride/sim/spatial"

// CenterOfMass returns the whole robot's centre of mass in world coordinates
// for the configuration last given to Kinematics.
func CenterOfMass(m *Model, d *Data) spatial.Vec3 {
	var mass float64
	var h spatial.Vec3
	for b := 1; b < len(m.Bodies); b++ {
		mass += d.CInert[b].M
		h = h.Add(d.CInert[b].H)
	}
	if mass == 0 {
		return spatial.Vec3{}
	}
	return h.Scale(1 / mass)
}

// Momentum returns the robot's total spatial momentum (angular about the world
// origin, linear) for the state last given to Kinematics and Velocities.
func Momentum(m *Model, d *Data) spatial.Force {
	var h spatial.Force
	for b := 1; b < len(m.Bodies); b++ {
		h = h.Add(d.CInert[b].MulMotion(d.BodyVel[b]))
	}
	return h
}

// CentroidalMomentumMatrix writes A_G (6×nv, row-major) such that A_G·v is the
// centroidal momentum: rows 0–2 the angular momentum about the centre of mass,
// rows 3–5 the linear momentum, world axes (Orin and Goswami's matrix with the
// angular part first, as every spatial vector here). The linear rows divided
// by the total mass are the centre-of-mass Jacobian. It needs the
// configuration last given to Kinematics and fills d.Crb.
func CentroidalMomentumMatrix(m *Model, d *Data, A []float64) {
	composite(m, d)
	c := CenterOfMass(m, d)
	nv := m.Nv
	for k := 0; k < nv; k++ {
		f := d.Crb[m.DofBody[k]].MulMotion(d.Cdof[k]).AtPoint(c)
		A[k], A[nv+k], A[2*nv+k] = f.Ang[0], f.Ang[1], f.Ang[2]
		A[3*nv+k], A[4*nv+k], A[5*nv+k] = f.Lin[0], f.Lin[1], f.Lin[2]
	}
}

// COMJacobian writes the 3×nv Jacobian of the centre of mass (world axes).
func COMJacobian(m *Model, d *Data, jac []float64) {
	composite(m, d)
	nv := m.Nv
	inv := 1 / m.TotalMass()
	for k := 0; k < nv; k++ {
		f := d.Crb[m.DofBody[k]].MulMotion(d.Cdof[k])
		jac[k], jac[nv+k], jac[2*nv+k] = f.Lin[0]*inv, f.Lin[1]*inv, f.Lin[2]*inv
	}
}

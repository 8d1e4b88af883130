package rbd

import "github.com/stride-robotics/stride/sim/spatial"

// PointJacobian writes into jac (6×nv, row-major) the Jacobian of the frame
// attached to body at the world point p, for the configuration last given to
// Kinematics: rows 0–2 map v to the body's angular velocity, rows 3–5 to the
// linear velocity of the material point at p, both in world coordinates.
// Columns of dofs that do not move the body are zero.
func PointJacobian(m *Model, d *Data, jac []float64, body int, p spatial.Vec3) {
	nv := m.Nv
	clear(jac[:6*nv])
	for k := m.BodyLastDof[body]; k >= 0; k = m.DofParent[k] {
		s := d.Cdof[k]
		l := s.At(p)
		jac[k], jac[nv+k], jac[2*nv+k] = s.Ang[0], s.Ang[1], s.Ang[2]
		jac[3*nv+k], jac[4*nv+k], jac[5*nv+k] = l[0], l[1], l[2]
	}
}

// SiteJacobian is PointJacobian at a site's origin.
func SiteJacobian(m *Model, d *Data, jac []float64, site int) {
	PointJacobian(m, d, jac, m.Sites[site].Body, d.XSite[site].P)
}

// PointAccelerationBias returns J̇·v for the frame of PointJacobian: the
// angular and classical linear acceleration of the material point of body at
// world point p when q̈ = 0 and without gravity, for the state last given to
// Kinematics and Velocities. A task-space acceleration is then J·q̈ + J̇·v.
func PointAccelerationBias(m *Model, d *Data, body int, p spatial.Vec3) (ang, lin spatial.Vec3) {
	var a spatial.Motion
	for k := m.BodyLastDof[body]; k >= 0; k = m.DofParent[k] {
		a = a.AddScaled(d.qvel[k], d.CdofDot[k])
	}
	v := d.BodyVel[body]
	return a.Ang, a.At(p).Add(v.Ang.Cross(v.At(p)))
}

// SiteAccelerationBias is PointAccelerationBias at a site's origin.
func SiteAccelerationBias(m *Model, d *Data, site int) (ang, lin spatial.Vec3) {
	return PointAccelerationBias(m, d, m.Sites[site].Body, d.XSite[site].P)
}

// PointVelocity returns the angular velocity of body and the linear velocity of
// its material point at world point p, for the state last given to Kinematics
// and Velocities.
func PointVelocity(d *Data, body int, p spatial.Vec3) (ang, lin spatial.Vec3) {
	v := d.BodyVel[body]
	return v.Ang, v.At(p)
}

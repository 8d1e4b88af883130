package rbd

import (
	"math"

	"github.com/stride-robotics/stride/sim/spatial"
)

// Kinematics computes, for the configuration q (nq), the pose of every body
// and site (see BodyKinematics for bodies only), the world axis and anchor of every joint, the motion subspace Cdof
// of every dof and the world-frame inertia of every body. Geom poses are left
// to GeomPoses (a simulator needs only its collision geoms').
func Kinematics(m *Model, d *Data, q []float64) {
	BodyKinematics(m, d, q)
	for i := range m.Sites {
		d.XSite[i].SetMul(&d.XBody[m.Sites[i].Body], &m.SiteX0[i])
	}
}

// BodyKinematics is Kinematics without the site poses.
func BodyKinematics(m *Model, d *Data, q []float64) {
	for b := 1; b < len(m.Bodies); b++ {
		bodyKinematics(m, d, q, b)
	}
}

// ChainKinematics computes the pose and twist of body and its ancestors only
// (not their subtrees' other bodies): what a sensor on one body needs.
// Entries of d for other bodies are left as they were.
func ChainKinematics(m *Model, d *Data, q, v []float64, body int) {
	var chain [64]int
	n := 0
	for b := body; b > 0 && n < len(chain); b = m.Bodies[b].Parent {
		chain[n] = b
		n++
	}
	for i := n - 1; i >= 0; i-- {
		bodyKinematics(m, d, q, chain[i])
		bodyVelocity(m, d, v, chain[i])
	}
}

// bodyKinematics computes body b's pose, its dofs' motion subspaces and its
// world inertia, from its parent's pose.
func bodyKinematics(m *Model, d *Data, q []float64, b int) {
	var tmp spatial.Transform
	body := &m.Bodies[b]
	X := &d.XBody[b]
	X.SetMul(&d.XBody[body.Parent], &m.BodyX0[b])
	for ji := body.JntAdr; ji < body.JntAdr+body.JntNum; ji++ {
		j := &m.Joints[ji]
		qa, da := j.QAdr, j.DofAdr
		switch j.Type {
		case JointFree:
			X.P = spatial.Vec3{q[qa], q[qa+1], q[qa+2]}
			X.R = quatAt(q, qa+3).Mat3()
			d.JntPoint[ji] = X.P
			for k := 0; k < 3; k++ {
				var e spatial.Vec3
				e[k] = 1
				d.Cdof[da+k] = spatial.Motion{Lin: e}
				w := X.R.Col(k)
				d.Cdof[da+3+k] = spatial.Motion{Ang: w, Lin: X.P.Cross(w)}
			}
		case JointBall:
			p := X.Point(j.Pos)
			d.JntPoint[ji] = p
			R := quatAt(q, qa).Mat3()
			tmp = *X
			X.SetMul(&tmp, &spatial.Transform{R: R, P: j.Pos.Sub(R.MulVec(j.Pos))})
			for k := 0; k < 3; k++ {
				w := X.R.Col(k)
				d.Cdof[da+k] = spatial.Motion{Ang: w, Lin: p.Cross(w)}
			}
		case JointHinge:
			p := X.Point(j.Pos)
			a := X.R.MulVec(j.Axis)
			d.JntPoint[ji], d.JntAxis[ji] = p, a
			R := axisAngleMat(j.Axis, q[qa]-j.Ref)
			tmp.R = X.R
			X.R.SetMul(&tmp.R, &R)
			if j.Pos != (spatial.Vec3{}) {
				// rotation about the anchor: the origin moves by (1 − R)·pos
				off := j.Pos.Sub(R.MulVec(j.Pos))
				X.P = X.P.Add(tmp.R.MulVec(off))
			}
			d.Cdof[da] = spatial.Motion{Ang: a, Lin: p.Cross(a)}
		case JointSlide:
			a := X.R.MulVec(j.Axis)
			d.JntPoint[ji], d.JntAxis[ji] = X.Point(j.Pos), a
			X.P = X.P.AddScaled(q[qa]-j.Ref, a)
			d.Cdof[da] = spatial.Motion{Lin: a}
		}
	}
	d.CInert[b] = m.BodyInertia[b].Transform(X)
}

// GeomPoses computes the world pose of every geom into d.XGeom from the body
// poses of the last Kinematics.
func GeomPoses(m *Model, d *Data) {
	for i := range m.Geoms {
		d.XGeom[i].SetMul(&d.XBody[m.Geoms[i].Body], &m.GeomX0[i])
	}
}

// GeomPose computes the world pose of geom i into d.XGeom[i].
func GeomPose(m *Model, d *Data, i int) {
	d.XGeom[i].SetMul(&d.XBody[m.Geoms[i].Body], &m.GeomX0[i])
}

// quatAt reads the quaternion q[i:i+4] and normalises it (a state that drifted
// off the unit sphere is treated as the rotation it is closest to).
func quatAt(q []float64, i int) spatial.Quat {
	return spatial.Quat{W: q[i], X: q[i+1], Y: q[i+2], Z: q[i+3]}.Normalize()
}

// axisAngleMat returns the rotation matrix of angle θ about the unit axis a
// (Rodrigues): R = cos θ·1 + sin θ·[a]× + (1 − cos θ)·a aᵀ.
func axisAngleMat(a spatial.Vec3, theta float64) spatial.Mat3 {
	s, c := math.Sincos(theta)
	t := 1 - c
	x, y, z := a[0], a[1], a[2]
	return spatial.Mat3{
		c + t*x*x, t*x*y - s*z, t*x*z + s*y,
		t*x*y + s*z, c + t*y*y, t*y*z - s*x,
		t*x*z - s*y, t*y*z + s*x, c + t*z*z,
	}
}

package rbd

import "github.com/stride-robotics/stride/sim/spatial"

// CRBA computes the joint-space inertia matrix M(q) (nv×nv, row-major, both
// triangles, armature on the diagonal) into d.M with the composite-rigid-body
// algorithm, for the configuration last given to Kinematics. It also leaves
// the composite inertia of every subtree in d.Crb.
func CRBA(m *Model, d *Data) {
	composite(m, d)
	nv := m.Nv
	clear(d.M)
	var F spatial.Force
	for k := 0; k < nv; k++ {
		F.SetMul(&d.Crb[m.DofBody[k]], &d.Cdof[k])
		d.M[k*nv+k] = d.Cdof[k].DotP(&F) + m.DofArmature[k]
		row := d.M[k*nv : k*nv+nv]
		for _, j := range m.DofAncestors[k] {
			x := d.Cdof[j].DotP(&F)
			row[j] = x
			d.M[j*nv+k] = x
		}
	}
}

// composite fills d.Crb with the inertia of each body's subtree.
func composite(m *Model, d *Data) {
	copy(d.Crb, d.CInert)
	for b := len(m.Bodies) - 1; b > 0; b-- {
		if p := m.Bodies[b].Parent; p > 0 {
			d.Crb[p].AddIn(&d.Crb[b])
		}
	}
}

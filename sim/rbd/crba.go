package rbd

// CRBA computes the joint-space inertia matrix M(q) (nv×nv, row-major, both
// triangles, armature on the diagonal) into d.M with the composite-rigid-body
// algorithm, for the configuration last given to Kinematics. It also leaves
// the composite inertia of every subtree in d.Crb.
func CRBA(m *Model, d *Data) {
	composite(m, d)
	nv := m.Nv
	clear(d.M)
	for k := 0; k < nv; k++ {
		F := d.Crb[m.DofBody[k]].MulMotion(d.Cdof[k])
		for j := k; j >= 0; j = m.DofParent[j] {
			x := d.Cdof[j].Dot(F)
			d.M[k*nv+j] = x
			d.M[j*nv+k] = x
		}
		d.M[k*nv+k] += m.DofArmature[k]
	}
}

// composite fills d.Crb with the inertia of each body's subtree.
func composite(m *Model, d *Data) {
	copy(d.Crb, d.CInert)
	for b := len(m.Bodies) - 1; b > 0; b-- {
		if p := m.Bodies[b].Parent; p > 0 {
			d.Crb[p] = d.Crb[p].Add(d.Crb[b])
		}
	}
}

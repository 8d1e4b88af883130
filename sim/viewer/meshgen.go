package viewer

import (
	"math"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// meshData is a triangle mesh ready for a vertex buffer: interleaved
// position and unit normal (6 floats a vertex) and counter-clockwise
// triangles of indices.
type meshData struct {
	verts []float32
	idx   []uint32
}

func (m *meshData) vertex(p, n spatial.Vec3) uint32 {
	i := uint32(len(m.verts) / 6)
	m.verts = append(m.verts, float32(p[0]), float32(p[1]), float32(p[2]), float32(n[0]), float32(n[1]), float32(n[2]))
	return i
}

func (m *meshData) tri(a, b, c uint32) { m.idx = append(m.idx, a, b, c) }

// numVerts returns the number of vertices.
func (m *meshData) numVerts() int { return len(m.verts) / 6 }

// pos returns vertex i's position.
func (m *meshData) pos(i uint32) spatial.Vec3 {
	v := m.verts[6*i:]
	return spatial.Vec3{float64(v[0]), float64(v[1]), float64(v[2])}
}

// normal returns vertex i's normal.
func (m *meshData) normal(i uint32) spatial.Vec3 {
	v := m.verts[6*i+3:]
	return spatial.Vec3{float64(v[0]), float64(v[1]), float64(v[2])}
}

// flatTri appends a triangle with its own three vertices and face normal.
func (m *meshData) flatTri(a, b, c spatial.Vec3) {
	n := b.Sub(a).Cross(c.Sub(a)).Normalize()
	m.tri(m.vertex(a, n), m.vertex(b, n), m.vertex(c, n))
}

// unitSphere is the sphere of radius 1 about the origin (UV sphere).
func unitSphere(stacks, slices int) meshData {
	var m meshData
	for i := 0; i <= stacks; i++ {
		th := math.Pi * float64(i) / float64(stacks)
		st, ct := math.Sincos(th)
		for j := 0; j <= slices; j++ {
			ph := 2 * math.Pi * float64(j) / float64(slices)
			sp, cp := math.Sincos(ph)
			p := spatial.Vec3{st * cp, st * sp, ct}
			m.vertex(p, p)
		}
	}
	row := uint32(slices + 1)
	for i := 0; i < stacks; i++ {
		for j := 0; j < slices; j++ {
			a := uint32(i)*row + uint32(j)
			b, c, d := a+row, a+row+1, a+1
			if i > 0 {
				m.tri(a, b, d)
			}
			if i < stacks-1 {
				m.tri(d, b, c)
			}
		}
	}
	return m
}

// unitCylinder is the cylinder of radius 1 about the z axis from z = −1 to
// z = 1, with caps.
func unitCylinder(slices int) meshData {
	var m meshData
	for j := 0; j <= slices; j++ {
		s, c := math.Sincos(2 * math.Pi * float64(j) / float64(slices))
		n := spatial.Vec3{c, s, 0}
		m.vertex(spatial.Vec3{c, s, -1}, n)
		m.vertex(spatial.Vec3{c, s, 1}, n)
	}
	for j := 0; j < slices; j++ {
		a := uint32(2 * j)
		m.tri(a, a+2, a+1)
		m.tri(a+1, a+2, a+3)
	}
	for _, z := range []float64{-1, 1} {
		n := spatial.Vec3{0, 0, z}
		centre := m.vertex(spatial.Vec3{0, 0, z}, n)
		first := uint32(m.numVerts())
		for j := 0; j <= slices; j++ {
			s, c := math.Sincos(2 * math.Pi * float64(j) / float64(slices))
			m.vertex(spatial.Vec3{c, s, z}, n)
		}
		for j := uint32(0); j < uint32(slices); j++ {
			if z > 0 {
				m.tri(centre, first+j, first+j+1)
			} else {
				m.tri(centre, first+j+1, first+j)
			}
		}
	}
	return m
}

// unitCone is the cone with its base disc of radius 1 at z = 0 and its apex
// at z = 1, base closed.
func unitCone(slices int) meshData {
	var m meshData
	k := 1 / math.Sqrt2 // the side's normal leans up by 45°
	for j := 0; j < slices; j++ {
		a0 := 2 * math.Pi * float64(j) / float64(slices)
		a1 := 2 * math.Pi * float64(j+1) / float64(slices)
		am := (a0 + a1) / 2
		s0, c0 := math.Sincos(a0)
		s1, c1 := math.Sincos(a1)
		sm, cm := math.Sincos(am)
		p0, p1 := spatial.Vec3{c0, s0, 0}, spatial.Vec3{c1, s1, 0}
		i0 := m.vertex(p0, spatial.Vec3{c0 * k, s0 * k, k})
		i1 := m.vertex(p1, spatial.Vec3{c1 * k, s1 * k, k})
		it := m.vertex(spatial.Vec3{0, 0, 1}, spatial.Vec3{cm * k, sm * k, k})
		m.tri(i0, i1, it)
		down := spatial.Vec3{0, 0, -1}
		m.tri(m.vertex(spatial.Vec3{}, down), m.vertex(p1, down), m.vertex(p0, down))
	}
	return m
}

// unitBox is the cube [−1, 1]³ with flat faces.
func unitBox() meshData {
	var m meshData
	for axis := 0; axis < 3; axis++ {
		for _, sign := range []float64{-1, 1} {
			var n, u, v spatial.Vec3
			n[axis] = sign
			u[(axis+1)%3] = 1
			v[(axis+2)%3] = 1
			if sign < 0 {
				u, v = v, u // keep the winding counter-clockwise seen from outside
			}
			c := n
			a := m.vertex(c.Sub(u).Sub(v), n)
			b := m.vertex(c.Add(u).Sub(v), n)
			d := m.vertex(c.Add(u).Add(v), n)
			e := m.vertex(c.Sub(u).Add(v), n)
			m.tri(a, b, d)
			m.tri(a, d, e)
		}
	}
	return m
}

// unitQuad is the square [−1, 1]² at z = 0 facing +z.
func unitQuad() meshData {
	var m meshData
	n := spatial.Vec3{0, 0, 1}
	a := m.vertex(spatial.Vec3{-1, -1, 0}, n)
	b := m.vertex(spatial.Vec3{1, -1, 0}, n)
	c := m.vertex(spatial.Vec3{1, 1, 0}, n)
	d := m.vertex(spatial.Vec3{-1, 1, 0}, n)
	m.tri(a, b, c)
	m.tri(a, c, d)
	return m
}

// heightFieldMesh triangulates a height field exactly as the simulator's
// contact model does: in each cell the triangles (00, 10, 01) and (11, 01,
// 10), flat-shaded, in world coordinates.
func heightFieldMesh(f *sim.HeightField) meshData {
	var m meshData
	if f.NX < 2 || f.NY < 2 || len(f.Heights) != f.NX*f.NY {
		return m
	}
	at := func(i, j int) spatial.Vec3 {
		return spatial.Vec3{f.X0 + float64(i)*f.DX, f.Y0 + float64(j)*f.DY, f.Heights[j*f.NX+i]}
	}
	for j := 0; j < f.NY-1; j++ {
		for i := 0; i < f.NX-1; i++ {
			p00, p10, p01, p11 := at(i, j), at(i+1, j), at(i, j+1), at(i+1, j+1)
			m.flatTri(p00, p10, p01)
			m.flatTri(p11, p01, p10)
		}
	}
	return m
}

// meshAsset turns a model mesh into flat-shaded triangles in the mesh frame.
// A mesh with no vertices (its file was missing) or with indices out of
// range yields an empty mesh.
func meshAsset(a *rbd.Mesh) meshData {
	var m meshData
	nv := int32(len(a.Vertices) / 3)
	v := func(i int32) spatial.Vec3 {
		return spatial.Vec3{float64(a.Vertices[3*i]), float64(a.Vertices[3*i+1]), float64(a.Vertices[3*i+2])}
	}
	for f := 0; f+2 < len(a.Faces); f += 3 {
		i, j, k := a.Faces[f], a.Faces[f+1], a.Faces[f+2]
		if i < 0 || j < 0 || k < 0 || i >= nv || j >= nv || k >= nv {
			return meshData{}
		}
		p, q, r := v(i), v(j), v(k)
		if q.Sub(p).Cross(r.Sub(p)).Norm() == 0 {
			continue // degenerate face
		}
		m.flatTri(p, q, r)
	}
	return m
}

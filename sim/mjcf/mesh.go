package mjcf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/stride-robotics/stride/sim/rbd"
)

// material keeps the one property of a material Stride uses: its colour.
type material struct {
	rgba    [4]float64
	hasRGBA bool
}

// readAssets reads every <asset> section: meshes and materials; textures are
// cosmetic, height fields and skins unsupported.
func (l *loader) readAssets() error {
	for _, sec := range l.sections("asset") {
		for _, e := range sec.children {
			var err error
			switch e.name {
			case "mesh":
				err = l.addMesh(e)
			case "material":
				err = l.addMaterial(e)
			default:
				l.warnElement(e, "")
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *loader) addMaterial(e *element) error {
	r := reader(e)
	var name string
	var m material
	r.str("name", &name)
	m.hasRGBA = r.floats("rgba", m.rgba[:], 4)
	if r.err != nil {
		return r.err
	}
	if name == "" {
		return attrErrorf(e, "name", "missing (a material needs one)")
	}
	if err := l.names.add("material", e, name); err != nil {
		return err
	}
	l.materials[name] = m
	return nil
}

// addMesh reads an <asset><mesh>: from a file (STL or OBJ) or from vertex and
// face attributes. A mesh file that is missing or unreadable leaves the mesh
// empty, with a warning.
func (l *loader) addMesh(e *element) error {
	cls, err := l.defs.active(e, l.defs.main)
	if err != nil {
		return err
	}
	s := cls.mesh
	if err := applyMesh(&s, e); err != nil {
		return err
	}
	r := reader(e)
	var name, file string
	r.str("name", &name)
	hasFile := r.str("file", &file)
	vert, hasVert := r.list("vertex")
	faceF, hasFace := r.list("face")
	if r.err != nil {
		return r.err
	}
	if name == "" {
		if !hasFile {
			return errorf(e, "a mesh needs a name or a file")
		}
		base := path.Base(strings.ReplaceAll(file, "\\", "/"))
		name = strings.TrimSuffix(base, path.Ext(base))
	}
	if hasFile && hasVert {
		return errorf(e, "file and vertex cannot both be given")
	}
	if e.has("refpos") || e.has("refquat") {
		l.warn("mjcf: mesh refpos and refquat are not supported and were ignored (first " + e.tag() + " at " + loc(e) + ")")
	}
	mesh := rbd.Mesh{Name: name, Scale: s.scale}
	var faces []int32
	switch {
	case hasFile:
		mesh.File, vert, faces = l.meshFile(e, file)
	case hasVert:
		if vert, faces, err = inlineMesh(e, vert, faceF, hasFace); err != nil {
			return err
		}
	default:
		return errorf(e, "a mesh needs a file or vertex data")
	}
	return l.storeMesh(e, mesh, vert, faces)
}

// storeMesh scales the vertices, computes the mass properties and adds the
// mesh to the model.
func (l *loader) storeMesh(e *element, mesh rbd.Mesh, vert []float64, faces []int32) error {
	if err := l.names.add("mesh", e, mesh.Name); err != nil {
		return err
	}
	mesh.Vertices = make([]float32, len(vert))
	for i, x := range vert {
		mesh.Vertices[i] = float32(x * mesh.Scale[i%3])
	}
	mesh.Faces = faces
	l.meshIndex[mesh.Name] = len(l.m.Meshes)
	l.m.Meshes = append(l.m.Meshes, mesh)
	l.meshProps = append(l.meshProps, nil)
	l.meshDone = append(l.meshDone, false)
	return nil
}

// meshMass returns the mass properties of mesh i per unit density, computed on
// first use, or nil when the mesh has no faces or encloses no volume.
func (l *loader) meshMass(i int) *massProps {
	if l.meshDone[i] {
		return l.meshProps[i]
	}
	l.meshDone[i] = true
	mesh := &l.m.Meshes[i]
	if len(mesh.Faces) == 0 {
		l.warn(fmt.Sprintf("mjcf: mesh %q has no triangles (missing file, or a point cloud); geoms using it add no mass", mesh.Name))
		return nil
	}
	v := make([]float64, len(mesh.Vertices))
	for k, x := range mesh.Vertices {
		v[k] = float64(x)
	}
	mp, ok := meshMassProps(v, mesh.Faces)
	if !ok {
		l.warn(fmt.Sprintf("mjcf: mesh %q encloses no volume; it adds no mass", mesh.Name))
		return nil
	}
	l.meshProps[i] = &mp
	return &mp
}

// inlineMesh checks vertex and face data given in the XML.
func inlineMesh(e *element, vert, faceF []float64, hasFace bool) ([]float64, []int32, error) {
	if len(vert) == 0 || len(vert)%3 != 0 {
		return nil, nil, attrErrorf(e, "vertex", "want a positive multiple of 3 numbers, got %d", len(vert))
	}
	if !hasFace {
		return vert, nil, nil // a point cloud: MuJoCo would take its convex hull
	}
	if len(faceF)%3 != 0 {
		return nil, nil, attrErrorf(e, "face", "want a multiple of 3 indices, got %d", len(faceF))
	}
	n := len(vert) / 3
	faces := make([]int32, len(faceF))
	for i, x := range faceF {
		if x != math.Trunc(x) || x < 0 || x >= float64(n) {
			return nil, nil, attrErrorf(e, "face", "index %g is not a vertex index in [0, %d)", x, n)
		}
		faces[i] = int32(x)
	}
	return vert, faces, nil
}

// meshFile finds and parses a mesh file. On failure it warns and returns an
// empty mesh.
func (l *loader) meshFile(e *element, file string) (string, []float64, []int32) {
	name := strings.ReplaceAll(file, "\\", "/")
	if l.opts.stripPath {
		name = path.Base(name)
	}
	var dirs []string
	if l.opts.meshdir != "" {
		dirs = append(dirs, path.Join(l.src.mainDir, l.opts.meshdir))
		if path.IsAbs(l.opts.meshdir) {
			dirs[0] = l.opts.meshdir
		}
	}
	dirs = append(dirs, path.Dir(e.path), l.src.mainDir)
	tried := candidates(name, dirs...)
	for _, p := range tried {
		data, err := l.src.read(p)
		if err != nil {
			continue
		}
		v, f, err := parseMeshFile(p, data)
		if err != nil {
			l.warn(fmt.Sprintf("mjcf: %s: mesh file %q: %v; the mesh is empty", loc(e), l.src.display(p), err))
			return p, nil, nil
		}
		return p, v, f
	}
	shown := make([]string, len(tried))
	for i, p := range tried {
		shown[i] = strconv.Quote(l.src.display(p))
	}
	l.warn(fmt.Sprintf("mjcf: %s: mesh file %q not found (tried %s); the mesh is empty", loc(e), file, strings.Join(shown, ", ")))
	return "", nil, nil
}

// parseMeshFile parses STL (binary or ASCII) and OBJ files by extension.
func parseMeshFile(p string, data []byte) ([]float64, []int32, error) {
	switch ext := strings.ToLower(path.Ext(p)); ext {
	case ".stl":
		return parseSTL(data)
	case ".obj":
		return parseOBJ(data)
	default:
		return nil, nil, fmt.Errorf("format %q is not supported (STL and OBJ are)", ext)
	}
}

// parseSTL reads a binary or ASCII STL file and merges repeated vertices.
func parseSTL(data []byte) ([]float64, []int32, error) {
	if len(data) >= 84 {
		n := binary.LittleEndian.Uint32(data[80:84])
		if uint64(len(data)) == 84+50*uint64(n) {
			return binarySTL(data[84:], int(n))
		}
	}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("solid")) {
		return asciiSTL(data)
	}
	return nil, nil, errors.New("not an STL file (binary size does not match its triangle count, and it does not start with \"solid\")")
}

// vertexMerger numbers distinct vertices.
type vertexMerger struct {
	index map[[3]float32]int32
	verts []float64
	faces []int32
}

func newMerger() *vertexMerger { return &vertexMerger{index: map[[3]float32]int32{}} }

func (m *vertexMerger) add(v [3]float32) {
	i, ok := m.index[v]
	if !ok {
		i = int32(len(m.verts) / 3)
		m.index[v] = i
		m.verts = append(m.verts, float64(v[0]), float64(v[1]), float64(v[2]))
	}
	m.faces = append(m.faces, i)
}

func binarySTL(b []byte, n int) ([]float64, []int32, error) {
	m := newMerger()
	for t := 0; t < n; t++ {
		rec := b[50*t : 50*t+50]
		for k := 0; k < 3; k++ {
			var v [3]float32
			for c := 0; c < 3; c++ {
				off := 12 + 12*k + 4*c
				v[c] = math.Float32frombits(binary.LittleEndian.Uint32(rec[off : off+4]))
			}
			if !finite32(v) {
				return nil, nil, fmt.Errorf("triangle %d has a non-finite vertex", t)
			}
			m.add(v)
		}
	}
	return m.verts, m.faces, nil
}

func asciiSTL(data []byte) ([]float64, []int32, error) {
	m := newMerger()
	f := strings.Fields(string(data))
	for i := 0; i < len(f); i++ {
		if f[i] != "vertex" {
			continue
		}
		if i+3 >= len(f) {
			return nil, nil, errors.New("truncated vertex")
		}
		var v [3]float32
		for c := 0; c < 3; c++ {
			x, err := strconv.ParseFloat(f[i+1+c], 32)
			if err != nil {
				return nil, nil, fmt.Errorf("bad vertex coordinate %q", f[i+1+c])
			}
			v[c] = float32(x)
		}
		if !finite32(v) {
			return nil, nil, errors.New("non-finite vertex")
		}
		m.add(v)
		i += 3
	}
	if len(m.faces)%3 != 0 {
		return nil, nil, fmt.Errorf("%d vertices do not make whole triangles", len(m.faces))
	}
	return m.verts, m.faces, nil
}

func finite32(v [3]float32) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// parseOBJ reads the vertices and faces of a Wavefront OBJ file; polygons are
// split into triangle fans and other records are skipped.
func parseOBJ(data []byte) ([]float64, []int32, error) {
	var verts []float64
	var faces []int32
	for ln, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "v":
			if len(f) < 4 {
				return nil, nil, fmt.Errorf("line %d: a vertex needs 3 coordinates", ln+1)
			}
			xs, err := parseFloats(strings.Join(f[1:4], " "))
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %v", ln+1, err)
			}
			verts = append(verts, xs...)
		case "f":
			poly, err := objFace(f[1:], len(verts)/3)
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %v", ln+1, err)
			}
			for k := 1; k+1 < len(poly); k++ {
				faces = append(faces, poly[0], poly[k], poly[k+1])
			}
		}
	}
	if len(verts) == 0 {
		return nil, nil, errors.New("no vertices")
	}
	return verts, faces, nil
}

// objFace parses the vertex indices of an OBJ face ("7", "7/1", "7//3",
// negative indices counting back from the last vertex).
func objFace(refs []string, nv int) ([]int32, error) {
	if len(refs) < 3 {
		return nil, errors.New("a face needs 3 vertices")
	}
	out := make([]int32, len(refs))
	for i, ref := range refs {
		s, _, _ := strings.Cut(ref, "/")
		k, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("bad vertex index %q", ref)
		}
		if k < 0 {
			k = nv + k + 1
		}
		if k < 1 || k > nv {
			return nil, fmt.Errorf("vertex index %s out of range (%d vertices so far)", s, nv)
		}
		out[i] = int32(k - 1)
	}
	return out, nil
}

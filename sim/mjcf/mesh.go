package mjcf

import (
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/sim/meshio"
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
	var why string
	switch {
	case hasFile:
		mesh.File, vert, faces, why = l.meshFile(e, file)
	case hasVert:
		if vert, faces, err = inlineMesh(e, vert, faceF, hasFace); err != nil {
			return err
		}
	default:
		return errorf(e, "a mesh needs a file or vertex data")
	}
	if err := l.storeMesh(e, mesh, vert, faces); err != nil {
		return err
	}
	l.meshWhy[len(l.meshWhy)-1] = why
	return nil
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
	l.meshWhy = append(l.meshWhy, "")
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
		if l.meshWhy[i] == "" {
			l.warn(fmt.Sprintf("mjcf: mesh %q has no triangles (a point cloud); geoms using it add no mass", mesh.Name))
		}
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

// meshFile finds a mesh file and parses it with meshio.Read (STL or OBJ, by
// extension). On failure it warns and returns an empty mesh and the reason.
func (l *loader) meshFile(e *element, file string) (string, []float64, []int32, string) {
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
		data, err := l.src.read(p, meshLimit)
		if err != nil && !fileio.IsLimit(err) {
			continue
		}
		if err == nil {
			var v []float32
			var f []int32
			if v, f, err = meshio.Read(p, data); err == nil {
				v64 := make([]float64, len(v))
				for i, x := range v {
					v64[i] = float64(x)
				}
				return p, v64, f, ""
			}
		}
		why := fmt.Sprintf("mesh file %q: %v", l.src.display(p), err)
		if fileio.IsLimit(err) {
			why = fmt.Sprintf("mesh file %v", err)
		}
		l.warn(fmt.Sprintf("mjcf: %s: %s; the mesh is empty", loc(e), why))
		return p, nil, nil, why
	}
	shown := make([]string, len(tried))
	for i, p := range tried {
		shown[i] = strconv.Quote(l.src.display(p))
	}
	why := fmt.Sprintf("mesh file %q not found (tried %s)", file, strings.Join(shown, ", "))
	l.warn(fmt.Sprintf("mjcf: %s: %s; the mesh is empty", loc(e), why))
	return "", nil, nil, why
}

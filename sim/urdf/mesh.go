package urdf

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/sim/meshio"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// meshTable loads each (file, scale) once into the model's Meshes.
type meshTable struct {
	l     *loader
	m     *rbd.Model
	byKey map[meshKey]int
	names map[string]bool
}

type meshKey struct {
	file  string // resolved path, or the URI when not found
	found bool
	scale spatial.Vec3
}

func newMeshTable(l *loader, m *rbd.Model) *meshTable {
	return &meshTable{l: l, m: m, byKey: map[meshKey]int{}, names: map[string]bool{}}
}

// index returns the Meshes index for a mesh geom, loading the file the first
// time. A file that cannot be found, or is not STL, gives an empty mesh and a
// warning; a file that cannot be read or parsed is an error.
func (t *meshTable) index(g *geomSpec, ctx string) (int, error) {
	l := t.l
	p, found := l.resolveMesh(g.mesh)
	key := meshKey{file: g.mesh, found: found, scale: g.scale}
	if found {
		key.file = p
	}
	if i, ok := t.byKey[key]; ok {
		return i, nil
	}
	base := path.Base(strings.ReplaceAll(g.mesh, `\`, "/"))
	name := strings.TrimSuffix(base, path.Ext(base))
	if name == "" || name == "." || name == "/" {
		name = "mesh"
	}
	for k := 2; t.names[name]; k++ {
		name = strings.TrimSuffix(base, path.Ext(base)) + "_" + strconv.Itoa(k)
	}
	t.names[name] = true
	mesh := rbd.Mesh{Name: name, File: g.mesh, Scale: g.scale}
	switch {
	case !found:
		l.warn.addTo("nomesh:"+g.mesh, fmt.Sprintf("mesh file %q not found; its geoms have no shape", g.mesh), fmt.Sprintf("line %d", g.line))
	case !strings.EqualFold(path.Ext(p), ".stl"):
		mesh.File = l.osPath(p)
		l.warn.addTo("notstl:"+p, fmt.Sprintf("mesh file %q is not STL, the only format read; its geoms have no shape", g.mesh), fmt.Sprintf("line %d", g.line))
	default:
		mesh.File = l.osPath(p)
		data, err := fileio.ReadFS(l.fsys, p, fileio.LimitMesh)
		if err != nil {
			return 0, l.errLine(g.line, ctx, "mesh %q: %v", g.mesh, err)
		}
		verts, faces, err := meshio.ReadSTL(data)
		if err != nil {
			return 0, l.errLine(g.line, ctx, "mesh %q: %v", g.mesh, err)
		}
		for i := range verts {
			verts[i] = float32(float64(verts[i]) * g.scale[i%3])
		}
		if g.scale[0]*g.scale[1]*g.scale[2] < 0 { // mirrored: keep faces outward
			for i := 0; i+2 < len(faces); i += 3 {
				faces[i+1], faces[i+2] = faces[i+2], faces[i+1]
			}
		}
		mesh.Vertices, mesh.Faces = verts, faces
	}
	t.m.Meshes = append(t.m.Meshes, mesh)
	t.byKey[key] = len(t.m.Meshes) - 1
	return len(t.m.Meshes) - 1, nil
}

// resolveMesh maps a mesh filename to a path in the loader's file system:
//
//   - with Options.MeshDir, MeshDir/<base name> when that file exists;
//   - package://pkg/rest (or model://pkg/rest): for each directory D from the
//     URDF's own up to the root, D/rest when D is named pkg, then D/pkg/rest;
//   - file:///abs and /abs: from the root of the file system;
//   - anything else: relative to the URDF's directory.
//
// Backslashes count as separators. It reports whether an existing file was
// found.
func (l *loader) resolveMesh(uri string) (string, bool) {
	u := strings.ReplaceAll(uri, `\`, "/")
	if l.meshDir != "" {
		if p := path.Join(l.meshDir, path.Base(u)); l.isFile(p) {
			return p, true
		}
	}
	for _, scheme := range []string{"package://", "model://"} {
		rest, ok := strings.CutPrefix(u, scheme)
		if !ok {
			continue
		}
		pkg, sub, _ := strings.Cut(rest, "/")
		if pkg == "" {
			return "", false
		}
		for d := l.dir; ; d = path.Dir(d) {
			if path.Base(d) == pkg {
				if p := path.Join(d, sub); l.isFile(p) {
					return p, true
				}
			}
			if p := path.Join(d, pkg, sub); l.isFile(p) {
				return p, true
			}
			if d == "." || d == "/" || d == "" {
				return "", false
			}
		}
	}
	if rest, ok := strings.CutPrefix(u, "file://"); ok {
		u = rest
	}
	var p string
	if strings.HasPrefix(u, "/") {
		p = strings.TrimLeft(path.Clean(u), "/")
		if p == "" {
			return "", false
		}
	} else {
		p = path.Join(l.dir, u)
	}
	return p, l.isFile(p)
}

// isFile reports whether p names something other than a directory.
func (l *loader) isFile(p string) bool {
	if !fs.ValidPath(p) {
		return false
	}
	// Anything but a directory counts as found, so that a pipe or device
	// is refused by name when read rather than reported missing.
	st, err := fs.Stat(l.fsys, p)
	return err == nil && !st.IsDir()
}

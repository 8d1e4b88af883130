package urdf

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Options control how a URDF becomes a model. The zero value gives a
// fixed-base model; DefaultOptions gives the floating base a humanoid needs.
type Options struct {
	// FloatingBase gives the root link's body a free joint named
	// FreeJointName, so that the robot moves freely in the world (nq += 7,
	// nv += 6). Otherwise the root link's body is welded to the world. It is
	// ignored, with a warning, when the root link is named "world": that file
	// states how the robot is attached itself.
	FloatingBase bool

	// BasePos is the root body's position in the world at the reference
	// configuration (for a floating base, also Qpos0[0:3]), e.g. the
	// standing height of a humanoid's pelvis. Zero by default.
	BasePos spatial.Vec3

	// MeshDir, when not empty, is searched first for every mesh by the base
	// name of its filename, as MuJoCo's URDF compiler does. It is an operating
	// system path for LoadFile and a path inside the file system for Load.
	MeshDir string
}

// FreeJointName is the name of the free joint that Options.FloatingBase adds
// (with "_" appended while a joint of the file has that name).
const FreeJointName = "floating_base"

// DefaultOptions returns the options Stride uses for humanoids: a floating
// base at the world origin.
func DefaultOptions() Options { return Options{FloatingBase: true} }

// Error is a fault in a URDF file, located by line.
type Error struct {
	File    string // the file's name as given to LoadFile or Load
	Line    int    // 1-based line of the element at fault; 0 if none applies
	Element string // the enclosing link or joint, e.g. `<joint name="knee">`; may be empty
	Msg     string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Element != "" {
		b.WriteString(e.Element)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// LoadFile reads the URDF file at the operating-system path file and returns
// the finalized model. Meshes are looked up as described in the package
// documentation, on the operating system's file system.
func LoadFile(file string, opt Options) (*rbd.Model, error) {
	data, err := fileio.ReadFile(file, fileio.LimitModel)
	if err != nil {
		return nil, fmt.Errorf("urdf: %w", err)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, fmt.Errorf("urdf: %w", err)
	}
	root := filepath.VolumeName(abs) + string(filepath.Separator)
	fsys := os.DirFS(root)
	rel := func(p string) string {
		p = filepath.ToSlash(strings.TrimPrefix(p, root))
		if p == "" {
			return "."
		}
		return p
	}
	l := &loader{
		file:   file,
		fsys:   fsys,
		dir:    rel(filepath.Dir(abs)),
		opt:    opt,
		osPath: func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) },
	}
	if opt.MeshDir != "" {
		md, err := filepath.Abs(opt.MeshDir)
		if err != nil {
			return nil, fmt.Errorf("urdf: mesh directory: %w", err)
		}
		if !strings.HasPrefix(md, root) {
			return nil, fmt.Errorf("urdf: Options.MeshDir %q is not on the volume of %s", opt.MeshDir, file)
		}
		l.meshDir = rel(md)
	}
	return l.load(data)
}

// Load reads the URDF file name from fsys and returns the finalized model.
// Mesh files are looked up in fsys: package:// URIs search upward from the
// file's directory to the root of fsys, absolute paths start at that root.
func Load(fsys fs.FS, name string, opt Options) (*rbd.Model, error) {
	data, err := fileio.ReadFS(fsys, name, fileio.LimitModel)
	if err != nil {
		return nil, fmt.Errorf("urdf: %w", err)
	}
	l := &loader{
		file:   name,
		fsys:   fsys,
		dir:    path.Dir(name),
		opt:    opt,
		osPath: func(p string) string { return p },
	}
	if opt.MeshDir != "" {
		l.meshDir = path.Clean(filepath.ToSlash(opt.MeshDir))
	}
	return l.load(data)
}

// loader holds one load's state.
type loader struct {
	file    string // for messages
	fsys    fs.FS
	dir     string // the URDF's directory in fsys
	meshDir string // Options.MeshDir in fsys, or ""
	opt     Options
	osPath  func(string) string // fsys path → path reported in Mesh.File

	warn warnings
}

func (l *loader) load(data []byte) (*rbd.Model, error) {
	root, err := parseXML(l.file, data)
	if err != nil {
		return nil, err
	}
	r, err := l.parseRobot(root)
	if err != nil {
		return nil, err
	}
	m, err := l.build(r)
	if err != nil {
		return nil, err
	}
	if err := m.Finalize(); err != nil {
		return nil, fmt.Errorf("%s: %w", l.file, err)
	}
	return m, nil
}

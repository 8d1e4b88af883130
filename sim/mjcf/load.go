package mjcf

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// LoadFile reads an MJCF file from disk; includes and mesh files resolve
// relative to it.
func LoadFile(p string) (*rbd.Model, error) {
	read := func(name string, limit int64) ([]byte, error) {
		return fileio.ReadFile(filepath.FromSlash(name), limit)
	}
	return load(read, filepath.ToSlash(filepath.Clean(p)))
}

// Load reads the MJCF file name from fsys (e.g. an embed.FS or os.DirFS), with
// the same semantics as LoadFile. Files outside fsys cannot be reached.
func Load(fsys fs.FS, name string) (*rbd.Model, error) {
	read := func(p string, limit int64) ([]byte, error) {
		if !fs.ValidPath(p) {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		}
		return fileio.ReadFS(fsys, p, limit)
	}
	return load(read, path.Clean(name))
}

// loader turns the assembled document into an rbd.Model.
type loader struct {
	src  *source
	root *element
	opts compilerOpts
	defs *defaults
	m    *rbd.Model

	gravity    spatial.Vec3
	gravityOff bool

	names      nameTable
	jointIndex map[string]int
	meshIndex  map[string]int
	meshProps  []*massProps // per mesh: volume and inertia once computed (meshDone)
	meshDone   []bool
	meshWhy    []string // per mesh: why it is empty (its file missing or unreadable), or ""
	materials  map[string]material

	actKept   []bool // per MJCF actuator in order: whether it became an rbd.Actuator
	skipped   map[string]*skipNote
	skipOrder []string
	warned    map[string]bool
}

func load(read func(string, int64) ([]byte, error), mainPath string) (*rbd.Model, error) {
	src := &source{read: read, mainDir: path.Dir(mainPath)}
	ps := &parser{src: src, included: map[string]bool{}}
	root, err := ps.parseFile(mainPath)
	if err != nil {
		if _, ok := err.(*Error); ok {
			return nil, err
		}
		return nil, fmt.Errorf("mjcf: %w", err)
	}
	if root.name != "mujoco" {
		return nil, errorf(root, "the root element must be <mujoco> (is this a URDF file?)")
	}
	name, ok := root.attr("model")
	if !ok {
		name = "MuJoCo Model"
	}
	l := &loader{
		src: src, root: root, opts: defaultCompiler(), defs: newDefaults(), m: rbd.NewModel(name),
		gravity: spatial.Vec3{0, 0, -9.81}, names: nameTable{}, jointIndex: map[string]int{},
		meshIndex: map[string]int{}, materials: map[string]material{}, skipped: map[string]*skipNote{},
		warned: map[string]bool{},
	}
	if err := l.build(); err != nil {
		return nil, err
	}
	if err := l.m.Finalize(); err != nil {
		return nil, &Error{File: src.display(mainPath), Err: err}
	}
	return l.m, nil
}

// build reads the sections in dependency order, whatever their order in the
// file: settings, defaults, assets, the kinematic tree, actuators, keyframes.
func (l *loader) build() error {
	steps := []func() error{l.readSettings, l.readDefaults, l.readAssets, l.readWorld, l.readActuators, l.readKeyframes, l.readCustom}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	l.warnIgnoredSections()
	l.warnSkippedActuators()
	if err := l.applyTotalMass(); err != nil {
		return err
	}
	l.m.Gravity = l.gravity
	if l.gravityOff {
		l.m.Gravity = spatial.Vec3{}
	}
	return nil
}

// sections returns the root's children named name.
func (l *loader) sections(name string) []*element {
	var out []*element
	for _, c := range l.root.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

func (l *loader) readSettings() error {
	for _, c := range l.root.children {
		var err error
		switch c.name {
		case "compiler":
			err = l.applyCompiler(c)
		case "option":
			err = l.applyOption(c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) readDefaults() error {
	for i, c := range l.sections("default") {
		if err := l.defs.addTopLevel(c, i == 0); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) readActuators() error {
	for _, c := range l.sections("actuator") {
		if err := l.buildActuators(c); err != nil {
			return err
		}
	}
	return nil
}

// Top-level sections that Stride reads; all others get one warning each.
var readSections = map[string]bool{
	"compiler": true, "option": true, "size": true, "default": true, "asset": true,
	"worldbody": true, "actuator": true, "keyframe": true, "custom": true,
}

func (l *loader) warnIgnoredSections() {
	for _, c := range l.root.children {
		if !readSections[c.name] {
			l.warnElement(c, "")
		}
	}
}

// warnSkippedActuators reports the actuators left out, one line per reason.
func (l *loader) warnSkippedActuators() {
	for _, reason := range l.skipOrder {
		n := l.skipped[reason]
		l.warn(fmt.Sprintf("mjcf: %s; %d actuator(s) skipped, the first %s at %s:%d", reason, n.count, n.first.tag(), n.first.file, n.first.line))
	}
}

// Elements MJCF defines that Stride does not use, and whether they only affect
// how the model looks.
var cosmetic = map[string]bool{
	"visual": true, "statistic": true, "light": true, "camera": true, "texture": true,
	"skin": true,
}

var knownUnsupported = map[string]bool{
	"sensor": true, "contact": true, "equality": true, "tendon": true, "extension": true,
	"deformable": true, "plugin": true, "composite": true, "flexcomp": true, "attach": true,
	"replicate": true, "hfield": true, "model": true, "flex": true, "instance": true,
}

// warnElement records that element e was ignored, once per element name.
// why, when given, replaces the standard explanation.
func (l *loader) warnElement(e *element, why string) {
	key := "element:" + e.name
	if l.warned[key] {
		return
	}
	l.warned[key] = true
	switch {
	case why != "":
	case cosmetic[e.name]:
		why = "was ignored (cosmetic)"
	case knownUnsupported[e.name]:
		why = "is not supported and was ignored"
	default:
		why = "is not an MJCF element Stride knows and was ignored"
	}
	l.warn(fmt.Sprintf("mjcf: <%s> %s (first at %s:%d)", e.name, why, e.file, e.line))
}

func (l *loader) warn(msg string) {
	if l.warned[msg] {
		return
	}
	l.warned[msg] = true
	l.m.Warnings = append(l.m.Warnings, msg)
}

// nameTable catches duplicate names per kind of element.
type nameTable map[string]bool

func (t nameTable) add(kind string, e *element, name string) error {
	if name == "" {
		return nil
	}
	key := kind + "\x00" + name
	if t[key] {
		return attrErrorf(e, "name", "%s name %q is used twice", kind, name)
	}
	t[key] = true
	return nil
}

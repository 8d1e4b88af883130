package mjcf

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// Every error names the file, the line, the element and what is wrong.
func TestErrors(t *testing.T) {
	body := func(inner string) string {
		return "<mujoco>\n<worldbody>\n<body name=\"b\">\n" + inner + "\n</body>\n</worldbody>\n</mujoco>"
	}
	cases := []struct {
		name, src string
		want      []string
	}{
		{"malformed XML", "<mujoco>\n<worldbody>\n<body name=\"b\"></geom>\n</worldbody></mujoco>",
			[]string{"model.xml:3:", "malformed XML", "element <body> closed by </geom>"}},
		{"truncated file", "<mujoco>\n<worldbody>\n<body name=\"b\">\n<geom size=\"0.1\"/>",
			[]string{"model.xml:4:", "malformed XML", "unexpected end of file"}},
		{"empty file", "", []string{"model.xml:1:", "no root element"}},
		{"two roots", "<mujoco/>\n<mujoco/>", []string{"model.xml:2:", "second root element"}},
		{"not MJCF", "<robot name=\"r\"/>", []string{"model.xml:1:", "<robot name=\"r\">", "root element must be <mujoco>"}},
		{"zero axis", body(`<joint name="j" axis="0 0 0"/>`),
			[]string{"model.xml:4:", `<joint name="j">`, "axis", "zero length"}},
		{"negative mass", body(`<inertial pos="0 0 0" mass="-1" diaginertia="1 1 1"/>`),
			[]string{"model.xml:4:", "<inertial>", "mass: -1 must be non-negative"}},
		{"not positive definite", body(`<inertial pos="0 0 0" mass="1" fullinertia="1 1 1 2 0 0"/>`),
			[]string{"model.xml:4:", "<inertial>", "fullinertia", "not positive definite"}},
		{"negative diaginertia", body(`<inertial pos="0 0 0" mass="1" diaginertia="1 -1 1"/>`),
			[]string{"model.xml:4:", "diaginertia", "must be non-negative"}},
		{"inertial without inertia", body(`<inertial pos="0 0 0" mass="1"/>`),
			[]string{"model.xml:4:", "exactly one of diaginertia and fullinertia"}},
		{"unknown joint type", body(`<joint name="j" type="revolute"/>`),
			[]string{"model.xml:4:", `<joint name="j">`, `type: unknown value "revolute"`, "free, ball, slide or hinge"}},
		{"bad number", body(`<joint name="j" range="-1 abc"/>`),
			[]string{"model.xml:4:", `<joint name="j">`, `range: "abc" is not a number`}},
		{"wrong count", body(`<joint name="J00" range="1"/>`),
			[]string{"model.xml:4:", `<joint name="J00">: range: want 2 numbers, got 1`}},
		{"too many numbers", body(`<geom size="1 2 3 4"/>`),
			[]string{"model.xml:4:", "<geom>: size: want 1 to 3 numbers, got 4"}},
		{"not finite", body(`<geom size="nan"/>`), []string{"model.xml:4:", `"nan" is not a finite number`}},
		{"bad integer", body(`<geom size="1" condim="3.5"/>`), []string{"model.xml:4:", `condim: "3.5" is not an integer`}},
		{"bad condim", body(`<geom size="1" condim="2"/>`), []string{"model.xml:4:", "condim: 2 is not one of 1, 3, 4, 6"}},
		{"bad range", body(`<joint name="j" range="1 -1"/>`), []string{"model.xml:4:", "range: [1, -1] must have lo < hi"}},
		{"negative damping", body(`<joint name="j" damping="-1"/>`), []string{"model.xml:4:", "damping: -1 must be non-negative"}},
		{"unknown class", body(`<geom class="nope" size="1"/>`), []string{"model.xml:4:", `unknown default class "nope"`}},
		{"unknown childclass", "<mujoco>\n<worldbody>\n<body childclass=\"x\"/></worldbody></mujoco>", []string{"model.xml:3:", `unknown default class "x"`}},
		{"unknown mesh", body(`<geom type="mesh" mesh="m"/>`), []string{"model.xml:4:", `mesh: unknown mesh "m"`}},
		{"unknown material", body(`<geom size="1" material="m"/>`), []string{"model.xml:4:", `unknown material "m"`}},
		{"unknown geom type", body(`<geom type="cone"/>`), []string{"model.xml:4:", `type: unknown value "cone"`}},
		{"bad geom size", body(`<geom type="capsule" size="0.1"/>`), []string{"model.xml:4:", "a capsule needs a radius and a half-length > 0"}},
		{"fromto on sphere", body(`<geom fromto="0 0 0 1 0 0" size="1"/>`), []string{"model.xml:4:", "fromto: only capsule"}},
		{"fromto coincident", body(`<geom type="capsule" fromto="1 0 0 1 0 0" size="1"/>`), []string{"model.xml:4:", "the two points coincide"}},
		{"two orientations", body(`<geom size="1" quat="1 0 0 0" euler="0 0 0"/>`), []string{"model.xml:4:", "euler: the frame orientation is already given by quat"}},
		{"zero quat", body(`<geom size="1" quat="0 0 0 0"/>`), []string{"model.xml:4:", "zero quaternion"}},
		{"nested free joint", body(`<body><freejoint name="f"/></body>`), []string{"model.xml:4:", "a free joint must belong to a child of the world body"}},
		{"joint in world", "<mujoco>\n<worldbody>\n<joint/></worldbody></mujoco>", []string{"model.xml:3:", "joints are not allowed in the world body"}},
		{"massless moving body", "<mujoco>\n<worldbody>\n<body name=\"b\"><joint/></body></worldbody></mujoco>",
			[]string{"model.xml:3:", `<body name="b">`, "the body has joints but mass 0"}},
		{"infinite mass", body(`<geom type="box" size="1e300 1e300 1e300"/>`), []string{"model.xml:3:", `<body name="b">`, "not finite"}},
		{"eulerseq", "<mujoco>\n<compiler eulerseq=\"xyw\"/></mujoco>", []string{"model.xml:2:", "<compiler>", "eulerseq"}},
		{"global coordinates", "<mujoco>\n<compiler coordinate=\"global\"/></mujoco>", []string{"model.xml:2:", "not supported"}},
		{"unnamed class", "<mujoco>\n<default>\n<default><joint/></default></default></mujoco>", []string{"model.xml:3:", "needs a class name"}},
		{"duplicate class", "<mujoco><default>\n<default class=\"a\"/>\n<default class=\"a\"/></default></mujoco>", []string{"model.xml:3:", `class "a" is defined twice`}},
		{"negative timestep", "<mujoco>\n<option timestep=\"-1\"/></mujoco>", []string{"model.xml:2:", "timestep: -1 must be positive"}},
		{"mesh without source", "<mujoco><asset>\n<mesh name=\"m\"/></asset></mujoco>", []string{"model.xml:2:", "needs a file or vertex data"}},
		{"bad face index", "<mujoco><asset>\n<mesh name=\"m\" vertex=\"0 0 0 1 0 0 0 1 0\" face=\"0 1 3\"/></asset></mujoco>", []string{"model.xml:2:", "face: index 3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := loadErr(t, c.src)
			wantContains(t, msg, c.want...)
		})
	}
}

// Errors found by rbd's Finalize name the file; errors in the tree are of
// type *Error.
func TestFinalizeErrorsNameTheFile(t *testing.T) {
	src := `<mujoco><asset><mesh name="m" vertex="0 0 0 1 0 0 0 1 0"/></asset>
<worldbody><body><geom type="mesh" mesh="m" size="-1"/></body></worldbody></mujoco>`
	_, err := Load(fstest.MapFS{"dir/robot.xml": {Data: []byte(src)}}, "dir/robot.xml")
	if err == nil {
		t.Fatal("no error")
	}
	wantContains(t, err.Error(), "robot.xml: geom", "must be finite and non-negative")
	var e *Error
	if !errors.As(err, &e) || e.File != "robot.xml" || e.Line != 0 {
		t.Errorf("error %#v, want an *Error for robot.xml without a line", err)
	}

	_, err = Load(fstest.MapFS{}, "missing.xml")
	wantContains(t, err.Error(), "missing.xml")
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "robot.xml")
	if err := os.WriteFile(p, []byte("<mujoco>\n  <worldbody>\n    <body>\n      <joint range=\"0\"/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(p)
	if err == nil {
		t.Fatal("no error")
	}
	wantContains(t, err.Error(), "robot.xml:4:", "unexpected end of file")
	if _, err := LoadFile(filepath.Join(dir, "none.xml")); err == nil {
		t.Error("missing file: no error")
	}
}

// A missing mesh file is a warning; the mesh stays, empty.
func TestMissingMeshIsAWarning(t *testing.T) {
	m := loadString(t, `<mujoco><compiler meshdir="meshes"/><asset><mesh file="gone.stl"/></asset>
<worldbody><body><geom type="mesh" mesh="gone"/><geom size="0.1"/><joint/></body></worldbody></mujoco>`)
	if len(m.Meshes) != 1 || m.Meshes[0].Name != "gone" || len(m.Meshes[0].Vertices) != 0 {
		t.Fatalf("meshes %+v", m.Meshes)
	}
	wantContains(t, joinWarnings(m.Warnings), `mesh file "gone.stl" not found`, `tried "meshes/gone.stl", "gone.stl"`, "the mesh is empty")
}

func joinWarnings(w []string) string {
	s := ""
	for _, x := range w {
		s += x + "\n"
	}
	return s
}

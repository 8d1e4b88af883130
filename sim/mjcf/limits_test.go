package mjcf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadWithin loads p and fails the test if that takes more than 10 s (a
// loader that opened a FIFO would block for ever).
func loadWithin(t *testing.T, p string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { _, err := LoadFile(p); done <- err }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("LoadFile(%s) blocked", p)
		return nil
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, s := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const boxBody = `<worldbody><body name="b"><freejoint/><geom type="box" size="0.1 0.1 0.1"/></body></worldbody>`

func TestIncludeDepthLimit(t *testing.T) {
	files := map[string]string{"main.xml": `<mujoco><include file="i0.xml"/>` + boxBody + `</mujoco>`}
	n := maxIncludeDepth + 5
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("i%d.xml", i)] = fmt.Sprintf(`<mujoco><include file="i%d.xml"/></mujoco>`, i+1)
	}
	files[fmt.Sprintf("i%d.xml", n)] = `<mujoco/>`
	dir := writeFiles(t, files)
	err := loadWithin(t, filepath.Join(dir, "main.xml"))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("includes nested more than %d deep", maxIncludeDepth)) {
		t.Fatalf("got %v", err)
	}
	// Within the limit it loads.
	files = map[string]string{"main.xml": `<mujoco><include file="i0.xml"/>` + boxBody + `</mujoco>`}
	for i := 0; i < maxIncludeDepth-1; i++ {
		files[fmt.Sprintf("i%d.xml", i)] = fmt.Sprintf(`<mujoco><include file="i%d.xml"/></mujoco>`, i+1)
	}
	files[fmt.Sprintf("i%d.xml", maxIncludeDepth-1)] = `<mujoco/>`
	dir = writeFiles(t, files)
	if err := loadWithin(t, filepath.Join(dir, "main.xml")); err != nil {
		t.Fatalf("depth %d: %v", maxIncludeDepth, err)
	}
}

func TestIncludeTotalBytesLimit(t *testing.T) {
	saved := maxModelBytes
	maxModelBytes = 4000
	defer func() { maxModelBytes = saved }()
	pad := "<!--" + strings.Repeat("x", 1500) + "-->"
	files := map[string]string{"main.xml": `<mujoco><include file="a.xml"/><include file="b.xml"/><include file="c.xml"/>` + boxBody + `</mujoco>`}
	for _, n := range []string{"a", "b", "c"} {
		files[n+".xml"] = "<mujoco>" + pad + "</mujoco>"
	}
	dir := writeFiles(t, files)
	err := loadWithin(t, filepath.Join(dir, "main.xml"))
	if err == nil || !strings.Contains(err.Error(), "c.xml: the model's files together are larger than the 4000 bytes limit") {
		t.Fatalf("got %v", err)
	}
}

func TestFileSizeLimit(t *testing.T) {
	saved := fileLimit
	fileLimit = 1000
	defer func() { fileLimit = saved }()
	big := "<mujoco>" + "<!--" + strings.Repeat("x", 2000) + "-->" + "</mujoco>"
	dir := writeFiles(t, map[string]string{"main.xml": `<mujoco><include file="big.xml"/>` + boxBody + `</mujoco>`, "big.xml": big, "bigmain.xml": big})
	err := loadWithin(t, filepath.Join(dir, "main.xml"))
	if err == nil || !strings.Contains(err.Error(), "main.xml:1: <include>: file:") || !strings.Contains(err.Error(), "big.xml: larger than the 1000 bytes limit") {
		t.Fatalf("include: %v", err)
	}
	err = loadWithin(t, filepath.Join(dir, "bigmain.xml"))
	if err == nil || !strings.Contains(err.Error(), "larger than the 1000 bytes limit") {
		t.Fatalf("main: %v", err)
	}
}

func TestNonRegularModelFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"inc.xml":  `<mujoco><include file="fifo.xml"/>` + boxBody + `</mujoco>`,
		"dev.xml":  `<mujoco><include file="/dev/zero"/>` + boxBody + `</mujoco>`,
		"mesh.xml": `<mujoco><asset><mesh name="m" file="fifo.stl"/></asset><worldbody><body name="b"><freejoint/><geom type="mesh" mesh="m"/></body></worldbody></mujoco>`,
		"zero.xml": `<mujoco><asset><mesh name="m" file="/dev/zero"/></asset><worldbody><body name="b"><freejoint/><geom type="mesh" mesh="m"/></body></worldbody></mujoco>`,
	})
	for _, f := range []string{"fifo.xml", "fifo.stl", "main-fifo.xml"} {
		if err := syscall.Mkfifo(filepath.Join(dir, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string][]string{
		"inc.xml":       {"<include>: file:", "fifo.xml: is a named pipe (FIFO), not a regular file"},
		"dev.xml":       {"<include>: file:", "/dev/zero: is a character device, not a regular file"},
		"main-fifo.xml": {"main-fifo.xml: is a named pipe (FIFO), not a regular file"},
		"mesh.xml":      {`mesh "m" is empty: mesh file`, "fifo.stl: is a named pipe (FIFO), not a regular file", "the body has joints but mass 0"},
		"zero.xml":      {`mesh "m" is empty: mesh file /dev/zero: is a character device`},
	}
	for f, want := range cases {
		err := loadWithin(t, filepath.Join(dir, f))
		for _, w := range want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: got %v, want %q", f, err, w)
			}
		}
	}
}

func TestMeshSizeLimit(t *testing.T) {
	saved := meshLimit
	meshLimit = 100
	defer func() { meshLimit = saved }()
	stl := "solid x\n" + strings.Repeat(" ", 200) + "endsolid x\n"
	dir := writeFiles(t, map[string]string{
		"m.stl":   stl,
		"m.xml":   `<mujoco><asset><mesh name="m" file="m.stl"/></asset><worldbody><body name="b"><freejoint/><geom type="mesh" mesh="m"/><geom type="box" size=".1 .1 .1"/></body></worldbody></mujoco>`,
		"bad.xml": `<mujoco><asset><mesh name="m" file="m.stl"/></asset><worldbody><body name="b"><freejoint/><geom type="mesh" mesh="m"/></body></worldbody></mujoco>`,
	})
	m, err := LoadFile(filepath.Join(dir, "m.xml"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range m.Warnings {
		found = found || strings.Contains(w, "m.stl: larger than the 100 bytes limit for this kind of file; the mesh is empty")
	}
	if !found {
		t.Fatalf("no size warning in %q", m.Warnings)
	}
	_, err = LoadFile(filepath.Join(dir, "bad.xml"))
	if err == nil || !strings.Contains(err.Error(), "larger than the 100 bytes limit") || !strings.Contains(err.Error(), `mesh "m" is empty`) {
		t.Fatalf("massless: %v", err)
	}
}

func TestMissingMeshNamedInMassError(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"m.xml": `<mujoco><asset><mesh name="leg" file="meshes/leg.STL"/></asset>
<worldbody><body name="b"><freejoint/><geom type="mesh" mesh="leg"/></body></worldbody></mujoco>`,
	})
	_, err := LoadFile(filepath.Join(dir, "m.xml"))
	want := `m.xml:2: <body name="b">: mesh "leg" is empty: mesh file "meshes/leg.STL" not found (tried "meshes/leg.STL"); the body has joints but mass 0`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got  %v\nwant %s…", err, want)
	}
}

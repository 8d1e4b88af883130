package urdf

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func loadWithin(t *testing.T, p string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { _, err := LoadFile(p, DefaultOptions()); done <- err }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("LoadFile(%s) blocked", p)
		return nil
	}
}

// Model and mesh files must be regular files: a FIFO or device is refused
// with a message naming it, without blocking or reading without end.
func TestNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	robot := func(mesh string) string {
		return `<robot name="r"><link name="base"><inertial><origin xyz="0 0 0"/><mass value="1"/>` +
			`<inertia ixx="0.1" ixy="0" ixz="0" iyy="0.1" iyz="0" izz="0.1"/></inertial>` +
			`<visual><geometry><mesh filename="` + mesh + `"/></geometry></visual></link></robot>`
	}
	files := map[string]string{"fifo.urdf": robot("pipe.stl"), "zero.urdf": robot("/dev/zero.stl"), "dir.urdf": robot("d.stl")}
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"pipe.stl", "main.urdf"} {
		if err := syscall.Mkfifo(filepath.Join(dir, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "d.stl"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"main.urdf": "main.urdf: is a named pipe (FIFO), not a regular file",
		"fifo.urdf": "pipe.stl: is a named pipe (FIFO), not a regular file",
	}
	for f, want := range cases {
		err := loadWithin(t, filepath.Join(dir, f))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", f, err, want)
		}
	}
	// /dev/zero.stl does not exist: a warning naming the file, not a read.
	m, err := LoadFile(filepath.Join(dir, "zero.urdf"), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(m.Warnings, "\n"), `mesh file "/dev/zero.stl" not found`) {
		t.Errorf("warnings %q", m.Warnings)
	}
	// A directory where the mesh should be is not a mesh file.
	m, err = LoadFile(filepath.Join(dir, "dir.urdf"), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(m.Warnings, "\n"), `mesh file "d.stl" not found`) {
		t.Errorf("warnings %q", m.Warnings)
	}
}

package fileio

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func content(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestReadFileLimit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	write(t, p, "0123456789")
	if b, err := ReadFile(p, 10); err != nil || string(b) != "0123456789" {
		t.Fatalf("at the limit: %q, %v", b, err)
	}
	_, err := ReadFile(p, 9)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 9 || !strings.Contains(err.Error(), "9 bytes limit") || !strings.Contains(err.Error(), p) {
		t.Fatalf("over the limit: %v", err)
	}
	if got := (&TooLargeError{Path: "x", Limit: 64 << 20}).Error(); got != "x: larger than the 64 MiB limit for this kind of file" {
		t.Fatalf("message: %q", got)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
}

func TestReadRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		dir:         "a directory",
		fifo:        "a named pipe",
		"/dev/zero": "a character device",
	}
	for p, kind := range cases {
		done := make(chan error, 1)
		go func() { _, err := ReadFile(p, 1<<20); done <- err }()
		select {
		case err := <-done:
			var nr *NotRegularError
			if !errors.As(err, &nr) || !strings.Contains(err.Error(), kind) || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("%s: got %v, want a refusal naming %s", p, err, kind)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: ReadFile blocked", p)
		}
	}
	// A symbolic link to a regular file is read.
	reg := filepath.Join(dir, "reg")
	write(t, reg, "x")
	link := filepath.Join(dir, "link")
	if err := os.Symlink(reg, link); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(link, 10); err != nil || string(b) != "x" {
		t.Fatalf("link: %q %v", b, err)
	}
}

func TestReadFileOrStdin(t *testing.T) {
	b, err := ReadFileOrStdin("-", 5, strings.NewReader("hello"))
	if err != nil || string(b) != "hello" {
		t.Fatalf("%q %v", b, err)
	}
	_, err = ReadFileOrStdin("-", 4, strings.NewReader("hello"))
	if err == nil || !strings.Contains(err.Error(), "standard input: larger than the 4 bytes limit") {
		t.Fatalf("stdin over the limit: %v", err)
	}
}

func TestReadFS(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a"), "abc")
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(dir)
	if b, err := ReadFS(fsys, "a", 3); err != nil || string(b) != "abc" {
		t.Fatalf("%q %v", b, err)
	}
	if _, err := ReadFS(fsys, "a", 2); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("limit: %v", err)
	}
	if _, err := ReadFS(fsys, "d", 2); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Fatalf("dir: %v", err)
	}
}

func TestOpenCharDevice(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "js0")
	write(t, reg, "not a joystick")
	_, err := OpenCharDevice(reg)
	if err == nil || !strings.Contains(err.Error(), "is a regular file, not a character device") {
		t.Fatalf("regular file: %v", err)
	}
	if _, err := OpenCharDevice(dir); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Fatalf("dir: %v", err)
	}
	f, err := OpenCharDevice("/dev/null")
	if err != nil {
		t.Fatalf("/dev/null: %v", err)
	}
	f.Close()
}

func TestCreateRefusesExisting(t *testing.T) {
	for _, atomic := range []bool{false, true} {
		dir := t.TempDir()
		p := filepath.Join(dir, "out")
		write(t, p, "precious")
		_, err := Create(p, Options{Atomic: atomic})
		var ee *ExistsError
		if !errors.As(err, &ee) || !strings.Contains(err.Error(), "use --force") {
			t.Fatalf("atomic=%v: %v", atomic, err)
		}
		_, err = Create(p, Options{Atomic: atomic, ForceHint: "--overwrite"})
		if err == nil || !strings.Contains(err.Error(), "--overwrite") {
			t.Fatalf("hint: %v", err)
		}
		if got := content(t, p); got != "precious" {
			t.Fatalf("atomic=%v: file changed to %q", atomic, got)
		}
		o, err := Create(p, Options{Atomic: atomic, Force: true})
		if err != nil {
			t.Fatal(err)
		}
		o.Write([]byte("new"))
		if err := o.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := content(t, p); got != "new" {
			t.Fatalf("atomic=%v forced: %q", atomic, got)
		}
		if es := entries(t, dir); len(es) != 1 {
			t.Fatalf("left behind: %v", es)
		}
	}
}

func TestCreateRefusesInputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "model.xml")
	write(t, in, "<mujoco/>")
	hard := filepath.Join(dir, "hard")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	soft := filepath.Join(dir, "soft")
	if err := os.Symlink(in, soft); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other")
	write(t, other, "x")
	for _, out := range []string{in, hard, soft, dir + "/./model.xml"} {
		for _, atomic := range []bool{false, true} {
			_, err := Create(out, Options{Force: true, Atomic: atomic, Inputs: []string{other, in}})
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), "refusing to write over it") {
				t.Fatalf("%s atomic=%v: %v", out, atomic, err)
			}
			if err := CheckOutput(out, Options{Force: true, Inputs: []string{in}}); !errors.As(err, &ie) {
				t.Fatalf("CheckOutput %s: %v", out, err)
			}
		}
	}
	if got := content(t, in); got != "<mujoco/>" {
		t.Fatalf("input changed: %q", got)
	}
	// Inputs that do not exist, and other files, are no obstacle.
	o, err := Create(filepath.Join(dir, "new"), Options{Inputs: []string{in, filepath.Join(dir, "gone")}})
	if err != nil {
		t.Fatal(err)
	}
	o.Abort()
}

func TestCreateRefusesStdinInput(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "log")
	write(t, p, "data")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	_, err = Create(p, Options{Force: true, Inputs: []string{"-"}})
	if err == nil || !strings.Contains(err.Error(), "the same file as the input standard input") {
		t.Fatalf("%v", err)
	}
}

func TestAtomicAbortKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	write(t, p, "old")
	o, err := Create(p, Options{Force: true, Atomic: true})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("partial"))
	if got := content(t, p); got != "old" {
		t.Fatalf("visible before commit: %q", got)
	}
	if err := o.Abort(); err != nil {
		t.Fatal(err)
	}
	if got := content(t, p); got != "old" {
		t.Fatalf("after abort: %q", got)
	}
	if es := entries(t, dir); len(es) != 1 {
		t.Fatalf("temp left: %v", es)
	}
	// Commit and Abort after Abort do nothing.
	if o.Commit() != nil || o.Abort() != nil {
		t.Fatal("second close")
	}
}

func TestAtomicNoForceLosesRace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out")
	o, err := Create(p, Options{Atomic: true})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("mine"))
	write(t, p, "someone else's") // appears meanwhile
	err = o.Commit()
	var ee *ExistsError
	if !errors.As(err, &ee) {
		t.Fatalf("%v", err)
	}
	if got := content(t, p); got != "someone else's" {
		t.Fatalf("replaced: %q", got)
	}
	if es := entries(t, dir); len(es) != 1 {
		t.Fatalf("temp left: %v", es)
	}
}

func TestAbortRemovesOnlyWhatItCreated(t *testing.T) {
	dir := t.TempDir()
	// Created by us: removed.
	p := filepath.Join(dir, "log")
	o, err := Create(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("x"))
	if err := o.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("created file not removed: %v", err)
	}
	// Created by us, but replaced by another file since: kept.
	o, err = Create(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(p)
	write(t, p, "other")
	o.Abort()
	if got := content(t, p); got != "other" {
		t.Fatalf("foreign file: %q", got)
	}
	// Existing file overwritten with Force: never removed.
	o, err = Create(p, Options{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	o.Abort()
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("pre-existing file removed: %v", err)
	}
	// A device is written in place and never removed.
	o, err = Create("/dev/null", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Write([]byte("discard")); err != nil {
		t.Fatal(err)
	}
	o.Abort()
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null: %v %v", fi, err)
	}
}

func TestCreateRefusesKinds(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(dir, Options{Force: true}); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Fatalf("dir: %v", err)
	}
	if _, err := Create("", Options{}); err == nil {
		t.Fatal("empty path accepted")
	}
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(dangling, Options{}); err == nil || !strings.Contains(err.Error(), "symbolic link to a missing file") {
		t.Fatalf("dangling: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
		t.Fatal("wrote through a dangling link")
	}
	if err := CheckOutput(filepath.Join(dir, "no", "such"), Options{}); err == nil {
		t.Fatal("missing directory accepted")
	}
}

func TestForceThroughSymlinkReplacesTarget(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real")
	write(t, target, "old")
	if err := os.Chmod(target, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	o, err := Create(link, Options{Force: true, Atomic: true})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("new"))
	if err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("link replaced: %v", err)
	}
	if got := content(t, target); got != "new" {
		t.Fatalf("target: %q", got)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want the old 0600", fi.Mode().Perm())
	}
}

func TestNewFileMode(t *testing.T) {
	dir := t.TempDir()
	for _, atomic := range []bool{false, true} {
		p := filepath.Join(dir, "f"+map[bool]string{true: "a", false: "n"}[atomic])
		o, err := Create(p, Options{Atomic: atomic, Perm: 0o640})
		if err != nil {
			t.Fatal(err)
		}
		o.Write(bytes.Repeat([]byte("x"), 100))
		if err := o.Commit(); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil || fi.Size() != 100 {
			t.Fatalf("%v %v", fi, err)
		}
		if fi.Mode().Perm()&^0o640 != 0 {
			t.Fatalf("mode %v", fi.Mode().Perm())
		}
	}
}

func TestErrorsForPeople(t *testing.T) {
	_, err := ReadFile("/no/such/pm.xml", 10)
	if err == nil || err.Error() != "/no/such/pm.xml: no such file or directory" || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%v", err)
	}
	_, err = OpenCharDevice("/no/such/js0")
	if err == nil || err.Error() != "/no/such/js0: no such file or directory" {
		t.Fatalf("%v", err)
	}
}

func TestOutputErrorsForPeople(t *testing.T) {
	err := CheckOutput("/no/such/dir/x.csv", Options{})
	if err == nil || err.Error() != "/no/such/dir/x.csv: the directory /no/such/dir: no such file or directory" {
		t.Fatalf("%v", err)
	}
	_, err = Create("/no/such/dir/x.csv", Options{})
	if err == nil || err.Error() != "/no/such/dir/x.csv: no such file or directory" {
		t.Fatalf("%v", err)
	}
	_, err = Create("/no/such/dir/x.csv", Options{Atomic: true})
	if err == nil || !strings.HasPrefix(err.Error(), "/no/such/dir/x.csv: cannot create a file beside it: ") || strings.Contains(err.Error(), "open ") {
		t.Fatalf("%v", err)
	}
}

// A named pipe as the output: with no reader, Create fails at once, naming
// the pipe (it used to wait for a reader forever, deaf to signals); with a
// reader, the bytes go through.
func TestCreateOnAPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.fifo")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Create(p, Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no process is reading") {
			t.Fatalf("no reader: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Create waited for a reader")
	}
	r, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	o, err := Create(p, Options{})
	if err != nil {
		t.Fatalf("with a reader: %v", err)
	}
	if _, err := o.Write([]byte("tick")); err != nil {
		t.Fatal(err)
	}
	if err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8)
	n, _ := r.Read(b)
	if string(b[:n]) != "tick" {
		t.Errorf("read %q", b[:n])
	}
}

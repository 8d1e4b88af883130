package fileio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Size limits for the kinds of file Stride reads. They are far above any real
// file of the kind and far below what would exhaust memory.
const (
	LimitModel  int64 = 64 << 20  // one MJCF or URDF file (each include counts alone)
	LimitMesh   int64 = 256 << 20 // one mesh file
	LimitConfig int64 = 4 << 20   // a runtime config file
	LimitScript int64 = 16 << 20  // a command script
	LimitTable  int64 = 256 << 20 // text tables read by the tools (model fd input)
)

// TooLargeError says a file is over the limit for its kind.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than the %s limit for this kind of file", e.Path, FormatSize(e.Limit))
}

// NotRegularError says a path that must be a regular file is something else.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
	Want string // what was wanted, "a regular file" when empty
}

func (e *NotRegularError) Error() string {
	want := e.Want
	if want == "" {
		want = "a regular file"
	}
	return fmt.Sprintf("%s: is %s, not %s", e.Path, Kind(e.Mode), want)
}

// Kind names the type of file a mode describes, for messages.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m&fs.ModeDir != 0:
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file"
}

// FormatSize renders a byte count in the unit that reads best.
func FormatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Open opens path for reading and requires a regular file. A named pipe or
// device is refused without blocking: the file is stat'ed first, opened
// non-blocking, and checked again on the open descriptor.
func Open(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, plain(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, plain(err)
	}
	fi, err = f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() { // swapped between the two looks
		f.Close()
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return f, nil
}

// plain rewords an *fs.PathError for people: "pm.xml: no such file or
// directory" rather than "stat pm.xml: no such file or directory" (the name
// of the system call is no help). errors.Is still sees the cause.
func plain(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &pathError{path: pe.Path, err: pe.Err}
	}
	return err
}

type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

// ReadFile reads the regular file at path, at most limit bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path, limit)
}

// ReadFileOrStdin is ReadFile, except that the path "-" reads stdin (which
// may be a pipe), with the same limit.
func ReadFileOrStdin(path string, limit int64, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		return ReadAll(stdin, "standard input", limit)
	}
	return ReadFile(path, limit)
}

// ReadAll reads r to its end, at most limit bytes; name is used in the
// error.
func ReadAll(r io.Reader, name string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: name, Limit: limit}
	}
	return data, nil
}

// ReadFS reads name from fsys, requiring a regular file, at most limit bytes.
func ReadFS(fsys fs.FS, name string, limit int64) ([]byte, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: name, Mode: fi.Mode()}
	}
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: name, Limit: limit}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: name, Mode: fi.Mode()}
	}
	return ReadAll(f, name, limit)
}

// OpenCharDevice opens path for reading and requires a character device (a
// joystick such as /dev/input/js0); a regular file, pipe or directory is
// refused.
func OpenCharDevice(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, plain(err)
	}
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode(), Want: "a character device"}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		f.Close()
		if err == nil {
			err = &NotRegularError{Path: path, Mode: fi.Mode(), Want: "a character device"}
		}
		return nil, err
	}
	return f, nil
}

// IsLimit reports whether err is a size-limit or file-type refusal from this
// package.
func IsLimit(err error) bool {
	var tl *TooLargeError
	var nr *NotRegularError
	return errors.As(err, &tl) || errors.As(err, &nr)
}

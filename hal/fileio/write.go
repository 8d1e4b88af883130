package fileio

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Options say how Create treats the output path.
type Options struct {
	// Force allows replacing an existing regular file. Without it an
	// existing file is refused.
	Force bool
	// Inputs are the files the command reads ("-" stands for standard
	// input). The output may be none of them, even with Force.
	Inputs []string
	// Atomic writes to a temporary file beside the target, renamed over it
	// by Commit: readers never see a partial file, and Abort leaves what was
	// there before untouched.
	Atomic bool
	// Perm is the new file's permission bits (0644 when zero).
	Perm fs.FileMode
	// ForceHint names the option that sets Force, for the error ("--force"
	// when empty).
	ForceHint string
}

// ExistsError says the output path already holds a file and Force is off.
type ExistsError struct {
	Path string
	Hint string
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s: already exists; not overwritten (use %s to replace it)", e.Path, e.Hint)
}

// InputError says the output path is one of the command's inputs.
type InputError struct {
	Path, Input string
}

func (e *InputError) Error() string {
	if e.Path == e.Input {
		return fmt.Sprintf("%s: is also an input of this command; refusing to write over it", e.Path)
	}
	return fmt.Sprintf("%s: is the same file as the input %s; refusing to write over it", e.Path, e.Input)
}

// Output is a file being written through Create. Write to it, then Commit;
// on failure call Abort. Both close the file; calling either again is a
// no-op.
type Output struct {
	f       *os.File
	path    string // the target as given
	target  string // the target with symbolic links resolved
	temp    string // the temporary file (Atomic), or ""
	created bool   // Create made the file at path (not Atomic)
	inPlace bool   // a device or pipe written in place
	opt     Options
	done    bool
}

// Create opens path for writing under opt (see the package documentation).
func Create(path string, opt Options) (*Output, error) {
	if opt.Perm == 0 {
		opt.Perm = 0o644
	}
	if opt.ForceHint == "" {
		opt.ForceHint = "--force"
	}
	if path == "" {
		return nil, errors.New("no output path given")
	}
	o := &Output{path: path, target: path, opt: opt}
	fi, err := os.Stat(path)
	switch {
	case err == nil:
		if err := checkInputs(path, fi, opt.Inputs); err != nil {
			return nil, err
		}
		m := fi.Mode()
		switch {
		case m&fs.ModeCharDevice != 0 || m&fs.ModeNamedPipe != 0:
			flag := os.O_WRONLY
			if m&fs.ModeNamedPipe != 0 {
				// Without a reader, opening a pipe to write would wait
				// for one forever (and no signal would end the wait):
				// O_NONBLOCK makes that an error at once. Go's poller
				// then makes the writes wait for the reader as usual.
				flag |= openNonblock
			}
			f, err := os.OpenFile(path, flag, 0)
			if noReader(err) {
				return nil, fmt.Errorf("%s: is a named pipe that no process is reading; start the reader first", path)
			}
			if err != nil {
				return nil, err
			}
			o.f, o.inPlace = f, true
			return o, nil
		case !m.IsRegular():
			return nil, fmt.Errorf("%s: is %s; an output must be a regular file, a character device or a pipe", path, Kind(m))
		case !opt.Force:
			return nil, &ExistsError{Path: path, Hint: opt.ForceHint}
		}
		if t, err := filepath.EvalSymlinks(path); err == nil {
			o.target = t // replace the file a link names, not the link
		}
		o.opt.Perm = m.Perm()
	case errors.Is(err, fs.ErrNotExist):
		if lfi, lerr := os.Lstat(path); lerr == nil && lfi.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s: is a symbolic link to a missing file; refusing to write through it", path)
		}
	default:
		return nil, plain(err)
	}
	if opt.Atomic {
		dir, base := filepath.Split(o.target)
		if dir == "" {
			dir = "."
		}
		f, err := os.CreateTemp(dir, "."+base+".*.tmp")
		if err != nil {
			return nil, fmt.Errorf("%s: cannot create a file beside it: %w", path, plain(err))
		}
		if err := f.Chmod(o.opt.Perm); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, err
		}
		o.f, o.temp = f, f.Name()
		return o, nil
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if fi != nil { // Force on an existing regular file: truncate it in place
		flags = os.O_WRONLY | os.O_TRUNC
	}
	f, err := os.OpenFile(o.target, flags, o.opt.Perm)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, &ExistsError{Path: path, Hint: opt.ForceHint}
		}
		return nil, plain(err)
	}
	o.f, o.created = f, fi == nil
	return o, nil
}

// checkInputs refuses an output that is the same file as one of the inputs.
func checkInputs(path string, out fs.FileInfo, inputs []string) error {
	for _, in := range inputs {
		var fi fs.FileInfo
		var err error
		if in == "-" {
			fi, err = os.Stdin.Stat()
		} else {
			fi, err = os.Stat(in)
		}
		if err != nil {
			continue // an input that does not exist cannot be overwritten
		}
		if os.SameFile(out, fi) {
			// Devices (/dev/null, a terminal) may be both read and written.
			if fi.Mode()&fs.ModeCharDevice != 0 {
				continue
			}
			name := in
			if in == "-" {
				name = "standard input"
			}
			return &InputError{Path: path, Input: name}
		}
	}
	return nil
}

// CheckOutput runs Create's refusals (existing file without Force, one of
// the inputs, a directory or other unwritable kind) without opening anything,
// for writers that must create the file themselves.
func CheckOutput(path string, opt Options) error {
	if opt.ForceHint == "" {
		opt.ForceHint = "--force"
	}
	if path == "" {
		return errors.New("no output path given")
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if dir := filepath.Dir(path); dir != "" {
			if dfi, err := os.Stat(dir); err != nil {
				return fmt.Errorf("%s: the directory %w", path, plain(err))
			} else if !dfi.IsDir() {
				return fmt.Errorf("%s: %s is not a directory", path, dir)
			}
		}
		return nil
	}
	if err != nil {
		return plain(err)
	}
	if err := checkInputs(path, fi, opt.Inputs); err != nil {
		return err
	}
	m := fi.Mode()
	switch {
	case m&fs.ModeCharDevice != 0 || m&fs.ModeNamedPipe != 0:
		return nil
	case !m.IsRegular():
		return fmt.Errorf("%s: is %s; an output must be a regular file, a character device or a pipe", path, Kind(m))
	case !opt.Force:
		return &ExistsError{Path: path, Hint: opt.ForceHint}
	}
	return nil
}

// Name returns the path the output was created for.
func (o *Output) Name() string { return o.path }

// File returns the open file (the temporary one with Atomic).
func (o *Output) File() *os.File { return o.f }

// Write writes to the file.
func (o *Output) Write(p []byte) (int, error) { return o.f.Write(p) }

// Commit flushes and closes the file and, with Atomic, renames it over the
// target. Without Force, a file that appeared at the target meanwhile is not
// replaced: Commit fails and removes its temporary file.
func (o *Output) Commit() error {
	if o.done {
		return nil
	}
	o.done = true
	var err error
	if !o.inPlace {
		err = o.f.Sync()
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if o.temp == "" {
		return err
	}
	if err != nil {
		os.Remove(o.temp)
		return err
	}
	if !o.opt.Force {
		// Link refuses an existing target, so a file that appeared since
		// Create is never replaced.
		err := os.Link(o.temp, o.target)
		if err == nil {
			return os.Remove(o.temp)
		}
		if errors.Is(err, fs.ErrExist) {
			os.Remove(o.temp)
			return &ExistsError{Path: o.path, Hint: o.opt.ForceHint}
		}
		// A file system without hard links: check, then rename.
		if _, lerr := os.Lstat(o.target); lerr == nil {
			os.Remove(o.temp)
			return &ExistsError{Path: o.path, Hint: o.opt.ForceHint}
		}
	}
	if fi, err := os.Stat(o.target); err == nil {
		if err := checkInputs(o.path, fi, o.opt.Inputs); err != nil {
			os.Remove(o.temp)
			return err
		}
	}
	if err := os.Rename(o.temp, o.target); err != nil {
		os.Remove(o.temp)
		return err
	}
	return nil
}

// Abort closes the file and removes what Create made: the temporary file, or
// the file it created at the path (only while the path still names it). A
// file that existed before Create is left as it is (truncated, when Force
// without Atomic had begun to overwrite it).
func (o *Output) Abort() error {
	if o.done {
		return nil
	}
	o.done = true
	fi, serr := o.f.Stat()
	err := o.f.Close()
	switch {
	case o.temp != "":
		if rerr := os.Remove(o.temp); err == nil {
			err = rerr
		}
	case o.created && serr == nil:
		if cur, e := os.Lstat(o.target); e == nil && os.SameFile(cur, fi) {
			if rerr := os.Remove(o.target); err == nil {
				err = rerr
			}
		}
	}
	return err
}

package peer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrUnavailable is wrapped by the errors of builds this machine cannot do:
// the source or ../shared is absent, or gcc or libmujoco-dev is missing.
var ErrUnavailable = errors.New("the MuJoCo peer cannot be built here")

// Header is the MuJoCo header a build needs (libmujoco-dev installs it).
var Header = "/usr/include/mujoco/mujoco.h"

// Shared returns the shared test-data directory that sits beside the
// repository (../shared from the module root, the directory with go.mod),
// found from the working directory; relative when the working directory is
// inside the module. The error wraps ErrUnavailable.
func Shared() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir := filepath.Join(filepath.Dir(d), "shared")
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return "", fmt.Errorf("%w: %s not present (the shared test data lives beside the repository in ../shared)", ErrUnavailable, dir)
			}
			if rel, err := filepath.Rel(wd, dir); err == nil {
				return rel, nil
			}
			return dir, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%w: no go.mod above %s, so no ../shared beside it", ErrUnavailable, wd)
		}
	}
}

// SharedFile returns the path of rel (slash-separated) under Shared, or an
// error wrapping ErrUnavailable when it is absent.
func SharedFile(rel string) (string, error) {
	dir, err := Shared()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%w: shared test data %s not present", ErrUnavailable, p)
	}
	return p, nil
}

// Available reports why a build cannot happen here (an error wrapping
// ErrUnavailable), or nil when gcc and the MuJoCo headers are installed.
func Available() error {
	if _, err := exec.LookPath("gcc"); err != nil {
		return fmt.Errorf("%w: gcc not found", ErrUnavailable)
	}
	if _, err := os.Stat(Header); err != nil {
		return fmt.Errorf("%w: %s not found (libmujoco-dev is not installed; make test installs it)", ErrUnavailable, Header)
	}
	return nil
}

// Build compiles the C file src against libmujoco into the executable out
// (gcc -O2 -o out src -lmujoco -lm). A missing src, gcc or MuJoCo is an
// error wrapping ErrUnavailable; a failed compile is an error with gcc's
// output.
func Build(src, out string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("%w: %s not found", ErrUnavailable, src)
	}
	if err := Available(); err != nil {
		return err
	}
	if b, err := exec.Command("gcc", "-O2", "-o", out, src, "-lmujoco", "-lm").CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %v\n%s", src, err, b)
	}
	return nil
}

// BuildShared builds ../shared/peer/NAME.c (peer, fdref) into dir and
// returns the executable's path.
func BuildShared(name, dir string) (string, error) {
	src, err := SharedFile("peer/" + name + ".c")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	if err := Build(src, bin); err != nil {
		return "", err
	}
	return bin, nil
}

// Run runs the peer executable bin on the model file from the model's
// directory (so its relative includes and meshes resolve), with args after
// the file name, and returns its combined output.
func Run(bin, model string, args ...string) ([]byte, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	full := append([]string{filepath.Base(model)}, args...)
	cmd := exec.Command(abs, full...)
	cmd.Dir = filepath.Dir(model)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", abs, strings.Join(full, " "), err, out)
	}
	return out, nil
}

// RunMJCF runs bin on an MJCF text (written to a temporary file, removed
// after) as Run does.
func RunMJCF(bin string, mjcf []byte, args ...string) ([]byte, error) {
	f, err := os.CreateTemp("", "stride-builtin-*.xml")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(mjcf)
	if err := errors.Join(err, f.Close()); err != nil {
		return nil, err
	}
	return Run(bin, f.Name(), args...)
}

// Timing finds the timing line of a kind ("step", "rbd", …) in peer.c's
// output — "KIND … median X µs …", the median in the seventh field — and
// returns the median in µs and the line.
func Timing(out []byte, kind string) (float64, string, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 8 && f[0] == kind && f[3] == "median" {
			if us, err := strconv.ParseFloat(f[6], 64); err == nil {
				return us, sc.Text(), nil
			}
		}
	}
	return 0, "", fmt.Errorf("no %q timing line in the peer's output:\n%s", kind, out)
}

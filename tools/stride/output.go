package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// openLog opens a telemetry log for reading; like every input it must be a
// regular file (a pipe or device is refused by name, never read).
func openLog(path string) (*telemetry.Reader, error) {
	f, err := fileio.Open(path)
	if err != nil {
		return nil, err
	}
	f.Close()
	return telemetry.Open(path)
}

// Every file a stride command writes goes through hal/fileio: an existing
// file is replaced only with --force, a file the command reads is never
// written over (compared by device and inode), and finished files (CSV,
// MCAP, PNG) appear whole or not at all (a temporary file renamed into
// place). Outputs are checked when the command starts, before any work, and
// again when written.

// checkOutputs refuses, before any work, outputs that exist (without force)
// or that are one of the inputs; empty paths are skipped.
func checkOutputs(force bool, inputs []string, outputs ...string) error {
	for _, out := range outputs {
		if out == "" {
			continue
		}
		if err := fileio.CheckOutput(out, fileio.Options{Force: force, Inputs: inputs}); err != nil {
			return err
		}
	}
	return nil
}

// writeOutput writes path through a temporary file renamed into place: fill
// writes the content; on its error the temporary file is removed and
// whatever was at path is left as it was.
func writeOutput(path string, force bool, inputs []string, fill func(w io.Writer) error) error {
	o, err := fileio.Create(path, fileio.Options{Force: force, Inputs: inputs, Atomic: true})
	if err != nil {
		return err
	}
	if err := fill(o); err != nil {
		o.Abort()
		return fmt.Errorf("%s: %w", path, err)
	}
	return o.Commit()
}

// nonEmpty returns the non-empty strings of ss.
func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// checkRecordDir refuses a --record directory that holds the frames of an
// earlier recording (without force), or that is not a directory.
func checkRecordDir(dir string, force bool, inputs []string) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil // created when recording starts
	}
	if !fi.IsDir() {
		return fmt.Errorf("--record %s: is not a directory", dir)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "frame_*.png"))
	if len(old) > 0 && !force {
		return fmt.Errorf("--record %s: holds %d frames of an earlier recording (%s, …); not overwritten (use --force to replace them)", dir, len(old), filepath.Base(old[0]))
	}
	for _, f := range old {
		if err := checkOutputs(true, inputs, f); err != nil {
			return err
		}
	}
	return nil
}

// modelWarnings prints the model loader's warnings (a mesh file not found,
// elements ignored) on standard error.
func modelWarnings(ws []string) {
	for _, w := range ws {
		fmt.Fprintln(os.Stderr, "stride: model warning:", w)
	}
}

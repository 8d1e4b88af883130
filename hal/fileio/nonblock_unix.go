//go:build unix

package fileio

import (
	"errors"
	"syscall"
)

// openNonblock keeps opening a named pipe from blocking until a writer comes.
const openNonblock = syscall.O_NONBLOCK

// noReader reports whether err is opening a named pipe to write, without
// blocking, while no process has it open to read.
func noReader(err error) bool { return errors.Is(err, syscall.ENXIO) }

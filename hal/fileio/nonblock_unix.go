//go:build unix

package fileio

import "syscall"

// openNonblock keeps opening a named pipe from blocking until a writer comes.
const openNonblock = syscall.O_NONBLOCK

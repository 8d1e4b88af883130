package runtime

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// fileStamp is what the config watcher compares between polls: the file's
// modification time (ns) and size; size −1 when it cannot be read.
type fileStamp struct {
	mtime, size int64
}

// stamper reads a path's fileStamp without allocating: the path is turned
// into a C string once, and statx(2) fills a buffer kept here. os.Stat
// allocates its FileInfo and the C string on every call: polled ten times
// a second for hours, that is garbage enough to grow the heap.
type stamper struct {
	path *byte
	stx  unix.Statx_t
}

func newStamper(path string) (*stamper, error) {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return nil, err
	}
	return &stamper{path: p}, nil
}

// stamp returns the file's stamp now.
func (s *stamper) stamp() fileStamp {
	dirfd := unix.AT_FDCWD
	_, _, e := unix.Syscall6(unix.SYS_STATX, uintptr(dirfd), uintptr(unsafe.Pointer(s.path)), 0,
		uintptr(unix.STATX_MTIME|unix.STATX_SIZE), uintptr(unsafe.Pointer(&s.stx)), 0)
	if e != 0 || s.stx.Mask&(unix.STATX_MTIME|unix.STATX_SIZE) != unix.STATX_MTIME|unix.STATX_SIZE {
		return fileStamp{size: -1}
	}
	return fileStamp{mtime: s.stx.Mtime.Sec*1e9 + int64(s.stx.Mtime.Nsec), size: int64(s.stx.Size)}
}

// Package fileio holds the guards every Stride reader and writer goes through,
// so that no command destroys a user's file or reads without bound.
//
// Reading: Open, ReadFile and ReadFS accept only regular files (a directory,
// named pipe, socket or device is refused before anything is read, so an
// endless source can neither hang nor exhaust memory) and ReadFile, ReadFS
// and ReadAll stop at a size limit that the error states:
//
//	data, err := fileio.ReadFile("pm.xml", fileio.LimitModel)
//	// pm.xml: larger than the 64 MiB limit for this kind of file
//
// ReadFileOrStdin reads standard input for the name "-" (where a command
// documents it). OpenCharDevice opens a character device (a joystick) and
// refuses anything else, a regular file in particular.
//
// Writing: Create opens an output file under Options. An existing file is
// refused unless Force is set; a path that is the same file as one of the
// command's inputs (compared by device and inode, so hard links, symbolic
// links and other spellings of the name are caught) is refused even with
// Force; directories, block devices and sockets are refused. With Atomic the
// data goes to a temporary file beside the target that Commit renames over
// it, so a reader never sees a partial file and a failed run leaves the old
// file as it was. Abort removes only what Create made: the temporary file,
// or a file Create itself created (and only while the path still names that
// file); a path that existed before is never removed. Character devices and
// named pipes (/dev/null, /dev/stdout, a FIFO) are written in place and
// never removed.
//
// The package is a leaf: it imports only the standard library, so every
// layer of the module (hal, sim, runtime, tools) may import it.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: none.
package fileio

package mjcf

import (
	"fmt"
	"strings"
)

// Error is a loading error located in a model file. Its message reads
// "file:line: <element name="…">: what is wrong"; the line and the element are
// left out when unknown (errors found while checking the assembled model).
type Error struct {
	File    string // file name, relative to the main file's directory
	Line    int    // 1-based line of the element's start tag; 0 when unknown
	Element string // the element, e.g. `<joint name="J00">`; empty when none
	Err     error  // what is wrong
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Element != "" {
		b.WriteString(e.Element)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// errorf returns an Error located at element e.
func errorf(e *element, format string, args ...any) error {
	return &Error{File: e.file, Line: e.line, Element: e.tag(), Err: fmt.Errorf(format, args...)}
}

// attrErrorf returns an Error about attribute attr of element e.
func attrErrorf(e *element, attr, format string, args ...any) error {
	return &Error{File: e.file, Line: e.line, Element: e.tag(), Err: fmt.Errorf("%s: %s", attr, fmt.Sprintf(format, args...))}
}

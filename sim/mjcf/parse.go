package mjcf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/stride-robotics/stride/hal/fileio"
)

// maxDepth bounds the element nesting of one file.
const maxDepth = 1000

// Limits on what a model may read: each file (the main one and every
// include) is at most fileLimit bytes, each mesh file meshLimit, includes
// nest at most maxIncludeDepth deep, and all model files together (meshes
// aside) are at most maxModelBytes. Variables so that tests can lower them.
var (
	fileLimit             = fileio.LimitModel
	meshLimit             = fileio.LimitMesh
	maxIncludeDepth       = 32
	maxModelBytes   int64 = 128 << 20
)

// element is one XML element of the assembled document (includes spliced in),
// with the file and line it came from.
type element struct {
	name     string
	attrs    []attr
	children []*element
	path     string // slash path of the file, as read
	file     string // the file's display name (relative to the main file's directory)
	line     int    // line of the start tag
}

type attr struct{ name, value string }

// attr returns the value of the named attribute and whether it is present.
func (e *element) attr(name string) (string, bool) {
	for _, a := range e.attrs {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}

// has reports whether the named attribute is present.
func (e *element) has(name string) bool {
	_, ok := e.attr(name)
	return ok
}

// tag renders the element for messages: <joint name="J00"> or <geom>.
func (e *element) tag() string {
	if n, ok := e.attr("name"); ok && n != "" {
		return "<" + e.name + " name=" + strconv.Quote(n) + ">"
	}
	return "<" + e.name + ">"
}

// source reads model files by slash path and names them for messages.
type source struct {
	read    func(p string, limit int64) ([]byte, error)
	mainDir string // directory of the main file
}

// display returns p relative to the main file's directory when it lies below it.
func (s *source) display(p string) string {
	if s.mainDir == "." || s.mainDir == "" {
		return p
	}
	if rel, ok := strings.CutPrefix(p, s.mainDir+"/"); ok {
		return rel
	}
	if s.mainDir == "/" && strings.HasPrefix(p, "/") {
		return p[1:]
	}
	return p
}

// candidates lists where a file named in the model may be, in search order,
// without duplicates: an absolute name is used as is; relative names are
// joined to each directory in turn.
func candidates(name string, dirs ...string) []string {
	if path.IsAbs(name) {
		return []string{path.Clean(name)}
	}
	var out []string
	for _, d := range dirs {
		p := path.Join(d, name)
		dup := false
		for _, q := range out {
			dup = dup || q == p
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// parser assembles the document: it reads the main file and splices the
// children of every included file's root element in place of its <include>.
type parser struct {
	src      *source
	included map[string]bool // files read so far; MuJoCo includes each file at most once
	depth    int             // includes being read, nested
	total    int64           // bytes of model files read so far
}

// parseFile reads and parses the file at p and returns its root element.
func (ps *parser) parseFile(p string) (*element, error) {
	data, err := ps.src.read(p, fileLimit)
	if err != nil {
		return nil, err
	}
	ps.included[p] = true
	ps.total += int64(len(data))
	if ps.total > maxModelBytes {
		return nil, &Error{File: ps.src.display(p), Err: fmt.Errorf("the model's files together are larger than the %s limit", fileio.FormatSize(maxModelBytes))}
	}
	return ps.parseBytes(data, p)
}

// parseBytes parses one file's contents.
func (ps *parser) parseBytes(data []byte, p string) (*element, error) {
	file := ps.src.display(p)
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	var root *element
	var stack []*element
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				return nil, &Error{File: file, Line: line, Err: fmt.Errorf("unexpected end of file: <%s> opened on line %d is not closed", top.name, top.line)}
			}
			if root == nil {
				return nil, &Error{File: file, Line: line, Err: errors.New("no root element (empty file?)")}
			}
			return root, nil
		}
		if err != nil {
			return nil, xmlError(file, line, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, &Error{File: file, Line: line, Err: fmt.Errorf("second root element <%s> after </%s>", t.Name.Local, root.name)}
			}
			if len(stack) >= maxDepth {
				return nil, &Error{File: file, Line: line, Err: fmt.Errorf("elements nested more than %d deep", maxDepth)}
			}
			e := &element{name: t.Name.Local, path: p, file: file, line: line}
			for _, a := range t.Attr {
				if a.Name.Space == "" || a.Name.Space == t.Name.Space {
					e.attrs = append(e.attrs, attr{a.Name.Local, a.Value})
				}
			}
			if len(stack) == 0 {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			e := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				continue
			}
			parent := stack[len(stack)-1]
			if e.name != "include" {
				parent.children = append(parent.children, e)
				continue
			}
			kids, err := ps.include(e)
			if err != nil {
				return nil, err
			}
			parent.children = append(parent.children, kids...)
		}
	}
}

// include reads the file named by an <include> element and returns the
// children of its root element. The file is looked for next to the including
// file first, then next to the main file.
func (ps *parser) include(e *element) ([]*element, error) {
	name, ok := e.attr("file")
	if !ok || strings.TrimSpace(name) == "" {
		return nil, attrErrorf(e, "file", "missing")
	}
	if ps.depth >= maxIncludeDepth {
		return nil, attrErrorf(e, "file", "includes nested more than %d deep", maxIncludeDepth)
	}
	ps.depth++
	defer func() { ps.depth-- }()
	tried := candidates(name, path.Dir(e.path), ps.src.mainDir)
	var lastErr error
	for _, p := range tried {
		if ps.included[p] {
			return nil, attrErrorf(e, "file", "%q is included more than once (or includes itself); MuJoCo allows each file once", ps.src.display(p))
		}
		root, err := ps.parseFile(p)
		if err == nil {
			return root.children, nil
		}
		var located *Error
		if errors.As(err, &located) {
			return nil, err // the file exists but is malformed
		}
		if fileio.IsLimit(err) { // the file exists but may not be read
			return nil, attrErrorf(e, "file", "%v", err)
		}
		lastErr = err
	}
	shown := make([]string, len(tried))
	for i, p := range tried {
		shown[i] = strconv.Quote(ps.src.display(p))
	}
	return nil, errorf(e, "cannot read included file %q (tried %s): %v", name, strings.Join(shown, ", "), unwrapPathError(lastErr))
}

// unwrapPathError drops the path from a *fs.PathError-like message; the
// caller names the paths it tried.
func unwrapPathError(err error) error {
	var u interface{ Unwrap() error }
	if errors.As(err, &u) && u.Unwrap() != nil {
		return u.Unwrap()
	}
	return err
}

// xmlError turns a decoder error into a located Error.
func xmlError(file string, line int, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := se.Msg
		if msg == "unexpected EOF" {
			msg = "unexpected end of file (truncated?)"
		}
		return &Error{File: file, Line: se.Line, Err: fmt.Errorf("malformed XML: %s", msg)}
	}
	return &Error{File: file, Line: line, Err: fmt.Errorf("malformed XML: %v", err)}
}

// charsetReader accepts the single-byte encodings some exporters declare,
// reading them as Latin-1 (model text is ASCII in practice).
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "us-ascii", "ascii", "utf8":
		return input, nil
	case "iso-8859-1", "latin1", "latin-1", "windows-1252":
		b, err := fileio.ReadAll(input, "the file", fileio.LimitModel)
		if err != nil {
			return nil, err
		}
		var out strings.Builder
		for _, c := range b {
			out.WriteRune(rune(c))
		}
		return strings.NewReader(out.String()), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (use UTF-8)", label)
}

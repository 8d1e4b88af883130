package urdf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/stride-robotics/stride/hal/fileio"
)

// node is one XML element with the line its start tag begins on. URDF keeps
// everything in attributes, so character data is dropped.
type node struct {
	name  string // local name, prefixed "space:" when namespaced
	attrs []xml.Attr
	line  int
	kids  []*node
}

// attr returns the value of the named (un-namespaced) attribute.
func (n *node) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// maxDepth bounds element nesting; URDF needs five levels.
const maxDepth = 256

// parseXML reads a whole document and returns its root element. Errors carry
// the line of the fault.
func parseXML(file string, data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charsetReader
	var root *node
	var stack []*node
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &Error{File: file, Line: se.Line, Msg: "XML syntax error: " + se.Msg}
			}
			l, _ := d.InputPos()
			return nil, &Error{File: file, Line: l, Msg: "XML error: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: elemName(t.Name), attrs: t.Attr, line: line}
			if len(stack) == 0 {
				if root != nil {
					return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("element <%s> after the root element <%s>", n.name, root.name)}
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			if len(stack) >= maxDepth {
				return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("elements nested deeper than %d", maxDepth)}
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, &Error{File: file, Line: line, Msg: "text outside the root element"}
			}
		}
	}
	if len(stack) > 0 {
		// encoding/xml reports unclosed elements itself; keep a guard.
		l, _ := d.InputPos()
		return nil, &Error{File: file, Line: l, Msg: fmt.Sprintf("unexpected end of file inside <%s>", stack[len(stack)-1].name)}
	}
	if root == nil {
		return nil, &Error{File: file, Line: 1, Msg: "no root element (empty document)"}
	}
	return root, nil
}

func elemName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// charsetReader accepts the single-byte encodings URDF exporters declare
// besides UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		b, err := fileio.ReadAll(in, "the file", fileio.LimitModel)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b))
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

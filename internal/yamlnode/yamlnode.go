package yamlnode

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is a decoding error at a node.
type Error struct {
	Line, Col int
	Key       string // dotted path, "" at the top
	Msg       string
	Unknown   bool // the error is an unknown key
}

func (e *Error) Error() string {
	loc := fmt.Sprintf("line %d, column %d", e.Line, e.Col)
	if e.Key == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Key + ": " + e.Msg
}

// Bounds on what a YAML document may expand to through aliases: the
// nesting depth, and the nodes visited through aliases (the nodes written in
// the file are bounded by its size limit).
const MaxDepth = 64

// MaxLocateBytes bounds the files whose syntax errors are located by
// re-parsing (SyntaxError).
const MaxLocateBytes = 256 << 10

var MaxNodes = 1 << 20 // a variable so that tests can lower it

// Decoder decodes nodes into Go values.
type Decoder struct {
	visits  int // nodes visited through an alias
	inAlias int // aliases being followed
	// Elem names the i-th element (from 0) of the list at key.
	Elem func(key string, i int) string
}

// LineSetter is implemented by values that keep the line they came from.
type LineSetter interface{ SetLine(int) }

// Decode stores n (a document node or the value node inside one) in the
// value v points to. Keys are the fields' yaml tags; unknown keys, keys set
// twice and values of the wrong type or out of range are *Error.
func (d *Decoder) Decode(n *yaml.Node, v any) error {
	return d.decode(n, reflect.ValueOf(v).Elem(), "", 0)
}

func (d *Decoder) fail(n *yaml.Node, key, format string, a ...any) error {
	return &Error{Line: n.Line, Col: n.Column, Key: key, Msg: fmt.Sprintf(format, a...)}
}

func join(key, name string) string {
	if key == "" {
		return name
	}
	return key + "." + name
}

// decode stores n in v, which must be settable.
func (d *Decoder) decode(n *yaml.Node, v reflect.Value, key string, depth int) error {
	if d.inAlias > 0 {
		d.visits++
	}
	if d.visits > MaxNodes || depth > MaxDepth {
		return d.fail(n, key, "the document nests or expands too far (aliases referring to aliases?)")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return d.decode(n.Content[0], v, key, depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return d.fail(n, key, "an alias to nothing")
		}
		d.inAlias++
		defer func() { d.inAlias-- }()
		return d.decode(n.Alias, v, key, depth+1)
	}
	if v.Kind() == reflect.Pointer {
		if isNull(n) {
			v.Set(reflect.Zero(v.Type()))
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.decode(n, v.Elem(), key, depth+1)
	}
	if v.CanAddr() {
		if ls, ok := v.Addr().Interface().(LineSetter); ok {
			ls.SetLine(n.Line)
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		return d.structure(n, v, key, depth)
	case reflect.Map:
		return d.mapping(n, v, key, depth)
	case reflect.Slice:
		return d.list(n, v, key, depth)
	case reflect.Float64, reflect.Float32:
		f, err := d.number(n, key)
		if err != nil {
			return err
		}
		v.SetFloat(f)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := d.integer(n, key, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(i)
		return nil
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			return d.fail(n, key, "want true or false, found %s", found(n))
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			return d.fail(n, key, "want true or false, found %s", found(n))
		}
		v.SetBool(b)
		return nil
	case reflect.String:
		if isNull(n) {
			v.SetString("")
			return nil
		}
		if n.Kind != yaml.ScalarNode {
			return d.fail(n, key, "want a single value, found %s", found(n))
		}
		v.SetString(n.Value)
		return nil
	}
	return d.fail(n, key, "cannot hold a value here")
}

// fields lists a struct's YAML keys and their field indices.
func fields(t reflect.Type) ([]string, map[string]int) {
	var names []string
	idx := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if !f.IsExported() || tag == "" || tag == "-" {
			continue
		}
		names = append(names, tag)
		idx[tag] = i
	}
	return names, idx
}

func (d *Decoder) structure(n *yaml.Node, v reflect.Value, key string, depth int) error {
	names, idx := fields(v.Type())
	if isNull(n) {
		return nil // an empty section keeps what it had
	}
	if n.Kind != yaml.MappingNode {
		return d.fail(n, key, "want a mapping with the keys %s, found %s", strings.Join(names, ", "), found(n))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return d.fail(k, key, "want a key name, found %s", found(k))
		}
		name := k.Value
		if line, ok := seen[name]; ok {
			return d.fail(k, join(key, name), "set twice (first on line %d)", line)
		}
		seen[name] = k.Line
		fi, ok := idx[name]
		if !ok {
			where := ""
			if key == "" {
				where = " at the top level"
			}
			return &Error{Line: k.Line, Col: k.Column, Key: key, Unknown: true,
				Msg: fmt.Sprintf("%q is not a key%s; the keys are %s", Clip(name), where, strings.Join(names, ", "))}
		}
		if err := d.decode(val, v.Field(fi), join(key, name), depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (d *Decoder) mapping(n *yaml.Node, v reflect.Value, key string, depth int) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.fail(n, key, "want a mapping of names to sections, found %s", found(n))
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) {
			return d.fail(k, key, "want a name, found %s", found(k))
		}
		name := k.Value
		if line, ok := seen[name]; ok {
			return d.fail(k, join(key, name), "set twice (first on line %d)", line)
		}
		seen[name] = k.Line
		e := reflect.New(v.Type().Elem()).Elem()
		if err := d.decode(val, e, join(key, name), depth+1); err != nil {
			return err
		}
		v.SetMapIndex(reflect.ValueOf(name).Convert(v.Type().Key()), e)
	}
	return nil
}

func (d *Decoder) list(n *yaml.Node, v reflect.Value, key string, depth int) error {
	if isNull(n) {
		v.Set(reflect.Zero(v.Type()))
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return d.fail(n, key, "want a list, found %s", found(n))
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		ek := fmt.Sprintf("%s[%d]", key, i)
		if d.Elem != nil {
			ek = d.Elem(key, i)
		}
		if err := d.decode(c, s.Index(i), ek, depth+1); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

// number reads a float. Out-of-range literals (1e999), which yaml.v3
// resolves as text, are named as such.
func (d *Decoder) number(n *yaml.Node, key string) (float64, error) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int", "!!float":
			var f float64
			if err := n.Decode(&f); err == nil {
				return f, nil
			}
		case "!!str":
			if n.Style == 0 {
				if _, err := strconv.ParseFloat(n.Value, 64); errors.Is(err, strconv.ErrRange) {
					return 0, d.fail(n, key, "%s is out of the range of a number", Clip(n.Value))
				}
			}
		}
	}
	return 0, d.fail(n, key, "want a number, found %s", found(n))
}

// integer reads a whole number that fits in bits bits; a float with no
// fraction (2.0, 1e3) is accepted, any other is refused rather than
// truncated.
func (d *Decoder) integer(n *yaml.Node, key string, bits int) (int64, error) {
	lo, hi := -math.Ldexp(1, bits-1), math.Ldexp(1, bits-1)
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int":
			var i int64
			if err := n.Decode(&i); err == nil && float64(i) >= lo && float64(i) < hi {
				return i, nil
			}
			return 0, d.fail(n, key, "%s is out of range for this setting", Clip(n.Value))
		case "!!float":
			var f float64
			if err := n.Decode(&f); err == nil {
				if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) {
					return 0, d.fail(n, key, "want a whole number, found %s", Clip(n.Value))
				}
				if f < lo || f >= hi {
					return 0, d.fail(n, key, "%s is out of range for this setting", Clip(n.Value))
				}
				return int64(f), nil
			}
		}
	}
	return 0, d.fail(n, key, "want a whole number, found %s", found(n))
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// found describes a node for "found …" in messages.
func found(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping (key: value …)"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		if n.Alias != nil {
			return found(n.Alias)
		}
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.ShortTag() {
	case "!!null":
		return "nothing"
	case "!!int", "!!float":
		return "the number " + Clip(n.Value)
	case "!!bool":
		return Clip(n.Value)
	case "!!str":
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			if _, err := strconv.ParseFloat(n.Value, 64); err == nil {
				return fmt.Sprintf("the quoted text %q (write numbers without quotes)", Clip(n.Value))
			}
		}
		return fmt.Sprintf("the text %q", Clip(n.Value))
	}
	return fmt.Sprintf("%q", Clip(n.Value))
}

// Clip shortens a value for a message.
func Clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}

// SyntaxError locates a YAML syntax error. yaml.v3 reports the line
// where the enclosing construct began (often the line above the fault) and
// no column; the fault is found as the first line whose addition makes the
// text fail to parse, and its column is the line's first character (or its
// tab, for a tab error). The result reads "line L, column C: message".
// Files over MaxLocateBytes (where the search would take seconds) get
// yaml.v3's own line, at or just above the fault.
func SyntaxError(data []byte, err error) *Error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	yamlLine := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, e := strconv.Atoi(rest[:i]); e == nil {
				msg, yamlLine = rest[i+2:], n
			}
		}
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(data) > MaxLocateBytes && yamlLine > 0 {
		return &Error{Line: yamlLine, Col: 1, Msg: "not valid YAML (at or just below this line): " + msg}
	}
	parses := func(k int) bool { // the first k lines parse
		var n yaml.Node
		return yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &n) == nil
	}
	bad := len(lines)
	if len(lines) <= 300 {
		for k := 1; k <= len(lines); k++ {
			if !parses(k) {
				bad = k
				break
			}
		}
	} else { // a large file: bisect
		lo, hi := 0, len(lines)
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			if parses(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		bad = hi
	}
	line := ""
	if bad >= 1 && bad <= len(lines) {
		line = lines[bad-1]
	}
	col := 1
	if strings.Contains(msg, "tab") && strings.Contains(line, "\t") {
		col = strings.Index(line, "\t") + 1
	} else if i := strings.IndexFunc(line, func(r rune) bool { return r != ' ' && r != '\t' }); i >= 0 {
		col = len([]rune(line[:i])) + 1
	}
	return &Error{Line: bad, Col: col, Msg: "not valid YAML: " + msg}
}

package yamlnode

import (
	"errors"
	"testing"

	"gopkg.in/yaml.v3"
)

type sample struct {
	N    int                `yaml:"n"`
	X    float64            `yaml:"x"`
	On   bool               `yaml:"on"`
	Name string             `yaml:"name"`
	List []float64          `yaml:"list"`
	Map  map[string]float64 `yaml:"map"`
}

// Decode fills a struct from the node tree and says, with line and column,
// the dotted key, what was expected and what was found; syntax errors are
// placed on the faulty line.
func TestDecodeAndErrors(t *testing.T) {
	decode := func(src string) (*sample, error) {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(src), &root); err != nil {
			return nil, SyntaxError([]byte(src), err)
		}
		var s sample
		var d Decoder
		return &s, d.Decode(&root, &s)
	}
	s, err := decode("n: 3\nx: 1.5\non: true\nname: a\nlist: [1, 2]\nmap: {a: 1}\n")
	if err != nil || s.N != 3 || s.X != 1.5 || !s.On || s.Name != "a" || len(s.List) != 2 || s.Map["a"] != 1 {
		t.Fatalf("%+v %v", s, err)
	}
	for _, c := range []struct{ src, want string }{
		{"n: 1.5\n", "line 1, column 4: n: want a whole number, found 1.5"},
		{"n: 99999999999999999999\n", "line 1, column 4: n: 99999999999999999999 is out of range for this setting"},
		{"x: 1e999\n", "line 1, column 4: x: 1e999 is out of the range of a number"},
		{"on: yes please\n", `line 1, column 5: on: want true or false, found the text "yes please"`},
		{"list: 5\n", "line 1, column 7: list: want a list, found the number 5"},
		{"map:\n  a: 1\n  a: 2\n", "line 3, column 3: map.a: set twice (first on line 2)"},
		{"y: 1\n", `line 1, column 1: "y" is not a key at the top level; the keys are n, x, on, name, list, map`},
		{"n: 1\nx: [1,\n", "line 2, column 1: not valid YAML"},
	} {
		_, err := decode(c.src)
		var e *Error
		if !errors.As(err, &e) || len(e.Error()) < len(c.want) || e.Error()[:len(c.want)] != c.want {
			t.Errorf("%q:\n got  %v\n want %s…", c.src, err, c.want)
		}
	}
}

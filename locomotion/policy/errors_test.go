package policy

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestLoadErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	good, _ := mlpGraph(r, []int{4, 8, 2}, "Elu", true)
	cases := []struct {
		name  string
		model []byte
		want  []string
	}{
		{"not protobuf", []byte("hello, this is not a model"), []string{"onnx:"}},
		{"truncated", good[:len(good)/2], []string{"onnx:", "malformed"}},
		{"empty", nil, []string{"no graph"}},
		{"unsupported op", func() []byte {
			var g graphB
			g.input("x", 1, 4)
			g.node("Relu", "ok", []string{"x"}, []string{"a"})
			g.node("LSTM", "/rnn/LSTM", []string{"a"}, []string{"y"})
			g.output("y", 1, 4)
			return g.bytes()
		}(), []string{"node 1", `"/rnn/LSTM"`, "operator LSTM is not supported", "Gemm"}},
		{"other domain", func() []byte {
			var g graphB
			g.input("x", 1, 4)
			n := node("Relu", "r", []string{"x"}, []string{"y"})
			n = append(n, fString(7, "com.microsoft")...)
			g.nodes = append(g.nodes, n)
			g.output("y", 1, 4)
			return g.bytes()
		}(), []string{"node 0", "com.microsoft"}},
		{"double initializer", func() []byte {
			var g graphB
			g.input("x", 1, 2)
			g.inits = append(g.inits, msg(packedInts(1, []int64{2}), fVarint(2, 11), fString(8, "w"), fBytes(10, make([]byte, 16))))
			g.node("Add", "a", []string{"x", "w"}, []string{"y"})
			g.output("y", 1, 2)
			return g.bytes()
		}(), []string{`"w"`, "DOUBLE", "FLOAT"}},
		{"external data", func() []byte {
			var g graphB
			g.input("x", 1, 2)
			g.inits = append(g.inits, msg(packedInts(1, []int64{2}), fVarint(2, dtFloat), fString(8, "w"), fVarint(14, 1)))
			g.node("Add", "a", []string{"x", "w"}, []string{"y"})
			g.output("y", 1, 2)
			return g.bytes()
		}(), []string{`"w"`, "external"}},
		{"short raw data", func() []byte {
			var g graphB
			g.input("x", 1, 2)
			g.inits = append(g.inits, msg(packedInts(1, []int64{2}), fVarint(2, dtFloat), fString(8, "w"), fBytes(9, make([]byte, 7))))
			g.node("Add", "a", []string{"x", "w"}, []string{"y"})
			g.output("y", 1, 2)
			return g.bytes()
		}(), []string{`"w"`, "7 bytes", "needs 8"}},
		{"shape mismatch", func() []byte {
			var g graphB
			g.input("x", 1, 4)
			g.init("w", []int64{5, 3}, make([]float32, 15))
			g.node("MatMul", "/mm", []string{"x", "w"}, []string{"y"})
			g.output("y", 1, 3)
			return g.bytes()
		}(), []string{"node 0", `"/mm"`, "do not multiply"}},
		{"undefined input", func() []byte {
			var g graphB
			g.input("x", 1, 4)
			g.node("Relu", "r", []string{"nothere"}, []string{"y"})
			g.output("y", 1, 4)
			return g.bytes()
		}(), []string{"node 0", `"nothere"`}},
		{"output declared wrong", func() []byte {
			var g graphB
			g.input("x", 1, 4)
			g.node("Relu", "r", []string{"x"}, []string{"y"})
			g.output("y", 1, 5)
			return g.bytes()
		}(), []string{`"y"`, "[1 5]", "[1 4]"}},
		{"runtime reshape", func() []byte {
			var g graphB
			g.input("x", 1, 4)
			g.input("s", 2)
			g.node("Reshape", "r", []string{"x", "s"}, []string{"y"})
			g.output("y", 4)
			return g.bytes()
		}(), []string{"Reshape", "shape input"}},
	}
	for _, c := range cases {
		_, err := Load(c.model)
		if err == nil {
			t.Errorf("%s: loaded", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

// FuzzLoad: whatever the bytes, Load returns a net or an error, never
// panics; a net that loads runs.
func FuzzLoad(f *testing.F) {
	r := rand.New(rand.NewPCG(23, 24))
	m, _ := mlpGraph(r, []int{3, 4, 2}, "Elu", true)
	f.Add(m)
	m, _ = mlpGraph(r, []int{3, 4, 2}, "Tanh", false)
	f.Add(m)
	var g graphB
	g.input("x", 2, 3)
	g.initInts("s", []int64{0, -1})
	g.node("Reshape", "r", []string{"x", "s"}, []string{"a"})
	g.node("Concat", "c", []string{"a", "a"}, []string{"b"}, attrI("axis", 1))
	g.node("Clip", "k", []string{"b"}, []string{"y"}, attrF("min", -1), attrF("max", 1))
	g.output("y", 2, 6)
	f.Add(g.bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := Load(b)
		if err != nil {
			return
		}
		if len(n.Inputs()) == 0 || len(n.Outputs()) == 0 {
			t.Fatalf("a net with no input or output loaded")
		}
		if total := n.Inputs()[0].Len(); total > 1<<20 {
			return // too big to bother running
		}
		n.Run()
	})
}

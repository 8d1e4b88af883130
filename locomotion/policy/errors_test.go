package policy

import (
	ot "github.com/stride-robotics/stride/locomotion/policy/onnxtest"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestLoadErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	good, _ := ot.MLP(r, []int{4, 8, 2}, "Elu", true)
	cases := []struct {
		name  string
		model []byte
		want  []string
	}{
		{"not protobuf", []byte("hello, this is not a model"), []string{"onnx:"}},
		{"truncated", good[:len(good)/2], []string{"onnx:", "malformed"}},
		{"empty", nil, []string{"no graph"}},
		{"unsupported op", func() []byte {
			var g ot.Graph
			g.Input("x", 1, 4)
			g.Node("Relu", "ok", []string{"x"}, []string{"a"})
			g.Node("LSTM", "/rnn/LSTM", []string{"a"}, []string{"y"})
			g.Output("y", 1, 4)
			return g.Bytes()
		}(), []string{"node 1", `"/rnn/LSTM"`, "operator LSTM is not supported", "Gemm"}},
		{"other domain", func() []byte {
			var g ot.Graph
			g.Input("x", 1, 4)
			n := ot.Node("Relu", "r", []string{"x"}, []string{"y"})
			n = append(n, ot.String(7, "com.microsoft")...)
			g.Nodes = append(g.Nodes, n)
			g.Output("y", 1, 4)
			return g.Bytes()
		}(), []string{"node 0", "com.microsoft"}},
		{"double initializer", func() []byte {
			var g ot.Graph
			g.Input("x", 1, 2)
			g.Inits = append(g.Inits, ot.Msg(ot.PackedInts(1, []int64{2}), ot.Varint(2, 11), ot.String(8, "w"), ot.Bytes(10, make([]byte, 16))))
			g.Node("Add", "a", []string{"x", "w"}, []string{"y"})
			g.Output("y", 1, 2)
			return g.Bytes()
		}(), []string{`"w"`, "DOUBLE", "FLOAT"}},
		{"external data", func() []byte {
			var g ot.Graph
			g.Input("x", 1, 2)
			g.Inits = append(g.Inits, ot.Msg(ot.PackedInts(1, []int64{2}), ot.Varint(2, dtFloat), ot.String(8, "w"), ot.Varint(14, 1)))
			g.Node("Add", "a", []string{"x", "w"}, []string{"y"})
			g.Output("y", 1, 2)
			return g.Bytes()
		}(), []string{`"w"`, "external"}},
		{"short raw data", func() []byte {
			var g ot.Graph
			g.Input("x", 1, 2)
			g.Inits = append(g.Inits, ot.Msg(ot.PackedInts(1, []int64{2}), ot.Varint(2, dtFloat), ot.String(8, "w"), ot.Bytes(9, make([]byte, 7))))
			g.Node("Add", "a", []string{"x", "w"}, []string{"y"})
			g.Output("y", 1, 2)
			return g.Bytes()
		}(), []string{`"w"`, "7 bytes", "needs 8"}},
		{"shape mismatch", func() []byte {
			var g ot.Graph
			g.Input("x", 1, 4)
			g.Init("w", []int64{5, 3}, make([]float32, 15))
			g.Node("MatMul", "/mm", []string{"x", "w"}, []string{"y"})
			g.Output("y", 1, 3)
			return g.Bytes()
		}(), []string{"node 0", `"/mm"`, "do not multiply"}},
		{"undefined input", func() []byte {
			var g ot.Graph
			g.Input("x", 1, 4)
			g.Node("Relu", "r", []string{"nothere"}, []string{"y"})
			g.Output("y", 1, 4)
			return g.Bytes()
		}(), []string{"node 0", `"nothere"`}},
		{"output declared wrong", func() []byte {
			var g ot.Graph
			g.Input("x", 1, 4)
			g.Node("Relu", "r", []string{"x"}, []string{"y"})
			g.Output("y", 1, 5)
			return g.Bytes()
		}(), []string{`"y"`, "[1 5]", "[1 4]"}},
		{"runtime reshape", func() []byte {
			var g ot.Graph
			g.Input("x", 1, 4)
			g.Input("s", 2)
			g.Node("Reshape", "r", []string{"x", "s"}, []string{"y"})
			g.Output("y", 4)
			return g.Bytes()
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
	m, _ := ot.MLP(r, []int{3, 4, 2}, "Elu", true)
	f.Add(m)
	m, _ = ot.MLP(r, []int{3, 4, 2}, "Tanh", false)
	f.Add(m)
	var g ot.Graph
	g.Input("x", 2, 3)
	g.InitInts("s", []int64{0, -1})
	g.Node("Reshape", "r", []string{"x", "s"}, []string{"a"})
	g.Node("Concat", "c", []string{"a", "a"}, []string{"b"}, ot.AttrI("axis", 1))
	g.Node("Clip", "k", []string{"b"}, []string{"y"}, ot.AttrF("min", -1), ot.AttrF("max", 1))
	g.Output("y", 2, 6)
	f.Add(g.Bytes())
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

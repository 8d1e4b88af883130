package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Net is an ONNX graph compiled for inference: every tensor's shape fixed
// at load time, every buffer allocated then, the operators a list of steps
// run in order. Run allocates nothing. Symbolic or unknown dimensions of a
// graph input (a batch dimension) are taken as 1.
//
// Supported operators (default domain): Gemm, MatMul, Add, Sub, Mul, Div,
// Relu, Elu, LeakyRelu, Tanh, Sigmoid, Softplus, Identity, Flatten,
// Reshape, Concat, Clip, Constant, Squeeze, Unsqueeze. Data tensors are
// float32; shapes and axes (Reshape, Squeeze, Unsqueeze) are INT64 tensors
// known at load time (initializers or Constant nodes). Identity, Flatten,
// Reshape, Squeeze and Unsqueeze cost nothing: their output shares the
// input's buffer.
type Net struct {
	Model   *Model
	inputs  []*tensor
	outputs []*tensor
	steps   []step
	layers  []Layer
	params  int
}

// Supported lists the operators Net runs.
var Supported = []string{"Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Elu", "LeakyRelu", "Tanh",
	"Sigmoid", "Softplus", "Identity", "Flatten", "Reshape", "Concat", "Clip", "Constant", "Squeeze", "Unsqueeze"}

// Layer describes one node of a compiled net (for `stride policy info`).
type Layer struct {
	Name   string
	Op     string
	Inputs []string
	Output string
	Shape  []int // the output's shape
	Params int   // elements of the initializers the node reads (each counted at its first use)
}

// IO is a graph input or output of a compiled net.
type IO struct {
	Name  string
	Shape []int
}

// Len returns the number of elements of the shape.
func (io IO) Len() int { return shapeLen(io.Shape) }

// tensor is a value of the graph: float32 data, or INT64 values known at
// load time (shapes, axes).
type tensor struct {
	name   string
	shape  []int
	data   []float32
	ints   []int64
	isInt  bool
	konst  bool // known at load time: an initializer or a Constant's output
	counts bool // an initializer not yet counted in a layer's parameters
}

// step is one operator's kernel over preallocated buffers.
type step interface{ run() }

// Load parses an ONNX model and compiles it.
func Load(b []byte) (*Net, error) {
	m, err := ParseModel(b)
	if err != nil {
		return nil, err
	}
	return Compile(m)
}

// Compile plans the inference of m: shapes, buffers and kernels. The error
// names the node (its index, name and operator) that cannot be run.
func Compile(m *Model) (*Net, error) {
	g := &m.Graph
	n := &Net{Model: m}
	vals := map[string]*tensor{}
	alloc := 0 // elements of the buffers allocated for node outputs
	for i := range g.Initializers {
		t := &g.Initializers[i]
		if t.Name == "" {
			return nil, fmt.Errorf("onnx: graph.initializer[%d] has no name", i)
		}
		v := &tensor{name: t.Name, shape: dimsInt(t.Dims), konst: true, counts: t.DataType == dtFloat}
		if t.DataType == dtFloat {
			v.data = t.Float
			n.params += len(t.Float)
		} else {
			v.ints, v.isInt = t.Int64, true
		}
		vals[t.Name] = v
	}
	for i, in := range g.Inputs {
		if _, ok := vals[in.Name]; ok {
			continue // an initializer listed as an input (IR version < 4)
		}
		if in.ElemType != dtFloat {
			return nil, fmt.Errorf("onnx: graph input %d (%q): element type %s; only FLOAT inputs are supported", i, in.Name, dataTypeName(in.ElemType))
		}
		if !in.HasShape {
			return nil, fmt.Errorf("onnx: graph input %d (%q) declares no shape; the runner needs it (re-export with a fixed observation size)", i, in.Name)
		}
		shape := make([]int, len(in.Dims))
		for k, d := range in.Dims {
			shape[k] = 1 // symbolic or unknown: a batch of one
			if d.Param == "" && d.Value > 0 {
				if d.Value > maxElements {
					return nil, fmt.Errorf("onnx: graph input %q: dimension %d too large", in.Name, d.Value)
				}
				shape[k] = int(d.Value)
			}
		}
		if shapeLen(shape) > maxElements {
			return nil, fmt.Errorf("onnx: graph input %q: too many elements", in.Name)
		}
		v := &tensor{name: in.Name, shape: shape, data: make([]float32, shapeLen(shape))}
		vals[in.Name] = v
		n.inputs = append(n.inputs, v)
	}
	if len(n.inputs) == 0 {
		return nil, fmt.Errorf("onnx: the graph has no input")
	}
	for i := range g.Nodes {
		nd := &g.Nodes[i]
		where := fmt.Sprintf("onnx: node %d (%q, %s)", i, nd.Name, nd.OpType)
		if nd.Domain != "" && nd.Domain != "ai.onnx" {
			return nil, fmt.Errorf("%s: operator domain %q is not supported (only the default ONNX domain)", where, nd.Domain)
		}
		ins := make([]*tensor, len(nd.Inputs))
		for k, name := range nd.Inputs {
			if name == "" {
				continue // an omitted optional input
			}
			v, ok := vals[name]
			if !ok {
				return nil, fmt.Errorf("%s: input %q is not a graph input, an initializer or an earlier node's output", where, name)
			}
			ins[k] = v
		}
		if len(nd.Outputs) == 0 || nd.Outputs[0] == "" {
			return nil, fmt.Errorf("%s: no output", where)
		}
		for _, o := range nd.Outputs[1:] {
			if o != "" {
				return nil, fmt.Errorf("%s: %d outputs; the supported operators have one", where, len(nd.Outputs))
			}
		}
		out, st, err := compileNode(nd, ins, m.Opset)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if len(out.shape) > maxRank {
			return nil, fmt.Errorf("%s: output of rank %d, at most %d supported", where, len(out.shape), maxRank)
		}
		out.name = nd.Outputs[0]
		if _, dup := vals[out.name]; dup {
			return nil, fmt.Errorf("%s: output %q is already defined", where, out.name)
		}
		vals[out.name] = out
		if st != nil {
			n.steps = append(n.steps, st)
			if alloc += len(out.data); alloc > 4*maxElements {
				return nil, fmt.Errorf("%s: the graph's buffers exceed %d elements", where, 4*maxElements)
			}
		}
		l := Layer{Name: nd.Name, Op: nd.OpType, Inputs: nd.Inputs, Output: out.name, Shape: out.shape}
		for _, v := range ins {
			if v != nil && v.counts {
				l.Params += len(v.data)
				v.counts = false
			}
		}
		if nd.OpType == "Constant" && !out.isInt {
			l.Params = len(out.data)
			n.params += len(out.data)
		}
		n.layers = append(n.layers, l)
	}
	if len(g.Outputs) == 0 {
		return nil, fmt.Errorf("onnx: the graph has no output")
	}
	for i, o := range g.Outputs {
		v, ok := vals[o.Name]
		if !ok {
			return nil, fmt.Errorf("onnx: graph output %d (%q) is produced by no node", i, o.Name)
		}
		if v.isInt {
			return nil, fmt.Errorf("onnx: graph output %d (%q) is an integer tensor; only float outputs are supported", i, o.Name)
		}
		if o.HasShape && len(o.Dims) > 0 {
			ok := len(o.Dims) == len(v.shape)
			for k := 0; ok && k < len(o.Dims); k++ {
				if d := o.Dims[k]; d.Param == "" && d.Value > 0 && int(d.Value) != v.shape[k] {
					ok = false
				}
			}
			if !ok {
				return nil, fmt.Errorf("onnx: graph output %q: the model declares shape %s, the graph computes %v", o.Name, dimsString(o.Dims), v.shape)
			}
		}
		n.outputs = append(n.outputs, v)
	}
	return n, nil
}

// Run computes the outputs from the inputs. It allocates nothing.
func (n *Net) Run() {
	for _, s := range n.steps {
		s.run()
	}
}

// Inputs returns the graph's inputs (initializers excluded), with their
// compiled shapes.
func (n *Net) Inputs() []IO { return ios(n.inputs) }

// Outputs returns the graph's outputs with their computed shapes.
func (n *Net) Outputs() []IO { return ios(n.outputs) }

// Input returns input i's buffer: write the input there before Run.
func (n *Net) Input(i int) []float32 { return n.inputs[i].data }

// Output returns output i's buffer, valid after Run until the next.
func (n *Net) Output(i int) []float32 { return n.outputs[i].data }

// Layers returns the compiled nodes in order.
func (n *Net) Layers() []Layer { return n.layers }

// Params returns the number of float parameters: the elements of the float
// initializers and of float Constant nodes.
func (n *Net) Params() int { return n.params }

// Ops counts the nodes by operator.
func (n *Net) Ops() map[string]int {
	c := map[string]int{}
	for _, l := range n.layers {
		c[l.Op]++
	}
	return c
}

// Summary is a multi-line description of the net: inputs, outputs, layers
// with their output shapes and parameters, and the parameter count.
func (n *Net) Summary() string {
	var b strings.Builder
	m := n.Model
	fmt.Fprintf(&b, "producer %q, IR version %d, opset %d, graph %q\n", m.Producer, m.IRVersion, m.Opset, m.Graph.Name)
	for _, io := range n.Inputs() {
		fmt.Fprintf(&b, "input  %-24s %v\n", io.Name, io.Shape)
	}
	for _, io := range n.Outputs() {
		fmt.Fprintf(&b, "output %-24s %v\n", io.Name, io.Shape)
	}
	fmt.Fprintf(&b, "%d nodes:\n", len(n.layers))
	for i, l := range n.layers {
		name := l.Name
		if name == "" {
			name = "-"
		}
		fmt.Fprintf(&b, "  %3d %-10s %-28s -> %-24s %-12s", i, l.Op, name, l.Output, fmt.Sprint(l.Shape))
		if l.Params > 0 {
			fmt.Fprintf(&b, " %d params", l.Params)
		}
		b.WriteByte('\n')
	}
	ops := n.Ops()
	names := make([]string, 0, len(ops))
	for k := range ops {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s×%d", k, ops[k]))
	}
	fmt.Fprintf(&b, "operators: %s\nparameters: %d (float32, %d bytes)\n", strings.Join(parts, ", "), n.params, 4*n.params)
	return b.String()
}

func ios(ts []*tensor) []IO {
	r := make([]IO, len(ts))
	for i, t := range ts {
		r[i] = IO{Name: t.name, Shape: slices.Clone(t.shape)}
	}
	return r
}

func dimsInt(d []int64) []int {
	s := make([]int, len(d))
	for i, v := range d {
		s[i] = int(v)
	}
	return s
}

func dimsString(d []Dim) string {
	p := make([]string, len(d))
	for i, x := range d {
		switch {
		case x.Param != "":
			p[i] = x.Param
		case x.Value > 0:
			p[i] = fmt.Sprint(x.Value)
		default:
			p[i] = "?"
		}
	}
	return "[" + strings.Join(p, " ") + "]"
}

func shapeLen(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

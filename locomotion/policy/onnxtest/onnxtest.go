package onnxtest

import (
	"encoding/binary"
	"math"
	"math/rand/v2"

	"google.golang.org/protobuf/encoding/protowire"
)

// ONNX numbers used here (onnx.proto): element types and attribute types.
const (
	typeFloat  = 1
	typeInt64  = 7
	attrFloat  = 1
	attrInt    = 2
	attrTensor = 4
	attrInts   = 7
)

// Msg concatenates encoded fields into a message.
func Msg(fields ...[]byte) []byte {
	var b []byte
	for _, f := range fields {
		b = append(b, f...)
	}
	return b
}

// Bytes encodes a length-delimited field.
func Bytes(num protowire.Number, v []byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

// String encodes a string field.
func String(num protowire.Number, s string) []byte { return Bytes(num, []byte(s)) }

// Varint encodes a varint field.
func Varint(num protowire.Number, v int64) []byte {
	b := protowire.AppendTag(nil, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

// Float encodes a fixed32 float field.
func Float(num protowire.Number, v float32) []byte {
	b := protowire.AppendTag(nil, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, math.Float32bits(v))
}

// PackedInts encodes a packed repeated integer field.
func PackedInts(num protowire.Number, v []int64) []byte {
	var p []byte
	for _, x := range v {
		p = protowire.AppendVarint(p, uint64(x))
	}
	return Bytes(num, p)
}

// PackedFloats encodes a packed repeated float field.
func PackedFloats(num protowire.Number, v []float32) []byte {
	var p []byte
	for _, x := range v {
		p = binary.LittleEndian.AppendUint32(p, math.Float32bits(x))
	}
	return Bytes(num, p)
}

// FloatTensor is a TensorProto (FLOAT) holding v in raw_data, or in
// float_data when asFloatData.
func FloatTensor(name string, dims []int64, v []float32, asFloatData bool) []byte {
	b := Msg(PackedInts(1, dims), Varint(2, typeFloat), String(8, name))
	if asFloatData {
		return append(b, PackedFloats(4, v)...)
	}
	var raw []byte
	for _, x := range v {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(x))
	}
	return append(b, Bytes(9, raw)...)
}

// Int64Tensor is a TensorProto (INT64).
func Int64Tensor(name string, dims []int64, v []int64) []byte {
	return Msg(PackedInts(1, dims), Varint(2, typeInt64), String(8, name), PackedInts(7, v))
}

// AttrI is an integer attribute.
func AttrI(name string, v int64) []byte {
	return Msg(String(1, name), Varint(20, attrInt), Varint(3, v))
}

// AttrF is a float attribute.
func AttrF(name string, v float32) []byte {
	return Msg(String(1, name), Varint(20, attrFloat), Float(2, v))
}

// AttrIs is an integers attribute.
func AttrIs(name string, v []int64) []byte {
	return Msg(String(1, name), Varint(20, attrInts), PackedInts(8, v))
}

// AttrT is a tensor attribute.
func AttrT(name string, tensor []byte) []byte {
	return Msg(String(1, name), Varint(20, attrTensor), Bytes(5, tensor))
}

// Node is a NodeProto.
func Node(op, name string, ins, outs []string, attrs ...[]byte) []byte {
	var b []byte
	for _, s := range ins {
		b = append(b, String(1, s)...)
	}
	for _, s := range outs {
		b = append(b, String(2, s)...)
	}
	b = append(b, String(3, name)...)
	b = append(b, String(4, op)...)
	for _, a := range attrs {
		b = append(b, Bytes(5, a)...)
	}
	return b
}

// ValueInfo declares a tensor; a dim of -1 is written as the symbolic
// "batch".
func ValueInfo(name string, elem int64, dims []int64) []byte {
	var shape []byte
	for _, d := range dims {
		if d < 0 {
			shape = append(shape, Bytes(1, String(2, "batch"))...)
		} else {
			shape = append(shape, Bytes(1, Varint(1, d))...)
		}
	}
	tt := Msg(Varint(1, elem), Bytes(2, shape))
	return Msg(String(1, name), Bytes(2, Bytes(1, tt)))
}

// Graph builds a graph and its model.
type Graph struct {
	Nodes, Inits, Inputs, Outputs [][]byte
	Opset                         int64
}

// Node adds a node.
func (g *Graph) Node(op, name string, ins, outs []string, attrs ...[]byte) {
	g.Nodes = append(g.Nodes, Node(op, name, ins, outs, attrs...))
}

// Init adds a float initializer (alternately in raw_data and float_data).
func (g *Graph) Init(name string, dims []int64, v []float32) {
	g.Inits = append(g.Inits, FloatTensor(name, dims, v, len(g.Inits)%2 == 1))
}

// InitInts adds a 1-D INT64 initializer.
func (g *Graph) InitInts(name string, v []int64) {
	g.Inits = append(g.Inits, Int64Tensor(name, []int64{int64(len(v))}, v))
}

// Input declares a float graph input (a dim of -1: symbolic).
func (g *Graph) Input(name string, dims ...int64) {
	g.Inputs = append(g.Inputs, ValueInfo(name, typeFloat, dims))
}

// Output declares a float graph output.
func (g *Graph) Output(name string, dims ...int64) {
	g.Outputs = append(g.Outputs, ValueInfo(name, typeFloat, dims))
}

// Bytes encodes the model.
func (g *Graph) Bytes() []byte {
	var gr []byte
	for _, n := range g.Nodes {
		gr = append(gr, Bytes(1, n)...)
	}
	gr = append(gr, String(2, "test")...)
	for _, t := range g.Inits {
		gr = append(gr, Bytes(5, t)...)
	}
	for _, v := range g.Inputs {
		gr = append(gr, Bytes(11, v)...)
	}
	for _, v := range g.Outputs {
		gr = append(gr, Bytes(12, v)...)
	}
	opset := g.Opset
	if opset == 0 {
		opset = 17
	}
	return Msg(Varint(1, 8), String(2, "stride-test"), Bytes(7, gr),
		Bytes(8, Msg(String(1, ""), Varint(2, opset))))
}

// RandF returns n values uniform in [-s, s).
func RandF(r *rand.Rand, n int, s float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32((2*r.Float64() - 1) * s)
	}
	return v
}

// Layer is one dense layer of a test MLP, W stored out×in (torch's
// Linear).
type Layer struct {
	W, B    []float32
	In, Out int
}

// MLP builds an MLP: Gemm (transB = 1, torch's export) or MatMul+Add
// per layer, with act between layers ("Elu", "Relu", "Tanh", …).
func MLP(r *rand.Rand, sizes []int, act string, gemm bool) ([]byte, []Layer) {
	var g Graph
	g.Input("obs", -1, int64(sizes[0]))
	x := "obs"
	var layers []Layer
	for i := 0; i+1 < len(sizes); i++ {
		in, out := sizes[i], sizes[i+1]
		l := Layer{W: RandF(r, in*out, 1/math.Sqrt(float64(in))), B: RandF(r, out, 0.1), In: in, Out: out}
		layers = append(layers, l)
		w, b := "W"+itoa(i), "b"+itoa(i)
		y := "h" + itoa(i)
		g.Init(b, []int64{int64(out)}, l.B)
		if gemm {
			g.Init(w, []int64{int64(out), int64(in)}, l.W)
			g.Node("Gemm", "/actor/"+itoa(2*i)+"/Gemm", []string{x, w, b}, []string{y}, AttrF("alpha", 1), AttrF("beta", 1), AttrI("transB", 1))
		} else {
			wt := make([]float32, in*out) // in×out for MatMul
			for o := 0; o < out; o++ {
				for k := 0; k < in; k++ {
					wt[k*out+o] = l.W[o*in+k]
				}
			}
			g.Init(w, []int64{int64(in), int64(out)}, wt)
			g.Node("MatMul", "/actor/"+itoa(2*i)+"/MatMul", []string{x, w}, []string{y + "m"})
			g.Node("Add", "/actor/"+itoa(2*i)+"/Add", []string{y + "m", b}, []string{y})
		}
		x = y
		if i+2 < len(sizes) {
			g.Node(act, "/actor/"+itoa(2*i+1)+"/"+act, []string{x}, []string{x + "a"})
			x += "a"
		}
	}
	g.Node("Identity", "out", []string{x}, []string{"actions"})
	g.Output("actions", -1, int64(sizes[len(sizes)-1]))
	return g.Bytes(), layers
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// RefMLP is the float64 forward pass of the layers with activation f.
func RefMLP(layers []Layer, f func(float64) float64, x []float32) []float64 {
	h := make([]float64, len(x))
	for i, v := range x {
		h[i] = float64(v)
	}
	for li, l := range layers {
		y := make([]float64, l.Out)
		for o := range y {
			s := float64(l.B[o])
			for k := 0; k < l.In; k++ {
				s += float64(l.W[o*l.In+k]) * h[k]
			}
			if li+1 < len(layers) {
				s = f(s)
			}
			y[o] = s
		}
		h = y
	}
	return h
}

// Linear is a policy network a = W·o + b (Gemm, W stored actions ×
// observations), input "obs" [1, n], output "actions" [1, len(b)].
func Linear(w, b []float32, n int) []byte {
	var g Graph
	g.Input("obs", -1, int64(n))
	g.Init("W", []int64{int64(len(b)), int64(n)}, w)
	g.Init("b", []int64{int64(len(b))}, b)
	g.Node("Gemm", "/actor/0/Gemm", []string{"obs", "W", "b"}, []string{"actions"}, AttrI("transB", 1))
	g.Output("actions", -1, int64(len(b)))
	return g.Bytes()
}

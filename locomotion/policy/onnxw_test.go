package policy

import (
	"encoding/binary"
	"math"
	"math/rand/v2"

	"google.golang.org/protobuf/encoding/protowire"
)

// A small ONNX writer for the tests: protobuf messages built field by field
// with protowire, numbered as onnx.proto publishes them — written apart from
// the reader so that a misread field number shows up as a failed test.

func msg(fields ...[]byte) []byte {
	var b []byte
	for _, f := range fields {
		b = append(b, f...)
	}
	return b
}

func fBytes(num protowire.Number, v []byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func fString(num protowire.Number, s string) []byte { return fBytes(num, []byte(s)) }

func fVarint(num protowire.Number, v int64) []byte {
	b := protowire.AppendTag(nil, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func fFloat(num protowire.Number, v float32) []byte {
	b := protowire.AppendTag(nil, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, math.Float32bits(v))
}

func packedInts(num protowire.Number, v []int64) []byte {
	var p []byte
	for _, x := range v {
		p = protowire.AppendVarint(p, uint64(x))
	}
	return fBytes(num, p)
}

func packedFloats(num protowire.Number, v []float32) []byte {
	var p []byte
	for _, x := range v {
		p = binary.LittleEndian.AppendUint32(p, math.Float32bits(x))
	}
	return fBytes(num, p)
}

// floatTensor is a TensorProto (FLOAT) holding v in raw_data, or in
// float_data when asFloatData.
func floatTensor(name string, dims []int64, v []float32, asFloatData bool) []byte {
	b := msg(packedInts(1, dims), fVarint(2, dtFloat), fString(8, name))
	if asFloatData {
		return append(b, packedFloats(4, v)...)
	}
	var raw []byte
	for _, x := range v {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(x))
	}
	return append(b, fBytes(9, raw)...)
}

func int64Tensor(name string, dims []int64, v []int64) []byte {
	return msg(packedInts(1, dims), fVarint(2, dtInt64), fString(8, name), packedInts(7, v))
}

func attrI(name string, v int64) []byte {
	return msg(fString(1, name), fVarint(20, atInt), fVarint(3, v))
}

func attrF(name string, v float32) []byte {
	return msg(fString(1, name), fVarint(20, atFloat), fFloat(2, v))
}

func attrIs(name string, v []int64) []byte {
	return msg(fString(1, name), fVarint(20, atInts), packedInts(8, v))
}

func attrT(name string, tensor []byte) []byte {
	return msg(fString(1, name), fVarint(20, atTensor), fBytes(5, tensor))
}

func node(op, name string, ins, outs []string, attrs ...[]byte) []byte {
	var b []byte
	for _, s := range ins {
		b = append(b, fString(1, s)...)
	}
	for _, s := range outs {
		b = append(b, fString(2, s)...)
	}
	b = append(b, fString(3, name)...)
	b = append(b, fString(4, op)...)
	for _, a := range attrs {
		b = append(b, fBytes(5, a)...)
	}
	return b
}

// valueInfo declares a tensor; a dim of -1 is written as the symbolic
// "batch".
func valueInfo(name string, elem int64, dims []int64) []byte {
	var shape []byte
	for _, d := range dims {
		if d < 0 {
			shape = append(shape, fBytes(1, fString(2, "batch"))...)
		} else {
			shape = append(shape, fBytes(1, fVarint(1, d))...)
		}
	}
	tt := msg(fVarint(1, elem), fBytes(2, shape))
	return msg(fString(1, name), fBytes(2, fBytes(1, tt)))
}

// graphB builds a graph and its model.
type graphB struct {
	nodes, inits, inputs, outputs [][]byte
	opset                         int64
}

func (g *graphB) node(op, name string, ins, outs []string, attrs ...[]byte) {
	g.nodes = append(g.nodes, node(op, name, ins, outs, attrs...))
}

func (g *graphB) init(name string, dims []int64, v []float32) {
	g.inits = append(g.inits, floatTensor(name, dims, v, len(g.inits)%2 == 1))
}

func (g *graphB) initInts(name string, v []int64) {
	g.inits = append(g.inits, int64Tensor(name, []int64{int64(len(v))}, v))
}

func (g *graphB) input(name string, dims ...int64) {
	g.inputs = append(g.inputs, valueInfo(name, dtFloat, dims))
}

func (g *graphB) output(name string, dims ...int64) {
	g.outputs = append(g.outputs, valueInfo(name, dtFloat, dims))
}

func (g *graphB) bytes() []byte {
	var gr []byte
	for _, n := range g.nodes {
		gr = append(gr, fBytes(1, n)...)
	}
	gr = append(gr, fString(2, "test")...)
	for _, t := range g.inits {
		gr = append(gr, fBytes(5, t)...)
	}
	for _, v := range g.inputs {
		gr = append(gr, fBytes(11, v)...)
	}
	for _, v := range g.outputs {
		gr = append(gr, fBytes(12, v)...)
	}
	opset := g.opset
	if opset == 0 {
		opset = 17
	}
	return msg(fVarint(1, 8), fString(2, "stride-test"), fBytes(7, gr),
		fBytes(8, msg(fString(1, ""), fVarint(2, opset))))
}

// randF returns n values uniform in [-s, s).
func randF(r *rand.Rand, n int, s float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32((2*r.Float64() - 1) * s)
	}
	return v
}

// mlpLayer is one dense layer of a test MLP, W stored out×in (torch's
// Linear).
type mlpLayer struct {
	W, B    []float32
	In, Out int
}

// mlpGraph builds an MLP: Gemm (transB = 1, torch's export) or MatMul+Add
// per layer, with act between layers ("Elu", "Relu", "Tanh", …).
func mlpGraph(r *rand.Rand, sizes []int, act string, gemm bool) ([]byte, []mlpLayer) {
	var g graphB
	g.input("obs", -1, int64(sizes[0]))
	x := "obs"
	var layers []mlpLayer
	for i := 0; i+1 < len(sizes); i++ {
		in, out := sizes[i], sizes[i+1]
		l := mlpLayer{W: randF(r, in*out, 1/math.Sqrt(float64(in))), B: randF(r, out, 0.1), In: in, Out: out}
		layers = append(layers, l)
		w, b := "W"+itoa(i), "b"+itoa(i)
		y := "h" + itoa(i)
		g.init(b, []int64{int64(out)}, l.B)
		if gemm {
			g.init(w, []int64{int64(out), int64(in)}, l.W)
			g.node("Gemm", "/actor/"+itoa(2*i)+"/Gemm", []string{x, w, b}, []string{y}, attrF("alpha", 1), attrF("beta", 1), attrI("transB", 1))
		} else {
			wt := make([]float32, in*out) // in×out for MatMul
			for o := 0; o < out; o++ {
				for k := 0; k < in; k++ {
					wt[k*out+o] = l.W[o*in+k]
				}
			}
			g.init(w, []int64{int64(in), int64(out)}, wt)
			g.node("MatMul", "/actor/"+itoa(2*i)+"/MatMul", []string{x, w}, []string{y + "m"})
			g.node("Add", "/actor/"+itoa(2*i)+"/Add", []string{y + "m", b}, []string{y})
		}
		x = y
		if i+2 < len(sizes) {
			g.node(act, "/actor/"+itoa(2*i+1)+"/"+act, []string{x}, []string{x + "a"})
			x += "a"
		}
	}
	g.node("Identity", "out", []string{x}, []string{"actions"})
	g.output("actions", -1, int64(sizes[len(sizes)-1]))
	return g.bytes(), layers
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// refMLP is the float64 forward pass of the layers with activation f.
func refMLP(layers []mlpLayer, f func(float64) float64, x []float32) []float64 {
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

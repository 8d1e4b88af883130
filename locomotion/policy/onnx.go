package policy

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// This file reads an ONNX model (a protobuf ModelProto) into plain Go types:
// the fields an inference plan needs, decoded by field number as onnx.proto
// publishes them (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto).
// Fields it does not use are skipped; malformed wire data, absurd sizes and
// data it cannot hold are errors naming where in the model they are.

// ONNX element types (TensorProto.DataType) this package reads.
const (
	dtFloat = 1
	dtInt32 = 6
	dtInt64 = 7
)

var dataTypeNames = map[int32]string{
	0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64",
	8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64", 14: "COMPLEX64",
	15: "COMPLEX128", 16: "BFLOAT16",
}

func dataTypeName(t int32) string {
	if n, ok := dataTypeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("data type %d", t)
}

// Limits on what a model file may declare, so that a corrupt or hostile file
// is refused instead of exhausting memory.
const (
	maxRank     = 8
	maxElements = 1 << 24 // elements of one tensor (64 MiB of float32)
)

// Model is the part of an ONNX ModelProto the runner uses.
type Model struct {
	IRVersion int64
	Opset     int64 // version of the default ("" or "ai.onnx") operator set; 0 if absent
	Producer  string
	Graph     Graph
}

// Graph is an ONNX GraphProto: nodes in topological order, constant
// initializers, and the graph's inputs and outputs.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
}

// Node is one operator application.
type Node struct {
	Name, OpType, Domain string
	Inputs, Outputs      []string
	Attrs                []Attr
}

// Attribute types (AttributeProto.AttributeType).
const (
	atFloat   = 1
	atInt     = 2
	atString  = 3
	atTensor  = 4
	atFloats  = 6
	atInts    = 7
	atStrings = 8
)

// Attr is a node attribute; Type says which field holds its value.
type Attr struct {
	Name   string
	Type   int64
	F      float32
	I      int64
	S      []byte
	T      *Tensor
	Floats []float32
	Ints   []int64
}

// Tensor is a TensorProto with FLOAT, INT32 or INT64 data (INT32 is read
// into Int64).
type Tensor struct {
	Name     string
	Dims     []int64
	DataType int32
	Float    []float32 // FLOAT data
	Int64    []int64   // INT64 (and INT32) data
}

// Len returns the number of elements the dims say the tensor has.
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.Dims {
		n *= int(d)
	}
	return n
}

// Dim is one dimension of a declared shape: a size, or a symbolic name
// (Param) for a size fixed only at run time, or neither (unknown).
type Dim struct {
	Value int64
	Param string
}

// ValueInfo is a graph input or output: its name, element type and shape.
// HasShape is false when the model declares no shape.
type ValueInfo struct {
	Name     string
	ElemType int32
	Dims     []Dim
	HasShape bool
}

// ParseModel reads an ONNX model from its protobuf bytes.
func ParseModel(b []byte) (*Model, error) {
	m := &Model{}
	err := fields(b, "model", func(f field) error {
		switch f.num {
		case 1: // ir_version
			return f.int(&m.IRVersion)
		case 2: // producer_name
			return f.str(&m.Producer)
		case 7: // graph
			b, err := f.bytes()
			if err != nil {
				return err
			}
			return parseGraph(b, &m.Graph)
		case 8: // opset_import
			b, err := f.bytes()
			if err != nil {
				return err
			}
			var dom string
			var ver int64
			if err := fields(b, f.path+".opset_import", func(g field) error {
				switch g.num {
				case 1:
					return g.str(&dom)
				case 2:
					return g.int(&ver)
				}
				return nil
			}); err != nil {
				return err
			}
			if dom == "" || dom == "ai.onnx" {
				m.Opset = ver
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(m.Graph.Nodes) == 0 && len(m.Graph.Outputs) == 0 {
		return nil, fmt.Errorf("onnx: the model has no graph (is this an ONNX file?)")
	}
	return m, nil
}

func parseGraph(b []byte, g *Graph) error {
	return fields(b, "graph", func(f field) error {
		switch f.num {
		case 1: // node
			b, err := f.bytes()
			if err != nil {
				return err
			}
			n := Node{}
			if err := parseNode(b, fmt.Sprintf("graph.node[%d]", len(g.Nodes)), &n); err != nil {
				return err
			}
			g.Nodes = append(g.Nodes, n)
		case 2:
			return f.str(&g.Name)
		case 5: // initializer
			b, err := f.bytes()
			if err != nil {
				return err
			}
			t, err := parseTensor(b, fmt.Sprintf("graph.initializer[%d]", len(g.Initializers)))
			if err != nil {
				return err
			}
			g.Initializers = append(g.Initializers, *t)
		case 11, 12: // input, output
			b, err := f.bytes()
			if err != nil {
				return err
			}
			list := &g.Inputs
			what := "input"
			if f.num == 12 {
				list, what = &g.Outputs, "output"
			}
			v, err := parseValueInfo(b, fmt.Sprintf("graph.%s[%d]", what, len(*list)))
			if err != nil {
				return err
			}
			*list = append(*list, v)
		case 15: // sparse_initializer
			return fmt.Errorf("onnx: %s: sparse initializers are not supported", f.path)
		}
		return nil
	})
}

func parseNode(b []byte, path string, n *Node) error {
	return fields(b, path, func(f field) error {
		switch f.num {
		case 1, 2: // input, output
			var s string
			if err := f.str(&s); err != nil {
				return err
			}
			if f.num == 1 {
				n.Inputs = append(n.Inputs, s)
			} else {
				n.Outputs = append(n.Outputs, s)
			}
		case 3:
			return f.str(&n.Name)
		case 4:
			return f.str(&n.OpType)
		case 7:
			return f.str(&n.Domain)
		case 5: // attribute
			b, err := f.bytes()
			if err != nil {
				return err
			}
			a, err := parseAttr(b, fmt.Sprintf("%s.attribute[%d]", path, len(n.Attrs)))
			if err != nil {
				return err
			}
			n.Attrs = append(n.Attrs, a)
		}
		return nil
	})
}

func parseAttr(b []byte, path string) (Attr, error) {
	var a Attr
	err := fields(b, path, func(f field) error {
		switch f.num {
		case 1:
			return f.str(&a.Name)
		case 20:
			return f.int(&a.Type)
		case 2:
			v, err := f.fixed32()
			a.F = math.Float32frombits(v)
			return err
		case 3:
			return f.int(&a.I)
		case 4:
			v, err := f.bytes()
			a.S = v
			return err
		case 5:
			b, err := f.bytes()
			if err != nil {
				return err
			}
			a.T, err = parseTensor(b, f.path)
			return err
		case 7:
			return f.floats(&a.Floats)
		case 8:
			return f.ints(&a.Ints)
		}
		return nil
	})
	return a, err
}

func parseTensor(b []byte, path string) (*Tensor, error) {
	t := &Tensor{}
	var raw []byte
	var hasRaw, external bool
	var i32 []int64
	err := fields(b, path, func(f field) error {
		switch f.num {
		case 1:
			return f.ints(&t.Dims)
		case 2:
			var v int64
			err := f.int(&v)
			t.DataType = int32(v)
			return err
		case 4:
			return f.floats(&t.Float)
		case 5:
			return f.ints(&i32)
		case 7:
			return f.ints(&t.Int64)
		case 8:
			return f.str(&t.Name)
		case 9:
			v, err := f.bytes()
			raw, hasRaw = v, true
			return err
		case 14: // data_location
			var v int64
			err := f.int(&v)
			external = v == 1
			return err
		case 13: // external_data
			external = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	where := path
	if t.Name != "" {
		where = fmt.Sprintf("%s (%q)", path, t.Name)
	}
	if external {
		return nil, fmt.Errorf("onnx: %s: the tensor's data is in an external file; re-export with the weights inside the model", where)
	}
	if len(t.Dims) > maxRank {
		return nil, fmt.Errorf("onnx: %s: %d dimensions, at most %d supported", where, len(t.Dims), maxRank)
	}
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 || d > maxElements {
			return nil, fmt.Errorf("onnx: %s: dimension %d out of range", where, d)
		}
		n *= d
		if n > maxElements {
			return nil, fmt.Errorf("onnx: %s: over %d elements", where, maxElements)
		}
	}
	switch t.DataType {
	case dtFloat:
		if hasRaw {
			if int64(len(raw)) != 4*n {
				return nil, fmt.Errorf("onnx: %s: raw_data has %d bytes, the shape %v needs %d", where, len(raw), t.Dims, 4*n)
			}
			t.Float = make([]float32, n)
			for i := range t.Float {
				t.Float[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		}
		if int64(len(t.Float)) != n {
			return nil, fmt.Errorf("onnx: %s: %d float values, the shape %v needs %d", where, len(t.Float), t.Dims, n)
		}
	case dtInt64, dtInt32:
		size := int64(8)
		if t.DataType == dtInt32 {
			size = 4
			t.Int64 = i32
		}
		if hasRaw {
			if int64(len(raw)) != size*n {
				return nil, fmt.Errorf("onnx: %s: raw_data has %d bytes, the shape %v needs %d", where, len(raw), t.Dims, size*n)
			}
			t.Int64 = make([]int64, n)
			for i := range t.Int64 {
				if size == 8 {
					t.Int64[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
				} else {
					t.Int64[i] = int64(int32(binary.LittleEndian.Uint32(raw[4*i:])))
				}
			}
		}
		if int64(len(t.Int64)) != n {
			return nil, fmt.Errorf("onnx: %s: %d integer values, the shape %v needs %d", where, len(t.Int64), t.Dims, n)
		}
		t.DataType = dtInt64
	default:
		return nil, fmt.Errorf("onnx: %s: element type %s; only FLOAT (float32) tensors and INT64/INT32 shape tensors are supported", where, dataTypeName(t.DataType))
	}
	return t, nil
}

func parseValueInfo(b []byte, path string) (ValueInfo, error) {
	var v ValueInfo
	err := fields(b, path, func(f field) error {
		switch f.num {
		case 1:
			return f.str(&v.Name)
		case 2: // type: TypeProto
			b, err := f.bytes()
			if err != nil {
				return err
			}
			return fields(b, f.path+".type", func(g field) error {
				if g.num != 1 { // tensor_type only
					return fmt.Errorf("onnx: %s: only tensor types are supported (found TypeProto field %d)", g.path, g.num)
				}
				b, err := g.bytes()
				if err != nil {
					return err
				}
				return fields(b, g.path+".tensor_type", func(h field) error {
					switch h.num {
					case 1:
						var t int64
						err := h.int(&t)
						v.ElemType = int32(t)
						return err
					case 2: // shape
						v.HasShape = true
						b, err := h.bytes()
						if err != nil {
							return err
						}
						return fields(b, h.path+".shape", func(s field) error {
							if s.num != 1 {
								return nil
							}
							if len(v.Dims) >= maxRank {
								return fmt.Errorf("onnx: %s: over %d dimensions", s.path, maxRank)
							}
							b, err := s.bytes()
							if err != nil {
								return err
							}
							var d Dim
							if err := fields(b, s.path+".dim", func(k field) error {
								switch k.num {
								case 1:
									return k.int(&d.Value)
								case 2:
									return k.str(&d.Param)
								}
								return nil
							}); err != nil {
								return err
							}
							v.Dims = append(v.Dims, d)
							return nil
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	return v, err
}

// field is one field of a protobuf message, positioned at its value.
type field struct {
	num  protowire.Number
	typ  protowire.Type
	b    []byte // the message from the value on
	n    int    // bytes of the value, set by the accessor
	path string // where in the model, for errors
}

func (f *field) err(what string) error {
	return fmt.Errorf("onnx: %s: field %d: malformed protobuf (%s): not an ONNX model, or a damaged one", f.path, f.num, what)
}

func (f *field) want(t protowire.Type) error {
	if f.typ != t {
		return f.err(fmt.Sprintf("wire type %d where onnx.proto has %d", f.typ, t))
	}
	return nil
}

func (f *field) int(dst *int64) error {
	if err := f.want(protowire.VarintType); err != nil {
		return err
	}
	v, n := protowire.ConsumeVarint(f.b)
	if n < 0 {
		return f.err(protowire.ParseError(n).Error())
	}
	f.n, *dst = n, int64(v)
	return nil
}

func (f *field) fixed32() (uint32, error) {
	if err := f.want(protowire.Fixed32Type); err != nil {
		return 0, err
	}
	v, n := protowire.ConsumeFixed32(f.b)
	if n < 0 {
		return 0, f.err(protowire.ParseError(n).Error())
	}
	f.n = n
	return v, nil
}

func (f *field) bytes() ([]byte, error) {
	if err := f.want(protowire.BytesType); err != nil {
		return nil, err
	}
	v, n := protowire.ConsumeBytes(f.b)
	if n < 0 {
		return nil, f.err(protowire.ParseError(n).Error())
	}
	f.n = n
	return v, nil
}

func (f *field) str(dst *string) error {
	b, err := f.bytes()
	*dst = string(b)
	return err
}

// floats reads a repeated float, packed or not.
func (f *field) floats(dst *[]float32) error {
	if f.typ == protowire.Fixed32Type {
		v, err := f.fixed32()
		*dst = append(*dst, math.Float32frombits(v))
		return err
	}
	b, err := f.bytes()
	if err != nil {
		return err
	}
	if len(b)%4 != 0 {
		return f.err("packed floats: length not a multiple of 4")
	}
	if len(*dst)+len(b)/4 > maxElements {
		return f.err("too many values")
	}
	for i := 0; i < len(b); i += 4 {
		*dst = append(*dst, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
	}
	return nil
}

// ints reads a repeated int64 or int32, packed or not.
func (f *field) ints(dst *[]int64) error {
	if f.typ == protowire.VarintType {
		var v int64
		err := f.int(&v)
		*dst = append(*dst, v)
		return err
	}
	b, err := f.bytes()
	if err != nil {
		return err
	}
	for len(b) > 0 {
		v, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return f.err("packed integers: " + protowire.ParseError(n).Error())
		}
		if len(*dst) >= maxElements {
			return f.err("too many values")
		}
		*dst = append(*dst, int64(v))
		b = b[n:]
	}
	return nil
}

// fields calls fn for each field of message b; fn reads the value with one
// of field's accessors, or leaves it to be skipped.
func fields(b []byte, path string, fn func(field) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("onnx: %s: malformed protobuf (%v): not an ONNX model, or a damaged one", path, protowire.ParseError(n))
		}
		b = b[n:]
		f := field{num: num, typ: typ, b: b, n: -1, path: path}
		if err := fn(f); err != nil {
			return err
		}
		// The accessors work on a copy; measure the value again (cheap) to
		// skip it whether or not fn read it.
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return fmt.Errorf("onnx: %s: field %d: malformed protobuf (%v): not an ONNX model, or a damaged one", path, num, protowire.ParseError(m))
		}
		b = b[m:]
	}
	return nil
}

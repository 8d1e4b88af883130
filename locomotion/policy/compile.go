package policy

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// compileNode plans one node: the output tensor (shape, buffer) and the
// step that computes it (nil for views and constants).
func compileNode(nd *Node, ins []*tensor, opset int64) (*tensor, step, error) {
	need := func(k int) error {
		if len(ins) < k {
			return fmt.Errorf("%d inputs, want %d", len(ins), k)
		}
		for i := 0; i < k; i++ {
			if ins[i] == nil {
				return fmt.Errorf("input %d is required", i)
			}
		}
		return nil
	}
	float := func(k int) error { // inputs 0..k-1 must be float tensors
		if err := need(k); err != nil {
			return err
		}
		for i := 0; i < k; i++ {
			if ins[i].isInt {
				return fmt.Errorf("input %d (%q) is an integer tensor; this operator is run on float32 data only", i, ins[i].name)
			}
		}
		return nil
	}
	switch nd.OpType {
	case "Constant":
		return compileConstant(nd)
	case "Identity":
		if err := need(1); err != nil {
			return nil, nil, err
		}
		return view(ins[0], ins[0].shape), nil, nil
	case "Flatten":
		if err := float(1); err != nil {
			return nil, nil, err
		}
		r := len(ins[0].shape)
		axis, err := attrInt(nd, "axis", 1)
		if err != nil {
			return nil, nil, err
		}
		if axis < 0 {
			axis += int64(r)
		}
		if axis < 0 || axis > int64(r) {
			return nil, nil, fmt.Errorf("axis %d out of range for rank %d", axis, r)
		}
		s := ins[0].shape
		return view(ins[0], []int{shapeLen(s[:axis]), shapeLen(s[axis:])}), nil, nil
	case "Reshape":
		return compileReshape(nd, ins)
	case "Squeeze", "Unsqueeze":
		return compileSqueeze(nd, ins, opset)
	case "Relu", "Elu", "LeakyRelu", "Tanh", "Sigmoid", "Softplus":
		if err := float(1); err != nil {
			return nil, nil, err
		}
		u := &unary{x: ins[0].data}
		switch nd.OpType {
		case "Relu":
			u.op = opRelu
		case "Tanh":
			u.op = opTanh
		case "Sigmoid":
			u.op = opSigmoid
		case "Softplus":
			u.op = opSoftplus
		case "Elu", "LeakyRelu":
			u.op, u.alpha = opElu, 1
			if nd.OpType == "LeakyRelu" {
				u.op, u.alpha = opLeakyRelu, 0.01
			}
			a, err := attrFloat(nd, "alpha", u.alpha)
			if err != nil {
				return nil, nil, err
			}
			u.alpha = a
		}
		out, err := newTensor(ins[0].shape)
		if err != nil {
			return nil, nil, err
		}
		u.y = out.data
		return out, u, nil
	case "Clip":
		return compileClip(nd, ins, opset)
	case "Add", "Sub", "Mul", "Div":
		if err := float(2); err != nil {
			return nil, nil, err
		}
		return compileBinary(nd.OpType, ins[0], ins[1])
	case "Gemm":
		return compileGemm(nd, ins)
	case "MatMul":
		if err := float(2); err != nil {
			return nil, nil, err
		}
		return compileMatMul(ins[0], ins[1])
	case "Concat":
		return compileConcat(nd, ins)
	}
	return nil, nil, fmt.Errorf("operator %s is not supported; the runner supports %s", nd.OpType, strings.Join(Supported, ", "))
}

// newTensor allocates a float tensor, refusing one over maxElements.
func newTensor(shape []int) (*tensor, error) {
	n := 1
	for _, d := range shape {
		n *= d
		if d > maxElements || n > maxElements {
			return nil, fmt.Errorf("output shape %v: over %d elements", shape, maxElements)
		}
	}
	return &tensor{shape: slices.Clone(shape), data: make([]float32, n)}, nil
}

// view is a tensor sharing t's values with another shape.
func view(t *tensor, shape []int) *tensor {
	return &tensor{shape: slices.Clone(shape), data: t.data, ints: t.ints, isInt: t.isInt, konst: t.konst}
}

func findAttr(nd *Node, name string) *Attr {
	for i := range nd.Attrs {
		if nd.Attrs[i].Name == name {
			return &nd.Attrs[i]
		}
	}
	return nil
}

func attrInt(nd *Node, name string, def int64) (int64, error) {
	a := findAttr(nd, name)
	if a == nil {
		return def, nil
	}
	if a.Type != atInt {
		return 0, fmt.Errorf("attribute %s: want an integer (type %d), found type %d", name, atInt, a.Type)
	}
	return a.I, nil
}

func attrFloat(nd *Node, name string, def float32) (float32, error) {
	a := findAttr(nd, name)
	if a == nil {
		return def, nil
	}
	if a.Type != atFloat {
		return 0, fmt.Errorf("attribute %s: want a float (type %d), found type %d", name, atFloat, a.Type)
	}
	return a.F, nil
}

// attrInts returns the attribute's integers, and whether it is there.
func attrInts(nd *Node, name string) ([]int64, bool, error) {
	a := findAttr(nd, name)
	if a == nil {
		return nil, false, nil
	}
	if a.Type != atInts {
		return nil, false, fmt.Errorf("attribute %s: want integers (type %d), found type %d", name, atInts, a.Type)
	}
	return a.Ints, true, nil
}

func compileConstant(nd *Node) (*tensor, step, error) {
	if len(nd.Attrs) != 1 {
		return nil, nil, fmt.Errorf("want exactly one attribute (value, value_float, value_floats, value_int or value_ints), found %d", len(nd.Attrs))
	}
	a := &nd.Attrs[0]
	t := &tensor{konst: true}
	switch {
	case a.Name == "value" && a.Type == atTensor && a.T != nil:
		t.shape = dimsInt(a.T.Dims)
		if a.T.DataType == dtFloat {
			t.data = a.T.Float
		} else {
			t.ints, t.isInt = a.T.Int64, true
		}
	case a.Name == "value_float" && a.Type == atFloat:
		t.shape, t.data = []int{}, []float32{a.F}
	case a.Name == "value_floats" && a.Type == atFloats:
		t.shape, t.data = []int{len(a.Floats)}, a.Floats
	case a.Name == "value_int" && a.Type == atInt:
		t.shape, t.ints, t.isInt = []int{}, []int64{a.I}, true
	case a.Name == "value_ints" && a.Type == atInts:
		t.shape, t.ints, t.isInt = []int{len(a.Ints)}, a.Ints, true
	default:
		return nil, nil, fmt.Errorf("attribute %q (type %d): want value (a tensor), value_float, value_floats, value_int or value_ints", a.Name, a.Type)
	}
	return t, nil, nil
}

// constInts returns the INT64 values of input k, which must be known at
// load time.
func constInts(ins []*tensor, k int, what string) ([]int64, error) {
	if len(ins) <= k || ins[k] == nil {
		return nil, fmt.Errorf("the %s input is missing", what)
	}
	t := ins[k]
	if !t.isInt || !t.konst {
		return nil, fmt.Errorf("the %s input (%q) must be an INT64 initializer or Constant (shapes computed at run time are not supported)", what, t.name)
	}
	return t.ints, nil
}

func compileReshape(nd *Node, ins []*tensor) (*tensor, step, error) {
	if len(ins) < 1 || ins[0] == nil {
		return nil, nil, fmt.Errorf("the data input is missing")
	}
	spec, err := constInts(ins, 1, "shape")
	if err != nil {
		return nil, nil, err
	}
	allowZero, err := attrInt(nd, "allowzero", 0)
	if err != nil {
		return nil, nil, err
	}
	in := ins[0].shape
	n := shapeLen(in)
	shape := make([]int, len(spec))
	infer := -1
	known := 1
	for i, d := range spec {
		switch {
		case d == -1:
			if infer >= 0 {
				return nil, nil, fmt.Errorf("shape %v: more than one -1", spec)
			}
			infer = i
			continue
		case d == 0 && allowZero == 0:
			if i >= len(in) {
				return nil, nil, fmt.Errorf("shape %v: 0 at %d copies a dimension the input %v does not have", spec, i, in)
			}
			shape[i] = in[i]
		case d < 0 || d > maxElements:
			return nil, nil, fmt.Errorf("shape %v: dimension %d out of range", spec, d)
		default:
			shape[i] = int(d)
		}
		known *= shape[i]
		if known > maxElements {
			return nil, nil, fmt.Errorf("shape %v: too many elements", spec)
		}
	}
	if infer >= 0 {
		if known == 0 || n%known != 0 {
			return nil, nil, fmt.Errorf("shape %v cannot hold the input's %d elements (%v)", spec, n, in)
		}
		shape[infer] = n / known
	}
	if shapeLen(shape) != n {
		return nil, nil, fmt.Errorf("shape %v has %d elements, the input %v has %d", spec, shapeLen(shape), in, n)
	}
	return view(ins[0], shape), nil, nil
}

func compileSqueeze(nd *Node, ins []*tensor, opset int64) (*tensor, step, error) {
	if len(ins) < 1 || ins[0] == nil {
		return nil, nil, fmt.Errorf("the data input is missing")
	}
	axes, has, err := attrInts(nd, "axes")
	if err != nil {
		return nil, nil, err
	}
	if len(ins) > 1 && ins[1] != nil {
		if has {
			return nil, nil, fmt.Errorf("axes given both as an attribute and as an input")
		}
		if axes, err = constInts(ins, 1, "axes"); err != nil {
			return nil, nil, err
		}
		has = true
	}
	in := ins[0].shape
	if nd.OpType == "Squeeze" {
		drop := make([]bool, len(in))
		if !has {
			for i, d := range in {
				drop[i] = d == 1
			}
		}
		for _, a := range axes {
			if a < 0 {
				a += int64(len(in))
			}
			if a < 0 || a >= int64(len(in)) {
				return nil, nil, fmt.Errorf("axis %d out of range for rank %d", a, len(in))
			}
			if in[a] != 1 {
				return nil, nil, fmt.Errorf("axis %d has size %d; only size-1 axes can be squeezed (input %v)", a, in[a], in)
			}
			drop[a] = true
		}
		var shape []int
		for i, d := range in {
			if !drop[i] {
				shape = append(shape, d)
			}
		}
		return view(ins[0], shape), nil, nil
	}
	if !has {
		return nil, nil, fmt.Errorf("axes are required")
	}
	r := len(in) + len(axes)
	if r > maxRank {
		return nil, nil, fmt.Errorf("output rank %d over %d", r, maxRank)
	}
	ins1 := make([]bool, r)
	for _, a := range axes {
		if a < 0 {
			a += int64(r)
		}
		if a < 0 || a >= int64(r) || ins1[a] {
			return nil, nil, fmt.Errorf("axes %v: out of range or repeated for output rank %d", axes, r)
		}
		ins1[a] = true
	}
	shape := make([]int, r)
	k := 0
	for i := range shape {
		if ins1[i] {
			shape[i] = 1
		} else {
			shape[i] = in[k]
			k++
		}
	}
	return view(ins[0], shape), nil, nil
}

func compileClip(nd *Node, ins []*tensor, opset int64) (*tensor, step, error) {
	if len(ins) < 1 || ins[0] == nil || ins[0].isInt {
		return nil, nil, fmt.Errorf("the data input is missing or not float")
	}
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	var err error
	if lo, err = attrFloat(nd, "min", lo); err != nil {
		return nil, nil, err
	}
	if hi, err = attrFloat(nd, "max", hi); err != nil {
		return nil, nil, err
	}
	for k, dst := range []*float32{&lo, &hi} {
		if len(ins) <= k+1 || ins[k+1] == nil {
			continue
		}
		t := ins[k+1]
		if t.isInt || !t.konst || len(t.data) != 1 {
			return nil, nil, fmt.Errorf("the %s input (%q) must be a float scalar initializer or Constant", []string{"min", "max"}[k], t.name)
		}
		*dst = t.data[0]
	}
	out, err := newTensor(ins[0].shape)
	if err != nil {
		return nil, nil, err
	}
	return out, &clip{x: ins[0].data, y: out.data, lo: lo, hi: hi}, nil
}

// broadcast returns the multidirectional (numpy) broadcast of two shapes.
func broadcast(a, b []int) ([]int, error) {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := 0; i < r; i++ {
		da, db := 1, 1
		if k := i - (r - len(a)); k >= 0 {
			da = a[k]
		}
		if k := i - (r - len(b)); k >= 0 {
			db = b[k]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// strides returns the element strides of shape s read as a tensor of shape
// out (s broadcast to it): 0 along broadcast dimensions.
func strides(s, out []int) []int {
	st := make([]int, len(out))
	acc := 1
	for i := len(out) - 1; i >= 0; i-- {
		k := i - (len(out) - len(s))
		if k >= 0 && s[k] != 1 {
			st[i] = acc
		}
		if k >= 0 {
			acc *= s[k]
		}
	}
	return st
}

func compileBinary(op string, a, b *tensor) (*tensor, step, error) {
	shape, err := broadcast(a.shape, b.shape)
	if err != nil {
		return nil, nil, err
	}
	out, err := newTensor(shape)
	if err != nil {
		return nil, nil, err
	}
	bn := &binaryOp{a: a.data, b: b.data, y: out.data}
	bn.op = map[string]binOp{"Add": opAdd, "Sub": opSub, "Mul": opMul, "Div": opDiv}[op]
	bn.same = slices.Equal(a.shape, shape) && slices.Equal(b.shape, shape)
	if !bn.same {
		bn.shape, bn.sa, bn.sb = shape, strides(a.shape, shape), strides(b.shape, shape)
		if len(shape) == 0 {
			bn.same = true
		}
		bn.idx = make([]int, len(shape))
	}
	return out, bn, nil
}

func compileGemm(nd *Node, ins []*tensor) (*tensor, step, error) {
	if len(ins) < 2 || ins[0] == nil || ins[1] == nil {
		return nil, nil, fmt.Errorf("want inputs A and B")
	}
	for i, t := range ins {
		if t != nil && t.isInt {
			return nil, nil, fmt.Errorf("input %d (%q) is an integer tensor", i, t.name)
		}
	}
	alpha, err := attrFloat(nd, "alpha", 1)
	if err != nil {
		return nil, nil, err
	}
	beta, err := attrFloat(nd, "beta", 1)
	if err != nil {
		return nil, nil, err
	}
	ta, err := attrInt(nd, "transA", 0)
	if err != nil {
		return nil, nil, err
	}
	tb, err := attrInt(nd, "transB", 0)
	if err != nil {
		return nil, nil, err
	}
	a, b := ins[0], ins[1]
	if len(a.shape) != 2 || len(b.shape) != 2 {
		return nil, nil, fmt.Errorf("inputs A %v and B %v must be matrices", a.shape, b.shape)
	}
	m, k := a.shape[0], a.shape[1]
	if ta != 0 {
		m, k = k, m
	}
	kb, n := b.shape[0], b.shape[1]
	if tb != 0 {
		kb, n = n, kb
	}
	if k != kb {
		return nil, nil, fmt.Errorf("inputs A %v (transA %d) and B %v (transB %d) do not multiply", a.shape, ta, b.shape, tb)
	}
	out, err := newTensor([]int{m, n})
	if err != nil {
		return nil, nil, err
	}
	g := &matmul{m: m, k: k, n: n, y: out.data, alpha: float64(alpha), beta: float64(beta)}
	g.setA(a.data, ta != 0, m, k)
	g.setB(b, tb != 0, k, n)
	if len(ins) > 2 && ins[2] != nil {
		c := ins[2]
		if _, err := broadcast(c.shape, []int{m, n}); err != nil || len(c.shape) > 2 {
			return nil, nil, fmt.Errorf("input C %v does not broadcast to [%d %d]", c.shape, m, n)
		}
		st := strides(c.shape, []int{m, n})
		for _, d := range c.shape {
			if d != 1 && d != m && d != n {
				return nil, nil, fmt.Errorf("input C %v does not broadcast to [%d %d]", c.shape, m, n)
			}
		}
		if full, _ := broadcast(c.shape, []int{m, n}); !slices.Equal(full, []int{m, n}) {
			return nil, nil, fmt.Errorf("input C %v does not broadcast to [%d %d]", c.shape, m, n)
		}
		g.c, g.cm, g.cn = c.data, st[0], st[1]
	}
	return out, g, nil
}

func compileMatMul(a, b *tensor) (*tensor, step, error) {
	as, bs := a.shape, b.shape
	if len(as) == 0 || len(bs) == 0 {
		return nil, nil, fmt.Errorf("MatMul of scalars (%v, %v)", as, bs)
	}
	a1, b1 := len(as) == 1, len(bs) == 1
	if a1 {
		as = []int{1, as[0]}
	}
	if b1 {
		bs = []int{bs[0], 1}
	}
	m, k := as[len(as)-2], as[len(as)-1]
	kb, n := bs[len(bs)-2], bs[len(bs)-1]
	if k != kb {
		return nil, nil, fmt.Errorf("shapes %v and %v do not multiply", a.shape, b.shape)
	}
	batch, err := broadcast(as[:len(as)-2], bs[:len(bs)-2])
	if err != nil {
		return nil, nil, err
	}
	shape := append(slices.Clone(batch), m, n)
	if len(shape) > maxRank {
		return nil, nil, fmt.Errorf("output rank %d over %d", len(shape), maxRank)
	}
	var outShape []int
	outShape = append(outShape, batch...)
	if !a1 {
		outShape = append(outShape, m)
	}
	if !b1 {
		outShape = append(outShape, n)
	}
	out, err := newTensor(outShape)
	if err != nil {
		return nil, nil, err
	}
	mm := &matmul{m: m, k: k, n: n, y: out.data, alpha: 1}
	nb := shapeLen(batch)
	if nb == 1 && len(bs) == 2 {
		mm.setA(a.data, false, shapeLen(as[:len(as)-1]), k) // fold A's batch into its rows
		mm.m = shapeLen(as[:len(as)-1])
		mm.setB(b, false, k, n)
		return out, mm, nil
	}
	// Batched: each batch item's A and B offsets, broadcast.
	sa := strides(as[:len(as)-2], batch)
	sb := strides(bs[:len(bs)-2], batch)
	bm := &batchMatmul{mm: mm, aData: a.data, bData: b.data, nb: nb}
	idx := make([]int, len(batch))
	for i := 0; i < nb; i++ {
		oa, ob := 0, 0
		for d := range batch {
			oa += idx[d] * sa[d]
			ob += idx[d] * sb[d]
		}
		bm.offA = append(bm.offA, oa*m*k)
		bm.offB = append(bm.offB, ob*k*n)
		for d := len(batch) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < batch[d] {
				break
			}
			idx[d] = 0
		}
	}
	mm.bt = make([]float32, k*n)
	return out, bm, nil
}

func compileConcat(nd *Node, ins []*tensor) (*tensor, step, error) {
	if len(ins) == 0 {
		return nil, nil, fmt.Errorf("no inputs")
	}
	for i, t := range ins {
		if t == nil {
			return nil, nil, fmt.Errorf("input %d is empty", i)
		}
		if t.isInt {
			return nil, nil, fmt.Errorf("input %d (%q) is an integer tensor; only float concatenation is supported", i, t.name)
		}
	}
	axis, err := attrInt(nd, "axis", math.MinInt64)
	if err != nil {
		return nil, nil, err
	}
	if axis == math.MinInt64 {
		return nil, nil, fmt.Errorf("attribute axis is required")
	}
	r := len(ins[0].shape)
	if axis < 0 {
		axis += int64(r)
	}
	if axis < 0 || axis >= int64(r) {
		return nil, nil, fmt.Errorf("axis %d out of range for rank %d", axis, r)
	}
	shape := slices.Clone(ins[0].shape)
	shape[axis] = 0
	for i, t := range ins {
		if len(t.shape) != r {
			return nil, nil, fmt.Errorf("input %d has shape %v, input 0 %v: ranks differ", i, t.shape, ins[0].shape)
		}
		for d := range t.shape {
			if d != int(axis) && t.shape[d] != ins[0].shape[d] {
				return nil, nil, fmt.Errorf("input %d has shape %v, input 0 %v: they differ off axis %d", i, t.shape, ins[0].shape, axis)
			}
		}
		shape[axis] += t.shape[axis]
	}
	out, err := newTensor(shape)
	if err != nil {
		return nil, nil, err
	}
	c := &concat{y: out.data, outer: shapeLen(shape[:axis])}
	for _, t := range ins {
		c.x = append(c.x, t.data)
		c.block = append(c.block, shapeLen(t.shape[axis:]))
	}
	return out, c, nil
}

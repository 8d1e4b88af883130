package policy

import (
	"fmt"
	ot "github.com/stride-robotics/stride/locomotion/policy/onnxtest"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const tolInfer = 1e-5

// run loads model, copies the inputs in, runs it and returns output 0.
func run(t *testing.T, model []byte, inputs ...[]float32) ([]float32, []int) {
	t.Helper()
	n, err := Load(model)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for i, x := range inputs {
		if len(n.Input(i)) != len(x) {
			t.Fatalf("input %d: net wants %d values, test gives %d", i, len(n.Input(i)), len(x))
		}
		copy(n.Input(i), x)
	}
	n.Run()
	return slices.Clone(n.Output(0)), n.Outputs()[0].Shape
}

func compare(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	worst := 0.0
	for i := range got {
		d := math.Abs(float64(got[i]) - want[i])
		if math.IsNaN(d) {
			t.Fatalf("%s[%d]: got %v, want %v", what, i, got[i], want[i])
		}
		if d > tol*math.Max(1, math.Abs(want[i])) {
			t.Errorf("%s[%d]: got %.9g, want %.9g (diff %.3g > %g)", what, i, got[i], want[i], d, tol)
		}
		worst = max(worst, d)
	}
	t.Logf("%s: %d values, worst difference %.3g", what, len(got), worst)
}

// refIndex maps a multi-index of the output shape to the flat index of an
// input of shape s broadcast to it (numpy rules, counted from the right).
func refIndex(idx []int, s []int) int {
	flat := 0
	for k := range s {
		c := idx[len(idx)-len(s)+k]
		if s[k] == 1 {
			c = 0
		}
		flat = flat*s[k] + c
	}
	return flat
}

// each calls f for every multi-index of shape, in row-major order.
func each(shape []int, f func(idx []int)) {
	idx := make([]int, len(shape))
	for n := shapeLen(shape); n > 0; n-- {
		f(idx)
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}

func i64(s []int) []int64 {
	r := make([]int64, len(s))
	for i, v := range s {
		r[i] = int64(v)
	}
	return r
}

func TestBinaryBroadcast(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ops := map[string]func(a, b float64) float64{
		"Add": func(a, b float64) float64 { return a + b },
		"Sub": func(a, b float64) float64 { return a - b },
		"Mul": func(a, b float64) float64 { return a * b },
		"Div": func(a, b float64) float64 { return a / b },
	}
	cases := []struct{ a, b, out []int }{
		{[]int{2, 3}, []int{2, 3}, []int{2, 3}},
		{[]int{1, 24}, []int{24}, []int{1, 24}},
		{[]int{2, 1}, []int{1, 3}, []int{2, 3}},
		{[]int{4, 1, 5}, []int{3, 1}, []int{4, 3, 5}},
		{[]int{3}, []int{}, []int{3}},
		{[]int{}, []int{2, 2}, []int{2, 2}},
	}
	for op, f := range ops {
		for _, c := range cases {
			var g ot.Graph
			g.Input("x", i64(c.a)...)
			a := ot.RandF(r, shapeLen(c.a), 2)
			b := ot.RandF(r, shapeLen(c.b), 2)
			for i := range b {
				b[i] += float32(math.Copysign(0.5, float64(b[i]))) // away from 0 for Div
			}
			g.Init("c", i64(c.b), b)
			g.Node(op, "n", []string{"x", "c"}, []string{"y"})
			g.Output("y", i64(c.out)...)
			got, shape := run(t, g.Bytes(), a)
			if !slices.Equal(shape, c.out) {
				t.Fatalf("%s %v %v: shape %v, want %v", op, c.a, c.b, shape, c.out)
			}
			var want []float64
			each(c.out, func(idx []int) {
				want = append(want, f(float64(a[refIndex(idx, c.a)]), float64(b[refIndex(idx, c.b)])))
			})
			compare(t, fmt.Sprint(op, c.a, c.b), got, want, tolInfer)
		}
	}
}

func TestActivations(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := ot.RandF(r, 64, 6)
	x = append(x, 0, -0, 40, -40, 1e-8, -1e-8, 88, -100)
	acts := []struct {
		op    string
		attrs [][]byte
		f     func(float64) float64
	}{
		{"Relu", nil, func(v float64) float64 { return math.Max(v, 0) }},
		{"Elu", nil, func(v float64) float64 {
			if v > 0 {
				return v
			}
			return math.Exp(v) - 1
		}},
		{"Elu", [][]byte{ot.AttrF("alpha", 0.5)}, func(v float64) float64 {
			if v > 0 {
				return v
			}
			return 0.5 * (math.Exp(v) - 1)
		}},
		{"LeakyRelu", nil, func(v float64) float64 {
			if v >= 0 {
				return v
			}
			return float64(float32(0.01)) * v
		}},
		{"LeakyRelu", [][]byte{ot.AttrF("alpha", 0.2)}, func(v float64) float64 {
			if v >= 0 {
				return v
			}
			return float64(float32(0.2)) * v
		}},
		{"Tanh", nil, math.Tanh},
		{"Sigmoid", nil, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{"Softplus", nil, func(v float64) float64 {
			if v > 30 {
				return v
			}
			return math.Log(1 + math.Exp(v))
		}},
	}
	for _, a := range acts {
		var g ot.Graph
		g.Input("x", 1, int64(len(x)))
		g.Node(a.op, "act", []string{"x"}, []string{"y"}, a.attrs...)
		g.Output("y", 1, int64(len(x)))
		got, _ := run(t, g.Bytes(), x)
		want := make([]float64, len(x))
		for i, v := range x {
			want[i] = a.f(float64(v))
		}
		compare(t, a.op, got, want, tolInfer)
	}
}

func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const m, k, n = 3, 7, 5
	for _, ta := range []int64{0, 1} {
		for _, tb := range []int64{0, 1} {
			for ci, cshape := range [][]int{nil, {n}, {1, n}, {m, n}, {m, 1}, {}} {
				var g ot.Graph
				ashape := []int64{m, k}
				if ta == 1 {
					ashape = []int64{k, m}
				}
				bshape := []int64{k, n}
				if tb == 1 {
					bshape = []int64{n, k}
				}
				g.Input("a", ashape...)
				a := ot.RandF(r, m*k, 1)
				b := ot.RandF(r, k*n, 1)
				g.Init("b", bshape, b)
				ins := []string{"a", "b"}
				var c []float32
				if cshape != nil {
					c = ot.RandF(r, shapeLen(cshape), 1)
					g.Init("c", i64(cshape), c)
					ins = append(ins, "c")
				}
				g.Node("Gemm", "gemm", ins, []string{"y"}, ot.AttrF("alpha", 0.7), ot.AttrF("beta", 1.3), ot.AttrI("transA", ta), ot.AttrI("transB", tb))
				g.Output("y", m, n)
				got, _ := run(t, g.Bytes(), a)
				var want []float64
				each([]int{m, n}, func(idx []int) {
					i, j := idx[0], idx[1]
					s := 0.0
					for q := 0; q < k; q++ {
						av := a[i*k+q]
						if ta == 1 {
							av = a[q*m+i]
						}
						bv := b[q*n+j]
						if tb == 1 {
							bv = b[j*k+q]
						}
						s += float64(av) * float64(bv)
					}
					s *= float64(float32(0.7))
					if c != nil {
						s += float64(float32(1.3)) * float64(c[refIndex(idx, cshape)])
					}
					want = append(want, s)
				})
				compare(t, "Gemm transA "+strconv.Itoa(int(ta))+" transB "+strconv.Itoa(int(tb))+" C#"+strconv.Itoa(ci), got, want, tolInfer)
			}
		}
	}
}

func TestMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cases := []struct {
		a, b, out []int
		bInput    bool // B is a second graph input, not an initializer
	}{
		{[]int{1, 9}, []int{9, 4}, []int{1, 4}, false},
		{[]int{9}, []int{9, 4}, []int{4}, false},
		{[]int{3, 9}, []int{9}, []int{3}, false},
		{[]int{2, 3, 9}, []int{9, 4}, []int{2, 3, 4}, false},
		{[]int{2, 3, 9}, []int{2, 9, 4}, []int{2, 3, 4}, true},
		{[]int{1, 3, 9}, []int{3, 9, 4}, []int{3, 3, 4}, false},
		{[]int{3, 9}, []int{9, 4}, []int{3, 4}, true},
	}
	for ci, c := range cases {
		var g ot.Graph
		g.Input("a", i64(c.a)...)
		a := ot.RandF(r, shapeLen(c.a), 1)
		b := ot.RandF(r, shapeLen(c.b), 1)
		inputs := [][]float32{a}
		if c.bInput {
			g.Input("b", i64(c.b)...)
			inputs = append(inputs, b)
		} else {
			g.Init("b", i64(c.b), b)
		}
		g.Node("MatMul", "mm", []string{"a", "b"}, []string{"y"})
		g.Output("y", i64(c.out)...)
		got, shape := run(t, g.Bytes(), inputs...)
		if !slices.Equal(shape, c.out) {
			t.Fatalf("case %d: shape %v, want %v", ci, shape, c.out)
		}
		// Reference: promote 1-D operands, then index every output element.
		as, bs := c.a, c.b
		if len(as) == 1 {
			as = []int{1, as[0]}
		}
		if len(bs) == 1 {
			bs = []int{bs[0], 1}
		}
		k := as[len(as)-1]
		full := append(slices.Clone(c.out[:len(c.out)-boolInt(len(c.a) > 1)-boolInt(len(c.b) > 1)]), as[len(as)-2], bs[len(bs)-1])
		var want []float64
		each(full, func(idx []int) {
			i, j := idx[len(idx)-2], idx[len(idx)-1]
			s := 0.0
			for q := 0; q < k; q++ {
				ai := append(slices.Clone(idx[:len(idx)-2]), i, q)
				bi := append(slices.Clone(idx[:len(idx)-2]), q, j)
				s += float64(a[refIndex(ai, as)]) * float64(b[refIndex(bi, bs)])
			}
			want = append(want, s)
		})
		compare(t, "MatMul case "+strconv.Itoa(ci), got, want, tolInfer)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestShapeOps(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	x := ot.RandF(r, 24, 1)
	id := make([]float64, len(x))
	for i, v := range x {
		id[i] = float64(v)
	}
	cases := []struct {
		name  string
		build func(g *ot.Graph)
		shape []int
	}{
		{"Identity", func(g *ot.Graph) { g.Node("Identity", "n", []string{"x"}, []string{"y"}) }, []int{2, 3, 4}},
		{"Flatten", func(g *ot.Graph) { g.Node("Flatten", "n", []string{"x"}, []string{"y"}) }, []int{2, 12}},
		{"Flatten axis 0", func(g *ot.Graph) { g.Node("Flatten", "n", []string{"x"}, []string{"y"}, ot.AttrI("axis", 0)) }, []int{1, 24}},
		{"Flatten axis -1", func(g *ot.Graph) { g.Node("Flatten", "n", []string{"x"}, []string{"y"}, ot.AttrI("axis", -1)) }, []int{6, 4}},
		{"Reshape", func(g *ot.Graph) {
			g.InitInts("s", []int64{0, -1})
			g.Node("Reshape", "n", []string{"x", "s"}, []string{"y"})
		}, []int{2, 12}},
		{"Reshape Constant", func(g *ot.Graph) {
			g.Node("Constant", "k", nil, []string{"s"}, ot.AttrT("value", ot.Int64Tensor("", []int64{3}, []int64{4, 3, 2})))
			g.Node("Reshape", "n", []string{"x", "s"}, []string{"y"})
		}, []int{4, 3, 2}},
		{"Unsqueeze opset 13", func(g *ot.Graph) {
			g.InitInts("ax", []int64{0, -1})
			g.Node("Unsqueeze", "n", []string{"x", "ax"}, []string{"y"})
		}, []int{1, 2, 3, 4, 1}},
		{"Unsqueeze+Squeeze opset 11", func(g *ot.Graph) {
			g.Opset = 11
			g.Node("Unsqueeze", "u", []string{"x"}, []string{"u"}, ot.AttrIs("axes", []int64{1}))
			g.Node("Squeeze", "n", []string{"u"}, []string{"y"}, ot.AttrIs("axes", []int64{1}))
		}, []int{2, 3, 4}},
		{"Squeeze all", func(g *ot.Graph) {
			g.InitInts("ax", []int64{0, 3})
			g.Node("Unsqueeze", "u", []string{"x", "ax"}, []string{"u"})
			g.Node("Squeeze", "n", []string{"u"}, []string{"y"})
		}, []int{2, 3, 4}},
	}
	for _, c := range cases {
		var g ot.Graph
		g.Input("x", 2, 3, 4)
		c.build(&g)
		g.Output("y", i64(c.shape)...)
		got, shape := run(t, g.Bytes(), x)
		if !slices.Equal(shape, c.shape) {
			t.Errorf("%s: shape %v, want %v", c.name, shape, c.shape)
		}
		compare(t, c.name, got, id, 0)
	}
}

func TestConcatClipConstant(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	a := ot.RandF(r, 6, 3)
	b := ot.RandF(r, 4, 3)
	// Concat along axis 1 of [2,3] and [2,2], then along axis 0 with a
	// constant [1,5]; then Clip by each convention.
	k := []float32{9, -9, 0.5, -0.5, 2}
	for _, conv := range []string{"opset 6 attributes", "opset 13 inputs", "opset 13 min only"} {
		var g ot.Graph
		g.Input("a", 2, 3)
		g.Input("b", 2, 2)
		g.Node("Concat", "c1", []string{"a", "b"}, []string{"ab"}, ot.AttrI("axis", -1))
		g.Node("Constant", "k", nil, []string{"k"}, ot.AttrT("value", ot.FloatTensor("", []int64{1, 5}, k, false)))
		g.Node("Concat", "c0", []string{"ab", "k"}, []string{"abk"}, ot.AttrI("axis", 0))
		lo, hi := -1.5, 1.5
		switch conv {
		case "opset 6 attributes":
			g.Opset = 6
			g.Node("Clip", "clip", []string{"abk"}, []string{"y"}, ot.AttrF("min", -1.5), ot.AttrF("max", 1.5))
		case "opset 13 inputs":
			g.Node("Constant", "lo", nil, []string{"lo"}, ot.AttrF("value_float", -1.5))
			g.Init("hi", []int64{}, []float32{1.5})
			g.Node("Clip", "clip", []string{"abk", "lo", "hi"}, []string{"y"})
		default:
			hi = math.Inf(1)
			g.Node("Constant", "lo", nil, []string{"lo"}, ot.AttrF("value_float", -1.5))
			g.Node("Clip", "clip", []string{"abk", "lo", ""}, []string{"y"})
		}
		g.Output("y", 3, 5)
		got, _ := run(t, g.Bytes(), a, b)
		var want []float64
		for i := 0; i < 2; i++ {
			for j := 0; j < 3; j++ {
				want = append(want, float64(a[i*3+j]))
			}
			for j := 0; j < 2; j++ {
				want = append(want, float64(b[i*2+j]))
			}
		}
		for _, v := range k {
			want = append(want, float64(v))
		}
		for i := range want {
			want[i] = math.Min(math.Max(want[i], lo), hi)
		}
		compare(t, "Concat+Clip "+conv, got, want, 0)
	}
}

func TestMLPs(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	acts := map[string]func(float64) float64{
		"Elu": func(v float64) float64 {
			if v > 0 {
				return v
			}
			return math.Expm1(v)
		},
		"Relu": func(v float64) float64 { return math.Max(v, 0) },
		"Tanh": math.Tanh,
	}
	for _, c := range []struct {
		sizes []int
		act   string
		gemm  bool
	}{
		{[]int{87, 512, 256, 128, 24}, "Elu", true},
		{[]int{87, 512, 256, 128, 24}, "Elu", false},
		{[]int{48, 512, 256, 128, 12}, "Elu", true},  // legged_gym's Go1/H1 size
		{[]int{705, 768, 256, 128, 12}, "Elu", true}, // humanoid-gym: 15 frames of 47
		{[]int{235, 256, 128, 128, 37}, "Relu", false},
		{[]int{45, 64, 64, 12}, "Tanh", true},
	} {
		model, layers := ot.MLP(r, c.sizes, c.act, c.gemm)
		for trial := 0; trial < 3; trial++ {
			x := ot.RandF(r, c.sizes[0], 3)
			got, shape := run(t, model, x)
			if !slices.Equal(shape, []int{1, c.sizes[len(c.sizes)-1]}) {
				t.Fatalf("%v: output shape %v", c.sizes, shape)
			}
			want := ot.RefMLP(layers, acts[c.act], x)
			compare(t, "MLP "+c.act, got, want, tolInfer)
		}
	}
}

func TestNetInfo(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	model, _ := ot.MLP(r, []int{87, 512, 256, 128, 24}, "Elu", true)
	n, err := Load(model)
	if err != nil {
		t.Fatal(err)
	}
	want := 87*512 + 512 + 512*256 + 256 + 256*128 + 128 + 128*24 + 24
	if n.Params() != want {
		t.Errorf("Params %d, want %d", n.Params(), want)
	}
	sum := 0
	for _, l := range n.Layers() {
		sum += l.Params
	}
	if sum != want {
		t.Errorf("layers' params add up to %d, want %d", sum, want)
	}
	if ops := n.Ops(); ops["Gemm"] != 4 || ops["Elu"] != 3 || ops["Identity"] != 1 {
		t.Errorf("Ops %v", ops)
	}
	s := n.Summary()
	for _, w := range []string{"input  obs", "[1 87]", "output actions", "[1 24]", fmt.Sprint("parameters: ", want), "Gemm×4", "/actor/0/Gemm"} {
		if !strings.Contains(s, w) {
			t.Errorf("Summary lacks %q:\n%s", w, s)
		}
	}
}

func TestInferenceAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	model, _ := ot.MLP(r, []int{87, 512, 256, 128, 24}, "Elu", false)
	n, err := Load(model)
	if err != nil {
		t.Fatal(err)
	}
	copy(n.Input(0), ot.RandF(r, 87, 1))
	if a := testing.AllocsPerRun(20, n.Run); a != 0 {
		t.Errorf("Run allocates %v times per call, want 0", a)
	}
}

// BenchmarkMLP87 times the PM01-class policy MLP, 87 → 512 → 256 → 128 → 24
// with ELU (torch's Gemm export), and reports the median, 99th percentile
// and fastest of single runs (the percentiles include whatever else the
// machine runs: measure on a quiet one; the bound is p99 ≤ 100 µs).
func BenchmarkMLP87(b *testing.B) {
	r := rand.New(rand.NewPCG(19, 20))
	model, _ := ot.MLP(r, []int{87, 512, 256, 128, 24}, "Elu", true)
	n, err := Load(model)
	if err != nil {
		b.Fatal(err)
	}
	copy(n.Input(0), ot.RandF(r, 87, 1))
	b.ReportAllocs()
	times := make([]float64, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		n.Run()
		times = append(times, float64(time.Since(t0)))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(times[len(times)*99/100]/1e3, "p99-µs")
	b.ReportMetric(times[len(times)/2]/1e3, "p50-µs")
	b.ReportMetric(times[0]/1e3, "min-µs")
}

package policy

import "math"

// The kernels: float32 tensors in and out, every buffer allocated by the
// compiler; none allocates. Dot products multiply and sum in float32 over
// blocks of 64 terms and add the blocks' sums in float64 (see block).

type unaryOp uint8

const (
	opRelu unaryOp = iota
	opElu
	opLeakyRelu
	opTanh
	opSigmoid
	opSoftplus
)

// unary applies an elementwise activation: y = f(x).
type unary struct {
	op    unaryOp
	alpha float32
	x, y  []float32
}

func (u *unary) run() {
	x, y := u.x, u.y[:len(u.x)]
	switch u.op {
	case opRelu:
		for i, v := range x {
			y[i] = max(v, 0)
		}
	case opElu: // x for x > 0, α(eˣ − 1) otherwise
		a := float64(u.alpha)
		for i, v := range x {
			if v > 0 {
				y[i] = v
			} else {
				y[i] = float32(a * math.Expm1(float64(v)))
			}
		}
	case opLeakyRelu: // x for x ≥ 0, αx otherwise
		for i, v := range x {
			if v < 0 {
				v *= u.alpha
			}
			y[i] = v
		}
	case opTanh:
		for i, v := range x {
			y[i] = float32(math.Tanh(float64(v)))
		}
	case opSigmoid: // 1/(1 + e⁻ˣ), computed without overflow
		for i, v := range x {
			if v >= 0 {
				y[i] = float32(1 / (1 + math.Exp(-float64(v))))
			} else {
				e := math.Exp(float64(v))
				y[i] = float32(e / (1 + e))
			}
		}
	case opSoftplus: // ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|)
		for i, v := range x {
			f := float64(v)
			y[i] = float32(max(f, 0) + math.Log1p(math.Exp(-math.Abs(f))))
		}
	}
}

// clip bounds every element: y = min(max(x, lo), hi). NaN stays NaN.
type clip struct {
	x, y   []float32
	lo, hi float32
}

func (c *clip) run() {
	y := c.y[:len(c.x)]
	for i, v := range c.x {
		if v < c.lo {
			v = c.lo
		}
		if v > c.hi {
			v = c.hi
		}
		y[i] = v
	}
}

type binOp uint8

const (
	opAdd binOp = iota
	opSub
	opMul
	opDiv
)

// binaryOp applies an elementwise arithmetic operator with numpy
// broadcasting: shape is the output's, sa and sb the inputs' element strides
// over it (0 along broadcast dimensions), idx the index counter.
type binaryOp struct {
	op      binOp
	a, b, y []float32
	same    bool // both inputs have the output's shape (or all are scalars)
	shape   []int
	sa, sb  []int
	idx     []int
}

func apply(op binOp, x, z float32) float32 {
	switch op {
	case opAdd:
		return x + z
	case opSub:
		return x - z
	case opMul:
		return x * z
	}
	return x / z
}

func (bn *binaryOp) run() {
	if bn.same {
		a, b, y := bn.a, bn.b[:len(bn.a)], bn.y[:len(bn.a)]
		switch bn.op {
		case opAdd:
			for i := range a {
				y[i] = a[i] + b[i]
			}
		case opSub:
			for i := range a {
				y[i] = a[i] - b[i]
			}
		case opMul:
			for i := range a {
				y[i] = a[i] * b[i]
			}
		case opDiv:
			for i := range a {
				y[i] = a[i] / b[i]
			}
		}
		return
	}
	// Broadcast: the innermost dimension in a loop, the outer ones by the
	// counter idx.
	r := len(bn.shape)
	inner := bn.shape[r-1]
	ia, ib := bn.sa[r-1], bn.sb[r-1]
	for i := range bn.idx {
		bn.idx[i] = 0
	}
	oa, ob := 0, 0
	for o := 0; o < len(bn.y); o += inner {
		y := bn.y[o : o+inner]
		pa, pb := oa, ob
		for i := range y {
			y[i] = apply(bn.op, bn.a[pa], bn.b[pb])
			pa += ia
			pb += ib
		}
		for d := r - 2; d >= 0; d-- { // next outer index
			bn.idx[d]++
			oa += bn.sa[d]
			ob += bn.sb[d]
			if bn.idx[d] < bn.shape[d] {
				break
			}
			oa -= bn.sa[d] * bn.shape[d]
			ob -= bn.sb[d] * bn.shape[d]
			bn.idx[d] = 0
		}
	}
}

// matmul computes y = α·A·B + β·C for one m×k A and k×n B: Gemm, and
// MatMul without batch dimensions. B is kept as bt, its transpose (n rows
// of k), so every output element is a dot product of two contiguous rows;
// a constant B is transposed once at load time, another one on each run.
type matmul struct {
	m, k, n     int
	a, at       []float32 // A (m×k); at: scratch for a transposed A
	aTrans      bool      // a holds Aᵀ (k×m)
	b, bt       []float32 // B as given (k×n) and as n×k
	bRun        bool      // transpose b into bt on each run
	y           []float32
	alpha, beta float64
	c           []float32 // nil: no C
	cm, cn      int       // C's strides over (m, n)
}

func (mm *matmul) setA(a []float32, trans bool, m, k int) {
	mm.a, mm.aTrans = a, trans
	if trans {
		mm.at = make([]float32, m*k)
	}
}

func (mm *matmul) setB(b *tensor, trans bool, k, n int) {
	switch {
	case trans: // given as n×k already
		mm.bt = b.data
	case b.konst:
		mm.bt = make([]float32, k*n)
		transpose(mm.bt, b.data, k, n)
	default:
		mm.b, mm.bt, mm.bRun = b.data, make([]float32, k*n), true
	}
}

// transpose writes the c×r transpose of the r×c matrix src into dst.
func transpose(dst, src []float32, r, c int) {
	for i := 0; i < r; i++ {
		row := src[i*c : (i+1)*c]
		for j, v := range row {
			dst[j*r+i] = v
		}
	}
}

func (mm *matmul) run() {
	m, k, n := mm.m, mm.k, mm.n
	a := mm.a
	if mm.aTrans {
		transpose(mm.at, mm.a, k, m)
		a = mm.at
	}
	if mm.bRun {
		transpose(mm.bt, mm.b, k, n)
	}
	bt := mm.bt
	for i := 0; i < m; i++ {
		row := a[i*k : (i+1)*k]
		y := mm.y[i*n : (i+1)*n]
		j := 0
		for ; j+4 <= n; j += 4 {
			s0, s1, s2, s3 := dot4(row, bt[j*k:(j+1)*k], bt[(j+1)*k:(j+2)*k], bt[(j+2)*k:(j+3)*k], bt[(j+3)*k:(j+4)*k])
			y[j], y[j+1], y[j+2], y[j+3] = mm.finish(s0, i, j), mm.finish(s1, i, j+1), mm.finish(s2, i, j+2), mm.finish(s3, i, j+3)
		}
		for ; j < n; j++ {
			y[j] = mm.finish(dot(row, bt[j*k:(j+1)*k]), i, j)
		}
	}
}

// finish returns output element (i, j) from its dot product s.
func (mm *matmul) finish(s float64, i, j int) float32 {
	s *= mm.alpha
	if mm.c != nil {
		s += mm.beta * float64(mm.c[i*mm.cm+j*mm.cn])
	}
	return float32(s)
}

// block is the run of terms summed in float32 before a partial sum goes
// into the float64 total: short enough that float32's rounding stays near
// that of the result (a 64-term float32 sum errs by about 8 units of its
// last place at worst), long enough that the conversions cost nothing.
const block = 64

// dot4 returns the dot products of x with four rows: float32 products
// summed in float32 over blocks of 64 terms, the blocks' sums in float64.
// Each x[i] is loaded once for the four rows.
func dot4(x, r0, r1, r2, r3 []float32) (s0, s1, s2, s3 float64) {
	r0, r1, r2, r3 = r0[:len(x)], r1[:len(x)], r2[:len(x)], r3[:len(x)]
	for lo := 0; lo < len(x); lo += block {
		hi := min(lo+block, len(x))
		xb := x[lo:hi]
		b0, b1, b2, b3 := r0[lo:hi:hi], r1[lo:hi:hi], r2[lo:hi:hi], r3[lo:hi:hi]
		b0, b1, b2, b3 = b0[:len(xb)], b1[:len(xb)], b2[:len(xb)], b3[:len(xb)]
		var t0, t1, t2, t3 float32
		for i, v := range xb {
			t0 += v * b0[i]
			t1 += v * b1[i]
			t2 += v * b2[i]
			t3 += v * b3[i]
		}
		s0 += float64(t0)
		s1 += float64(t1)
		s2 += float64(t2)
		s3 += float64(t3)
	}
	return
}

// dot returns Σ a[i]·b[i], summed as dot4 sums.
func dot(a, b []float32) float64 {
	b = b[:len(a)]
	s := 0.0
	for lo := 0; lo < len(a); lo += block {
		hi := min(lo+block, len(a))
		ab, bb := a[lo:hi], b[lo:hi]
		bb = bb[:len(ab)]
		var t float32
		for i, v := range ab {
			t += v * bb[i]
		}
		s += float64(t)
	}
	return s
}

// batchMatmul runs a matmul per item of MatMul's broadcast batch
// dimensions; offA and offB are each item's offsets into A and B.
type batchMatmul struct {
	mm           *matmul
	aData, bData []float32
	y            []float32
	offA, offB   []int
	nb           int
}

func (bm *batchMatmul) run() {
	mm := bm.mm
	if bm.y == nil {
		bm.y = mm.y
	}
	m, k, n := mm.m, mm.k, mm.n
	for i := 0; i < bm.nb; i++ {
		mm.a = bm.aData[bm.offA[i] : bm.offA[i]+m*k]
		mm.b = bm.bData[bm.offB[i] : bm.offB[i]+k*n]
		mm.y = bm.y[i*m*n : (i+1)*m*n]
		mm.bRun = true
		mm.run()
	}
}

// concat joins its inputs along an axis: for each of outer blocks, each
// input's block of block[i] elements in turn.
type concat struct {
	x     [][]float32
	block []int
	y     []float32
	outer int
}

func (c *concat) run() {
	o := 0
	for r := 0; r < c.outer; r++ {
		for i, x := range c.x {
			bl := c.block[i]
			o += copy(c.y[o:o+bl], x[r*bl:(r+1)*bl])
		}
	}
}

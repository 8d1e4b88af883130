package inspect

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/stride-robotics/stride/sim/rbd"
)

// FD reads states from in in the column layout of MuJoCo's fdref.c — qpos
// (nq), qvel (nv), tau (nv), and with check also the reference qacc (nv)
// and bias (nv) — one comma-separated row per line, with an optional header
// line; extra columns are ignored. For each row it computes qacc (forward
// dynamics with passive forces and without constraints: M·qacc = tau +
// passive − bias) and bias (inverse dynamics at zero acceleration). Without
// check it writes a header and the rows qacc…,bias… to out; with check it
// writes the largest differences from the reference, relative as relErr
// measures them, and fails beyond rtol. Errors name the input line as
// stdin:LINE.
//
// Nothing is skipped in silence: the first line is a header only when every
// field is a column name (qpos0, tau3, …); a field that is not a finite
// number, a row that is too short, a non-finite result and input without a
// single row are errors; rtol must be a finite number > 0 and atol a finite
// number ≥ 0.
func FD(m *rbd.Model, in io.Reader, out io.Writer, check bool, rtol, atol float64) error {
	if !(rtol > 0) || math.IsInf(rtol, 0) {
		return fmt.Errorf("rtol %g: want a finite tolerance > 0", rtol)
	}
	if !(atol >= 0) || math.IsInf(atol, 0) {
		return fmt.Errorf("atol %g: want a finite tolerance ≥ 0", atol)
	}
	nq, nv := m.Nq, m.Nv
	want := nq + 2*nv
	if check {
		want += 2 * nv
	}
	d := rbd.NewData(m)
	qacc := make([]float64, nv)
	bias := make([]float64, nv)
	tau := make([]float64, nv)
	w := bufio.NewWriter(out)
	defer w.Flush()
	if !check {
		for i := 0; i < nv; i++ {
			fmt.Fprintf(w, "%sqacc%d", sep(i), i)
		}
		for i := 0; i < nv; i++ {
			fmt.Fprintf(w, ",bias%d", i)
		}
		fmt.Fprintln(w)
	}
	var worstAcc, worstBias float64
	var worstAccRow, worstBiasRow, rows int
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), maxLine)
	vals := make([]float64, 0, want)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if line == 1 && isHeader(fields) {
			continue
		}
		if len(fields) < want {
			return fmt.Errorf("stdin:%d: %d comma-separated columns, want at least %d (nq %d + nv %d qvel + nv %d tau%s)",
				line, len(fields), want, nq, nv, nv, map[bool]string{true: " + nv qacc + nv bias", false: ""}[check])
		}
		vals = vals[:0]
		for i := 0; i < want; i++ {
			f := strings.TrimSpace(fields[i])
			x, err := strconv.ParseFloat(f, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("stdin:%d: column %d: %s is not a finite number", line, i+1, quoteField(f))
			}
			vals = append(vals, x)
		}
		q, v := vals[:nq], vals[nq:nq+nv]
		rbd.Passive(m, tau, q, v)
		for i := range tau {
			tau[i] += vals[nq+nv+i]
		}
		rbd.Kinematics(m, d, q)
		rbd.Velocities(m, d, v)
		rbd.ABA(m, d, qacc, tau)
		rbd.Bias(m, d, bias)
		rows++
		for i := 0; i < nv; i++ {
			if math.IsNaN(qacc[i]+bias[i]) || math.IsInf(qacc[i]+bias[i], 0) {
				return fmt.Errorf("stdin:%d: the dynamics of this state are not finite (qacc%d %g, bias%d %g)", line, i, qacc[i], i, bias[i])
			}
		}
		if check {
			refAcc, refBias := vals[nq+2*nv:nq+3*nv], vals[nq+3*nv:]
			for i := 0; i < nv; i++ {
				if e := relErr(qacc[i], refAcc[i], rtol, atol); e > worstAcc {
					worstAcc, worstAccRow = e, rows
				}
				if e := relErr(bias[i], refBias[i], rtol, atol); e > worstBias {
					worstBias, worstBiasRow = e, rows
				}
			}
			continue
		}
		for i := 0; i < nv; i++ {
			fmt.Fprintf(w, "%s%.17g", sep(i), qacc[i])
		}
		for i := 0; i < nv; i++ {
			fmt.Fprintf(w, ",%.17g", bias[i])
		}
		fmt.Fprintln(w)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("stdin:%d: the line is longer than %d MiB", line+1, maxLine>>20)
		}
		return fmt.Errorf("stdin: %v", err)
	}
	if rows == 0 {
		return fmt.Errorf("stdin: no rows (want one state per line: %d comma-separated numbers)", want)
	}
	if check {
		fmt.Fprintf(w, "rows %d: worst qacc error %.3g (row %d), worst bias error %.3g (row %d) (|a−b| / max(|b|, atol/rtol); tolerance rtol %g, atol %g)\n",
			rows, worstAcc, worstAccRow, worstBias, worstBiasRow, rtol, atol)
		if worstAcc > rtol || worstBias > rtol {
			w.Flush()
			return fmt.Errorf("dynamics differ from the reference by more than %g", rtol)
		}
	}
	return nil
}

// relErr is |a−b| / max(|b|, atol/rtol): at most rtol exactly when the
// difference is within rtol relative or atol absolute.
func relErr(a, b, rtol, atol float64) float64 {
	d := math.Abs(a - b)
	if math.IsNaN(d) {
		return math.Inf(1)
	}
	return d / math.Max(math.Abs(b), atol/rtol)
}

// maxLine is the longest input line FD reads.
const maxLine = 1 << 26

// isHeader reports whether every field is a column name: a letter or _
// first, then letters, digits, _, . or [ ].
func isHeader(fields []string) bool {
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			return false
		}
		for i, r := range f {
			letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
			if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '.' || r == '[' || r == ']')) {
				return false
			}
		}
		if _, err := strconv.ParseFloat(f, 64); err == nil { // NaN, Inf
			return false
		}
	}
	return true
}

// quoteField shows an input field in a message, shortened.
func quoteField(f string) string {
	if len(f) > 40 {
		f = f[:40] + "…"
	}
	return strconv.Quote(f)
}

func sep(i int) string {
	if i == 0 {
		return ""
	}
	return ","
}

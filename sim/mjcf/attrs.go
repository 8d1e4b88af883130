package mjcf

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/stride-robotics/stride/sim/spatial"
)

// tristate is an MJCF [false, true, auto] keyword.
type tristate uint8

const (
	triAuto tristate = iota
	triFalse
	triTrue
)

// attrReader reads typed attributes of one element. Each method leaves its
// destination untouched when the attribute is absent and reports whether it
// was present; the first parse error is kept in err and later calls do
// nothing.
type attrReader struct {
	e   *element
	err error
}

func reader(e *element) *attrReader { return &attrReader{e: e} }

// get returns the attribute value if it is present and no error occurred yet.
func (r *attrReader) get(name string) (string, bool) {
	if r.err != nil {
		return "", false
	}
	return r.e.attr(name)
}

func (r *attrReader) fail(name, format string, args ...any) bool {
	if r.err == nil {
		r.err = attrErrorf(r.e, name, format, args...)
	}
	return false
}

// str reads a string attribute.
func (r *attrReader) str(name string, dst *string) bool {
	v, ok := r.get(name)
	if ok {
		*dst = v
	}
	return ok
}

// floats reads between min and len(dst) numbers into the start of dst; the
// rest of dst keeps its values (MJCF's rule for partly given arrays).
func (r *attrReader) floats(name string, dst []float64, min int) bool {
	v, ok := r.get(name)
	if !ok {
		return false
	}
	xs, err := parseFloats(v)
	if err != nil {
		return r.fail(name, "%v", err)
	}
	if len(xs) < min || len(xs) > len(dst) {
		return r.fail(name, "want %s, got %d", countWord(min, len(dst)), len(xs))
	}
	copy(dst, xs)
	return true
}

// float reads one number.
func (r *attrReader) float(name string, dst *float64) bool {
	var buf [1]float64
	if !r.floats(name, buf[:], 1) {
		return false
	}
	*dst = buf[0]
	return true
}

// vec3 reads exactly three numbers.
func (r *attrReader) vec3(name string, dst *spatial.Vec3) bool {
	return r.floats(name, dst[:], 3)
}

// pair reads exactly two numbers.
func (r *attrReader) pair(name string, dst *[2]float64) bool {
	return r.floats(name, dst[:], 2)
}

// list reads any number of numbers.
func (r *attrReader) list(name string) ([]float64, bool) {
	v, ok := r.get(name)
	if !ok {
		return nil, false
	}
	xs, err := parseFloats(v)
	if err != nil {
		return nil, r.fail(name, "%v", err)
	}
	return xs, true
}

// integer reads one integer.
func (r *attrReader) integer(name string, dst *int) bool {
	v, ok := r.get(name)
	if !ok {
		return false
	}
	f := strings.Fields(v)
	if len(f) != 1 {
		return r.fail(name, "want 1 integer, got %d values", len(f))
	}
	n, err := strconv.ParseInt(f[0], 10, 32)
	if err != nil {
		return r.fail(name, "%q is not an integer", f[0])
	}
	*dst = int(n)
	return true
}

// ints reads exactly len(dst) integers.
func (r *attrReader) ints(name string, dst []int) bool {
	v, ok := r.get(name)
	if !ok {
		return false
	}
	f := strings.Fields(v)
	if len(f) != len(dst) {
		return r.fail(name, "want %d integers, got %d", len(dst), len(f))
	}
	for i, s := range f {
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return r.fail(name, "%q is not an integer", s)
		}
		dst[i] = int(n)
	}
	return true
}

// bitmask reads a 32-bit integer mask (contype, conaffinity).
func (r *attrReader) bitmask(name string, dst *uint32) bool {
	var n int
	if !r.integer(name, &n) {
		return false
	}
	*dst = uint32(int32(n))
	return true
}

// keyword reads one of the allowed words.
func (r *attrReader) keyword(name string, dst *string, allowed ...string) bool {
	v, ok := r.get(name)
	if !ok {
		return false
	}
	v = strings.TrimSpace(v)
	for _, a := range allowed {
		if v == a {
			*dst = v
			return true
		}
	}
	return r.fail(name, "unknown value %q (want %s)", v, orList(allowed))
}

// boolean reads "true" or "false".
func (r *attrReader) boolean(name string, dst *bool) bool {
	var s string
	if !r.keyword(name, &s, "false", "true") {
		return false
	}
	*dst = s == "true"
	return true
}

// tri reads "false", "true" or "auto".
func (r *attrReader) tri(name string, dst *tristate) bool {
	var s string
	if !r.keyword(name, &s, "false", "true", "auto") {
		return false
	}
	*dst = map[string]tristate{"auto": triAuto, "false": triFalse, "true": triTrue}[s]
	return true
}

// parseFloats parses whitespace-separated finite numbers.
func parseFloats(s string) ([]float64, error) {
	f := strings.Fields(s)
	xs := make([]float64, len(f))
	for i, w := range f {
		x, err := strconv.ParseFloat(w, 64)
		if err != nil && !isRangeErr(err) {
			return nil, fmt.Errorf("%q is not a number", w)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%q is not a finite number", w)
		}
		xs[i] = x
	}
	return xs, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// countWord renders an expected count: "3 numbers", "1 to 3 numbers".
func countWord(min, max int) string {
	switch {
	case min == max && min == 1:
		return "1 number"
	case min == max:
		return fmt.Sprintf("%d numbers", min)
	}
	return fmt.Sprintf("%d to %d numbers", min, max)
}

// orList renders "a, b or c".
func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

package inspect

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
)

// FuzzFD: `stride model fd` input either gives one finite output row per
// input row or an error; never a panic, never a NaN in the output.
func FuzzFD(f *testing.F) {
	for _, s := range []string{"qpos0,qvel0,tau0\n0,0,5\n", "0,0,5\n1,2,3\n", "0 0 0\n", "NaN,0,0\n", ",,\n", "1e308,1e308,1e308\n", "0,0,0,0,0\n"} {
		f.Add(s, false)
	}
	f.Add("0,0,5,-7.31,19.62\n", true)
	m := slider(f)
	f.Fuzz(func(t *testing.T, in string, check bool) {
		var out bytes.Buffer
		err := FD(m, strings.NewReader(in), &out, check, 1e-8, 1e-9)
		if err != nil || check {
			return
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) < 2 {
			t.Fatalf("no rows and no error for %q", in)
		}
		for _, l := range lines[1:] {
			for _, x := range strings.Split(l, ",") {
				v, err := strconv.ParseFloat(x, 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("output %q for input %q", l, in)
				}
			}
		}
	})
}

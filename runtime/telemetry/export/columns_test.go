package export

import (
	"math"
	"strings"
	"testing"
)

func names(cols []Column) string {
	var s []string
	for _, c := range cols {
		s = append(s, c.Name)
	}
	return strings.Join(s, ",")
}

func TestSelect(t *testing.T) {
	r := open(t, testLog(t, 10, nil))
	h := &r.Header
	cols, err := Select(h, []string{"q.*, truth.speed", "q.a,time"})
	if err != nil {
		t.Fatal(err)
	}
	// pattern order, each column once
	if got := names(cols); got != "q.a,q.b,truth.speed,time" {
		t.Errorf("selected %s", got)
	}
	if cols[2].Unit != "m/s" || cols[0].Unit != "rad" {
		t.Errorf("units %q %q", cols[2].Unit, cols[0].Unit)
	}
	tk := tickAt(4)
	if v := cols[2].Get(&tk); math.Abs(v-0.02) > 1e-15 {
		t.Errorf("truth.speed at tick 4: %g, want 0.02 (hypot of 0.012 and 0.016)", v)
	}
	if v := cols[0].Get(&tk); v != math.Sin(4.0/7) {
		t.Errorf("q.a at tick 4: %g", v)
	}
	// CSV selections get their time column first
	if got := names(WithTime(h, cols[:2])); got != "time,q.a,q.b" {
		t.Errorf("WithTime: %s", got)
	}
	if got := names(WithTime(h, cols)); got != "q.a,q.b,truth.speed,time" {
		t.Errorf("WithTime with time: %s", got)
	}
	for _, tc := range []struct {
		patterns []string
		want     string
	}{
		{[]string{"nope.*"}, `--channels "nope.*" matches no channel of this log; channels look like time, q.a, cmd.tau.*, imu.gyro.z, truth.pos.z, truth.speed`},
		{[]string{"q.["}, `--channels "q.[": bad pattern`},
		{[]string{" , "}, "--channels: no channel selected"},
	} {
		if _, err := Select(h, tc.patterns); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.patterns, err, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	n := []string{"", "limit", "", "fall"}
	if got := BitNames(0b1010|1<<7, n); got != "limit, fall, bit 7" {
		t.Errorf("BitNames: %q", got)
	}
	if got := BitNames(0, n); got != "none" {
		t.Errorf("BitNames(0): %q", got)
	}
	if NameOf(n, 3) != "fall" || NameOf(n, 2) != "2" || NameOf(n, 9) != "9" || NameOf(n, -1) != "-1" {
		t.Errorf("NameOf")
	}
	if err := CheckRange(2, 1); err == nil || !strings.Contains(err.Error(), "want from ≤ to") {
		t.Errorf("CheckRange(2, 1): %v", err)
	}
	if err := CheckRange(math.Inf(-1), math.Inf(1)); err != nil {
		t.Errorf("CheckRange(-Inf, +Inf): %v", err)
	}
	if err := CheckRange(math.NaN(), 1); err == nil {
		t.Errorf("CheckRange(NaN, 1) passed")
	}
}

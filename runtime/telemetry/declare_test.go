package telemetry

import (
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/stride-robotics/stride/hal"
)

// TestDeclaredChannels: channels a controller declares through a Registry
// are written as columns of their own, read back bit for bit by name, and
// listed in the header with their unit and size.
func TestDeclaredChannels(t *testing.T) {
	var tk Tick
	reg := NewRegistry(&tk)
	force, err := reg.Declare("mpc.force", "N", 6)
	if err != nil {
		t.Fatal(err)
	}
	status, err := reg.Declare("qp.status", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(force) != 6 || cap(force) != 6 || len(status) != 1 || &status[0] != &tk.Values[6] || reg.Used() != 7 {
		t.Fatalf("slices: force %d/%d, status at %p (want %p)", len(force), cap(force), &status[0], &tk.Values[6])
	}
	h := testHeader(2, true)
	h.Declared = reg.Declared()
	rng := rand.New(rand.NewPCG(4, 5))
	ticks := sequentialTicks(6, 30, 2, true)
	for i := range ticks {
		tk = ticks[i]
		for k := range force {
			force[k] = rng.NormFloat64() * 100
		}
		status[0] = float64(i % 3)
		force[5] = math.Float64frombits(rng.Uint64()) // any bits
		ticks[i] = tk
	}
	path := writeTestLog(t, h, Options{ChunkTicks: 7}, ticks, nil)
	r := mustOpen(t, path)
	if got := r.Header.Declared; !reflect.DeepEqual(got, []Declared{{"mpc.force", "N", 6}, {"qp.status", "", 1}}) {
		t.Fatalf("declared %+v", got)
	}
	names := r.Header.Channels[len(r.Header.Channels)-7:]
	for k, want := range []string{"mpc.force.0", "mpc.force.1", "mpc.force.2", "mpc.force.3", "mpc.force.4", "mpc.force.5", "qp.status"} {
		if names[k].Name != want || names[k].Type != F64 {
			t.Fatalf("column %d is %+v, want %s", k, names[k], want)
		}
	}
	if names[0].Unit != "N" {
		t.Fatalf("unit %q", names[0].Unit)
	}
	got := readAllTicks(t, r)
	if len(got) != len(ticks) {
		t.Fatalf("read %d ticks", len(got))
	}
	acc := Accessors(r.Header.Channels, r.Header.Joints, r.Header.Truth)
	for i := range ticks {
		if !sameBits(&got[i], &ticks[i]) {
			t.Fatalf("tick %d: %s", i, diffTick(&r.Header, &ticks[i], &got[i]))
		}
		v := r.Header.Values(&got[i], "mpc.force")
		if len(v) != 6 || math.Float64bits(v[5]) != math.Float64bits(ticks[i].Values[5]) {
			t.Fatalf("tick %d: Values(mpc.force) = %v", i, v)
		}
		if s := acc[len(acc)-1].Value(&got[i]); s != float64(i%3) {
			t.Fatalf("tick %d: accessor qp.status = %g", i, s)
		}
	}
	if r.Header.Values(&got[0], "nope") != nil {
		t.Fatal("an undeclared channel has values")
	}
}

func TestDeclareRefusals(t *testing.T) {
	var tk Tick
	reg := NewRegistry(&tk)
	if _, err := reg.Declare("policy.action", "rad", 100); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, unit string
		size       int
		want       string
	}{
		{"policy.action", "", 1, "declared twice"},
		{"policy.action.7", "", 1, "both have a column"},
		{"policy.action.3.x", "", 1, "is also a group of column"},
		{"est.extra", "", 1, "built-in channel group"},
		{"q", "", 1, "built-in channel group"},
		{"bad name", "", 1, "spaces"},
		{"glob*", "", 1, "glob"},
		{"a..b", "", 1, "empty parts"},
		{"", "", 1, "empty"},
		{"wbc.zero", "", 0, "size 0"},
		{"wbc.big", "", 157, "need 257 values, room is 256"},
	} {
		if _, err := reg.Declare(tc.name, tc.unit, tc.size); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Declare(%q, %d): %v, want %q", tc.name, tc.size, err, tc.want)
		}
	}
	if reg.Used() != 100 || len(reg.Declared()) != 1 {
		t.Fatalf("a refused declaration was kept: %d used", reg.Used())
	}
	if _, err := reg.Declare("wbc.ok", "", 28); err != nil {
		t.Fatal(err)
	}
}

// TestCopyTick: Record's copy moves every field of a Tick (a field added
// to Tick but not to copyTick fails here), and of Values only the
// declared prefix.
func TestCopyTick(t *testing.T) {
	if n := reflect.TypeOf(Tick{}).NumField(); n != 15 {
		t.Fatalf("Tick has %d fields: update copyTick and this count", n)
	}
	rng := rand.New(rand.NewPCG(8, 9))
	var src Tick
	fillRandom(rng, reflect.ValueOf(&src).Elem(), hal.MaxJoints)
	for i := range src.Values {
		src.Values[i] = float64(i + 1)
	}
	var dst Tick
	copyTick(&dst, &src, 5)
	want := src
	want.Values = [MaxValues]float64{1, 2, 3, 4, 5}
	if !sameBits(&dst, &want) {
		t.Fatal("copyTick missed a field")
	}
}

// TestCreateNeverRemovesWhatItDidNotMake: when the header cannot be
// written, a file Create made is removed, but a path that was there before
// (here a character device node like /dev/full, a copy made with mknod) is
// left in place.
func TestCreateNeverRemovesWhatItDidNotMake(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, int(1<<8|7)); err != nil { // major 1, minor 7: /dev/full
		t.Skipf("cannot make a device node (%v): needs root", err)
	}
	_, err := Create(full, testHeader(2, false))
	if err == nil || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("writing to a full device: %v", err)
	}
	if st, err := os.Lstat(full); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("the device node is gone or changed: %v", err)
	}
	// A header that cannot be written to a file Create made: the file goes.
	// (A directory cannot be opened for writing, so nothing is made there.)
	if _, err := Create(dir, testHeader(2, false)); err == nil {
		t.Fatal("created a log over a directory")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatal("the directory is gone")
	}
}

// Record of a tick with declared channels allocates nothing either.
func TestRecordWithDeclaredAllocatesNothing(t *testing.T) {
	h := testHeader(24, true)
	h.Declared = []Declared{{"mpc.force", "N", 12}, {"policy.action", "rad", 24}}
	w, err := NewWriter(newMemSink(), h, Options{RingTicks: 1 << 14, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tk := sequentialTicks(1, 1, 24, true)[0]
	if a := testing.AllocsPerRun(2000, func() { tk.Tick++; tk.Values[35] = float64(tk.Tick); w.Record(&tk) }); a != 0 {
		t.Errorf("Record: %v allocations per call", a)
	}
}

package runtime

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The config watcher's poll sees a file's changes of time and size, and a
// missing file, and allocates nothing.
func TestStamperSeesChangesWithoutAllocating(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	must(t, os.WriteFile(p, []byte("stand:\n  kd: 3\n"), 0o644))
	st, err := newStamper(p)
	must(t, err)
	a := st.stamp()
	fi, err := os.Stat(p)
	must(t, err)
	if a.size != fi.Size() || a.mtime != fi.ModTime().UnixNano() {
		t.Fatalf("stamp %+v, os.Stat %d bytes at %v", a, fi.Size(), fi.ModTime())
	}
	if n := testing.AllocsPerRun(100, func() { _ = st.stamp() }); n != 0 {
		t.Errorf("%v allocations per poll", n)
	}
	// Same size, later time (a rewrite with another value).
	must(t, os.WriteFile(p, []byte("stand:\n  kd: 4\n"), 0o644))
	must(t, os.Chtimes(p, time.Now(), fi.ModTime().Add(time.Second)))
	if b := st.stamp(); b == a || b.size != a.size {
		t.Errorf("rewritten: stamp %+v, before %+v", b, a)
	}
	must(t, os.Remove(p))
	if c := st.stamp(); c.size != -1 {
		t.Errorf("removed: stamp %+v", c)
	}
	if _, err := newStamper("a\x00b"); err == nil {
		t.Error("a path with a NUL accepted")
	}
}

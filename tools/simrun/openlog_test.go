package simrun

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/sim/scene"
)

// OpenLog creates the log through hal/fileio: an existing file is refused
// without force and left as it was; with force it is replaced.
func TestOpenLogNeverDestroys(t *testing.T) {
	robot, _, err := Robot(scene.Spec{}, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := runtime.Defaults()
	p := filepath.Join(t.TempDir(), "run.stl")
	if err := os.WriteFile(p, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenLog(p, false, robot, "", cfg, true, nil, ""); err == nil || !strings.Contains(err.Error(), "already exists; not overwritten") {
		t.Fatalf("existing file: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "precious" {
		t.Fatalf("changed to %.20q", b)
	}
	w, err := OpenLog(p, true, robot, "", cfg, true, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); strings.HasPrefix(string(b), "precious") || len(b) < 100 {
		t.Fatalf("not replaced by a log: %.20q", b)
	}
}

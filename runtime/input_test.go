package runtime

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Config and script files must be regular files of bounded size: a FIFO, a
// device or a directory is refused by name without blocking.
func TestConfigAndScriptFileKinds(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		fifo:        "is a named pipe (FIFO), not a regular file",
		"/dev/zero": "is a character device, not a regular file",
		dir:         "is a directory, not a regular file",
	}
	for p, want := range cases {
		done := make(chan [2]error, 1)
		go func() {
			_, e1 := Load(p)
			_, e2 := LoadScript(p, testLimits())
			done <- [2]error{e1, e2}
		}()
		select {
		case errs := <-done:
			wantErrContains(t, errs[0], "config:", p, want)
			wantErrContains(t, errs[1], "commands:", p, want)
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: blocked", p)
		}
	}
}

func TestConfigSizeLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(5 << 20); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(p)
	wantErrContains(t, err, "big.yaml: larger than the 4 MiB limit")
	_, err = LoadScript(p, testLimits())
	if err == nil || strings.Contains(err.Error(), "limit") {
		// 5 MiB is within the script limit: it is read, and is not YAML.
		if err == nil {
			t.Fatal("5 MiB of NUL bytes accepted as a script")
		}
		t.Fatalf("script: %v", err)
	}
}

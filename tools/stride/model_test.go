package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/inspect"
)

const shared = "../../../shared"

// `stride model fd --check` on the vendor MJCF reproduces MuJoCo's reference
// rows from ../shared to 1e-8 relative.
func TestModelFDReproducesMuJoCo(t *testing.T) {
	ref := filepath.Join(shared, "peer/pm01-fdref.csv")
	f, err := os.Open(ref)
	if err != nil {
		t.Skip("../shared not present: skipping the MuJoCo reference check")
	}
	defer f.Close()
	m, err := loadModel(filepath.Join(shared, "models/pm01/resource/pm_v2.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := inspect.FD(m, f, &out, true, 1e-8, 1e-9); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "rows 200:") {
		t.Errorf("unexpected report: %s", out.String())
	}
	t.Log(strings.TrimSpace(out.String()))
}

// Without --check, fd writes a header and one row of 2·nv numbers per state.
func TestModelFDRows(t *testing.T) {
	m, err := loadModel("")
	if err != nil {
		t.Fatal(err)
	}
	var in bytes.Buffer
	row := make([]string, 0, m.Nq+2*m.Nv)
	for _, x := range m.Keyframes[0].Qpos {
		row = append(row, jsonNum(x))
	}
	for i := 0; i < 2*m.Nv; i++ {
		row = append(row, "0")
	}
	in.WriteString(strings.Join(row, ",") + "\n")
	var out bytes.Buffer
	if err := inspect.FD(m, &in, &out, false, 1e-8, 1e-9); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || len(strings.Split(lines[1], ",")) != 2*m.Nv {
		t.Fatalf("output:\n%s", out.String())
	}
	// a short row is an error naming the line
	err = inspect.FD(m, strings.NewReader("1,2,3\n"), &out, false, 1e-8, 1e-9)
	if err == nil || !strings.Contains(err.Error(), "stdin:1") {
		t.Errorf("short row: got %v", err)
	}
}

func jsonNum(x float64) string {
	b, _ := json.Marshal(x)
	return string(b)
}

// `stride model info --json` describes the built-in robot.
func TestModelInfo(t *testing.T) {
	m, err := loadModel("")
	if err != nil {
		t.Fatal(err)
	}
	info := inspect.Describe(m)
	if info.Nq != 31 || info.Nv != 30 || info.Nu != 24 || len(info.Joints) != 25 {
		t.Fatalf("info: nq %d nv %d nu %d joints %d", info.Nq, info.Nv, info.Nu, len(info.Joints))
	}
	var buf bytes.Buffer
	if err := inspect.Print(&buf, &info); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"left_knee_pitch", "164", "26.3", "total mass 40.0000 kg"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

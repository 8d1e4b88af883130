package export

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/foxglove/mcap/go/mcap"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// declaredLog writes 50 ticks with two declared channels: mpc.force (3
// values, N) and qp.iters.
func declaredLog(t *testing.T) *telemetry.Reader {
	t.Helper()
	h := telemetry.Header{Robot: "two", Rate: 1000, Joints: []string{"a", "b"}, Meta: map[string]string{},
		Declared: []telemetry.Declared{{Name: "mpc.force", Unit: "N", Size: 3}, {Name: "qp.iters", Size: 1}}}
	p := filepath.Join(t.TempDir(), "d.tlm")
	w, err := telemetry.CreateWith(p, h, telemetry.Options{Block: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		tk := telemetry.Tick{Time: float64(i) / 1000, Tick: uint64(i)}
		tk.Values[0], tk.Values[1], tk.Values[2], tk.Values[3] = float64(i), -float64(i)/3, 100+float64(i), float64(i%4)
		w.Record(&tk)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return open(t, p)
}

// Declared channels are selected, exported to CSV and MCAP, by name like
// the built-in ones.
func TestDeclaredChannelsExport(t *testing.T) {
	r := declaredLog(t)
	cols, err := Select(&r.Header, []string{"mpc.*,qp.iters"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 4 || cols[0].Name != "mpc.force.0" || cols[0].Unit != "N" || cols[3].Name != "qp.iters" {
		t.Fatalf("selected %v", cols)
	}
	var csv bytes.Buffer
	if n, err := WriteCSV(&csv, r, WithTime(&r.Header, cols), 0.010, 0.012); err != nil || n != 3 {
		t.Fatalf("%d rows, %v", n, err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if lines[0] != "time,mpc.force.0,mpc.force.1,mpc.force.2,qp.iters" {
		t.Fatalf("CSV header %q", lines[0])
	}
	f := strings.Split(lines[2], ",") // tick 11
	if v, _ := strconv.ParseFloat(f[2], 64); f[1] != "11" || v != -11.0/3 || f[3] != "111" || f[4] != "3" {
		t.Fatalf("CSV row %q", lines[2])
	}

	var b bytes.Buffer
	if n, _, err := WriteMCAP(&b, r, cols, math.Inf(-1), math.Inf(1)); err != nil || n != 50 {
		t.Fatalf("%d ticks, %v", n, err)
	}
	rd, err := mcap.NewReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	it, err := rd.Messages(mcap.WithTopics([]string{"/mpc", "/qp"}))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for {
		_, ch, msg, err := it.NextInto(nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(msg.Data, &m); err != nil {
			t.Fatal(err)
		}
		i := seen[ch.Topic]
		seen[ch.Topic]++
		switch ch.Topic {
		case "/mpc":
			if f := m["force"].(map[string]any); f["2"] != 100+float64(i) || f["0"] != float64(i) {
				t.Fatalf("/mpc message %d: %s", i, msg.Data)
			}
		case "/qp":
			if m["iters"] != float64(i%4) {
				t.Fatalf("/qp message %d: %s", i, msg.Data)
			}
		}
	}
	if seen["/mpc"] != 50 || seen["/qp"] != 50 {
		t.Fatalf("messages %v", seen)
	}
}

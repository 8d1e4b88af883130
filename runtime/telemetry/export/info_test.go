package export

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// Gaps between chunks and inside a chunk are found from the index alone;
// --verify measures timing.
func TestDescribeGaps(t *testing.T) {
	p := testLog(t, 500, func(i int) bool { return i >= 100 && i < 150 || i == 420 }, 1, 2, 3)
	r := open(t, p)
	in, err := Describe(r, p, true, 2)
	if err != nil {
		t.Fatal(err)
	}
	if in.Ticks != 449 || in.MissingTicks != 51 || len(in.Gaps) != 2 || !in.Verified || in.ReadTicks != 449 || len(in.Damage) != 0 {
		t.Fatalf("info %+v", in)
	}
	if g := in.Gaps[0]; g.AfterTick != 99 || g.Missing != 50 || g.Time != 0.099 {
		t.Errorf("first gap %+v, want 50 after tick 99 at 0.099 s", g)
	}
	if g := in.Gaps[1]; g.Missing != 1 {
		t.Errorf("second gap %+v, want one tick inside a chunk", g)
	}
	if tm := in.Timing; tm == nil || tm.MaxLateness != 9e-6 || tm.MaxCompute != 2e-6 || tm.MaxStep < 0.0509 || tm.MaxStep > 0.0511 {
		t.Errorf("timing %+v, want lateness max 9 µs, compute 2 µs, largest step 51 ms", tm)
	}
	if len(in.EventList) != 3 || !strings.Contains(in.EventList[0], "tick 1") || !strings.Contains(in.EventList[0], "mode  → stand: standing") ||
		in.EventList[2] != "… (3 events in all)" {
		t.Errorf("events %q", in.EventList)
	}
	var b bytes.Buffer
	Print(&b, in)
	for _, want := range []string{"robot      two (-), 2 joints", "gaps       51 ticks missing in 2 gaps:", "50 ticks after tick 99 (t = 0.099 s)",
		"damage     none: every chunk's checksum and records verified", "timing     lateness max 9.0 µs", "largest time step 51.000 ms", "k: v"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("printed info lacks %q:\n%s", want, b.String())
		}
	}
}

// A flipped byte is damage: named, its ticks counted as lost.
func TestDescribeDamage(t *testing.T) {
	p := testLog(t, 500, nil)
	r := open(t, p)
	c2, err := r.Chunk(2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[c2.Offset+c2.Length/2] ^= 0x40
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r2, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	in, err := Describe(r2, p, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Damage) != 1 || in.LostTicks != 100 || in.ReadTicks != 400 || !strings.Contains(in.Damage[0], "chunk 2") {
		t.Errorf("damage %q, lost %d, read %d", in.Damage, in.LostTicks, in.ReadTicks)
	}
	var out bytes.Buffer
	Print(&out, in)
	if !strings.Contains(out.String(), "1 damaged parts, 100 ticks lost") || !strings.Contains(out.String(), "ticks      500 (numbers 0 … 499), 5 chunks; 400 readable") {
		t.Errorf("printed:\n%s", out.String())
	}
}

func TestChannelList(t *testing.T) {
	r := open(t, testLog(t, 1, nil))
	l := strings.Join(ChannelList(&r.Header), "\n")
	for _, want := range []string{"time s", "tick -", "q.a rad", "truth.speed m/s", "est.speed m/s"} {
		if !strings.Contains(l, want) {
			t.Errorf("channel list lacks %q", want)
		}
	}
}

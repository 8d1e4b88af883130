package playback

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/hal"
)

func info() *hal.Info {
	return &hal.Info{Name: "two", Joints: []hal.JointInfo{
		{Name: "a", PosMin: -1, PosMax: 1, VelocityLimit: 10, EffortLimit: 50},
		{Name: "b", PosMin: -1, PosMax: 1, VelocityLimit: 10, EffortLimit: 50}}}
}

func sample(seq uint64) *hal.Sensors {
	s := &hal.Sensors{Seq: seq, Time: float64(seq) / 1000, N: 2}
	s.Q[0], s.Q[1] = 0.1*float64(seq), -0.2
	s.IMU.Quat = [4]float64{1, 0, 0, 0}
	return s
}

// Samples come back in order, unchanged; commands are kept and handed on.
func TestPlayback(t *testing.T) {
	r, err := New(info())
	if err != nil {
		t.Fatal(err)
	}
	var seen []float64
	r.OnWrite = func(c *hal.Commands) { seen = append(seen, c.Joint[0].Tau) }
	for i := uint64(1); i <= 3; i++ {
		if err := r.Feed(sample(i)); err != nil {
			t.Fatal(err)
		}
	}
	if r.Pending() != 3 {
		t.Fatalf("pending %d", r.Pending())
	}
	var s hal.Sensors
	for i := uint64(1); i <= 3; i++ {
		if err := r.Read(&s); err != nil {
			t.Fatal(err)
		}
		if s != *sample(i) {
			t.Fatalf("read %d: %+v", i, s)
		}
		c := hal.Commands{N: 2}
		c.Joint[0].Tau = float64(i)
		if err := r.Write(&c); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 3 || seen[2] != 3 || r.Last().Joint[0].Tau != 3 || r.Err() != nil {
		t.Errorf("writes %v, last %+v, err %v", seen, r.Last().Joint[0], r.Err())
	}
	// Feeding after the queue emptied reuses it.
	if err := r.Feed(sample(4)); err != nil || r.Pending() != 1 {
		t.Errorf("feed after drain: %v, pending %d", err, r.Pending())
	}
	if reads, writes, halts := r.Counts(); reads != 3 || writes != 3 || halts != 0 {
		t.Errorf("counts %d %d %d", reads, writes, halts)
	}
}

// Uses the recording does not provide for are errors, and the first is kept.
func TestUnexpectedUse(t *testing.T) {
	r, _ := New(info())
	c := hal.Commands{N: 2}
	if err := r.Write(&c); !errors.Is(err, ErrUnexpected) || !strings.Contains(err.Error(), "Write before any Read") {
		t.Errorf("write first: %v", err)
	}
	var s hal.Sensors
	if err := r.Read(&s); !errors.Is(err, ErrUnexpected) || !strings.Contains(err.Error(), "Read 1 with no recorded sample left") {
		t.Errorf("read with nothing fed: %v", err)
	}
	_ = r.Feed(sample(1))
	_ = r.Read(&s)
	if err := r.Write(&c); err != nil {
		t.Fatal(err)
	}
	if err := r.Write(&c); !errors.Is(err, ErrUnexpected) || !strings.Contains(err.Error(), "a second Write for sample 1") {
		t.Errorf("second write: %v", err)
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "Write before any Read") {
		t.Errorf("Err keeps the first misuse: %v", err)
	}
	// A command the robot refuses is an error and changes nothing.
	_ = r.Feed(sample(2))
	_ = r.Read(&s)
	bad := hal.Commands{N: 2}
	bad.Joint[1].Kp = math.NaN()
	if err := r.Write(&bad); err == nil || errors.Is(err, ErrUnexpected) {
		t.Errorf("NaN gain: %v", err)
	}
	if r.Last().Joint[1].Kp != 0 {
		t.Errorf("a refused command was kept")
	}
	if err := r.Halt(); err != nil || !r.Halted() {
		t.Errorf("halt: %v", err)
	}
	if err := r.Feed(&hal.Sensors{N: 3}); err == nil || !strings.Contains(err.Error(), "has 3 joints") {
		t.Errorf("feed of the wrong robot: %v", err)
	}
	if _, err := New(&hal.Info{Name: "none"}); err == nil {
		t.Errorf("a robot without joints was made")
	}
}

// A tick's Feed, Read and Write allocate nothing once the queue has room.
func TestNoAllocation(t *testing.T) {
	r, _ := New(info())
	s, c := sample(1), hal.Commands{N: 2}
	var got hal.Sensors
	tick := func() {
		_ = r.Feed(s)
		_ = r.Read(&got)
		_ = r.Write(&c)
	}
	tick()
	if n := testing.AllocsPerRun(100, tick); n != 0 || r.Err() != nil {
		t.Errorf("%g allocations per tick, error %v", n, r.Err())
	}
}

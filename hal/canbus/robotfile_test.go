package canbus

import (
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/hal"
)

const twoJoints = `robot: r
rate: 1000
buses:
  can0: {protocol: mit-cubemars}
joints:
  - {name: a, bus: can0, id: 1, drive: cubemars-ak80-9, range: [-1, 1]}
  - {name: b, bus: can0, id: 2, drive: cubemars-ak80-9, direction: -1, zero: 0.5, gear: 2, range: [-2, 3]}
`

func TestParse(t *testing.T) {
	f, err := Parse("r.yaml", []byte(twoJoints))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Joints) != 2 || f.Joints[1].Gear != 2 || f.Joints[1].Direction != -1 || f.Buses[0].ReplyTimeout != 800e3 {
		t.Fatalf("parsed %+v", f)
	}
	info := f.Info()
	if info.Joints[1].VelocityLimit != 25 || info.Joints[1].EffortLimit != 36 {
		t.Errorf("joint b limits %+v: want velocity 50/2, effort 18·2", info.Joints[1])
	}
}

// Each mistake is named with the file, line and key.
func TestParseErrors(t *testing.T) {
	cases := []struct{ edit, want string }{
		{"id: 2, drive", "r.yaml:7: joints[1] (b): id 1 on can0 is also joint a's"},
		{"direction: -1", "r.yaml:7: joints[1].direction: want 1 or -1"},
		{"protocol: mit-cubemars", "r.yaml:4: buses.can0.protocol: \"mit-x\": want one of"},
		{"range: [-2, 3]", "r.yaml:7: joints[1] (b): range [-20, 3] puts the motor at 40.5 rad, outside the drive's position span ±12.5"},
		{"drive: cubemars-ak80-9, direction", "r.yaml:7: joints[1] (b): drive damiao-dm-j4310 speaks mit-damiao, bus can0 is mit-cubemars"},
		{"rate: 1000", "r.yaml:2: rate: want a number, found \"fast\""},
		{"bus: can0, id: 2", "r.yaml:7: joints[1] (b): bus \"can9\" is not among buses"},
		{"gear: 2", "r.yaml:7: joints[1].gear: want a positive number"},
		{"robot: r", "r.yaml:1: unknown key \"robo\""},
	}
	repl := map[string]string{
		"id: 2, drive":                      "id: 1, drive",
		"direction: -1":                     "direction: 2",
		"protocol: mit-cubemars":            "protocol: mit-x",
		"range: [-2, 3]":                    "range: [-20, 3]",
		"drive: cubemars-ak80-9, direction": "drive: damiao-dm-j4310, direction",
		"rate: 1000":                        "rate: fast",
		"bus: can0, id: 2":                  "bus: can9, id: 2",
		"gear: 2":                           "gear: 0",
		"robot: r":                          "robo: r",
	}
	for _, c := range cases {
		src := strings.Replace(twoJoints, c.edit, repl[c.edit], 1)
		_, err := Parse("r.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: error %v, want %q", c.edit, repl[c.edit], err, c.want)
		}
	}
}

// Four CubeMars drives on one 1 Mbit/s bus at 1 kHz: 4 × 270 bits per
// tick is 108 % of the bit rate.
func TestBusLoadRefused(t *testing.T) {
	src := twoJoints + "  - {name: c, bus: can0, id: 3, drive: cubemars-ak80-9, range: [-1, 1]}\n  - {name: d, bus: can0, id: 4, drive: cubemars-ak80-9, range: [-1, 1]}\n"
	_, err := Parse("r.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "r.yaml:4: bus can0: 4 drives × (request + reply) = 1080 bits per tick, worst-case stuffing, at 1000 Hz is 108 %") {
		t.Fatalf("error %v", err)
	}
	f, err := Parse("r.yaml", []byte(strings.Replace(src, "rate: 1000", "rate: 500", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if l := f.Loads()[0]; math.Abs(l.Load-0.54) > 1e-9 {
		t.Errorf("load at 500 Hz %g, want 0.54", l.Load)
	}
}

func TestExample(t *testing.T) {
	info := &hal.Info{Name: "x"}
	for i := 0; i < 24; i++ {
		e := 61.0
		if i%4 == 0 {
			e = 164
		}
		info.Joints = append(info.Joints, hal.JointInfo{Name: string(rune('a'+i)) + "j", PosMin: -1, PosMax: 1, VelocityLimit: 20, EffortLimit: e})
	}
	b, err := Example(info, 1000, "/dev/ttyUSB0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("ex", b)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range f.Loads() {
		if l.Load > 0.85 || l.Drives == 0 {
			t.Errorf("bus %s: %d drives, load %.2f", l.Bus, l.Drives, l.Load)
		}
	}
	if len(f.Buses) != 8 || f.IMU == nil {
		t.Errorf("%d buses (want 8: 24 drives, 3 per bus), imu %v", len(f.Buses), f.IMU)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(twoJoints))
	f.Add([]byte("robot: x\nbuses: {can0: {protocol: mit-damiao}}\njoints: [{name: a, bus: can0, id: 16, drive: custom, range: [0, 1]}]\nimu: {port: /dev/x}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse("f", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f") {
				t.Fatalf("error not naming the file: %v", err)
			}
			return
		}
		info := file.Info()
		if len(info.Joints) == 0 || len(info.Joints) > hal.MaxJoints {
			t.Fatalf("%d joints accepted", len(info.Joints))
		}
		for _, l := range file.Loads() {
			if l.Load > file.MaxBusLoad {
				t.Fatalf("bus %s over its load accepted", l.Bus)
			}
		}
	})
}

package canbus

import (
	"fmt"
	"math"
	"strings"

	"github.com/stride-robotics/stride/hal"
)

// Example writes a robot file for a robot described by info (the built-in
// robot's, for `stride robot example`): each joint gets the smallest
// preset among exampleDrives whose torque and speed cover its limits, and
// the drives are laid out on as many buses as the bus load at rate
// allows, one protocol per bus. imuPort "" leaves the IMU out. The result
// is parsed back before it is returned.
func Example(info *hal.Info, rate float64, imuPort string) ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# Robot file for %s (stride robot example). Check every drive, id,\n", info.Name)
	fmt.Fprintf(&b, "# direction and zero against the robot before `stride robot run`.\n")
	fmt.Fprintf(&b, "robot: %s\nrate: %g          # Hz: the bus layout is checked for this control rate\n", info.Name, rate)
	fmt.Fprintf(&b, "max_bus_load: 0.85  # share of the bit rate the worst-case traffic may take\nlost_after: 20ms    # a drive silent this long is lost\n")
	type slot struct {
		joint int
		drive string
	}
	byProto := map[string][]slot{}
	var protos []string
	for i, j := range info.Joints {
		d := ""
		for _, name := range exampleDrives {
			p := Presets[name]
			if p.Ranges.TMax >= j.EffortLimit || math.IsInf(j.EffortLimit, 1) {
				d = name
				break
			}
		}
		if d == "" {
			return nil, fmt.Errorf("canbus: no preset drive carries joint %s's %g N·m", j.Name, j.EffortLimit)
		}
		pr := Presets[d].Protocol
		if byProto[pr] == nil {
			protos = append(protos, pr)
		}
		byProto[pr] = append(byProto[pr], slot{i, d})
	}
	// drives per bus: as many as fit the load
	perBus := func(proto string) int {
		p, _ := ProtocolByName(proto)
		bits := FrameBits(8) + FrameBits(p.ReplyLen())
		return max(1, int(0.85*1e6/(rate*float64(bits))))
	}
	type busOf struct {
		name, proto string
		slots       []slot
	}
	var buses []busOf
	for _, pr := range protos {
		s := byProto[pr]
		n := perBus(pr)
		for len(s) > 0 {
			k := min(n, len(s))
			buses = append(buses, busOf{fmt.Sprintf("can%d", len(buses)), pr, s[:k]})
			s = s[k:]
		}
	}
	b.WriteString("buses:\n")
	for _, bu := range buses {
		fmt.Fprintf(&b, "  %s: {protocol: %s, bitrate: 1000000, master_id: 0, reply_timeout: 800us}\n", bu.name, bu.proto)
	}
	b.WriteString("joints:\n")
	for _, bu := range buses {
		for k, s := range bu.slots {
			j := info.Joints[s.joint]
			pr := Presets[s.drive]
			fmt.Fprintf(&b, "  - {name: %s, bus: %s, id: %d, drive: %s, direction: 1, zero: 0, gear: 1, range: [%g, %g]",
				j.Name, bu.name, k+1, s.drive, j.PosMin, j.PosMax)
			if v := j.VelocityLimit; !math.IsInf(v, 1) && v < pr.Ranges.VMax {
				fmt.Fprintf(&b, ", velocity_limit: %g", v)
			}
			if e := j.EffortLimit; !math.IsInf(e, 1) && e < pr.Ranges.TMax {
				fmt.Fprintf(&b, ", effort_limit: %g", e)
			}
			b.WriteString("}\n")
		}
	}
	if imuPort != "" {
		fmt.Fprintf(&b, "imu:\n  port: %s\n  baud: 921600\n  protocol: witmotion\n  mount_rpy_deg: [0, 0, 0]  # IMU frame to the model's IMU frame\n  timeout: 20ms\n", imuPort)
	}
	out := []byte(b.String())
	if _, err := Parse("example", out); err != nil {
		return nil, fmt.Errorf("canbus: the example does not parse: %w", err)
	}
	return out, nil
}

// exampleDrives are the presets Example picks from, smallest first.
var exampleDrives = []string{"cubemars-ak80-9", "cubemars-ak70-10", "cubemars-ak10-9", "damiao-dm-j10010l"}

package canbus

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/fileio"
)

// File is a parsed robot file: the robot's joints, the drive behind each
// one and how it is wired, and the IMU. Load and Parse validate it whole.
type File struct {
	Path       string        // where it was read from ("" for Parse's name)
	Robot      string        // the robot (model) name
	Rate       float64       // Hz: the control rate the buses are checked for
	MaxBusLoad float64       // share of a bus's bit rate its worst-case traffic may take
	LostAfter  time.Duration // a drive with no in-time reply for this long is lost
	Buses      []BusSpec
	Joints     []JointSpec
	IMU        *IMUSpec // nil: no IMU
}

// BusSpec is one CAN bus.
type BusSpec struct {
	Name         string        // the interface, as on the robot: can0, can1, …
	Bitrate      int           // bit/s
	Protocol     string        // Protocols
	Master       uint32        // the CAN id replies come on
	ReplyTimeout time.Duration // how long after the frame set a reply may come
	Line         int
}

// JointSpec is one joint and its drive.
type JointSpec struct {
	Name      string
	Bus       string
	ID        uint32  // the drive's CAN id
	Drive     string  // preset name, or "custom"
	Direction float64 // +1 or −1: joint = direction · (motor − zero) / gear
	Zero      float64 // rad, motor side: the motor position at joint zero
	Gear      float64 // joint-to-motor ratio outside the drive (1: direct)
	Range     [2]float64
	Ranges    Ranges  // the drive's packing ranges (motor side)
	MaxTemp   float64 // °C; 0: not checked
	VelLimit  float64 // joint side, rad/s
	EffLimit  float64 // joint side, N·m
	Line      int
}

// IMUSpec is the IMU: where it is connected and how it is mounted.
type IMUSpec struct {
	Port     string // serial device
	Baud     int
	Protocol string // "witmotion"
	// MountRPY is the rotation from the IMU's own frame to the model's IMU
	// frame, roll-pitch-yaw in degrees (intrinsic x-y-z... applied as
	// Rz·Ry·Rx): v_model = R · v_imu.
	MountRPY [3]float64
	Timeout  time.Duration // silent this long: the IMU is lost
	Line     int
}

// MaxRobotFile bounds a robot file's size.
const MaxRobotFile = 1 << 20

// Load reads and validates the robot file at path.
func Load(path string) (*File, error) {
	b, err := fileio.ReadFile(path, MaxRobotFile)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

type parser struct{ name string }

func (p *parser) errf(n *yaml.Node, key, format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if key != "" {
		msg = key + ": " + msg
	}
	return fmt.Errorf("%s:%d: %s", p.name, n.Line, msg)
}

// fields walks a mapping, refusing keys not in known and duplicates.
func (p *parser) fields(n *yaml.Node, key string, known []string, f func(k string, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errf(n, key, "want a mapping")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return p.errf(k, key, "keys must be names")
		}
		ok := false
		for _, s := range known {
			ok = ok || s == k.Value
		}
		if !ok {
			return p.errf(k, key, "unknown key %q (known: %s)", k.Value, strings.Join(known, ", "))
		}
		if seen[k.Value] {
			return p.errf(k, key, "%q given twice", k.Value)
		}
		seen[k.Value] = true
		sub := k.Value
		if key != "" {
			sub = key + "." + k.Value
		}
		if err := f(sub, v); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) str(n *yaml.Node, key string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Value == "" {
		return "", p.errf(n, key, "want a non-empty name, found %q", n.Value)
	}
	return n.Value, nil
}

func (p *parser) num(n *yaml.Node, key string) (float64, error) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		return 0, p.errf(n, key, "want a number, found %q", n.Value)
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	if err != nil {
		if u, err2 := strconv.ParseInt(n.Value, 0, 64); err2 == nil {
			return float64(u), nil
		}
		return 0, p.errf(n, key, "want a number, found %q", n.Value)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, p.errf(n, key, "want a finite number, found %q", n.Value)
	}
	return v, nil
}

func (p *parser) uint(n *yaml.Node, key string, max uint64) (uint64, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, p.errf(n, key, "want a whole number, found %q", n.Value)
	}
	v, err := strconv.ParseUint(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil || v > max {
		return 0, p.errf(n, key, "want a whole number from 0 to %d, found %q", max, n.Value)
	}
	return v, nil
}

func (p *parser) pos(n *yaml.Node, key string) (float64, error) {
	v, err := p.num(n, key)
	if err == nil && !(v > 0) {
		err = p.errf(n, key, "want a positive number, found %q", n.Value)
	}
	return v, err
}

func (p *parser) dur(n *yaml.Node, key string) (time.Duration, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, p.errf(n, key, "want a duration such as 20ms")
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil || d <= 0 || d > time.Minute {
		return 0, p.errf(n, key, "want a duration from 1µs to 1m such as 20ms, found %q", n.Value)
	}
	return d, nil
}

func (p *parser) nums(n *yaml.Node, key string, dst []float64) error {
	if n.Kind != yaml.SequenceNode || len(n.Content) != len(dst) {
		return p.errf(n, key, "want a list of %d numbers", len(dst))
	}
	for i, c := range n.Content {
		v, err := p.num(c, fmt.Sprintf("%s[%d]", key, i))
		if err != nil {
			return err
		}
		dst[i] = v
	}
	return nil
}

// Parse validates a robot file's contents; name is used in errors.
func Parse(name string, data []byte) (*File, error) {
	p := &parser{name: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("%s: empty robot file", name)
	}
	if err := checkAliases(p, doc.Content[0], 0); err != nil {
		return nil, err
	}
	f := &File{Path: name, Rate: 1000, MaxBusLoad: 0.85, LostAfter: 20 * time.Millisecond}
	var busNode, jointNode *yaml.Node
	root := doc.Content[0]
	err := p.fields(root, "", []string{"robot", "rate", "max_bus_load", "lost_after", "buses", "joints", "imu"}, func(k string, v *yaml.Node) (err error) {
		switch k {
		case "robot":
			f.Robot, err = p.str(v, k)
		case "rate":
			f.Rate, err = p.pos(v, k)
			if err == nil && f.Rate > 10000 {
				err = p.errf(v, k, "%g Hz: want at most 10000", f.Rate)
			}
		case "max_bus_load":
			f.MaxBusLoad, err = p.pos(v, k)
			if err == nil && f.MaxBusLoad > 1 {
				err = p.errf(v, k, "%g: want a share of the bit rate, at most 1", f.MaxBusLoad)
			}
		case "lost_after":
			f.LostAfter, err = p.dur(v, k)
		case "buses":
			busNode = v
		case "joints":
			jointNode = v
		case "imu":
			f.IMU, err = p.imu(v, k)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if f.Robot == "" {
		return nil, p.errf(root, "", "robot: missing (the model's name)")
	}
	if busNode == nil || jointNode == nil {
		return nil, p.errf(root, "", "buses and joints are required")
	}
	if err := p.buses(f, busNode); err != nil {
		return nil, err
	}
	if err := p.joints(f, jointNode); err != nil {
		return nil, err
	}
	if err := f.CheckLoad(); err != nil {
		return nil, err
	}
	return f, nil
}

// checkAliases refuses aliases (a robot file has no use for them, and
// they could expand without bound) and deep nesting.
func checkAliases(p *parser, n *yaml.Node, depth int) error {
	if n.Kind == yaml.AliasNode {
		return p.errf(n, "", "aliases are not allowed in a robot file")
	}
	if depth > 16 {
		return p.errf(n, "", "nested too deep")
	}
	for _, c := range n.Content {
		if err := checkAliases(p, c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) buses(f *File, n *yaml.Node) error {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return p.errf(n, "buses", "want a mapping of bus names (can0: {...})")
	}
	period := time.Duration(float64(time.Second) / f.Rate)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name, err := p.str(k, "buses")
		if err != nil {
			return err
		}
		if strings.ContainsAny(name, "/ \t") || len(name) > 15 {
			return p.errf(k, "buses", "%q: want an interface name such as can0", name)
		}
		for _, b := range f.Buses {
			if b.Name == name {
				return p.errf(k, "buses", "%q given twice", name)
			}
		}
		key := "buses." + name
		b := BusSpec{Name: name, Bitrate: 1000000, Line: k.Line, ReplyTimeout: period * 8 / 10}
		err = p.fields(v, key, []string{"bitrate", "protocol", "master_id", "reply_timeout"}, func(k string, v *yaml.Node) error {
			switch k[len(key)+1:] {
			case "bitrate":
				r, err := p.uint(v, k, 1000000)
				if err == nil && r < 10000 {
					err = p.errf(v, k, "%d bit/s: want 10000 to 1000000 (classic CAN)", r)
				}
				b.Bitrate = int(r)
				return err
			case "protocol":
				s, err := p.str(v, k)
				if _, ok := ProtocolByName(s); err == nil && !ok {
					err = p.errf(v, k, "%q: want one of %s", s, strings.Join(Protocols, ", "))
				}
				b.Protocol = s
				return err
			case "master_id":
				m, err := p.uint(v, k, 0x7ff)
				b.Master = uint32(m)
				return err
			case "reply_timeout":
				d, err := p.dur(v, k)
				if err == nil && d >= period {
					err = p.errf(v, k, "%v: must be shorter than the control period (%v at %g Hz)", d, period, f.Rate)
				}
				b.ReplyTimeout = d
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
		if b.Protocol == "" {
			return p.errf(k, key, "protocol: missing (one of %s)", strings.Join(Protocols, ", "))
		}
		f.Buses = append(f.Buses, b)
	}
	return nil
}

var jointKeys = []string{"name", "bus", "id", "drive", "direction", "zero", "gear", "range",
	"p_max", "v_max", "t_max", "kp_max", "kd_max", "max_temp", "velocity_limit", "effort_limit"}

func (p *parser) joints(f *File, n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return p.errf(n, "joints", "want a list of joints")
	}
	if len(n.Content) > hal.MaxJoints {
		return p.errf(n, "joints", "%d joints: at most %d", len(n.Content), hal.MaxJoints)
	}
	for i, jn := range n.Content {
		key := fmt.Sprintf("joints[%d]", i)
		j := JointSpec{Direction: 1, Gear: 1, Line: jn.Line, Range: [2]float64{math.NaN(), math.NaN()}}
		set := map[string]*yaml.Node{}
		over := map[string]float64{}
		err := p.fields(jn, key, jointKeys, func(k string, v *yaml.Node) (err error) {
			short := k[len(key)+1:]
			set[short] = v
			switch short {
			case "name":
				j.Name, err = p.str(v, k)
			case "bus":
				j.Bus, err = p.str(v, k)
			case "drive":
				j.Drive, err = p.str(v, k)
			case "id":
				var id uint64
				id, err = p.uint(v, k, 0x7ff)
				j.ID = uint32(id)
			case "direction":
				j.Direction, err = p.num(v, k)
				if err == nil && j.Direction != 1 && j.Direction != -1 {
					err = p.errf(v, k, "want 1 or -1, found %q", v.Value)
				}
			case "zero":
				j.Zero, err = p.num(v, k)
			case "gear":
				j.Gear, err = p.pos(v, k)
			case "range":
				err = p.nums(v, k, j.Range[:])
				if err == nil && !(j.Range[0] < j.Range[1]) {
					err = p.errf(v, k, "want [min, max] with min < max")
				}
			case "max_temp":
				over[short], err = p.num(v, k)
			default:
				over[short], err = p.pos(v, k)
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, req := range []string{"name", "bus", "id", "drive", "range"} {
			if set[req] == nil {
				return p.errf(jn, key, "%s: missing", req)
			}
		}
		key = fmt.Sprintf("joints[%d] (%s)", i, j.Name)
		if err := p.joint(f, &j, jn, key, set, over); err != nil {
			return err
		}
		f.Joints = append(f.Joints, j)
	}
	return nil
}

func (p *parser) joint(f *File, j *JointSpec, jn *yaml.Node, key string, set map[string]*yaml.Node, over map[string]float64) error {
	for _, o := range f.Joints {
		if o.Name == j.Name {
			return p.errf(set["name"], key, "joint named twice (also on line %d)", o.Line)
		}
		if o.Bus == j.Bus && o.ID == j.ID {
			return p.errf(set["id"], key, "id %d on %s is also joint %s's (line %d)", j.ID, j.Bus, o.Name, o.Line)
		}
	}
	var bus *BusSpec
	for k := range f.Buses {
		if f.Buses[k].Name == j.Bus {
			bus = &f.Buses[k]
		}
	}
	if bus == nil {
		return p.errf(set["bus"], key, "bus %q is not among buses", j.Bus)
	}
	if j.ID == 0 || j.ID == bus.Master {
		return p.errf(set["id"], key, "id %d: drives take ids from 1, other than the bus's master_id (%d)", j.ID, bus.Master)
	}
	if bus.Protocol == "mit-damiao" && j.ID > 15 {
		return p.errf(set["id"], key, "id %d: a Damiao reply carries the id in 4 bits; want 1–15", j.ID)
	}
	if bus.Protocol != "mit-damiao" && j.ID > 255 {
		return p.errf(set["id"], key, "id %d: an MIT reply carries the id in one byte; want 1–255", j.ID)
	}
	if j.Drive == "custom" {
		for _, k := range []string{"p_max", "v_max", "t_max", "kp_max", "kd_max"} {
			if _, ok := over[k]; !ok {
				return p.errf(jn, key, "drive custom: %s missing (a custom drive gives all its ranges)", k)
			}
		}
	} else {
		pr, ok := Presets[j.Drive]
		if !ok {
			return p.errf(set["drive"], key, "drive %q: not a preset (%s) nor custom", j.Drive, strings.Join(PresetNames(), ", "))
		}
		if pr.Protocol != bus.Protocol {
			return p.errf(set["drive"], key, "drive %s speaks %s, bus %s is %s", j.Drive, pr.Protocol, bus.Name, bus.Protocol)
		}
		j.Ranges, j.MaxTemp = pr.Ranges, pr.MaxTemp
	}
	for k, v := range over {
		switch k {
		case "p_max":
			j.Ranges.PMax = v
		case "v_max":
			j.Ranges.VMax = v
		case "t_max":
			j.Ranges.TMax = v
		case "kp_max":
			j.Ranges.KpMax = v
		case "kd_max":
			j.Ranges.KdMax = v
		case "max_temp":
			j.MaxTemp = v
		}
	}
	for _, q := range j.Range {
		if m := j.Direction*q*j.Gear + j.Zero; math.Abs(m) > j.Ranges.PMax {
			return p.errf(set["range"], key, "range [%g, %g] puts the motor at %g rad, outside the drive's position span ±%g", j.Range[0], j.Range[1], m, j.Ranges.PMax)
		}
	}
	j.VelLimit, j.EffLimit = j.Ranges.VMax/j.Gear, j.Ranges.TMax*j.Gear
	for _, lim := range []struct {
		k   string
		dst *float64
		max float64
	}{{"velocity_limit", &j.VelLimit, j.Ranges.VMax / j.Gear}, {"effort_limit", &j.EffLimit, j.Ranges.TMax * j.Gear}} {
		if v, ok := over[lim.k]; ok {
			if v > lim.max {
				return p.errf(set[lim.k], key, "%s %g is beyond what the drive's packing range carries (%g)", lim.k, v, lim.max)
			}
			*lim.dst = v
		}
	}
	return nil
}

func (p *parser) imu(n *yaml.Node, key string) (*IMUSpec, error) {
	s := &IMUSpec{Baud: 921600, Protocol: "witmotion", Timeout: 20 * time.Millisecond, Line: n.Line}
	err := p.fields(n, key, []string{"port", "baud", "protocol", "mount_rpy_deg", "timeout"}, func(k string, v *yaml.Node) (err error) {
		switch k[len(key)+1:] {
		case "port":
			s.Port, err = p.str(v, k)
		case "baud":
			var b uint64
			b, err = p.uint(v, k, 4000000)
			if err == nil && b < 9600 {
				err = p.errf(v, k, "%d: want 9600 to 4000000", b)
			}
			s.Baud = int(b)
		case "protocol":
			s.Protocol, err = p.str(v, k)
			if err == nil && s.Protocol != "witmotion" {
				err = p.errf(v, k, "%q: want witmotion", s.Protocol)
			}
		case "mount_rpy_deg":
			err = p.nums(v, k, s.MountRPY[:])
		case "timeout":
			s.Timeout, err = p.dur(v, k)
		}
		return err
	})
	if err == nil && s.Port == "" {
		err = p.errf(n, key, "port: missing (the serial device, e.g. /dev/ttyUSB0)")
	}
	return s, err
}

// Info returns the hal.Info the robot file describes.
func (f *File) Info() *hal.Info {
	info := &hal.Info{Name: f.Robot}
	for _, j := range f.Joints {
		info.Joints = append(info.Joints, hal.JointInfo{Name: j.Name, PosMin: j.Range[0], PosMax: j.Range[1],
			VelocityLimit: j.VelLimit, EffortLimit: j.EffLimit})
	}
	return info
}

// Period is the control period the file is laid out for.
func (f *File) Period() time.Duration { return time.Duration(float64(time.Second) / f.Rate) }

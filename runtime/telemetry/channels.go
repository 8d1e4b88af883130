package telemetry

import (
	"fmt"
	"math"
	"strconv"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/stride-robotics/stride/hal"
)

// Type is how a channel's values are encoded in a tick record.
type Type uint8

// Channel types. Every value is a plain msgpack number (or boolean), never an
// extension type, so any msgpack library reads it.
const (
	F64  Type = iota + 1 // msgpack float 64 (0xcb), bit for bit
	Uint                 // msgpack unsigned integer, smallest encoding
	Int                  // msgpack signed integer, smallest encoding
	Bool                 // msgpack true/false
)

var typeNames = [...]string{F64: "f64", Uint: "uint", Int: "int", Bool: "bool"}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

func parseType(s string) Type {
	for i, n := range typeNames {
		if n == s && n != "" {
			return Type(i)
		}
	}
	return 0
}

// Channel names one column of the tick records: "q.left_knee",
// "imu.gyro.x", "truth.pos.z". The part before the first dot is its group.
type Channel struct {
	Name string
	Unit string // SI unit ("rad", "N·m", "m/s"); "" for counts, codes and flags
	Type Type

	value int // a declared channel's column: 1 + its index in Tick.Values; 0 for built-in channels
}

// Declared is a channel a controller or estimator declares for its own
// values (MPC wrenches, footsteps, solver status, policy outputs): Size
// values per tick, recorded without a format change. A channel of size 1 is
// the column Name; a larger one the columns Name.0 … Name.(Size−1). Its
// values live in Tick.Values, after those of the channels declared before
// it.
type Declared struct {
	Name string
	Unit string
	Size int
}

// Column returns the name of the channel's k-th column.
func (d *Declared) Column(k int) string {
	if d.Size == 1 {
		return d.Name
	}
	return d.Name + "." + strconv.Itoa(k)
}

// declaredChannels returns the columns of the declared channels.
func declaredChannels(decl []Declared) []Channel {
	var out []Channel
	for i := range decl {
		for k := 0; k < decl[i].Size; k++ {
			out = append(out, Channel{Name: decl[i].Column(k), Unit: decl[i].Unit, Type: F64, value: len(out) + 1})
		}
	}
	return out
}

// chanDef is a channel and where its value lives in a Tick. Exactly one of
// the accessors is set, matching Type (and the Go field's width).
type chanDef struct {
	Channel
	f64 func(*Tick) *float64
	u64 func(*Tick) *uint64
	u32 func(*Tick) *uint32
	u8  func(*Tick) *uint8
	i   func(*Tick) *int
	b   func(*Tick) *bool
}

// Channels returns the built-in channels of a log with the given joints, in
// record order: the tick, the sensors, the commands, the estimate, the
// command input, loop timing, and (truth) the simulator's ground truth.
// Joint channels follow the joints' order. A log's declared channels come
// after these (Header.Channels lists all).
func Channels(joints []string, truth bool) []Channel {
	defs := channelDefs(joints, truth, nil)
	out := make([]Channel, len(defs))
	for i := range defs {
		out[i] = defs[i].Channel
	}
	return out
}

func channelDefs(joints []string, truth bool, declared []Declared) []chanDef {
	var d []chanDef
	f := func(name, unit string, p func(*Tick) *float64) {
		d = append(d, chanDef{Channel: Channel{Name: name, Unit: unit, Type: F64}, f64: p})
	}
	u64 := func(name string, p func(*Tick) *uint64) {
		d = append(d, chanDef{Channel: Channel{Name: name, Type: Uint}, u64: p})
	}
	u32 := func(name string, p func(*Tick) *uint32) {
		d = append(d, chanDef{Channel: Channel{Name: name, Type: Uint}, u32: p})
	}
	u8 := func(name string, p func(*Tick) *uint8) {
		d = append(d, chanDef{Channel: Channel{Name: name, Type: Uint}, u8: p})
	}
	in := func(name string, p func(*Tick) *int) {
		d = append(d, chanDef{Channel: Channel{Name: name, Type: Int}, i: p})
	}
	perJoint := func(prefix, unit string, p func(t *Tick, j int) *float64) {
		for j, name := range joints {
			f(prefix+"."+name, unit, func(t *Tick) *float64 { return p(t, j) })
		}
	}
	xyz := [3]string{"x", "y", "z"}
	wxyz := [4]string{"w", "x", "y", "z"}
	vec3 := func(prefix, unit string, p func(*Tick) *[3]float64) {
		for k, a := range xyz {
			f(prefix+"."+a, unit, func(t *Tick) *float64 { return &p(t)[k] })
		}
	}
	quat := func(prefix string, p func(*Tick) *[4]float64) {
		for k, a := range wxyz {
			f(prefix+"."+a, "", func(t *Tick) *float64 { return &p(t)[k] })
		}
	}
	base := func(g string, p func(*Tick) *BaseState) {
		vec3(g+".pos", "m", func(t *Tick) *[3]float64 { return &p(t).Pos })
		quat(g+".quat", func(t *Tick) *[4]float64 { return &p(t).Quat })
		vec3(g+".linvel", "m/s", func(t *Tick) *[3]float64 { return &p(t).LinVel })
		vec3(g+".angvel", "rad/s", func(t *Tick) *[3]float64 { return &p(t).AngVel })
		vec3(g+".com", "m", func(t *Tick) *[3]float64 { return &p(t).COM })
		for k, side := range [2]string{"left", "right"} {
			f(g+".contact."+side, "", func(t *Tick) *float64 { return &p(t).Contact[k] })
		}
		for k, side := range [2]string{"left", "right"} {
			vec3(g+".force."+side, "N", func(t *Tick) *[3]float64 { return &p(t).Force[k] })
		}
	}

	// The tick.
	f("time", "s", func(t *Tick) *float64 { return &t.Time })
	u64("tick", func(t *Tick) *uint64 { return &t.Tick })
	u8("mode", func(t *Tick) *uint8 { return &t.Mode })
	u8("gait", func(t *Tick) *uint8 { return &t.Gait })
	f("gait_phase", "", func(t *Tick) *float64 { return &t.GaitPhase })
	u32("faults", func(t *Tick) *uint32 { return &t.Faults })

	// Sensors.
	f("sensors.time", "s", func(t *Tick) *float64 { return &t.Sensors.Time })
	u64("sensors.seq", func(t *Tick) *uint64 { return &t.Sensors.Seq })
	in("sensors.n", func(t *Tick) *int { return &t.Sensors.N })
	perJoint("q", "rad", func(t *Tick, j int) *float64 { return &t.Sensors.Q[j] })
	perJoint("qd", "rad/s", func(t *Tick, j int) *float64 { return &t.Sensors.Qd[j] })
	perJoint("tau", "N·m", func(t *Tick, j int) *float64 { return &t.Sensors.Tau[j] })
	quat("imu.quat", func(t *Tick) *[4]float64 { return &t.Sensors.IMU.Quat })
	vec3("imu.gyro", "rad/s", func(t *Tick) *[3]float64 { return &t.Sensors.IMU.Gyro })
	vec3("imu.accel", "m/s²", func(t *Tick) *[3]float64 { return &t.Sensors.IMU.Accel })
	for j, name := range joints {
		u32("fault."+name, func(t *Tick) *uint32 { return (*uint32)(&t.Sensors.JointFaults[j]) })
	}
	u32("fault.bus", func(t *Tick) *uint32 { return (*uint32)(&t.Sensors.BusFault) })

	// Commands, after the safety layer.
	in("cmd.n", func(t *Tick) *int { return &t.Command.N })
	perJoint("cmd.tau", "N·m", func(t *Tick, j int) *float64 { return &t.Command.Joint[j].Tau })
	perJoint("cmd.q", "rad", func(t *Tick, j int) *float64 { return &t.Command.Joint[j].Q })
	perJoint("cmd.qd", "rad/s", func(t *Tick, j int) *float64 { return &t.Command.Joint[j].Qd })
	perJoint("cmd.kp", "N·m/rad", func(t *Tick, j int) *float64 { return &t.Command.Joint[j].Kp })
	perJoint("cmd.kd", "N·m·s/rad", func(t *Tick, j int) *float64 { return &t.Command.Joint[j].Kd })

	// Estimate and input.
	base("est", func(t *Tick) *BaseState { return &t.Estimate })
	f("input.vx", "m/s", func(t *Tick) *float64 { return &t.Input.Vx })
	f("input.vy", "m/s", func(t *Tick) *float64 { return &t.Input.Vy })
	f("input.yaw_rate", "rad/s", func(t *Tick) *float64 { return &t.Input.YawRate })
	f("input.height", "m", func(t *Tick) *float64 { return &t.Input.Height })
	u8("input.mode_request", func(t *Tick) *uint8 { return &t.Input.ModeRequest })
	u8("input.source", func(t *Tick) *uint8 { return &t.Input.Source })

	// Loop timing.
	f("loop.lateness", "s", func(t *Tick) *float64 { return &t.Lateness })
	f("loop.compute", "s", func(t *Tick) *float64 { return &t.Compute })

	if truth {
		d = append(d, chanDef{Channel: Channel{Name: "truth.valid", Type: Bool}, b: func(t *Tick) *bool { return &t.HasTruth }})
		base("truth", func(t *Tick) *BaseState { return &t.Truth })
	}

	// Declared channels, in Tick.Values.
	for _, c := range declaredChannels(declared) {
		k := c.value - 1
		d = append(d, chanDef{Channel: c, f64: func(t *Tick) *float64 { return &t.Values[k] }})
	}
	return d
}

// encodeTick writes t as a msgpack array of the channels' values.
func encodeTick(e *msgpack.Encoder, defs []chanDef, t *Tick) error {
	if err := e.EncodeArrayLen(len(defs)); err != nil {
		return err
	}
	for i := range defs {
		c := &defs[i]
		var err error
		switch {
		case c.f64 != nil:
			err = e.EncodeFloat64(*c.f64(t))
		case c.u64 != nil:
			err = e.EncodeUint(*c.u64(t))
		case c.u32 != nil:
			err = e.EncodeUint(uint64(*c.u32(t)))
		case c.u8 != nil:
			err = e.EncodeUint(uint64(*c.u8(t)))
		case c.i != nil:
			err = e.EncodeInt(int64(*c.i(t)))
		case c.b != nil:
			err = e.EncodeBool(*c.b(t))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// decodePlan maps a file's record columns to this reader's Tick fields: for
// each column, the index of its chanDef, or −1 to skip a channel this
// version does not know (a newer writer's).
type decodePlan struct {
	defs []chanDef
	col  []int
}

func newDecodePlan(file []Channel, joints []string, truth bool, declared []Declared) (*decodePlan, error) {
	defs := channelDefs(joints, truth, declared)
	byName := make(map[string]int, len(defs))
	for i := range defs {
		byName[defs[i].Name] = i
	}
	p := &decodePlan{defs: defs, col: make([]int, len(file))}
	for j, c := range file {
		i, ok := byName[c.Name]
		if !ok {
			p.col[j] = -1
			continue
		}
		if c.Type != defs[i].Type {
			compatible := (c.Type == Uint || c.Type == Int) && defs[i].Type != Bool
			if !compatible {
				return nil, fmt.Errorf("channel %q: the file stores %v, this reader wants %v", c.Name, c.Type, defs[i].Type)
			}
		}
		p.col[j] = i
	}
	return p, nil
}

// decodeTick reads one record into t. Fields of channels absent from the file
// are zeroed.
func (p *decodePlan) decodeTick(d *msgpack.Decoder, t *Tick) error {
	n, err := d.DecodeArrayLen()
	if err != nil {
		return err
	}
	if n != len(p.col) {
		return fmt.Errorf("tick record has %d values, the header lists %d channels", n, len(p.col))
	}
	*t = Tick{}
	for _, i := range p.col {
		if i < 0 {
			if err := d.Skip(); err != nil {
				return err
			}
			continue
		}
		c := &p.defs[i]
		switch {
		case c.f64 != nil:
			v, err := d.DecodeFloat64()
			if err != nil {
				return fmt.Errorf("channel %q: %w", c.Name, err)
			}
			*c.f64(t) = v
		case c.i != nil:
			v, err := d.DecodeInt64()
			if err != nil {
				return fmt.Errorf("channel %q: %w", c.Name, err)
			}
			if v < -hal.MaxJoints || v > hal.MaxJoints {
				return fmt.Errorf("channel %q: %d out of range", c.Name, v)
			}
			*c.i(t) = int(v)
		case c.b != nil:
			v, err := d.DecodeBool()
			if err != nil {
				return fmt.Errorf("channel %q: %w", c.Name, err)
			}
			*c.b(t) = v
		default:
			v, err := d.DecodeUint64()
			if err != nil {
				return fmt.Errorf("channel %q: %w", c.Name, err)
			}
			switch {
			case c.u64 != nil:
				*c.u64(t) = v
			case c.u32 != nil:
				if v > 1<<32-1 {
					return fmt.Errorf("channel %q: %d does not fit 32 bits", c.Name, v)
				}
				*c.u32(t) = uint32(v)
			case c.u8 != nil:
				if v > 255 {
					return fmt.Errorf("channel %q: %d does not fit 8 bits", c.Name, v)
				}
				*c.u8(t) = uint8(v)
			}
		}
	}
	return nil
}

// ChannelValue reads one channel of a Tick as a float64 (integers and flags
// converted). It is for tools (CSV export, plots), not for hot paths.
type ChannelValue struct {
	Channel
	get func(*Tick) float64
}

// Value returns the channel's value in t.
func (c *ChannelValue) Value(t *Tick) float64 { return c.get(t) }

// Accessors returns, for each of the channels, a ChannelValue that reads it
// from a Tick; joints and truth must be those of the log (Header.Joints,
// Header.Truth). Declared channels are read from Tick.Values when the
// Channel comes from a Header (Header.Channels). Unknown channels read as
// NaN.
func Accessors(channels []Channel, joints []string, truth bool) []ChannelValue {
	defs := channelDefs(joints, truth, nil)
	byName := make(map[string]*chanDef, len(defs))
	for i := range defs {
		byName[defs[i].Name] = &defs[i]
	}
	out := make([]ChannelValue, len(channels))
	for k, ch := range channels {
		out[k].Channel = ch
		if v := ch.value - 1; v >= 0 && v < MaxValues {
			out[k].get = func(t *Tick) float64 { return t.Values[v] }
			continue
		}
		c, ok := byName[ch.Name]
		if !ok {
			out[k].get = func(*Tick) float64 { return math.NaN() }
			continue
		}
		switch {
		case c.f64 != nil:
			out[k].get = func(t *Tick) float64 { return *c.f64(t) }
		case c.u64 != nil:
			out[k].get = func(t *Tick) float64 { return float64(*c.u64(t)) }
		case c.u32 != nil:
			out[k].get = func(t *Tick) float64 { return float64(*c.u32(t)) }
		case c.u8 != nil:
			out[k].get = func(t *Tick) float64 { return float64(*c.u8(t)) }
		case c.i != nil:
			out[k].get = func(t *Tick) float64 { return float64(*c.i(t)) }
		case c.b != nil:
			out[k].get = func(t *Tick) float64 {
				if *c.b(t) {
					return 1
				}
				return 0
			}
		}
	}
	return out
}

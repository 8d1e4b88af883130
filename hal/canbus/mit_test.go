package canbus

import (
	"math"
	"math/rand/v2"
	"testing"
)

var layouts = []Layout{LayoutMiniCheetah, LayoutCubeMars, LayoutDamiao}

// Every command field round-trips within half its quantisation step,
// at both ends of its range, at zero and at random values; values beyond
// the range come back clamped to its end.
func TestCommandRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for name, pr := range Presets {
		d := &Drive{ID: 3, Ranges: pr.Ranges}
		r := pr.Ranges
		steps := [5]float64{Step(-r.PMax, r.PMax, 16), Step(-r.VMax, r.VMax, 12), Step(0, r.KpMax, 12), Step(0, r.KdMax, 12), Step(-r.TMax, r.TMax, 12)}
		cases := []MotorCommand{
			{-r.PMax, -r.VMax, 0, 0, -r.TMax},
			{r.PMax, r.VMax, r.KpMax, r.KdMax, r.TMax},
			{0, 0, 0, 0, 0},
		}
		for i := 0; i < 2000; i++ {
			cases = append(cases, MotorCommand{(2*rng.Float64() - 1) * r.PMax, (2*rng.Float64() - 1) * r.VMax,
				rng.Float64() * r.KpMax, rng.Float64() * r.KdMax, (2*rng.Float64() - 1) * r.TMax})
		}
		m := &MIT{}
		for _, c := range cases {
			var f Frame
			m.Command(&f, d, &c)
			var got MotorCommand
			op, err := m.DecodeCommand(&f, d, &got)
			if err != nil || op != OpCommand {
				t.Fatalf("%s: %+v: decoded as %v, %v", name, c, op, err)
			}
			in := [5]float64{c.P, c.V, c.Kp, c.Kd, c.T}
			out := [5]float64{got.P, got.V, got.Kp, got.Kd, got.T}
			for k := range in {
				if e := math.Abs(in[k] - out[k]); e > steps[k]/2+1e-12 {
					t.Fatalf("%s: field %d: %g came back %g, error %g > half step %g", name, k, in[k], out[k], e, steps[k]/2)
				}
			}
		}
		// beyond the range: clamped
		var f Frame
		var got MotorCommand
		m.Command(&f, d, &MotorCommand{P: 2 * r.PMax, V: -2 * r.VMax, Kp: 2 * r.KpMax, Kd: -1, T: 3 * r.TMax})
		m.DecodeCommand(&f, d, &got)
		if got.P != r.PMax || got.V != -r.VMax || got.Kp != r.KpMax || got.Kd != 0 || got.T != r.TMax {
			t.Errorf("%s: out-of-range command not clamped: %+v", name, got)
		}
	}
}

func TestReplyRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := Ranges{PMax: 12.5, VMax: 45, TMax: 54, KpMax: 500, KdMax: 5}
	d := &Drive{ID: 7, Ranges: r}
	sp, sv, st := Step(-r.PMax, r.PMax, 16), Step(-r.VMax, r.VMax, 12), Step(-r.TMax, r.TMax, 12)
	for _, lay := range layouts {
		m := &MIT{Layout: lay}
		vals := [][3]float64{{-r.PMax, -r.VMax, -r.TMax}, {r.PMax, r.VMax, r.TMax}}
		for i := 0; i < 2000; i++ {
			vals = append(vals, [3]float64{(2*rng.Float64() - 1) * r.PMax, (2*rng.Float64() - 1) * r.VMax, (2*rng.Float64() - 1) * r.TMax})
		}
		for _, v := range vals {
			var f Frame
			code := uint8(0)
			if lay == LayoutDamiao {
				code = 1
			}
			m.EncodeReply(&f, d, 0, v[0], v[1], v[2], 41, code)
			id, ok := m.ReplyFrom(&f, 0)
			if !ok || id != 7 {
				t.Fatalf("%s: reply from %d, %v", m.Name(), id, ok)
			}
			var s MotorState
			if err := m.Reply(&f, d, &s); err != nil {
				t.Fatal(err)
			}
			if math.Abs(s.P-v[0]) > sp/2+1e-12 || math.Abs(s.V-v[1]) > sv/2+1e-12 || math.Abs(s.T-v[2]) > st/2+1e-12 {
				t.Fatalf("%s: %v came back %+v", m.Name(), v, s)
			}
			if lay != LayoutMiniCheetah && s.Temp != 41 {
				t.Fatalf("%s: temperature 41 came back %g", m.Name(), s.Temp)
			}
			if lay == LayoutMiniCheetah && !math.IsNaN(s.Temp) {
				t.Fatalf("mini cheetah reports no temperature, got %g", s.Temp)
			}
		}
	}
}

func TestControlFrames(t *testing.T) {
	m := &MIT{}
	d := &Drive{ID: 9, Ranges: Presets["cubemars-ak80-9"].Ranges}
	for _, op := range []Op{OpEnable, OpDisable, OpZero} {
		var f Frame
		m.Control(&f, d, op)
		got, err := m.DecodeCommand(&f, d, &MotorCommand{})
		if err != nil || got != op || f.ID != 9 {
			t.Errorf("%v: decoded %v %v id %d", op, got, err, f.ID)
		}
	}
}

func TestErrorCodes(t *testing.T) {
	d := &Drive{ID: 2, Ranges: Presets["cubemars-ak80-9"].Ranges}
	cases := []struct {
		lay  Layout
		code uint8
		want string
	}{{LayoutCubeMars, 1, "over-temperature"}, {LayoutCubeMars, 2, "over-current"}, {LayoutCubeMars, 5, "encoder"},
		{LayoutCubeMars, 3, "drive-error"}, {LayoutDamiao, 0xb, "over-temperature"}, {LayoutDamiao, 9, "under-voltage"},
		{LayoutDamiao, 0xd, "comm-lost"}, {LayoutDamiao, 1, "ok"}}
	for _, c := range cases {
		m := &MIT{Layout: c.lay}
		var f Frame
		m.EncodeReply(&f, d, 0, 0, 0, 0, 30, c.code)
		var s MotorState
		if err := m.Reply(&f, d, &s); err != nil || s.Fault.String() != c.want {
			t.Errorf("%s code %d: fault %v (err %v), want %s", m.Name(), c.code, s.Fault, err, c.want)
		}
	}
	// a Damiao state the firmware never sends is a garbled frame
	m := &MIT{Layout: LayoutDamiao}
	var f Frame
	m.EncodeReply(&f, d, 0, 0, 0, 0, 30, 5)
	if err := m.Reply(&f, d, &MotorState{}); err == nil {
		t.Error("damiao state 5 accepted")
	}
}

func TestWireRoundTrip(t *testing.T) {
	for _, f := range []Frame{{ID: 0x7ff, Len: 8, Data: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}}, {ID: 0x1abcdef, Ext: true, Len: 3},
		{ID: canErrBusOff, Err: true, Len: 8}} {
		var b [WireSize]byte
		f.Marshal(b[:])
		var g Frame
		if err := g.Unmarshal(b[:]); err != nil || g != f {
			t.Errorf("%v came back %v (%v)", f, g, err)
		}
	}
	if !(&Frame{ID: canErrBusOff, Err: true}).BusOff() {
		t.Error("bus-off error frame not recognised")
	}
}

// Worst-case frame length: 8 data bytes, standard id: 98 stuffable bits,
// 24 stuff bits, 13 trailing.
func TestFrameBits(t *testing.T) {
	if got := FrameBits(8); got != 135 {
		t.Errorf("FrameBits(8) = %d, want 135", got)
	}
	if got := FrameBits(0); got != 34+8+13 {
		t.Errorf("FrameBits(0) = %d, want 55", got)
	}
}

func FuzzReply(f *testing.F) {
	f.Add(uint32(0), []byte{7, 0x80, 0, 0x80, 0x08, 0, 30, 0})
	f.Add(uint32(0), []byte{0x17, 0xff, 0xff, 0xff, 0xff, 0xff, 30, 40})
	f.Add(uint32(5), []byte{})
	f.Fuzz(func(t *testing.T, id uint32, data []byte) {
		var wire [WireSize]byte
		copy(wire[:4], []byte{byte(id), byte(id >> 8), byte(id >> 16), byte(id >> 24)})
		if len(data) > 0 {
			wire[4] = data[0] % 10
			copy(wire[8:], data[1:])
		}
		var fr Frame
		if fr.Unmarshal(wire[:]) != nil {
			return
		}
		d := &Drive{ID: 7, Ranges: Ranges{PMax: 12.5, VMax: 45, TMax: 54, KpMax: 500, KdMax: 5}}
		for _, lay := range layouts {
			m := &MIT{Layout: lay}
			var s MotorState
			m.ReplyFrom(&fr, 0)
			if err := m.Reply(&fr, d, &s); err == nil {
				if math.Abs(s.P) > 12.5 || math.Abs(s.V) > 45 || math.Abs(s.T) > 54 {
					t.Fatalf("%s: decoded outside the ranges: %+v", m.Name(), s)
				}
			}
			var c MotorCommand
			if op, err := m.DecodeCommand(&fr, d, &c); err == nil && op == OpCommand {
				if math.Abs(c.P) > 12.5 || c.Kp < 0 || c.Kp > 500 {
					t.Fatalf("command decoded outside the ranges: %+v", c)
				}
			}
		}
	})
}

package runtime

import (
	"bytes"
	"encoding/json"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/locomotion"
)

// refMessage is the message as encoding/json sees it: the reference the
// hand-written reader is checked against.
type refMessage struct {
	Vx      *float64 `json:"vx"`
	Vy      *float64 `json:"vy"`
	YawRate *float64 `json:"yaw_rate"`
	Height  *float64 `json:"height"`
	Gait    string   `json:"gait"`
	Mode    string   `json:"mode"`
	EStop   bool     `json:"estop"`
	Reset   bool     `json:"reset"`
}

// refParse decodes b with encoding/json (one object, known keys, nothing
// after it) into a Command; ok is false for anything it refuses.
func refParse(b []byte) (c Command, ok bool) {
	var m refMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if dec.Decode(&m) != nil {
		return c, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return c, false
	}
	f := func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	}
	if m.Vx != nil || m.Vy != nil || m.YawRate != nil {
		c.Set |= SetVelocity
		c.Vx, c.Vy, c.YawRate = f(m.Vx), f(m.Vy), f(m.YawRate)
	}
	if m.Height != nil {
		c.Set |= SetHeight
		c.Height = *m.Height
	}
	if m.Gait != "" {
		g, err := locomotion.ParseGait(m.Gait)
		if err != nil {
			return c, false
		}
		c.Set |= SetGait
		c.Gait = g
	}
	if m.Mode != "" {
		md, err := ParseMode(m.Mode)
		if err != nil {
			return c, false
		}
		c.Mode = md
	}
	c.EStop, c.Reset = m.EStop, m.Reset
	return c, true
}

var udpSamples = []string{
	`{"vx": 0.3, "yaw_rate": 0.1, "gait": "run", "mode": "locomotion"}`,
	`{"vx":-0.25,"vy":1E-3,"yaw_rate":0,"height":-0.05e0}`,
	` {"estop": true, "reset": false} ` + "\n",
	`{"mode": "stand", "gait": "walk"}`,
	`{"g\u0061it": "w\u0061lk", "vx": null}`,
	`{"vx": 12345678901234567890.5, "vy": -0.0}`,
	`{"height": 1.5e-400}`,
}

// Valid messages decode as encoding/json decodes them.
func TestParseUDPMessageMatchesEncodingJSON(t *testing.T) {
	for _, s := range udpSamples {
		got, err := ParseUDPMessage([]byte(s))
		want, ok := refParse([]byte(s))
		if err != nil || !ok || got != want {
			t.Errorf("%s:\n got  %+v %v\n want %+v (encoding/json ok: %v)", s, got, err, want, ok)
		}
	}
	// Strict where encoding/json is lax or the message would be ambiguous.
	for _, s := range []string{`{"VX": 1}`, `{"vx": 1, "v\u0078": 2}`, `{"vx": 01}`, `{"vx": 1.}`, `{"vx": .5}`,
		`{"vx": +1}`, `{"vx": 1,}`, `{"vx": 0x10}`, `{"vx": Infinity}`, "{\"gait\": \"wa\tlk\"}", `{"vx": 1} x`} {
		if c, err := ParseUDPMessage([]byte(s)); err == nil {
			t.Errorf("%s: accepted as %+v", s, c)
		}
	}
}

// A valid message costs no allocation, parsed or received whole.
func TestUDPMessageAllocatesNothing(t *testing.T) {
	for _, s := range udpSamples {
		b := []byte(s)
		if n := testing.AllocsPerRun(100, func() { _, _ = ParseUDPMessage(b) }); n != 0 {
			t.Errorf("%s: %v allocations per message", s, n)
		}
	}
	m := NewMux(testLimits())
	s := &UDPServer{sink: m, logf: func(string, ...any) { t.Error("logged") }, rate: 1e9, burst: 1e9, tokens: 1e9, last: time.Now()}
	msg := []byte(`{"vx": 0.3, "yaw_rate": 0.1, "gait": "walk"}`)
	from := netip.MustParseAddrPort("127.0.0.1:9000")
	now := time.Now()
	if n := testing.AllocsPerRun(100, func() { s.handle(msg, from, now) }); n != 0 {
		t.Errorf("%v allocations per received message", n)
	}
	if st := s.Stats(); st.Accepted != st.Received || st.Received < 100 {
		t.Errorf("stats %+v", st)
	}
}

// Whatever the reader accepts, encoding/json accepts with the same meaning;
// what encoding/json accepts and the reader refuses is a key in another case
// or a key given twice.
func FuzzParseUDPMessageAgainstEncodingJSON(f *testing.F) {
	for _, s := range udpSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseUDPMessage(b)
		want, ok := refParse(b)
		if err == nil && (!ok || got != want) {
			if ok || !strings.Contains(string(b), `\u`) { // encoding/json replaces a lone surrogate; both then refuse the name
				t.Fatalf("%q: got %+v, encoding/json %+v (ok %v)", b, got, want, ok)
			}
		}
		if err != nil && ok && want != (Command{}) {
			if msg := err.Error(); !strings.Contains(msg, "unknown key") && !strings.Contains(msg, "given twice") {
				t.Fatalf("%q: refused (%v), encoding/json took %+v", b, err, want)
			}
		}
	})
}

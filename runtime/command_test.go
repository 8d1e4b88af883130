package runtime

import (
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/locomotion"
)

func testLimits() Limits { return limitsOf(&Defaults().Commands) }

func TestMux(t *testing.T) {
	m := NewMux(testLimits())
	var in Input
	must(t, m.Send(SourceUDP, Command{Set: SetVelocity | SetGait, Vx: 0.5, YawRate: -0.2, Gait: locomotion.GaitWalk, Mode: ModeStandup}))
	r := m.poll(1, 0.5, &in)
	if in.Vx != 0.5 || in.YawRate != -0.2 || in.Gait != locomotion.GaitWalk || in.Source != SourceUDP || in.Since != 1 {
		t.Errorf("input %+v", in)
	}
	if r.mode != ModeStandup || r.modeSrc != SourceUDP || r.estop {
		t.Errorf("requests %+v", r)
	}
	// Requests are taken once; set-points stay.
	if r := m.poll(1.001, 0.5, &in); r.mode != ModeNone || in.Vx != 0.5 {
		t.Errorf("second poll: %+v, %+v", r, in)
	}
	// Out of range or not finite: rejected whole, nothing changes.
	for _, c := range []Command{
		{Set: SetVelocity, Vx: 5},
		{Set: SetVelocity, Vy: math.NaN()},
		{Set: SetVelocity | SetHeight, Vx: 0.1, Height: 0.3},
		{Set: SetGait, Gait: 7},
		{Mode: 9, EStop: true},
	} {
		if err := m.Send(SourceKeyboard, c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	err := m.Send(SourceKeyboard, Command{Set: SetVelocity, Vx: 5})
	wantErrContains(t, err, "from keyboard", "vx = 5 m/s", "[-4.5, 4.5]", "ignored")
	if r := m.poll(1.002, 0.5, &in); r != (requests{}) || in.Vx != 0.5 || in.Source != SourceUDP {
		t.Errorf("a rejected command changed something: %+v %+v", r, in)
	}
	if a, rj := m.Counts(SourceKeyboard); a != 0 || rj != 6 {
		t.Errorf("keyboard counts %d accepted, %d rejected", a, rj)
	}
	// Silence: velocities fall to zero after the timeout; height and gait stay.
	if m.poll(1.6, 0.5, &in); in.Vx != 0 || in.YawRate != 0 || in.Gait != locomotion.GaitWalk {
		t.Errorf("after the timeout: %+v", in)
	}
	// Scripts do not time out.
	must(t, m.Send(SourceScript, Command{Set: SetVelocity, Vx: 0.3}))
	m.poll(2, 0.5, &in)
	if m.poll(10, 0.5, &in); in.Vx != 0.3 {
		t.Errorf("a scripted set-point timed out: %+v", in)
	}
	// E-stop and reset are sticky until taken; the newest mode request wins.
	must(t, m.Send(SourceGamepad, Command{EStop: true}))
	must(t, m.Send(SourceUDP, Command{Mode: ModeDamping}))
	must(t, m.Send(SourceUDP, Command{Mode: ModeStand, Reset: true}))
	if r := m.poll(11, 0.5, &in); !r.estop || r.estopSrc != SourceGamepad || !r.reset || r.mode != ModeStand {
		t.Errorf("requests %+v", r)
	}
}

func TestParseUDPMessage(t *testing.T) {
	c, err := ParseUDPMessage([]byte(`{"vx": 0.3, "yaw_rate": 0.1, "gait": "run", "mode": "locomotion"}`))
	must(t, err)
	if c.Set != SetVelocity|SetGait || c.Vx != 0.3 || c.Vy != 0 || c.YawRate != 0.1 || c.Gait != locomotion.GaitRun || c.Mode != ModeLocomotion {
		t.Errorf("%+v", c)
	}
	if c, err := ParseUDPMessage([]byte(`{"estop": true}`)); err != nil || !c.EStop || c.Set != 0 {
		t.Errorf("estop: %+v %v", c, err)
	}
	for _, tc := range []struct{ msg, want string }{
		{`{"vx": 0.3`, "not a command message"},
		{`{"speed": 1}`, `unknown key "speed"`},
		{`{"vx": "fast"}`, "not a command message"},
		{`{"vx": 1} {"vx": 2}`, "data after the JSON object"},
		{`[1, 2]`, "not a command message"},
		{`{"mode": "walk"}`, `unknown mode "walk"`},
		{`{"gait": "hop"}`, `unknown gait "hop"`},
		{`{}`, "sets nothing"},
		{``, "not a command message"},
	} {
		_, err := ParseUDPMessage([]byte(tc.msg))
		wantErrContains(t, err, tc.want)
	}
}

// The UDP port: valid messages reach the Mux; malformed ones and values out
// of range are counted and ignored; a flood is rate-limited.
func TestUDPServer(t *testing.T) {
	m := NewMux(testLimits())
	s, err := ListenUDP(":0", m, 1000, 5, nil)
	must(t, err)
	defer s.Close()
	if a := s.Addr().(*net.UDPAddr); !a.IP.IsLoopback() {
		t.Errorf("bound %v, want loopback", a)
	}
	conn, err := net.Dial("udp", s.Addr().String())
	must(t, err)
	defer conn.Close()
	send := func(msg string) {
		if _, err := conn.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"vx": 0.4, "mode": "standup"}`)
	send(`{"vx": 0.4`)              // malformed
	send(`{"vx": 40}`)              // out of range
	send(strings.Repeat(" ", 3000)) // too long
	waitFor(t, func() bool { return s.Stats().Received == 4 })
	st := s.Stats()
	if st.Accepted != 1 || st.Malformed != 2 || st.Rejected != 1 || st.RateLimited != 0 {
		t.Errorf("stats %+v", st)
	}
	var in Input
	if r := m.poll(0, 1, &in); in.Vx != 0.4 || r.mode != ModeStandup || in.Source != SourceUDP {
		t.Errorf("input %+v, request %+v", in, r)
	}
	// A burst beyond the bucket (5, refilling at 1000/s) is cut.
	for i := 0; i < 200; i++ {
		send(`{"vx": 0.1}`)
	}
	waitFor(t, func() bool { return s.Stats().Received == 204 })
	if st := s.Stats(); st.RateLimited == 0 || st.Accepted+st.RateLimited+st.Malformed+st.Rejected != 204 {
		t.Errorf("after a flood: %+v", st)
	}
	_, err = ListenUDP("nohost", m, 10, 1, nil)
	wantErrContains(t, err, "commands.udp.listen", "HOST:PORT")
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met within 5 s")
}

// The gamepad, fed through a pipe in the kernel's 8-byte js_event layout.
func TestGamepad(t *testing.T) {
	pr, pw, err := os.Pipe()
	must(t, err)
	m := NewMux(testLimits())
	cfg := Defaults().Commands.Gamepad
	g := NewGamepad(pr, m, cfg, testLimits(), nil)
	defer g.Close()
	ev := func(typ, num uint8, v int16) {
		b := JSEvent{Time: 1, Value: v, Type: typ, Number: num}.Encode()
		if _, err := pw.Write(b[:]); err != nil {
			t.Fatal(err)
		}
	}
	// Initial state: a pressed e-stop button and a pushed stick must not act.
	ev(jsEventButton|jsEventInit, uint8(cfg.ButtonEStop), 1)
	ev(jsEventAxis|jsEventInit, uint8(cfg.AxisVx), -32767)
	// Stick forward half way, left stick sideways inside the dead zone.
	ev(jsEventAxis, uint8(cfg.AxisVx), -16384)
	ev(jsEventAxis, uint8(cfg.AxisVy), 1000)
	ev(jsEventButton, uint8(cfg.ButtonStandup), 1)
	ev(jsEventButton, uint8(cfg.ButtonStandup), 0) // release: nothing
	waitFor(t, func() bool { return g.Events() == 6 })
	var in Input
	r := m.poll(0, 1, &in)
	wantVx := (16384.0/32767 - cfg.Deadzone) / (1 - cfg.Deadzone) * testLimits().MaxVx
	approx(t, "vx", in.Vx, wantVx, 1e-9)
	if in.Vy != 0 || in.Source != SourceGamepad || r.mode != ModeStandup || r.estop {
		t.Errorf("input %+v, requests %+v", in, r)
	}
	ev(jsEventButton, uint8(cfg.ButtonEStop), 1)
	waitFor(t, func() bool { return g.Events() == 7 })
	if r := m.poll(0.01, 1, &in); !r.estop || r.estopSrc != SourceGamepad {
		t.Errorf("e-stop button: %+v", r)
	}
	// A held stick is resent, so the command timeout does not stop it.
	a0, _ := m.Counts(SourceGamepad)
	time.Sleep(3 * GamepadKeepalive)
	if a1, _ := m.Counts(SourceGamepad); a1 < a0+2 {
		t.Errorf("held stick resent %d times in %v", a1-a0, 3*GamepadKeepalive)
	}
	// Unplugged: velocities go to zero, the reader stops.
	pw.Close()
	select {
	case <-g.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("reader did not stop at EOF")
	}
	m.poll(0.02, 1, &in)
	if in.Vx != 0 || g.Disconnects() != 1 {
		t.Errorf("after disconnect: %+v, disconnects %d", in, g.Disconnects())
	}
	_, err = OpenGamepad("/nonexistent/js0", m, cfg, testLimits(), nil)
	wantErrContains(t, err, "commands.gamepad.device", "/nonexistent/js0")
	// A regular file is not a joystick: refused, not read as events.
	reg := filepath.Join(t.TempDir(), "js0")
	if err := os.WriteFile(reg, make([]byte, 64), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = OpenGamepad(reg, m, cfg, testLimits(), nil)
	wantErrContains(t, err, "commands.gamepad.device", "is a regular file, not a character device")
}

func TestScript(t *testing.T) {
	src := `
steps:
  - {t: 0, mode: standup}
  - t: 2.5
    mode: locomotion
    vx: 0.3
    gait: walk
  - {t: 2.5, height: -0.05}
  - {t: 4, estop: true}
`
	s, err := ParseScript("walk.yaml", []byte(src), testLimits())
	must(t, err)
	if len(s.Steps) != 4 || s.Steps[1].Line != 4 || s.Steps[1].Cmd.Vx != 0.3 || s.Steps[1].Cmd.Set != SetVelocity|SetGait || s.End() != 4 {
		t.Fatalf("steps %+v", s.Steps)
	}
	m := NewMux(testLimits())
	var in Input
	s.feed(0, m, nil)
	if r := m.poll(0, 1, &in); r.mode != ModeStandup {
		t.Errorf("t=0: %+v", r)
	}
	s.feed(2.499, m, nil)
	if r := m.poll(2.499, 1, &in); r.mode != ModeNone || in.Vx != 0 {
		t.Errorf("t=2.499: %+v %+v", r, in)
	}
	s.feed(2.5, m, nil)
	if r := m.poll(2.5, 1, &in); r.mode != ModeLocomotion || in.Vx != 0.3 || in.Height != -0.05 || in.Source != SourceScript {
		t.Errorf("t=2.5: %+v %+v", r, in)
	}
	s.feed(100, m, nil)
	if r := m.poll(100, 1, &in); !r.estop || r.estopSrc != SourceScript {
		t.Errorf("t=100: %+v", r)
	}

	for _, tc := range []struct{ src, want string }{
		{"steps:\n  - {t: 1, vx: 9}\n", "bad.yaml:2: commands: step 1: vx = 9 m/s: allowed range [-4.5, 4.5]"},
		{"steps:\n  - {t: 2, vx: 0}\n  - {t: 1, vx: 0}\n", "bad.yaml:3: commands: step 2: t = 1 s is before the step above"},
		{"steps:\n  - {vx: 0.1}\n", "step 1: no time t"},
		{"steps:\n  - {t: -1, vx: 0.1}\n", "t = -1"},
		{"steps:\n  - {t: 1, mode: fly}\n", `unknown mode "fly"`},
		{"steps:\n  - {t: 1, gait: hop}\n", `unknown gait "hop"`},
		{"steps:\n  - {t: 1}\n", "sets nothing"},
		{"steps:\n  - {t: 1, speed: 3}\n", `bad.yaml:2:12: commands: step 1: "speed" is not a key; the keys are t, vx,`},
		{"steps: []\n", "no steps"},
		{"commands:\n  - {t: 1}\n", `bad.yaml:1:1: commands: "commands" is not a key at the top level; the keys are steps`},
		{"steps:\n  - 3\n", "bad.yaml:2:5: commands: step 1: want a mapping with the keys t, vx, vy, yaw_rate, height, gait, mode, estop, reset, push, found the number 3"},
	} {
		_, err := ParseScript("bad.yaml", []byte(tc.src), testLimits())
		wantErrContains(t, err, tc.want)
	}
	_, err = LoadScript("/nonexistent.yaml", testLimits())
	wantErrContains(t, err, "/nonexistent.yaml")
}

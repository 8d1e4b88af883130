package runtime

import (
	"strings"
	"testing"
)

// Untrusted input never panics: a UDP datagram either parses to a command
// within the limits' reach or is an error; a config or script file either
// loads valid or is an error.

func FuzzParseUDPMessage(f *testing.F) {
	for _, s := range []string{`{"vx": 0.3}`, `{"mode": "stand", "estop": true}`, `{"gait": "run", "height": -0.1}`, `{`, `[]`, `{"vx": 1e400}`} {
		f.Add([]byte(s))
	}
	m := NewMux(testLimits())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseUDPMessage(b)
		if err != nil {
			fuzzForPeople(t, string(b), err)
			return
		}
		if c.Mode >= numModes || !c.Gait.Valid() {
			t.Fatalf("parsed %+v", c)
		}
		_ = m.Send(SourceUDP, c) // range checks happen here; must not panic
	})
}

func FuzzConfig(f *testing.F) {
	out, _ := Defaults().Print()
	f.Add(string(out))
	f.Add("loop:\n  rate: 500\nstand:\n  joints:\n    ja: {kp: 1}\n")
	f.Add("safety: [1, 2]\n")
	r := newFakeRobot(3)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse("fuzz.yaml", []byte(s))
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			fuzzForPeople(t, s, err)
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted an invalid config: %v", err)
		}
		_, _ = resolve(c, &r.info)
	})
}

func FuzzScript(f *testing.F) {
	f.Add("steps:\n  - {t: 0, mode: standup}\n  - {t: 1, vx: 0.2, gait: walk}\n")
	f.Add("steps:\n  - {t: 1, estop: true, reset: true}\n")
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := ParseScript("fuzz.yaml", []byte(s), testLimits())
		if err != nil {
			fuzzForPeople(t, s, err)
			return
		}
		last := -1.0
		for _, st := range sc.Steps {
			if st.T < last || st.T < 0 {
				t.Fatalf("steps out of order: %+v", sc.Steps)
			}
			last = st.T
			lim := testLimits()
			if err := lim.Check(&st.Cmd); err != nil {
				t.Fatalf("a step out of range was accepted: %v", err)
			}
		}
	})
}

// fuzzForPeople fails when an error message holds Go internals that did not
// come from the input itself (a message may quote the input).
func fuzzForPeople(t *testing.T, input string, err error) {
	msg := err.Error()
	for _, bad := range goInternals {
		if strings.Contains(msg, bad) && !strings.Contains(input, strings.TrimSpace(bad)) {
			t.Fatalf("message %q contains %q", msg, bad)
		}
	}
	if strings.HasSuffix(msg, "EOF") && !strings.HasSuffix(input, "EOF") {
		t.Fatalf("message %q ends in a bare EOF", msg)
	}
}

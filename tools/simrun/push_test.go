package simrun

import (
	"strings"
	"testing"

	"github.com/stride-robotics/stride/runtime"
)

// --push-at pushes join the start-up script in time order, after a step of
// the same time; a malformed one is refused naming it.
func TestAddPushes(t *testing.T) {
	cfg := runtime.Defaults()
	script, err := Script(cfg, "", "stand")
	if err != nil {
		t.Fatal(err)
	}
	script, err = AddPushes(script, []string{"5:20,0,0", "0: 0, -3.5, 1"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(script.Steps); n != 3 {
		t.Fatalf("%d steps, want standup and two pushes", n)
	}
	if s := script.Steps[0]; s.HasPush || s.Cmd.Mode != runtime.ModeStandup {
		t.Errorf("step 1 %+v, want the standup request first", s)
	}
	if s := script.Steps[1]; !s.HasPush || s.T != 0 || s.Push != [3]float64{0, -3.5, 1} {
		t.Errorf("step 2 %+v, want the push at 0 s", s)
	}
	if s := script.Steps[2]; !s.HasPush || s.T != 5 || s.Push != [3]float64{20, 0, 0} {
		t.Errorf("step 3 %+v, want the push at 5 s", s)
	}
	if s, err := AddPushes(nil, []string{"1:1,2,3"}); err != nil || s.Name != "--push-at" || len(s.Steps) != 1 {
		t.Errorf("pushes alone: %+v, %v", s, err)
	}
	for _, c := range []struct{ spec, want string }{
		{"5:20,0", "want T:PX,PY,PZ"},
		{"5", "want T:PX,PY,PZ"},
		{"x:1,2,3", `"x" is not a number`},
		{"-1:1,2,3", "want a time ≥ 0 s"},
		{"1:300,0,0", "at most 200 N·s"},
		{"1:NaN,0,0", "finite"},
	} {
		_, err := AddPushes(nil, []string{c.spec})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "--push-at") {
			t.Errorf("--push-at %s: got %v, want an error naming it and %q", c.spec, err, c.want)
		}
	}
}

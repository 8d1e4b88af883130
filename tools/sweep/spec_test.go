package sweep

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodHead = `scenario:
  duration: 1.5s
  noise: true
  config: quick-config.yaml
  walk: {t: 0.8, vx: 0.3}
seeds: [1, 2]
`

// Bad specs are refused before anything runs, naming the file, the line
// and what is wrong.
func TestBadSpecs(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"unknown key", goodHead + "parameters:\n  walker.swing.apexx: {values: [0.1]}\n",
			`testdata/bad.yaml:8: parameters: walker.swing.apexx: config: walker.swing: "apexx" is not a key`},
		{"out of range", goodHead + "parameters:\n  walker.swing.apex:\n    values: [0.05, 0.9]\n",
			"testdata/bad.yaml:9: parameters: walker.swing.apex: config: walker.swing.apex: 0.9 m is out of range; allowed range [0, 0.5] m"},
		{"empty list", goodHead + "parameters:\n  walker.swing.apex: {values: []}\n",
			"testdata/bad.yaml:8: parameters: walker.swing.apex: empty list of values"},
		{"empty grid", goodHead + "parameters:\n  walker.swing.apex: {grid: {from: 0.05, to: 0.1, count: 0}}\n",
			"testdata/bad.yaml:8: parameters: walker.swing.apex: grid count 0"},
		{"no parameters", goodHead, "testdata/bad.yaml: parameters: none given"},
		{"crossed timing", goodHead + "parameters:\n  walker.timing.period_min: {values: [0.7, 0.9]}\n",
			"testdata/bad.yaml:8: parameters: the set walker.timing.period_min=0.9 is refused: config: walker.timing.period_min: 0.9 s is above walker.timing.period0 (0.8 s)"},
		{"speed over the limit", goodHead + "parameters:\n  command.vx: {values: [0.5, 5]}\n",
			"the set command.vx=5 is refused: scenario.walk"},
		{"unknown top-level key", goodHead + "paramters: {}\n", "testdata/bad.yaml:7: field paramters not found"},
		{"bad duration", strings.Replace(goodHead, "1.5s", "1.5", 1) + "parameters:\n  command.vx: {values: [0.5]}\n",
			`testdata/bad.yaml:2: scenario.duration: "1.5": want a simulated duration`},
		{"seeds without noise", strings.Replace(goodHead, "noise: true", "noise: false", 1) + "parameters:\n  command.vx: {values: [0.5]}\n",
			"testdata/bad.yaml:6: seeds: 2 seeds but scenario.noise is off"},
	} {
		_, err := Parse("testdata/bad.yaml", []byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v\nwant it to contain %q", tc.name, err, tc.want)
		}
	}
}

// An output that cannot be written is refused before any rollout runs.
func TestUnwritableOutput(t *testing.T) {
	s := loadQuick(t)
	file := filepath.Join(t.TempDir(), "plain-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	called := 0
	_, err := s.RunSweep(context.Background(), Options{Out: filepath.Join(file, "out"), Progress: func(int, int, int) { called++ }})
	if err == nil || !strings.Contains(err.Error(), "output:") || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("error %v", err)
	}
	if called != 0 {
		t.Fatal("progress reported before the output was checked")
	}
}

// The plan: a grid and a list make a product, random parameters are drawn
// from the seeded generator (the same draws every time), ids are stable.
func TestPlan(t *testing.T) {
	body := goodHead + `parameters:
  command.vx: {values: [0.2, 0.4]}
  gait.step_frequency: {grid: {from: 2, to: 3, count: 3}}
  walker.swing.apex: {random: {from: 0.05, to: 0.1}}
samples: 2
random_seed: 7
`
	s, err := Parse("testdata/plan.yaml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	rs := s.Rollouts()
	if len(rs) != 2*3*2*2 {
		t.Fatalf("%d rollouts, want 24", len(rs))
	}
	if v := rs[0].Vals; v[0].Text != "0.2" || v[1].Text != "2" || v[2].Key != "walker.swing.apex" {
		t.Fatalf("first set %v", v)
	}
	if rs[2].Vals[2].Text == rs[0].Vals[2].Text {
		t.Fatal("the two random draws are equal")
	}
	again, _ := Parse("testdata/plan.yaml", []byte(body))
	for i, r := range again.Rollouts() {
		if r.ID != rs[i].ID || r.Vals[2] != rs[i].Vals[2] {
			t.Fatalf("rollout %d differs on a second load", i)
		}
	}
	c, _, err := s.Setup(rs[4].Vals) // step frequency 2.5 Hz: stride 0.8 s
	if err != nil || c.Walker.Timing.Period0 != 0.8 || c.Walker.Timing.PeriodMin != 0.8 {
		t.Fatalf("step frequency: %v %+v", err, c.Walker.Timing)
	}
}

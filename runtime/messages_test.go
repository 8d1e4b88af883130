package runtime

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/internal/yamlnode"
)

// goInternals are fragments that must never reach a person: Go type names,
// struct fields, library prefixes, bare EOF.
var goInternals = []string{"runtime.", "[]", "map[", "float64", "int64", "struct", "Go value", "Go struct",
	"field ", "not found in type", "strconv.", " yaml: ", " json: ", "!!", "unmarshal", "bufio.", "token too long"}

func checkForPeople(t *testing.T, what, msg string) {
	t.Helper()
	for _, bad := range goInternals {
		if strings.Contains(msg, bad) {
			t.Errorf("%s: message %q contains %q", what, msg, bad)
		}
	}
	if strings.HasSuffix(msg, "EOF") {
		t.Errorf("%s: message %q ends in a bare EOF", what, msg)
	}
}

// Each bad config gets the exact message: file, real line and column, the
// key, what was expected and what was found.
func TestConfigMessagesForPeople(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"stand:\n  joints:\n    J1: 5\n", `c.yaml:3:9: config: stand.joints.J1: want a mapping with the keys kp, kd, found the number 5`},
		{"stand:\n  joints:\n    J1: {b: 1}\n", `c.yaml:3:10: config: stand.joints.J1: "b" is not a key; the keys are kp, kd (` + "`stride config print`" + ` lists them all)`},
		{"stand:\n  joints: 5\n", `c.yaml:2:11: config: stand.joints: want a mapping of names to sections, found the number 5`},
		{"stand:\n  kp: abc\n", `c.yaml:2:7: config: stand.kp: want a number, found the text "abc"`},
		{"stand:\n  kp: [1, 2]\n", `c.yaml:2:7: config: stand.kp: want a number, found a list`},
		{"stand:\n  kp: \"100\"\n", `c.yaml:2:7: config: stand.kp: want a number, found the quoted text "100" (write numbers without quotes)`},
		{"loop:\n  rate: 1e999\n", `c.yaml:2:9: config: loop.rate: 1e999 is out of the range of a number`},
		{"loop:\n  max_catchup: 1.5\n", `c.yaml:2:16: config: loop.max_catchup: want a whole number, found 1.5`},
		{"loop:\n  max_catchup: 99999999999999999999\n", `c.yaml:2:16: config: loop.max_catchup: 99999999999999999999 is out of range for this setting`},
		{"loop:\n  lock_thread: maybe\n", `c.yaml:2:16: config: loop.lock_thread: want true or false, found the text "maybe"`},
		{"loop:\n  rate: 100\n  rate: 200\n", `c.yaml:3:3: config: loop.rate: set twice (first on line 2)`},
		{"loop: 3\n", `c.yaml:1:7: config: loop: want a mapping with the keys rate, overrun,`},
		{"loop:\n  overrun: [skip]\n", `c.yaml:2:12: config: loop.overrun: want a single value, found a list`},
		// Syntax errors name the faulty line, not the one above it.
		{"loop:\n  rate: 100\n bad: 1\n", `c.yaml:3:2: config: not valid YAML: did not find expected key`},
		{"loop:\n  rate: 100\n\tx: 1\n", `c.yaml:3:1: config: not valid YAML: found a tab character`},
		{"stand:\n  kp: 3\n  kd: [1\n", `c.yaml:3:3: config: not valid YAML:`},
		// Aliases that expand without end are refused, not followed.
		{"a: &a [*a]\n", `c.yaml:1:1: config: "a" is not a key at the top level`},
	} {
		_, err := Parse("c.yaml", []byte(tc.src))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q:\n got  %v\n want %s…", tc.src, err, tc.want)
			continue
		}
		checkForPeople(t, tc.src, err.Error())
	}
	// A whole float for an int is its value, not a truncation.
	c, err := Parse("c.yaml", []byte("loop:\n  max_catchup: 3.0\n"))
	if err != nil || c.Loop.MaxCatchup != 3 {
		t.Fatalf("3.0: %v %v", c, err)
	}
}

func TestScriptMessagesForPeople(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"", `s.yaml: commands: no steps (want a top-level "steps:" list)`},
		{"\n\n# only a comment\n", `s.yaml: commands: no steps`},
		{"steps: 5\n", `s.yaml:1:8: commands: steps: want a list, found the number 5`},
		{"steps:\n  - {t: abc}\n", `s.yaml:2:9: commands: step 1.t: want a number, found the text "abc"`},
		{"steps:\n  - {t: 1, vx: [1]}\n", `s.yaml:2:16: commands: step 1.vx: want a number, found a list`},
		{"steps:\n  - {t: 1, estop: maybe}\n", `s.yaml:2:19: commands: step 1.estop: want true or false, found the text "maybe"`},
		{"steps:\n  - {t: 1, mode: {a: 1}}\n", `s.yaml:2:18: commands: step 1.mode: want a single value, found a mapping`},
		{"steps:\n- t: 1\n  vx: 1e400\n", `s.yaml:3:7: commands: step 1.vx: 1e400 is out of the range of a number`},
		{"steps:\n- t: 1\n  t: 2\n", `s.yaml:3:3: commands: step 1.t: set twice (first on line 2)`},
		{"steps: [\n", `s.yaml:1:1: commands: not valid YAML: did not find expected node content`},
		{"steps:\n  - {t: 1, vx: 0}\n   - {t: 2}\n", `s.yaml:3:4: commands: not valid YAML:`},
		{"- {t: 1}\n", `s.yaml:1:1: commands: want a mapping with the keys steps, found a list`},
	} {
		_, err := ParseScript("s.yaml", []byte(tc.src), testLimits())
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q:\n got  %v\n want %s…", tc.src, err, tc.want)
			continue
		}
		checkForPeople(t, tc.src, err.Error())
	}
}

func TestUDPMessagesForPeople(t *testing.T) {
	keys := "the keys are vx, vy, yaw_rate, height, gait, mode, estop, reset"
	for _, tc := range []struct{ msg, want string }{
		{"", `not a command message: the datagram is empty (want one JSON object such as {"vx": 0.3})`},
		{" \n", `not a command message: the datagram is empty`},
		{"{", `not a command message: the JSON ends before the object is closed (truncated?)`},
		{`{"vx": 0.3`, `not a command message: the JSON ends before the object is closed (truncated?)`},
		{`{"vx": "a"}`, `not a command message: vx: want a number, found text`},
		{`{"vx": 1e999}`, `not a command message: vx: want a number, found 1e999 (out of the range of a number)`},
		{`{"gait": 5}`, `not a command message: gait: want text in quotes (such as "walk"), found a number`},
		{`{"estop": "yes"}`, `not a command message: estop: want true or false, found text`},
		{`{"b": 1}`, `not a command message: unknown key "b"; ` + keys},
		{`[1]`, `not a command message: want one JSON object with the keys vx, vy, yaw_rate, height, gait, mode, estop, reset, found a list`},
		{`5`, `not a command message: want one JSON object with the keys vx, vy, yaw_rate, height, gait, mode, estop, reset, found a number`},
		{`{"vx": 1, "vx": 2}`, `not a command message: the key "vx" is given twice`},
		{"\x00", `not a command message: malformed JSON at byte 1: invalid character`},
		{`{"vx": NaN}`, `not a command message: malformed JSON at byte 8: invalid character 'N'`},
		{`{"vx":1}{}`, `not a command message: data after the JSON object`},
		{`null`, `the message sets nothing`},
	} {
		_, err := ParseUDPMessage([]byte(tc.msg))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q:\n got  %v\n want %s…", tc.msg, err, tc.want)
			continue
		}
		checkForPeople(t, tc.msg, err.Error())
	}
}

// A large script is read whole however many nodes it has; nodes reached
// through aliases are counted and cut off at yamlnode.MaxNodes.
func TestYAMLSizeAndAliases(t *testing.T) {
	saved := yamlnode.MaxNodes
	yamlnode.MaxNodes = 1000
	defer func() { yamlnode.MaxNodes = saved }()
	var b strings.Builder
	b.WriteString("steps:\n")
	n := 500 // 2500 nodes, none through an alias
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - {t: %d, vx: 0.1}\n", i)
	}
	s, err := ParseScript("big.yaml", []byte(b.String()), testLimits())
	if err != nil || len(s.Steps) != n {
		t.Fatalf("%d steps: %v", n, err)
	}
	aliases := "steps:\n  - &s {t: 1, vx: 0.1}\n" + strings.Repeat("  - *s\n", 150) // 150 × 5 nodes
	if _, err := ParseScript("a.yaml", []byte(aliases), testLimits()); err != nil {
		t.Fatalf("150 aliases: %v", err)
	}
	aliases += strings.Repeat("  - *s\n", 100) // 250 × 5 nodes
	_, err = ParseScript("a.yaml", []byte(aliases), testLimits())
	if err == nil || !strings.Contains(err.Error(), "the document nests or expands too far") {
		t.Fatalf("250 aliases: %v", err)
	}
}

// A syntax error in a large file is reported at once, near its line.
func TestYAMLSyntaxErrorLargeFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("steps:\n")
	for i := 0; b.Len() <= yamlnode.MaxLocateBytes; i++ {
		fmt.Fprintf(&b, "  - {t: %d, vx: 0.1}\n", i)
	}
	lines := strings.Count(b.String(), "\n")
	b.WriteString(" bad: [\n")
	_, err := ParseScript("big.yaml", []byte(b.String()), testLimits())
	want := fmt.Sprintf("big.yaml:%d:1: commands: not valid YAML (at or just below this line)", lines)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want %s…", err, want)
	}
}

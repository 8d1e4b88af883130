package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The policy commands end to end through the binary: info and check on the
// built-in robot's zero-action policy, a short headless run that hands over
// to it, and the flag errors.
func TestPolicyCommands(t *testing.T) {
	net := filepath.Join("..", "policyrun", "testdata", "builtin_stand.onnx")
	cfg := filepath.Join("..", "policyrun", "testdata", "builtin_stand.yaml")
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"policy", "info", net}, 0, []string{"input  obs", "[1 83]", "output actions", "[1 24]", "parameters: 2016"}},
		{[]string{"policy", "check", "--policy", net, "--policy-config", cfg}, 0,
			[]string{"observation (83 values)", "head_yaw", "ok: the policy, its config and the robot agree"}},
		{[]string{"policy", "check", "--policy", cfg, "--policy-config", cfg}, 1, []string{"builtin_stand.yaml: onnx:", "not an ONNX model"}},
		{[]string{"sim", "--headless", "--duration", "2500ms", "--controller", "policy", "--policy", net, "--policy-config", cfg}, 0,
			[]string{"controller policy", "stand → locomotion", "policy: ONNX network, 24 joints, 83 observations, every 20 ticks", "fell: false, final mode locomotion"}},
		{[]string{"sim", "--headless", "--duration", "100ms", "--policy", net}, 1, []string{"--policy: without --controller policy would be ignored"}},
		{[]string{"sim", "--headless", "--duration", "100ms", "--controller", "policy"}, 1, []string{"--controller policy needs --policy FILE.onnx and --policy-config FILE.yaml"}},
	} {
		out, code := stride(t, tc.args...)
		if code != tc.code {
			t.Errorf("stride %s: exit %d, want %d\n%s", strings.Join(tc.args, " "), code, tc.code, out)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("stride %s: output lacks %q:\n%s", strings.Join(tc.args, " "), w, out)
			}
		}
	}
}

package runtime

import (
	"errors"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/stride-robotics/stride/internal/yamlnode"
)

// Set sets the setting at a dotted key ("walker.timing.period0",
// "stand.joints.left_knee.kp") to the YAML scalar text (as it would be
// written in a config file) and checks the value against the key's type and
// allowed range. Cross-setting rules are Validate's. The error is a
// *ConfigError naming the key; an unknown key lists the keys of its section.
func (c *Config) Set(key, text string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil || len(doc.Content) != 1 {
		return &ConfigError{Key: key, Msg: "the value " + yamlnode.Clip(text) + " is not a single YAML value"}
	}
	return c.SetNode(key, doc.Content[0])
}

// SetNode is Set with the value as a YAML node (from a file that names
// many keys).
func (c *Config) SetNode(key string, val *yaml.Node) error {
	parts := strings.Split(key, ".")
	if key == "" {
		return &ConfigError{Key: key, Msg: "empty key"}
	}
	root := &yaml.Node{Kind: yaml.MappingNode}
	n := root
	for i, p := range parts {
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: p, Line: val.Line, Column: val.Column}
		if i == len(parts)-1 {
			n.Content = append(n.Content, k, val)
			break
		}
		next := &yaml.Node{Kind: yaml.MappingNode, Line: val.Line, Column: val.Column}
		n.Content = append(n.Content, k, next)
		n = next
	}
	var d yamlnode.Decoder
	if err := d.Decode(root, c); err != nil {
		var ne *yamlnode.Error
		if errors.As(err, &ne) {
			return &ConfigError{Key: ne.Key, Msg: ne.Msg}
		}
		return &ConfigError{Key: key, Msg: err.Error()}
	}
	var errs []error
	found := false
	walkConfig(reflect.ValueOf(c).Elem(), "", func(f leaf) {
		if f.path != key {
			return
		}
		found = true
		if msg := f.check(); msg != "" {
			errs = append(errs, &ConfigError{Key: key, Msg: msg})
		}
	})
	if !found {
		return &ConfigError{Key: key, Msg: "is a section, not a setting; name one of its keys"}
	}
	return errors.Join(errs...)
}

// Get returns the value at a dotted key as YAML text and whether the key
// names a setting.
func (c *Config) Get(key string) (string, bool) {
	var out string
	ok := false
	walkConfig(reflect.ValueOf(c).Elem(), "", func(f leaf) {
		if f.path == key {
			b, err := yaml.Marshal(f.v.Interface())
			if err == nil {
				out, ok = strings.TrimSpace(string(b)), true
			}
		}
	})
	return out, ok
}

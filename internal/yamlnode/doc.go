// Package yamlnode decodes the YAML files Stride reads (runtime configs,
// command scripts, locomotion profiles) from yaml.v3's node tree by
// reflection, so that every error says, for people, where (line and column,
// and the dotted key), what was expected and what was found, without Go
// type names or library prefixes: yaml.v3's own decoder says "cannot
// unmarshal !!str `abc` into float64", truncates 1.5 into an int, reads
// 1e999 as a string and reports a syntax error on the line before the
// faulty one. It bounds what aliases may expand to.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: none.
package yamlnode

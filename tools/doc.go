// Package tools holds Stride's command-line programs; the one CLI is
// tools/stride. Only code under tools/ chooses a backend (simulator or real
// bus) and wires the packages together. Nothing else may import it.
//
// Import rules (checked by tools/imports_test.go):
//
// Imported only by: none.
package tools

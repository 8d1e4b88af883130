// Package xvfb starts a private X virtual framebuffer server (Xvfb) so that
// the viewer can render off-screen on a machine without a display: the
// viewer's tests, and `stride sim --screenshot` or `--record` when DISPLAY is
// not set. Xvfb picks a free display number itself (-displayfd).
//
// It imports only the standard library, and nothing of the module.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: none.
package xvfb

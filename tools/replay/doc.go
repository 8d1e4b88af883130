// Package replay is the drawing side of `stride log replay`: the model and
// terrain a log is drawn on (Scene), the map from a replayed state to the
// model's configuration (PoseMap), and the Player that drives a
// telemetry.Replay for the viewer — pause, step, speed, restart, scrubbing
// on the velocity keys — and renders a state off-screen (Screenshot).
//
// Import rules (checked by tools/imports_test.go):
//
// Imported only by: tools/....
package replay

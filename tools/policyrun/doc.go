// Package policyrun loads a learned policy for the command line: the ONNX
// file and its YAML config read with the size limits of hal/fileio, the
// locomotion/policy controller built for a robot's joints (what `stride sim
// --controller policy` runs), and the reports of `stride policy info` (the
// network) and `stride policy check` (the network, the config and a robot
// model together, without running anything).
//
// Import rules (checked by tools/imports_test.go):
//
// Imported only by: tools/....
package policyrun

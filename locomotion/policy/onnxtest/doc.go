// Package onnxtest writes ONNX models for tests: protobuf messages built
// field by field with protowire, numbered as onnx.proto publishes them, and
// written apart from locomotion/policy's reader so that a misread field
// number shows up as a failed test. It also builds test networks (MLPs of
// given sizes, linear policies) with their float64 reference forward
// passes.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: none.
// Imported only by: none.
package onnxtest

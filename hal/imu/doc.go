// Package imu is Stride's IMU driver: the WitMotion serial protocol
// (WT901, HWT905, WT61 and their many rebrandings), read by a goroutine
// into the newest reading, which hal/canbus's Robot turns into
// hal.Sensors.IMU through the robot file's mounting rotation.
//
// Why WitMotion: it is among the most widely deployed AHRS protocols on
// small legged robots and hobby humanoids, it is a fixed-length binary
// protocol (11-byte packets, header 0x55, a type byte, four little-endian
// int16 and an 8-bit sum) that is simple to parse and to emulate
// exactly, and the sensors output orientation as a quaternion at up to
// 1 kHz at 921 600 baud. Its weaknesses are stated where they matter: the
// 8-bit checksum (a corrupted packet passes 1 time in 256; packets whose
// values are out of bounds are still refused) and 16-bit resolution
// (gyro 0.061 °/s, accelerometer 4.8 mm/s², quaternion 3·10⁻⁵).
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal.
// Must not import: sim, estimator, locomotion/..., runtime/..., tools/....
package imu

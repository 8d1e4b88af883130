//go:build !linux

package estimator

import "time"

// threadCPU is not measured off Linux.
func threadCPU() time.Duration { return 0 }

func lockThread() func() { return func() {} }

package main

import (
	"os"
	"testing"
)

// TestMain lets tests run the command line as a subprocess: the test binary
// re-executed with STRIDE_TEST_AS_CLI=1 is the stride binary (see cliCommand),
// so that signals, exit statuses and resident memory are those of a real run.
func TestMain(m *testing.M) {
	if os.Getenv("STRIDE_TEST_AS_CLI") == "1" {
		if os.Getenv("STRIDE_TEST_MEMSTATS") == "1" {
			serveMemStats() // the soak's memory figures (soak_mem_test.go)
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

package xvfb

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the server exit when the process that started it
// does, so that a test binary that crashes leaves no Xvfb behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

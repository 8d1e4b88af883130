//go:build !linux

package canbus

import "fmt"

func dialSocketCAN(name string) (Conn, error) {
	return nil, fmt.Errorf("canbus: bus %s: SocketCAN is Linux only; use --bus-dir", name)
}

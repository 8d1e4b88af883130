//go:build linux

package canbus

import (
	"fmt"

	"go.einride.tech/can/pkg/socketcan"
)

// dialSocketCAN opens a raw SocketCAN socket on interface name through
// einride's can-go, with error frames on (bus-off is reported).
func dialSocketCAN(name string) (Conn, error) {
	c, err := socketcan.Dial("can", name, socketcan.WithReceiveErrorFrames())
	if err != nil {
		return nil, fmt.Errorf("canbus: bus %s: %w (no SocketCAN interface? `ip link set %s up type can bitrate 1000000`, or --bus-dir for the emulator)", name, err, name)
	}
	return c, nil
}

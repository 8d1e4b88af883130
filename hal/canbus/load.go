package canbus

import (
	"fmt"
	"strings"
)

// BusLoad is a bus's worst-case traffic at the file's rate.
type BusLoad struct {
	Bus         string
	Drives      int
	BitsPerTick int     // request and reply frames of every drive, worst-case stuffing
	Load        float64 // share of the bit rate at the file's rate
}

// Loads computes every bus's load: per drive and tick, one 8-byte command
// frame and one reply (FrameBits).
func (f *File) Loads() []BusLoad {
	var out []BusLoad
	for _, b := range f.Buses {
		pr, _ := ProtocolByName(b.Protocol)
		l := BusLoad{Bus: b.Name}
		for _, j := range f.Joints {
			if j.Bus == b.Name {
				l.Drives++
				l.BitsPerTick += FrameBits(8) + FrameBits(pr.ReplyLen())
			}
		}
		l.Load = float64(l.BitsPerTick) * f.Rate / float64(b.Bitrate)
		out = append(out, l)
	}
	return out
}

// CheckLoad refuses a layout with a bus over MaxBusLoad.
func (f *File) CheckLoad() error {
	var over []string
	for i, l := range f.Loads() {
		if l.Load > f.MaxBusLoad {
			b := f.Buses[i]
			over = append(over, fmt.Sprintf("%s:%d: bus %s: %d drives × (request + reply) = %d bits per tick, worst-case stuffing, at %g Hz is %.0f %% of %d bit/s, above max_bus_load %.0f %%",
				f.Path, b.Line, l.Bus, l.Drives, l.BitsPerTick, f.Rate, 100*l.Load, b.Bitrate, 100*f.MaxBusLoad))
		}
	}
	if over != nil {
		return fmt.Errorf("%s\n(move drives to another bus or lower the rate)", strings.Join(over, "\n"))
	}
	return nil
}

package rerun

import (
	"fmt"
	"strconv"

	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// Config returns the runtime config to re-run with, and says where its stand
// gains came from: configPath when given (a what-if), else the log's
// runtime.config metadata, else its stand.kp/stand.kd metadata over the
// defaults; kp and kd, when set, replace every joint's stand gain (a
// what-if). file names the log in errors.
func Config(h *telemetry.Header, file, configPath string, kp, kd *float64) (*runtime.Config, string, error) {
	var cfg *runtime.Config
	var how string
	var err error
	switch {
	case configPath != "":
		if cfg, err = runtime.Load(configPath); err != nil {
			return nil, "", err
		}
		how = "from " + configPath
	case h.Meta["runtime.config"] != "":
		if cfg, err = runtime.Parse(file+" (its runtime.config metadata)", []byte(h.Meta["runtime.config"])); err != nil {
			return nil, "", err
		}
		how = "from the log's runtime.config"
	case h.Meta["stand.kp"] != "" && h.Meta["stand.kd"] != "":
		p, err1 := strconv.ParseFloat(h.Meta["stand.kp"], 64)
		d, err2 := strconv.ParseFloat(h.Meta["stand.kd"], 64)
		if err1 != nil || err2 != nil {
			return nil, "", fmt.Errorf("the log's stand.kp %q / stand.kd %q metadata are not numbers", h.Meta["stand.kp"], h.Meta["stand.kd"])
		}
		cfg = runtime.Defaults()
		cfg.Loop.Rate = h.Rate
		cfg.Stand.Kp, cfg.Stand.Kd, cfg.Stand.Joints = p, d, nil
		how = "from the log's stand.kp/stand.kd metadata"
	case kp == nil || kd == nil:
		return nil, "", fmt.Errorf("the log does not say how its controller was configured (no runtime.config or stand.kp metadata): give --config FILE or --kp and --kd")
	default:
		cfg = runtime.Defaults()
		cfg.Loop.Rate = h.Rate
	}
	if kp != nil {
		cfg.Stand.Kp = *kp
		for name, g := range cfg.Stand.Joints {
			g.Kp = *kp
			cfg.Stand.Joints[name] = g
		}
		how += fmt.Sprintf(", kp %g on every joint (--kp)", *kp)
	}
	if kd != nil {
		cfg.Stand.Kd = *kd
		for name, g := range cfg.Stand.Joints {
			g.Kd = *kd
			cfg.Stand.Joints[name] = g
		}
		how += fmt.Sprintf(", kd %g on every joint (--kd)", *kd)
	}
	if err := cfg.Validate(); err != nil {
		return nil, "", fmt.Errorf("the re-run's config: %w", err)
	}
	p0, d0 := cfg.Stand.Kp, cfg.Stand.Kd
	if len(h.Joints) == 0 {
		return nil, "", fmt.Errorf("the log has no joints")
	}
	if g, ok := cfg.Stand.Joints[h.Joints[0]]; ok {
		p0, d0 = g.Kp, g.Kd
	}
	return cfg, fmt.Sprintf("kp %g, kd %g (joint %s) %s", p0, d0, h.Joints[0], how), nil
}

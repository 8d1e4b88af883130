package runtime

import "errors"

// OpenSources starts the command sources the config names — the UDP port
// (commands.udp.listen) and the gamepad (commands.gamepad.device) — feeding
// the loop's Mux. Close stops them. Call it once, before Run.
func (l *Loop) OpenSources() error {
	c := &l.cfg.Commands
	if c.UDP.Listen != "" {
		s, err := ListenUDP(c.UDP.Listen, l.mux, c.UDP.MaxRate, c.UDP.Burst, l.logf)
		if err != nil {
			return err
		}
		l.udp = s
		l.sources = append(l.sources, s)
	}
	if c.Gamepad.Device != "" {
		g, err := OpenGamepad(c.Gamepad.Device, l.mux, c.Gamepad, limitsOf(c), l.logf)
		if err != nil {
			return errors.Join(err, l.closeSources())
		}
		l.pad = g
		l.sources = append(l.sources, g)
	}
	return nil
}

// UDP returns the UDP command server, if one was opened.
func (l *Loop) UDP() *UDPServer { return l.udp }

// Gamepad returns the gamepad reader, if one was opened.
func (l *Loop) Gamepad() *Gamepad { return l.pad }

func (l *Loop) closeSources() error {
	var errs []error
	for _, s := range l.sources {
		errs = append(errs, s.Close())
	}
	l.sources = nil
	return errors.Join(errs...)
}

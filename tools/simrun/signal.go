package simrun

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Interrupt is why a run stopped early: a signal. It is the cause of the
// context NotifySignals returns, and the error Simulate returns for a run it
// stopped in order (the robot put to damping, the log closed and indexed,
// the summary written).
type Interrupt struct {
	Signal os.Signal
	// Stopped says what the orderly stop did; "": the robot was put to
	// damping and the log closed (a headless run).
	Stopped string
}

// Name is the signal's name, e.g. "SIGTERM".
func (i *Interrupt) Name() string {
	switch i.Signal {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return i.Signal.String()
}

func (i *Interrupt) Error() string {
	what := i.Stopped
	if what == "" {
		what = "the robot was put to damping and the log closed"
	}
	return fmt.Sprintf("interrupted by %s: %s (exit status %d)", i.Name(), what, i.ExitCode())
}

// ExitCode is the shell's convention for a process stopped by a signal:
// 128 + the signal number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
func (i *Interrupt) ExitCode() int {
	if s, ok := i.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// StopSignals are the signals that stop a run in order: Ctrl-C, what
// systemd, Docker and Kubernetes send, and a closed terminal.
var StopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// Interrupted returns the *Interrupt that cancelled ctx (a context from
// NotifySignals), with its Stopped text set to stopped; nil when no signal
// came.
func Interrupted(ctx context.Context, stopped string) *Interrupt {
	i, ok := context.Cause(ctx).(*Interrupt)
	if !ok {
		return nil
	}
	c := *i
	c.Stopped = stopped
	return &c
}

// NotifySignals returns a context cancelled by the first of StopSignals,
// with an *Interrupt as its cause (context.Cause). After that first signal
// the default handling is restored, so a second one ends the process at
// once. stop releases the signals.
func NotifySignals(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, StopSignals...)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Reset(StopSignals...)
			cancel(&Interrupt{Signal: s})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(context.Canceled)
	}
}

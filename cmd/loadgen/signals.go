package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// interrupts returns a context that the first SIGINT (Ctrl-C) or SIGTERM
// cancels: a run drains and writes its results. A second one ends the
// process at once — by that signal, as its default action would (a shell
// sees 130 for SIGINT), or, when the process started with the signal
// ignored (a background job of a script), with exit code 128 + the
// signal's number, since its default action is then to be ignored and
// someone sent it twice on purpose.
func interrupts() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	// Which of them the process started with ignored, asked before Notify
	// takes them over.
	ignored := map[os.Signal]bool{os.Interrupt: signal.Ignored(os.Interrupt), syscall.SIGTERM: signal.Ignored(syscall.SIGTERM)}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		cancel()
		sig, _ := (<-ch).(syscall.Signal)
		if ignored[sig] {
			os.Exit(128 + int(sig))
		}
		signal.Reset(sig) // back to the default action, which ends the process
		syscall.Kill(syscall.Getpid(), sig)
		select {} // until the signal does
	}()
	return ctx
}

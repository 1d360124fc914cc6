package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
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
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		cancel()
		sig, _ := (<-ch).(syscall.Signal)
		signal.Reset(sig) // the disposition the process started with
		syscall.Kill(syscall.Getpid(), sig)
		time.Sleep(100 * time.Millisecond) // the default action has ended the process by now, unless it is to ignore
		os.Exit(128 + int(sig))
	}()
	return ctx
}

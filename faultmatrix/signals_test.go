package faultmatrix

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Commands with nothing to drain stop at the first Ctrl-C, whatever they
// are reading: here a FIFO nobody writes, which blocks a read forever (as
// /dev/zero or a huge file once kept `loadgen validate` going after
// SIGINT, until it was killed for memory).
func TestFirstSignalStopsReaders(t *testing.T) {
	if testing.Short() {
		t.Skip("runs loadgen as a process")
	}
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, args := range [][]string{
		{"validate", fifo},
		{"report", fifo},
		{"compare", fifo, fifo},
	} {
		t.Run(args[0], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			p, err := startProc(wrap(ctx, 0, 0, false, loadgenBin, args...))
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond) // let it block on the FIFO
			if p.exited() {
				code, _ := p.status()
				t.Fatalf("loadgen %s ended (exit %d) before the signal: %s", args[0], code, p.stderr.String())
			}
			p.signal(syscall.SIGINT)
			select {
			case <-p.done:
			case <-time.After(5 * time.Second):
				t.Fatalf("loadgen %s still runs 5 s after SIGINT", args[0])
			}
			if code, sig := p.status(); sig != syscall.SIGINT {
				t.Errorf("loadgen %s after SIGINT: exit code %d, signal %v; want killed by SIGINT", args[0], code, sig)
			}
		})
	}
}

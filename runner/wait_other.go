//go:build !linux

package runner

import "time"

// fineTimer exists only on Linux; elsewhere waiters use Go timers alone.
type fineTimer struct{}

func newFineTimer() *fineTimer         { return nil }
func (*fineTimer) sleep(time.Duration) {}
func (*fineTimer) close()              {}

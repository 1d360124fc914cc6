//go:build !linux

package precise

import "time"

// Timer exists only on Linux; elsewhere New returns nil.
type Timer struct{}

// New returns nil: no precise timer here.
func New() *Timer { return nil }

// Sleep does nothing.
func (*Timer) Sleep(time.Duration) {}

// Close does nothing.
func (*Timer) Close() {}

package precise

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Timer is a Linux timerfd on CLOCK_MONOTONIC read through the Go network
// poller. It is used by one goroutine at a time.
type Timer struct {
	f  *os.File
	rc syscall.RawConn
}

// New returns a Timer, or nil when the kernel refuses one.
func New() *Timer {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	f := os.NewFile(uintptr(fd), "timerfd") // non-blocking, so registered with the poller
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil
	}
	return &Timer{f: f, rc: rc}
}

// Sleep waits d (nothing when d ≤ 0). On any error it returns at once.
func (t *Timer) Sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	var serr error
	if err := t.rc.Control(func(fd uintptr) {
		serr = unix.TimerfdSettime(int(fd), 0, &spec, nil)
	}); err != nil || serr != nil {
		return
	}
	var expirations [8]byte
	t.f.Read(expirations[:]) // parks until the timer fires
}

// Close releases the timerfd.
func (t *Timer) Close() { t.f.Close() }

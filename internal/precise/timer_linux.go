package precise

import (
	"os"
	"syscall"
	"time"
	"unsafe"
)

// Timer is a Linux timerfd on CLOCK_MONOTONIC read through the Go network
// poller. It is used by one goroutine at a time.
type Timer struct {
	f  *os.File
	rc syscall.RawConn
}

// New returns a Timer, or nil when the kernel refuses one.
func New() *Timer {
	const clockMonotonic = 1
	fd, _, errno := syscall.Syscall(syscall.SYS_TIMERFD_CREATE, clockMonotonic, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		return nil
	}
	f := os.NewFile(fd, "timerfd") // non-blocking, so registered with the poller
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil
	}
	return &Timer{f: f, rc: rc}
}

// itimerspec is struct itimerspec of timerfd_settime(2).
type itimerspec struct {
	interval syscall.Timespec
	value    syscall.Timespec
}

// Sleep waits d (nothing when d ≤ 0). On any error it returns at once.
func (t *Timer) Sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	spec := itimerspec{value: syscall.NsecToTimespec(int64(d))}
	var errno syscall.Errno
	if err := t.rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall6(syscall.SYS_TIMERFD_SETTIME, fd, 0, uintptr(unsafe.Pointer(&spec)), 0, 0, 0)
	}); err != nil || errno != 0 {
		return
	}
	var expirations [8]byte
	t.f.Read(expirations[:]) // parks until the timer fires
}

// Close releases the timerfd.
func (t *Timer) Close() { t.f.Close() }

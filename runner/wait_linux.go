package runner

import (
	"os"
	"syscall"
	"time"
	"unsafe"
)

// fineTimer is a Linux timerfd read through the Go network poller: the
// goroutine parks like on a socket, and the kernel's high-resolution timer
// makes the fd readable on time.
type fineTimer struct {
	f  *os.File
	rc syscall.RawConn
}

// newFineTimer returns a timerfd on CLOCK_MONOTONIC, or nil when the kernel
// refuses one (the waiter then uses Go timers only).
func newFineTimer() *fineTimer {
	const clockMonotonic = 1
	fd, _, errno := syscall.Syscall(syscall.SYS_TIMERFD_CREATE, clockMonotonic, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		return nil
	}
	f := os.NewFile(fd, "timerfd") // non-blocking: registered with the poller
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil
	}
	return &fineTimer{f: f, rc: rc}
}

// itimerspec is struct itimerspec of timerfd_settime(2).
type itimerspec struct {
	interval syscall.Timespec
	value    syscall.Timespec
}

// sleep waits d (nothing when d ≤ 0). On any error it returns at once.
func (t *fineTimer) sleep(d time.Duration) {
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

func (t *fineTimer) close() { t.f.Close() }

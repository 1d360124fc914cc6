package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. It
// is 100 on every Linux this runs on (getconf CLK_TCK).
const clockTicks = 100

// proc is a child process the benchmark started: the mock, loadgen or vegeta.
// Its stdout and stderr are kept (bounded) for error messages and for the
// lines a caller waits for.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *lineLog
	done chan struct{}
	err  error // valid after done
}

// start runs name with args and env added to the environment.
func start(name string, args []string, env ...string) (*proc, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &proc{name: name, cmd: cmd, out: newLineLog(), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	logf("$ %s", commandLine(name, args, env))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// pid returns the process id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// wait waits for the process to exit, at most d; then it is killed.
func (p *proc) wait(d time.Duration) error {
	select {
	case <-p.done:
	case <-time.After(d):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s: killed after %v\n%s", p.name, d, p.out.tail())
	}
	if p.err != nil {
		return fmt.Errorf("%s: %w\n%s", p.name, p.err, p.out.tail())
	}
	return nil
}

// stop sends SIGINT and waits up to d for a clean exit.
func (p *proc) stop(d time.Duration) error {
	select {
	case <-p.done:
	default:
		p.cmd.Process.Signal(syscall.SIGINT)
	}
	err := p.wait(d)
	var ee *exec.ExitError
	if errors.As(err, &ee) { // an interrupted run exits non-zero by design
		return nil
	}
	return err
}

// rusage returns the exited process's CPU time and peak RSS (bytes).
func (p *proc) rusage() (cpu time.Duration, maxRSS int64) {
	ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0
	}
	cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return cpu, ru.Maxrss * 1024
}

// await waits until the output has a line matching re and returns its first
// submatch.
func (p *proc) await(re *regexp.Regexp, d time.Duration) (string, error) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(p.out.String()); m != nil {
			return m[1], nil
		}
		select {
		case <-p.done:
			return "", fmt.Errorf("%s exited before printing %q\n%s", p.name, re, p.out.tail())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return "", fmt.Errorf("%s: no %q within %v\n%s", p.name, re, d, p.out.tail())
}

// procCPU returns the CPU time (user + system) process pid has used so far.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime (fields 14 and 15) of /proc/PID/stat.
// The command name (field 2) may hold spaces, so fields count from its ')'.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("proc stat: no ')'")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("proc stat: too few fields")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("proc stat: bad utime/stime")
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// procMem returns VmRSS and VmHWM (peak RSS) of pid in bytes.
func procMem(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	return parseStatusMem(b)
}

func parseStatusMem(b []byte) (rss, hwm int64, err error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("proc status: %s: %q", k, v)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("proc status: %s: %w", k, err)
		}
		if k == "VmRSS" {
			rss = n * 1024
		} else {
			hwm = n * 1024
		}
	}
	if rss == 0 || hwm == 0 {
		return 0, 0, errors.New("proc status: no VmRSS/VmHWM")
	}
	return rss, hwm, nil
}

// openFDs counts the open file descriptors of pid (sockets included).
func openFDs(pid int) int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(ents)
}

// lineLog is an io.Writer keeping the first and last output of a process.
type lineLog struct {
	mu   sync.Mutex
	head bytes.Buffer // first headMax bytes: where the "listening on" lines are
	last []byte       // the most recent tailMax bytes
}

const (
	headMax = 64 << 10
	tailMax = 8 << 10
)

func newLineLog() *lineLog { return &lineLog{} }

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := headMax - l.head.Len(); room > 0 {
		l.head.Write(p[:min(room, len(p))])
	}
	l.last = append(l.last, p...)
	if len(l.last) > tailMax {
		l.last = append(l.last[:0], l.last[len(l.last)-tailMax:]...)
	}
	return len(p), nil
}

// String returns the head of the output.
func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head.String()
}

// tail returns the end of the output, for error messages.
func (l *lineLog) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.last)
}

var _ io.Writer = (*lineLog)(nil)

// commandLine renders a command for the log and the README, env first.
func commandLine(name string, args, env []string) string {
	var b strings.Builder
	for _, e := range env {
		if strings.HasPrefix(e, "HELPER_HMAC_SECRET=") {
			e = "HELPER_HMAC_SECRET=…" // the mock's public dev secret; still not echoed
		}
		b.WriteString(e + " ")
	}
	b.WriteString(shortName(name))
	for _, a := range args {
		if strings.ContainsAny(a, " \t'\"") {
			a = strconv.Quote(a)
		}
		b.WriteString(" " + a)
	}
	return b.String()
}

// shortName drops the temp directory of the binaries the script built.
func shortName(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// sleepCtx sleeps d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

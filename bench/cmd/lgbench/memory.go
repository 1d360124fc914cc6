package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// idleSample is the harness measured while every user is in think time:
// right after the last user got its first reply (RSS and the Go runtime's
// view, garbage of the sign-in phase included), and again after the GC that
// loadgen's --memprofile runs, which also hands free pages back to the OS
// (debug.FreeOSMemory): what idle users cost once the runtime has caught up.
type idleSample struct {
	users        int
	rss          int64   // VmRSS of loadgen run, right after sign-in
	heap, stack  float64 // Go heap in use and stacks, right after sign-in
	gcRSS        int64   // VmRSS after the GC and the return of free pages
	gcHeap       float64 // heap in use after the GC
	gcStack      float64 // stacks after the GC
	goroutines   float64
	fds, mockFDs int
	mockRSS      int64
	signIn       time.Duration // until every user was thinking
	errors       float64
	peakRSS      int64 // getrusage maxrss after exit
}

func (s idleSample) live() float64 { return s.gcHeap + s.gcStack }

// signInRate is idle.yaml's request_rate: sign-ins are paced so that the
// benchmark measures users thinking, not a thundering herd of connections.
const signInRate = 5000

// runMemory runs idle.yaml with each user count in turn and measures the
// harness once every user has had its first reply and is thinking.
func runMemory(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("memory", flag.ContinueOnError)
	list := fs.String("users", "1000,10000,50000", "comma-separated user counts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var samples []idleSample
	for _, f := range strings.Split(*list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("-users: bad count %q", f)
		}
		s, err := e.idle(ctx, n)
		if err != nil {
			return err
		}
		samples = append(samples, s)
		report(figure{Bench: "3 memory", Name: fmt.Sprintf("%d users thinking: RSS right after sign-in", n),
			Value: fmt.Sprintf("%.0f MB (%.1f KB/user)", float64(s.rss)/1e6, float64(s.rss)/float64(n)/1e3),
			Detail: fmt.Sprintf("Go heap in use %.0f MB, stacks %.0f MB, %0.f goroutines, %d fds; peak RSS %.0f MB; "+
				"all thinking %.1fs after start (sign-ins paced at %d requests/s), %.0f errors; mock RSS %.0f MB, %d fds",
				s.heap/1e6, s.stack/1e6, s.goroutines, s.fds, float64(s.peakRSS)/1e6,
				s.signIn.Seconds(), signInRate, s.errors, float64(s.mockRSS)/1e6, s.mockFDs)})
		report(figure{Bench: "3 memory", Name: fmt.Sprintf("%d users thinking: RSS after a GC", n),
			Value: fmt.Sprintf("%.0f MB (%.1f KB/user)", float64(s.gcRSS)/1e6, float64(s.gcRSS)/float64(n)/1e3),
			Detail: fmt.Sprintf("Go heap in use %.0f MB, stacks %.0f MB (free pages returned to the OS)",
				s.gcHeap/1e6, s.gcStack/1e6)})
	}
	if len(samples) >= 2 {
		a, b := samples[0], samples[len(samples)-1]
		du := float64(b.users - a.users)
		gcRSS := float64(b.gcRSS-a.gcRSS) / du
		rss := float64(b.rss-a.rss) / du
		live := (b.live() - a.live()) / du
		report(figure{Bench: "3 memory", Name: fmt.Sprintf("bytes per idle user: RSS after a GC (slope %d→%d users)", a.users, b.users),
			Value: fmt.Sprintf("%.1f KB", gcRSS/1e3), Goal: "≤ 16 KB", Met: met(gcRSS <= 16e3),
			Detail: fmt.Sprintf("Go heap + stacks %.1f KB (stacks %.1f, heap %.1f); goroutines per user %.2f",
				live/1e3, (b.gcStack-a.gcStack)/du/1e3, (b.gcHeap-a.gcHeap)/du/1e3, (b.goroutines-a.goroutines)/du)})
		report(figure{Bench: "3 memory", Name: fmt.Sprintf("bytes per idle user: RSS right after sign-in (slope %d→%d users)", a.users, b.users),
			Value: fmt.Sprintf("%.1f KB", rss/1e3), Goal: "≤ 16 KB", Met: met(rss <= 16e3),
			Detail: "includes the sign-in's garbage and freed memory not yet given back; varies with GC timing"})
	}
	return nil
}

var (
	errNotReady   = errors.New("not every user reached think time")
	heapProfileRE = regexp.MustCompile(`msg="(wrote heap profile)"`)
)

// idle runs idle.yaml with n users. Its duration ends (and --memprofile
// runs a GC) well after every user should be thinking; the grace period
// keeps them thinking while the benchmark samples the process again.
func (e *env) idle(ctx context.Context, n int) (idleSample, error) {
	s := idleSample{users: n}
	m, err := e.startMock(zeroLatency...)
	if err != nil {
		return s, err
	}
	defer m.stop(30 * time.Second)
	// Three requests per user at signInRate, with half again as slack.
	dur := (5*time.Second + time.Duration(float64(3*n)/signInRate*1.5*float64(time.Second))).Round(time.Second)
	t0 := time.Now()
	p, _, err := e.startRun(runSpec{scenario: "idle.yaml", target: m.url, users: n, duration: dur,
		grace: time.Minute, metrics: true, extra: []string{"--memprofile", filepath.Join(e.tmp, "idle-heap.pprof")}})
	if err != nil {
		return s, err
	}
	defer p.stop(time.Minute)
	url, err := p.await(metricsURLRE, 30*time.Second)
	if err != nil {
		return s, err
	}
	var x exposition
	for {
		if x, err = scrape(url); err != nil {
			return s, err
		}
		done := x.sum("loadgen_step_duration_seconds_count", `step="message"`)
		s.errors = x.sum("loadgen_errors_total")
		if done >= float64(n) {
			break
		}
		if time.Since(t0) > dur-2*time.Second {
			return s, fmt.Errorf("%w: %d users: %.0f of %d after %v, %.0f errors", errNotReady, n, done, n, time.Since(t0), s.errors)
		}
		if err := sleepCtx(ctx, 250*time.Millisecond); err != nil {
			return s, err
		}
	}
	s.signIn = time.Since(t0)
	// Let the sign-in's request workers end (after 1 s idle) and in-flight
	// work settle.
	if err := sleepCtx(ctx, 2*time.Second); err != nil {
		return s, err
	}
	if x, err = scrape(url); err != nil {
		return s, err
	}
	s.heap, s.stack = x.sum("go_memstats_heap_inuse_bytes"), x.sum("go_memstats_stack_inuse_bytes")
	s.goroutines = x.sum("go_goroutines")
	if s.rss, _, err = procMem(p.pid()); err != nil {
		return s, err
	}
	s.fds, s.mockFDs = openFDs(p.pid()), openFDs(m.pid())
	s.mockRSS, _, _ = procMem(m.pid())

	if _, err := p.await(heapProfileRE, dur+30*time.Second); err != nil {
		return s, err
	}
	if x, err = scrape(url); err != nil {
		return s, err
	}
	s.gcHeap, s.gcStack = x.sum("go_memstats_heap_inuse_bytes"), x.sum("go_memstats_stack_inuse_bytes")
	if s.gcRSS, _, err = procMem(p.pid()); err != nil {
		return s, err
	}
	if err := p.stop(time.Minute); err != nil {
		return s, err
	}
	_, s.peakRSS = p.rusage()
	return s, nil
}

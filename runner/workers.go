package runner

import "time"

// workerIdle is how long a request worker waits for more work before it
// ends. Under steady load a worker is reused within milliseconds; after a
// burst (every user signing in at once) the extra workers and their stacks
// go soon after.
const workerIdle = time.Second

// workers runs each request of a run on a worker goroutine, so that a
// user's own goroutine stays shallow.
//
// A user's goroutine lives for the whole run and spends most of it parked
// in think time. The HTTP client, the JSON codecs and the stream parsers
// need 4–8 KB of stack; run on the user's goroutine they grow its stack to
// 8 KB, and Go shrinks a parked goroutine's stack only at a GC and only when
// three quarters of it are unused, so every idle user kept 8 KB. The same
// holds for anything deep: a step's result is recorded on its worker (the
// sink's bookkeeping, package stats) and a template with actions renders on
// one (text/template), and TestIdleUsersKeepSmallStacks holds idle users to
// a 4 KB stack. (A user's goroutine parked in think time is some 1.4 KB
// deep, too deep for an 8 KB stack to shrink back to 4 KB.) Workers
// keep their grown stacks between requests instead (a fresh goroutine per
// request would grow its stack by copying, every time: 9 % of the CPU), and
// there are only as many as requests in flight. A worker idle for
// workerIdle ends; stop ends them all. Safe for concurrent use.
type workers struct {
	jobs  chan func() // unbuffered: a send succeeds only when a worker waits
	quit  chan struct{}
	clock Clock // for the idle timers
}

func newWorkers(clock Clock) *workers {
	return &workers{jobs: make(chan func()), quit: make(chan struct{}), clock: clock}
}

// run runs f on an idle worker, or on a new one when none is idle, and
// returns its error.
func (w *workers) run(f func() error) error {
	done := make(chan error, 1)
	job := func() { done <- f() }
	select {
	case w.jobs <- job:
	default:
		go w.work(job)
	}
	return <-done
}

func (w *workers) work(job func()) {
	t := w.clock.NewTimer(workerIdle)
	defer t.Stop()
	for {
		job()
		t.Reset(workerIdle)
		select {
		case job = <-w.jobs:
		case <-t.C:
			return
		case <-w.quit:
			return
		}
	}
}

// stop ends the idle workers; a later run still works, on a worker that
// ends after its job.
func (w *workers) stop() { close(w.quit) }

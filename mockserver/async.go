package mockserver

import (
	"sync"
	"time"
)

// scheduler runs background replies after a delay and stops them all on
// close, so a closed Server leaves no timers or goroutines behind. Safe for
// concurrent use.
type scheduler struct {
	mu     sync.Mutex // guards jobs and closed
	jobs   map[*job]struct{}
	closed bool
	wg     sync.WaitGroup // one count per scheduled job until it runs or is stopped
}

type job struct{ t *time.Timer }

func newScheduler() *scheduler { return &scheduler{jobs: make(map[*job]struct{})} }

// after runs f once d has passed, unless the scheduler closes first.
// It reports false when the scheduler is already closed.
func (s *scheduler) after(d time.Duration, f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	j := &job{}
	s.jobs[j] = struct{}{}
	s.wg.Add(1)
	// The callback takes mu, so it cannot look j up before j.t is set.
	j.t = time.AfterFunc(d, func() {
		defer s.wg.Done()
		s.mu.Lock()
		_, ok := s.jobs[j]
		delete(s.jobs, j)
		s.mu.Unlock()
		if ok {
			f()
		}
	})
	return true
}

// pending returns the number of jobs waiting to run.
func (s *scheduler) pending() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.jobs))
}

// close stops every waiting job and waits for running ones to finish.
func (s *scheduler) close() {
	s.mu.Lock()
	s.closed = true
	for j := range s.jobs {
		if j.t.Stop() {
			s.wg.Done()
		}
		delete(s.jobs, j)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

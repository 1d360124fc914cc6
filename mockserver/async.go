package mockserver

import (
	"context"
	"sync"
	"time"
)

// scheduler runs background replies after a delay and stops them all on
// close, so a closed Server leaves no timers or goroutines behind. Safe for
// concurrent use.
type scheduler struct {
	mu      sync.Mutex // guards jobs, running and closed
	jobs    map[*job]struct{}
	running int64
	closed  bool
	wg      sync.WaitGroup // one count per scheduled job until it runs or is stopped
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
		if ok {
			s.running++
		}
		s.mu.Unlock()
		if ok {
			f()
			s.mu.Lock()
			s.running--
			s.mu.Unlock()
		}
	})
	return true
}

// pending returns the number of jobs waiting to run or running.
func (s *scheduler) pending() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.jobs)) + s.running
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

// scheduleAsyncReply schedules the background job that answers message id
// of c, as Helper's jobs/handleAutoResponse.ts does: after the queue's
// pickup delay (AsyncDelay) it skips the message when the conversation was
// handed to a human or a newer message arrived, or for a share of messages
// (AsyncNoReply: drafts mode, timeouts, spam); otherwise it generates a
// model reply, holding one of the Capacity slots (in the same FIFO queue as
// streamed replies, never refused by QueueLimit) for TTFT and the tokens,
// and stores it.
func (s *Server) scheduleAsyncReply(c *conversation, id int64) {
	scheduled := s.async.after(s.cfg.AsyncDelay.sample(s.rand), func() {
		c.mu.Lock()
		skip := c.escalated || len(c.messages) == 0 || c.messages[len(c.messages)-1].id != id
		c.mu.Unlock()
		if skip || s.rand.chance(s.cfg.AsyncNoReply) {
			s.counts.asyncNoReply.Add(1)
			return
		}
		s.generateAsync(c)
	})
	if !scheduled {
		s.counts.asyncNoReply.Add(1)
	}
}

// generateAsync generates and stores a background reply to c, holding a
// capacity slot while it "generates". It gives up, storing nothing, when the
// server closes.
func (s *Server) generateAsync(c *conversation) {
	place, _ := s.capacity.enterAlways()
	queued := time.Now()
	err := s.capacity.wait(context.Background(), s.done, place)
	s.metrics.queueWait.Observe(time.Since(queued).Seconds())
	if err != nil {
		return
	}
	defer s.capacity.release()
	n := s.cfg.Tokens.sample(s.rand)
	tool := s.drawTool()
	d := s.cfg.TTFT.sample(s.rand)
	if tool != toolNone {
		d += s.cfg.TTFT.sample(s.rand) // the second model call, after the tool's result
	}
	for range n - 1 {
		d += s.cfg.TokenInterval.sample(s.rand)
	}
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	if s.wait(context.Background(), t, d) != nil {
		return
	}
	plan := planReply(make([]textToken, 0, n), n)
	text := plan.text
	if tool == toolEscalate {
		text = escalatedText
		s.escalate(c)
	}
	s.storeReply(c, roleAssistant, text)
	s.counts.asyncReplied.Add(1)
}

package mockserver

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// errQueueFull is returned by acquire when QueueLimit requests already wait.
var errQueueFull = errors.New("mockserver: capacity: queue full")

// capacity bounds concurrent generations. Requests beyond the limit wait in
// FIFO order; a released slot passes straight to the oldest waiter. With a
// limit of 0 it only counts. Safe for concurrent use.
type capacity struct {
	limit, queueLimit int
	unlimited         atomic.Int64 // in flight when limit == 0 (no lock on that path)

	mu      sync.Mutex // guards the fields below; held only to count and link waiters
	active  int
	waiters []chan struct{} // FIFO; a waiter's channel is closed when it gets a slot
}

func newCapacity(limit, queueLimit int) *capacity {
	return &capacity{limit: limit, queueLimit: queueLimit}
}

// enter takes a free slot or a place in line, without waiting. It returns
// the place to pass to wait (nil when a slot was free), or errQueueFull
// when QueueLimit requests already wait.
func (c *capacity) enter() (chan struct{}, error) { return c.enterLimit(c.queueLimit) }

// enterAlways is enter that never refuses: background jobs wait however
// long the queue is.
func (c *capacity) enterAlways() (chan struct{}, error) { return c.enterLimit(0) }

// enterLimit is enter with queueLimit in place of c.queueLimit.
func (c *capacity) enterLimit(queueLimit int) (chan struct{}, error) {
	if c.limit == 0 {
		c.unlimited.Add(1)
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active < c.limit && len(c.waiters) == 0 {
		c.active++
		return nil, nil
	}
	if queueLimit > 0 && len(c.waiters) >= queueLimit {
		return nil, errQueueFull
	}
	ch := make(chan struct{})
	c.waiters = append(c.waiters, ch)
	return ch, nil
}

// wait blocks until place (from enter) holds a slot, ctx is done or stop is
// closed. On success the caller must call release once; on error it holds
// nothing.
func (c *capacity) wait(ctx context.Context, stop <-chan struct{}, place chan struct{}) error {
	if place == nil {
		return nil
	}
	var err error
	select {
	case <-place:
		return nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-stop:
		err = errClosed
	}
	c.mu.Lock()
	for i, w := range c.waiters {
		if w == place {
			c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
			c.mu.Unlock()
			return err
		}
	}
	c.mu.Unlock()
	// The slot was handed over while we gave up: pass it on.
	c.release()
	return err
}

// release frees a slot, handing it to the oldest waiter if any.
func (c *capacity) release() {
	if c.limit == 0 {
		c.unlimited.Add(-1)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) > 0 {
		ch := c.waiters[0]
		c.waiters[0] = nil
		c.waiters = c.waiters[1:]
		close(ch)
		return
	}
	c.active--
}

// load returns the generations in flight and the requests waiting.
func (c *capacity) load() (inFlight, queued int64) {
	if c.limit == 0 {
		return c.unlimited.Load(), 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return int64(c.active), int64(len(c.waiters))
}

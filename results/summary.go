package results

import (
	"sync"
	"time"
)

// TimedSink is a Sink that also takes the time of session events, so that a
// recorded run can be replayed with its own timestamps (the Sink's session
// calls carry none). Summary and the results file reader use it.
type TimedSink interface {
	Sink
	SessionStartedAt(conversation string, t time.Time)
	SessionEndedAt(conversation string, end End, t time.Time)
}

// Summary aggregates a run in memory: HDR histograms and counts per step, the
// session outcomes and a per-interval time series. It is a Sink, safe for
// concurrent use; each call holds one short lock. Summaries of shards merge
// exactly (Merge). Read it with Snapshot. Create it with NewSummary.
type Summary struct {
	now     func() time.Time
	options []SummaryOption // to make empty siblings (ReadFiles)

	mu sync.Mutex // guards d; held for the few hundred ns a Record takes
	d  *Snapshot
}

// SummaryOption configures a Summary.
type SummaryOption func(*summaryConfig)

type summaryConfig struct {
	now          func() time.Time
	maxIntervals int
}

// WithClock sets the clock that timestamps session starts and ends (the
// Sink's session calls carry no time). The default is time.Now.
func WithClock(now func() time.Time) SummaryOption {
	return func(c *summaryConfig) { c.now = now }
}

// WithMaxIntervals bounds the time series (default DefaultMaxIntervals).
func WithMaxIntervals(n int) SummaryOption {
	return func(c *summaryConfig) { c.maxIntervals = n }
}

// NewSummary returns an empty Summary.
func NewSummary(opts ...SummaryOption) *Summary {
	c := summaryConfig{now: time.Now, maxIntervals: DefaultMaxIntervals}
	for _, o := range opts {
		o(&c)
	}
	return &Summary{now: c.now, options: opts, d: newSnapshot(c.maxIntervals)}
}

// SessionStarted counts a session start at the clock's time.
func (s *Summary) SessionStarted(conversation string) {
	s.SessionStartedAt(conversation, s.now())
}

// SessionStartedAt counts a session start at time t (used when replaying a
// results file).
func (s *Summary) SessionStartedAt(_ string, t time.Time) {
	s.mu.Lock()
	s.d.sessionStarted(t)
	s.mu.Unlock()
}

// SessionEnded counts a session end at the clock's time.
func (s *Summary) SessionEnded(conversation string, end End) {
	s.SessionEndedAt(conversation, end, s.now())
}

// SessionEndedAt counts a session end at time t.
func (s *Summary) SessionEndedAt(_ string, end End, t time.Time) {
	s.mu.Lock()
	s.d.sessionEnded(end, t)
	s.mu.Unlock()
}

// Record adds one step result. It does not keep r.
func (s *Summary) Record(r *Result) {
	s.mu.Lock()
	s.d.record(r)
	s.mu.Unlock()
}

// Snapshot returns an independent copy of the current state.
func (s *Summary) Snapshot() *Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.d.Clone()
}

// Peek calls f with the live summary, under the lock that Record takes: a
// cheap look for a progress line, where Snapshot would copy every histogram.
// f must be quick, must not change d, and must not keep it.
func (s *Summary) Peek(f func(d *Snapshot)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.d)
}

// Merge adds everything o has recorded into s (see Snapshot.Merge). o is
// not changed.
func (s *Summary) Merge(o *Summary) {
	snap := o.Snapshot()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d.Merge(snap)
}

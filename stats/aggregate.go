package stats

import (
	"sync"
	"time"

	"github.com/loadgen/loadgen/results"
)

// Aggregate is a run's live aggregate: HDR histograms and counts per step,
// the session outcomes and a per-interval time series. It is a
// results.TimedSink, safe for concurrent use; each call holds one short
// lock. Aggregates of shards merge exactly (Merge). Read it with Snapshot;
// create it with New.
type Aggregate struct {
	now     func() time.Time
	options []Option // to make empty siblings (Empty)

	mu sync.Mutex // guards d; held for the few hundred ns a Record takes
	d  *Snapshot
}

var _ results.TimedSink = (*Aggregate)(nil)

// Option configures an Aggregate.
type Option func(*config)

type config struct {
	now          func() time.Time
	maxIntervals int
}

// WithClock sets the clock that timestamps session starts and ends (the
// Sink's session calls carry no time). The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithMaxIntervals bounds the time series (default DefaultMaxIntervals).
func WithMaxIntervals(n int) Option {
	return func(c *config) { c.maxIntervals = n }
}

// New returns an empty Aggregate.
func New(opts ...Option) *Aggregate {
	c := config{now: time.Now, maxIntervals: DefaultMaxIntervals}
	for _, o := range opts {
		o(&c)
	}
	return &Aggregate{now: c.now, options: opts, d: newSnapshot(c.maxIntervals)}
}

// Empty returns a new, empty Aggregate with a's options.
func (a *Aggregate) Empty() *Aggregate { return New(a.options...) }

// SessionStarted counts a session start at the clock's time.
func (a *Aggregate) SessionStarted(conversation string) {
	a.SessionStartedAt(conversation, a.now())
}

// SessionStartedAt counts a session start at time t (used when replaying a
// results file).
func (a *Aggregate) SessionStartedAt(conversation string, t time.Time) {
	a.mu.Lock()
	a.d.sessionStarted(conversation, t)
	a.mu.Unlock()
}

// SessionEnded counts a session end at the clock's time.
func (a *Aggregate) SessionEnded(conversation string, end results.End) {
	a.SessionEndedAt(conversation, end, a.now())
}

// SessionEndedAt counts a session end at time t.
func (a *Aggregate) SessionEndedAt(conversation string, end results.End, t time.Time) {
	a.mu.Lock()
	a.d.sessionEnded(conversation, end, t)
	a.mu.Unlock()
}

// Record adds one step result. It does not keep r.
func (a *Aggregate) Record(r *results.Result) {
	a.mu.Lock()
	a.d.record(r)
	a.mu.Unlock()
}

// Snapshot returns an independent copy of the current state.
func (a *Aggregate) Snapshot() *Snapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.d.Clone()
}

// Peek calls f with the live state, under the lock that Record takes: a
// cheap look for a progress line, where Snapshot would copy every histogram.
// f must be quick, must not change d, and must not keep it.
func (a *Aggregate) Peek(f func(d *Snapshot)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a.d)
}

// Merge adds everything o has recorded into a (see Snapshot.Merge). o is
// not changed.
func (a *Aggregate) Merge(o *Aggregate) {
	snap := o.Snapshot()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.d.Merge(snap)
}

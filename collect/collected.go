package collect

import (
	"fmt"
	"slices"
	"time"

	"github.com/loadgen/loadgen/results"
)

// Joined is a shard that reported in at the barrier.
type Joined struct {
	Shard    int       `json:"shard"`
	Instance string    `json:"instance"`
	Host     string    `json:"host,omitempty"`
	Version  string    `json:"version,omitempty"`
	At       time.Time `json:"at"`
}

// Collected is what a Coordinator collected of a run: the shards that
// joined, the results files that arrived and those missing. loadgen collect
// keeps it as RUNID.collect.json.
type Collected struct {
	RunID    string        `json:"run_id"`
	Shards   int           `json:"shards"`
	StartAt  time.Time     `json:"start_at,omitzero"` // zero when the barrier never opened
	Duration time.Duration `json:"duration_ns"`       // planned, from the joins
	Grace    time.Duration `json:"grace_ns"`
	Joined   []Joined      `json:"joined"`
	Received []Received    `json:"received"` // in shard order
	Missing  []int         `json:"missing"`  // shards whose results did not arrive
	Late     []LateJoin    `json:"late,omitempty"`
	Problem  string        `json:"problem,omitempty"` // why the barrier failed
}

// Complete reports whether every shard's results arrived.
func (o *Collected) Complete() bool {
	return !o.StartAt.IsZero() && len(o.Received) == o.Shards && len(o.Missing) == 0
}

// Interrupted returns the shards whose run was interrupted (they sent
// results, but of less than the planned run).
func (o *Collected) Interrupted() []int {
	var list []int
	for _, r := range o.Received {
		if r.Outcome != OutcomeCompleted {
			list = append(list, r.Shard)
		}
	}
	return list
}

// MissingText says which shards are missing, e.g. "shard 3 of 4 missing";
// "" when none is.
func (o *Collected) MissingText() string {
	if len(o.Missing) == 0 {
		return ""
	}
	return results.ShardList(o.Missing, o.Shards) + " missing"
}

// StartSkew returns the spread of the shards' own start instants (latest
// minus earliest), from the results received with one; 0 with fewer than
// two.
func (o *Collected) StartSkew() time.Duration {
	var first, last time.Time
	for _, r := range o.Received {
		if r.StartedAt.IsZero() {
			continue
		}
		if first.IsZero() || r.StartedAt.Before(first) {
			first = r.StartedAt
		}
		if r.StartedAt.After(last) {
			last = r.StartedAt
		}
	}
	return last.Sub(first)
}

// Paths returns the files received, in shard order.
func (o *Collected) Paths() []string {
	var ps []string
	for _, r := range o.Received {
		ps = append(ps, r.Path)
	}
	return ps
}

// Status is the state of a run as GET /v1/status shows it.
type Status struct {
	State string `json:"state"` // waiting, started, aborted, timed_out
	Collected
}

// Collected returns what the Coordinator has collected so far.
func (c *Coordinator) Collected() *Collected {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.collected()
}

// Status returns the state of the run so far.
func (c *Coordinator) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	state := map[barrierState]string{waiting: "waiting", open: "started", aborted: "aborted", timedOut: "timed_out"}[c.b.state]
	return Status{State: state, Collected: *c.collected()}
}

// collected builds the Collected; the caller holds c.mu.
func (c *Coordinator) collected() *Collected {
	o := &Collected{RunID: c.cfg.RunID, Shards: c.cfg.Shards, Joined: c.joinedInOrder(),
		Received: c.receivedInOrder(), Late: slices.Clone(c.b.late)}
	if c.b.state == open {
		o.StartAt = c.b.startAt
	}
	if p := c.b.plan; p != nil {
		o.Duration, o.Grace = p.Duration, p.Grace
	}
	if c.b.problem != nil {
		o.Problem = c.b.problem.Message
	}
	for i := range c.cfg.Shards {
		if c.received[i] == nil {
			o.Missing = append(o.Missing, i)
		}
	}
	return o
}

// String summarises what was collected in one line.
func (o *Collected) String() string {
	switch {
	case o.Problem != "":
		return o.Problem
	case o.Complete():
		return fmt.Sprintf("complete: %d of %d shards' results received", len(o.Received), o.Shards)
	default:
		return "incomplete: " + o.MissingText()
	}
}

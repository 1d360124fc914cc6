package collect

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/loadgen/loadgen/results"
)

// barrier is the start barrier's state: pure, no clock, no locking (the
// Coordinator holds its lock around every call), so its rules are
// table-testable.
type barrier struct {
	shards int
	hash   string
	runID  string
	margin time.Duration

	plan   *JoinRequest        // the first join's duration and grace; every later one must match
	joined map[int]JoinRequest // by shard
	at     map[int]time.Time   // when each shard (last) joined
	held   map[int]int         // joins of each shard waiting for the others (a retry may overlap its first try)
	late   []LateJoin

	state   barrierState
	startAt time.Time // once open
	problem *Problem  // once aborted or timed out
}

type barrierState int

const (
	waiting  barrierState = iota // for shards to join
	open                         // every shard joined; the run starts at startAt
	aborted                      // the shards disagreed (ReasonMismatch)
	timedOut                     // not every shard joined in time (ReasonTimeout)
)

// LateJoin is a join refused because the run had started: a shard's pod
// replaced after a failure, or a second process started for one shard.
type LateJoin struct {
	Shard    int       `json:"shard"`
	Instance string    `json:"instance"`
	Host     string    `json:"host,omitempty"`
	At       time.Time `json:"at"`
}

func newBarrier(shards int, hash, runID string, margin time.Duration) *barrier {
	return &barrier{shards: shards, hash: hash, runID: runID, margin: margin,
		joined: map[int]JoinRequest{}, at: map[int]time.Time{}, held: map[int]int{}}
}

// join registers r at time now. It returns the answer when the barrier is
// (or by this join becomes) open for r, a Problem when r is refused, or
// neither when r must wait for the others.
func (b *barrier) join(r JoinRequest, now time.Time) (*JoinResponse, *Problem) {
	switch b.state {
	case aborted, timedOut:
		return nil, b.problem
	case open:
		// Only a process that opened the barrier may ask again (its answer
		// was lost), and only before the start.
		if j, ok := b.joined[r.Shard]; ok && j.Instance == r.Instance && now.Before(b.startAt) {
			return b.answer(), nil
		}
		b.late = append(b.late, LateJoin{Shard: r.Shard, Instance: r.Instance, Host: r.Host, At: now})
		return nil, &Problem{ReasonTooLate, fmt.Sprintf("too late: run %s started at %s, %s ago; shard %d cannot join it (was its pod replaced?)",
			b.runID, b.startAt.UTC().Format(time.RFC3339Nano), now.Sub(b.startAt).Round(time.Millisecond), r.Shard)}
	}
	if msg := b.mismatch(&r); msg != "" {
		b.state = aborted
		b.problem = &Problem{ReasonMismatch, msg}
		return nil, b.problem
	}
	if j, ok := b.joined[r.Shard]; ok && j.Instance != r.Instance {
		// The other process is still waiting (one that went away has left):
		// two processes were started as one shard.
		return nil, &Problem{ReasonTaken, fmt.Sprintf("%s: shard %d reported in already from another process%s, which is still waiting: start every process with its own --shard I/N",
			who(&r), r.Shard, hostOf(j.Host))}
	}
	if b.plan == nil {
		b.plan = &r
	}
	b.joined[r.Shard] = r
	b.at[r.Shard] = now
	if len(b.joined) < b.shards {
		b.held[r.Shard]++
		return nil, nil
	}
	b.state = open
	b.startAt = now.Add(b.margin)
	return b.answer(), nil
}

// leave withdraws a join that was waiting when its shard went away before
// the start (its process ended or its connection broke), so that the run
// cannot start without it; a process that took the shard over before the
// start (a replaced pod) joins in its place. It reports whether the shard
// left: not while another try of the same process is still waiting.
func (b *barrier) leave(r JoinRequest) bool {
	if j, ok := b.joined[r.Shard]; b.state != waiting || !ok || j.Instance != r.Instance {
		return false
	}
	if b.held[r.Shard]--; b.held[r.Shard] > 0 {
		return false
	}
	delete(b.joined, r.Shard)
	delete(b.at, r.Shard)
	delete(b.held, r.Shard)
	return true
}

func (b *barrier) answer() *JoinResponse {
	return &JoinResponse{RunID: b.runID, StartAt: b.startAt}
}

// mismatch says how r disagrees with the run, "" if it does not.
func (b *barrier) mismatch(r *JoinRequest) string {
	who := who(r)
	switch {
	case r.Shards != b.shards:
		return fmt.Sprintf("%s: the run has %d shards, this one was started as one of %d", who, b.shards, r.Shards)
	case r.Shard < 0 || r.Shard >= b.shards:
		return fmt.Sprintf("%s: shard %d is not one of 0…%d", who, r.Shard, b.shards-1)
	case r.ScenarioHash != b.hash:
		return fmt.Sprintf("%s: its scenario (%s) is not the collector's (%s): every shard must run the same file", who, short(r.ScenarioHash), short(b.hash))
	case r.RunID != "" && r.RunID != b.runID:
		return fmt.Sprintf("%s: run id %q, but the collector's run is %q", who, r.RunID, b.runID)
	case r.Instance == "":
		return fmt.Sprintf("%s: no instance id", who)
	}
	if p := b.plan; p != nil && (r.Duration != p.Duration || r.Grace != p.Grace) {
		return fmt.Sprintf("%s: planned duration %v and grace %v, but shard %d's are %v and %v (give every shard the same --duration and --grace)",
			who, r.Duration, r.Grace, p.Shard, p.Duration, p.Grace)
	}
	return ""
}

// who names the shard of a join for messages: "shard 1/4 (pod-1)".
func who(r *JoinRequest) string {
	return fmt.Sprintf("shard %d/%d", r.Shard, r.Shards) + hostOf(r.Host)
}

// hostOf is " (host)", or "" without one.
func hostOf(host string) string {
	if host == "" {
		return ""
	}
	return " (" + host + ")"
}

// expire times the barrier out if it is still waiting.
func (b *barrier) expire(after time.Duration) {
	if b.state != waiting {
		return
	}
	b.state = timedOut
	b.problem = &Problem{ReasonTimeout, fmt.Sprintf("the start barrier timed out after %v: %s did not report in",
		after, results.ShardList(b.missing(), b.shards))}
}

// missing returns the shards that have not joined, in order.
func (b *barrier) missing() []int {
	var m []int
	for i := range b.shards {
		if _, ok := b.joined[i]; !ok {
			m = append(m, i)
		}
	}
	return m
}

// members returns the joined shards in order.
func (b *barrier) members() []int {
	return slices.Sorted(maps.Keys(b.joined))
}

// short abbreviates a "sha256:…" hash for messages.
func short(h string) string {
	if h == "" {
		return "no hash"
	}
	if len(h) > len("sha256:")+12 {
		return h[:len("sha256:")+12] + "…"
	}
	return h
}

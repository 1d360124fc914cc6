// Package results is what a run produces: one Result per step, the Sink
// that receives them, the run's facts (Run), and the vocabulary they are
// written in (vocab.go: steps, error kinds, reply shapes, session outcomes).
// Add a step, kind or shape there: stats, resultfile, metrics and report
// range over it.
package results

import "time"

// Result is the record of one step. It is a plain value, safe to copy; the
// Gaps slice is owned by the Result once recorded.
type Result struct {
	Shard        int           // shard index of a distributed run (0 for one process)
	User         uint64        // virtual user number, from 1
	Session      uint64        // session number within the run, from 1
	Conversation string        // the scenario conversation's name
	Turn         int           // the conversation's turns item (from 1) the step belongs to; 0 for the steps that start a session (its first page view, its conversation); a visit's page view number (from 0)
	Step         Step          // what was measured
	Intended     time.Time     // when the schedule wanted the step to start
	Start        time.Time     // when the request was actually sent
	Wait         time.Duration // time spent waiting for the global rate limiter

	Code     int             // HTTP status; 0 when no response arrived
	Error    Kind            // why the step failed; "" on success
	Detail   string          // short redacted error text; never a secret or token
	BytesIn  int64           // response bytes
	BytesOut int64           // request bytes
	Latency  time.Duration   // from Start to the end of the response
	TTFB     time.Duration   // from Start to the first body byte
	TTFT     time.Duration   // from Start to the first non-empty text part (message steps)
	Gaps     []time.Duration // inter-token gaps (message steps)
	Tokens   int             // output tokens (usage when reported, else text parts)
	Parts    int             // text parts
	Chars    int             // reply characters
	RefChars int             // characters of the recorded reply a replayed turn is compared with (0: none)
	Shape    Shape           // reply shape of a successful message step
	Polls    int             // GETs made by a poll step
	Good     bool            // the step met the scenario's SLO (message steps)
}

// OK reports whether the step succeeded.
func (r *Result) OK() bool { return r.Error == "" }

// LatencyFromIntended returns latency measured from the intended start, which
// includes any delay the schedule suffered (coordinated omission corrected).
func (r *Result) LatencyFromIntended() time.Duration {
	if r.Intended.IsZero() || r.Start.Before(r.Intended) {
		return r.Latency
	}
	return r.Start.Sub(r.Intended) + r.Latency
}

// Lag returns how late the step started against its schedule (never negative).
func (r *Result) Lag() time.Duration {
	if r.Intended.IsZero() || r.Start.Before(r.Intended) {
		return 0
	}
	return r.Start.Sub(r.Intended)
}

// Sink receives what a run produces. Implementations must be safe for
// concurrent use. Record may keep r: the runner never changes a Result after
// recording it.
type Sink interface {
	// SessionStarted is called when a virtual user begins a session,
	// before its first request.
	SessionStarted(conversation string)
	// Record is called once per step, in order within a session.
	Record(r *Result)
	// SessionEnded is called once per started session, after its last
	// Record, with how it ended. A session stopped by the end of the run
	// while its user was thinking ends as EndCanceled with no further Record.
	SessionEnded(conversation string, end End)
}

// TimedSink is a Sink that also takes the time of session events, so that a
// recorded run can be replayed with its own timestamps (the Sink's session
// calls carry none). stats.Aggregate and the results file's writers are
// TimedSinks; resultfile.Reader.Replay feeds one.
type TimedSink interface {
	Sink
	SessionStartedAt(conversation string, t time.Time)
	SessionEndedAt(conversation string, end End, t time.Time)
}

// Tee returns a Sink that forwards to every sink in order.
func Tee(sinks ...Sink) Sink { return tee(sinks) }

type tee []Sink

func (t tee) SessionStarted(c string) {
	for _, s := range t {
		s.SessionStarted(c)
	}
}

func (t tee) Record(r *Result) {
	for _, s := range t {
		s.Record(r)
	}
}

func (t tee) SessionEnded(c string, e End) {
	for _, s := range t {
		s.SessionEnded(c, e)
	}
}

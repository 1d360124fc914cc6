package collect

import (
	"errors"
	"fmt"
	"time"
)

// Paths of the protocol.
const (
	PathJoin    = "/v1/join"
	PathResults = "/v1/results/" // followed by the shard number
	PathStatus  = "/v1/status"
	PathHealth  = "/healthz"
)

// Headers of a results upload.
const (
	HeaderDigest    = "Content-Digest"
	HeaderInstance  = "Loadgen-Instance"
	HeaderStartedAt = "Loadgen-Started-At"
	HeaderOutcome   = "Loadgen-Outcome"
)

// Outcomes a shard reports with its results.
const (
	OutcomeCompleted   = "completed"
	OutcomeInterrupted = "interrupted"
)

// JoinRequest is what a shard sends to the start barrier.
type JoinRequest struct {
	RunID        string        `json:"run_id,omitempty"` // the shard's --run-id; "" takes the collector's
	Shard        int           `json:"shard"`            // 0 ≤ Shard < Shards
	Shards       int           `json:"shards"`
	ScenarioHash string        `json:"scenario_hash"` // "sha256:…" of the scenario file
	Duration     time.Duration `json:"duration_ns"`   // planned run length (after overrides)
	Grace        time.Duration `json:"grace_ns"`      // drain after the run, so the collector knows when results are due
	Version      string        `json:"version,omitempty"`
	Instance     string        `json:"instance"`       // random id of the shard's process: a retried join is the same shard
	Host         string        `json:"host,omitempty"` // hostname (a pod's name), for messages
}

// JoinResponse opens the barrier: every shard gets the same RunID and
// StartAt; Now is the collector's clock when it wrote this answer.
type JoinResponse struct {
	RunID   string    `json:"run_id"`
	StartAt time.Time `json:"start_at"`
	Now     time.Time `json:"now"`
}

// ClockTolerance is how far apart a shard's and the collector's clocks
// may seem (the answer's arrival minus its Now: the clocks' offset plus the
// delivery) for the shard to start at StartAt by its own clock.
const ClockTolerance = time.Second

// LocalStart returns when, by the shard's clock, to start; received is
// when the answer arrived. Clocks that agree (NTP, or one machine) start
// every shard at StartAt, whatever the delays in delivering the answers;
// a shard whose clock seems further than ClockTolerance from the
// collector's starts at StartAt as the collector's clock tells it:
// received + (StartAt − Now).
func (r *JoinResponse) LocalStart(received time.Time) time.Time {
	if received.Sub(r.Now).Abs() <= ClockTolerance {
		return r.StartAt
	}
	return received.Add(r.StartAt.Sub(r.Now))
}

// Reason says why the collector refused a request.
type Reason string

// Reasons.
const (
	ReasonMismatch  Reason = "mismatch"    // the shards disagree (N, scenario hash, run id, duration): the run is aborted
	ReasonTooLate   Reason = "too_late"    // the run started already
	ReasonTaken     Reason = "shard_taken" // another process that is still waiting reported in as this shard
	ReasonTimeout   Reason = "timeout"     // not every shard joined in time
	ReasonChecksum  Reason = "checksum"    // the upload's digest does not match its body: send it again
	ReasonBadFile   Reason = "bad_file"    // not a results file of this run and shard
	ReasonNotMember Reason = "not_member"  // this process did not join the run as this shard
	ReasonDuplicate Reason = "duplicate"   // a different file for this shard was received already
	ReasonNotOpen   Reason = "not_started" // results before the run started
	ReasonBad       Reason = "bad_request" // malformed request
	ReasonStopped   Reason = "stopped"     // the collector is shutting down
)

// Problem is the body of every error answer.
type Problem struct {
	Reason  Reason `json:"reason"`
	Message string `json:"error"`
}

// Error is a refusal from the collector, as the Client returns it.
type Error struct {
	Status int // HTTP status
	Problem
}

func (e *Error) Error() string {
	return fmt.Sprintf("collect: the collector refused (%s): %s", e.Reason, e.Message)
}

// IsMismatch reports whether err is a refusal because the shards, or a
// shard and the collector, disagree about the run (or two processes were
// started as one shard): a usage error (exit 2), not a failure of the run.
func IsMismatch(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Reason == ReasonMismatch || e.Reason == ReasonBadFile || e.Reason == ReasonTaken)
}

package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Defaults for Config.
const (
	DefaultMargin  = 2 * time.Second  // start = last join + margin
	DefaultTimeout = 10 * time.Minute // for shards to join, and for results after the planned end
)

// Config configures a Coordinator.
type Config struct {
	Shards       int    // N, the shards of the run; required
	ScenarioHash string // "sha256:…" of the scenario every shard must run; required
	RunID        string // the run's id, given to every shard; required
	Dir          string // where the shards' results files are kept; required, must exist
	// Margin is the time from the last join to the start instant: enough
	// for the answers to reach every shard and for each to open its
	// outputs (default DefaultMargin).
	Margin time.Duration
	// Timeout bounds each wait (default DefaultTimeout): for every shard
	// to join, counted from New, and for every shard's results, counted
	// from the planned end of the run (start + duration + grace).
	Timeout time.Duration
	Logger  *slog.Logger // default: discard
}

// Coordinator is the collector's side of a distributed run: it serves the
// protocol (Handler) and reports the run's end (Wait). It is safe for
// concurrent use.
type Coordinator struct {
	cfg     Config
	log     *slog.Logger
	created time.Time

	resolved chan struct{} // closed when the barrier stops waiting (open, aborted, timed out)
	allIn    chan struct{} // closed when every shard's results are in

	mu        sync.Mutex // guards the fields below and the barrier
	b         *barrier
	received  map[int]*Received
	uploading map[int]bool  // an upload of this shard is being stored
	closed    bool          // Close was called: refuse everything
	told      map[int]bool  // shards that have had a final answer to a join (a start or a refusal)
	allTold   chan struct{} // closed when every shard has
}

// New returns a Coordinator for one run. Its barrier timeout starts now.
func New(cfg Config) (*Coordinator, error) {
	switch {
	case cfg.Shards < 1:
		return nil, fmt.Errorf("collect: want at least 1 shard, got %d", cfg.Shards)
	case cfg.ScenarioHash == "":
		return nil, errors.New("collect: no scenario hash")
	case cfg.RunID == "":
		return nil, errors.New("collect: no run id")
	}
	if fi, err := os.Stat(cfg.Dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("collect: results directory %q: not a directory", cfg.Dir)
	}
	if cfg.Margin <= 0 {
		cfg.Margin = DefaultMargin
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Coordinator{
		cfg: cfg, log: log, created: time.Now(),
		resolved: make(chan struct{}), allIn: make(chan struct{}),
		b:        newBarrier(cfg.Shards, cfg.ScenarioHash, cfg.RunID, cfg.Margin),
		received: map[int]*Received{}, uploading: map[int]bool{},
		told: map[int]bool{}, allTold: make(chan struct{}),
	}, nil
}

// Handler serves the protocol (see the package documentation).
func (c *Coordinator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathJoin, c.serveJoin)
	mux.HandleFunc("PUT "+PathResults+"{shard}", c.serveResults)
	mux.HandleFunc("GET "+PathStatus, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, c.Status()) })
	mux.HandleFunc("GET "+PathHealth, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	return mux
}

func (c *Coordinator) serveJoin(w http.ResponseWriter, r *http.Request) {
	var req JoinRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeProblem(w, &Problem{ReasonBad, "join: " + err.Error()})
		return
	}
	resp, p := c.join(req)
	if resp == nil && p == nil { // wait for the other shards
		select {
		case <-c.resolved:
		case <-r.Context().Done():
			c.leave(req) // the shard went away before the start; it may join again
			return
		}
		resp, p = c.join(req)
	}
	if p != nil {
		writeProblem(w, p)
		return
	}
	resp.Now = time.Now()
	writeJSON(w, http.StatusOK, resp)
}

// join runs the barrier for req and logs what happened.
func (c *Coordinator) join(req JoinRequest) (*JoinResponse, *Problem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Close ends a waiting barrier (ReasonStopped); a resolved one keeps
	// answering, so that shards held at it learn how it ended.
	before := c.b.state
	rejoin := c.b.joined[req.Shard].Instance == req.Instance
	resp, p := c.b.join(req, time.Now())
	final := resp != nil || (p != nil && p.Reason != ReasonTaken) // a refused second process is not the shard's
	if final && req.Shard >= 0 && req.Shard < c.cfg.Shards && !c.told[req.Shard] {
		c.told[req.Shard] = true
		if len(c.told) == c.cfg.Shards {
			close(c.allTold)
		}
	}
	switch {
	case p != nil && p.Reason == ReasonTaken:
		c.log.Error("a second process reported in as a shard whose first is still waiting: refused", "shard", req.Shard, "host", req.Host)
	case before == waiting && c.b.state == aborted:
		c.log.Error("shards disagree: the run is aborted", "reason", p.Message)
		close(c.resolved)
	case before == waiting:
		c.log.Info("shard reported in", "shard", req.Shard, "host", req.Host, "version", req.Version,
			"joined", len(c.b.joined), "of", c.cfg.Shards, "again", rejoin)
		if c.b.state == open {
			c.log.Info("every shard reported in: the run starts", "run_id", c.cfg.RunID, "start_at", c.b.startAt.UTC().Format(time.RFC3339Nano),
				"in", c.cfg.Margin)
			close(c.resolved)
		}
	case p != nil && p.Reason == ReasonTooLate:
		c.log.Warn("a shard reported in after the start: refused", "shard", req.Shard, "host", req.Host)
	}
	return resp, p
}

// leave withdraws the waiting join req of a shard that went away.
func (c *Coordinator) leave(req JoinRequest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.b.leave(req) {
		c.log.Warn("a shard went away before the start (its process ended or its connection broke): the run waits for it to report in again",
			"shard", req.Shard, "host", req.Host, "joined", len(c.b.joined), "of", c.cfg.Shards)
	}
}

func (c *Coordinator) serveResults(w http.ResponseWriter, r *http.Request) {
	shard, err := strconv.Atoi(r.PathValue("shard"))
	if err != nil || shard < 0 || shard >= c.cfg.Shards {
		writeProblem(w, &Problem{ReasonBad, fmt.Sprintf("results: shard %q is not one of 0…%d", r.PathValue("shard"), c.cfg.Shards-1)})
		return
	}
	want, err := parseDigest(r.Header.Get(HeaderDigest))
	if err != nil {
		writeProblem(w, &Problem{ReasonBad, "results: " + err.Error()})
		return
	}
	info := Received{Shard: shard, Outcome: r.Header.Get(HeaderOutcome)}
	if t := r.Header.Get(HeaderStartedAt); t != "" {
		if info.StartedAt, err = time.Parse(time.RFC3339Nano, t); err != nil {
			writeProblem(w, &Problem{ReasonBad, fmt.Sprintf("results: %s: %v", HeaderStartedAt, err)})
			return
		}
	}
	if p := c.beginUpload(shard, r.Header.Get(HeaderInstance), want); p != nil {
		writeProblem(w, p)
		return
	}
	got, p := c.receive(shard, r.Body, want)
	c.mu.Lock()
	delete(c.uploading, shard)
	if got != nil {
		got.StartedAt, got.Outcome, got.At = info.StartedAt, info.Outcome, time.Now()
		if c.received[shard] == nil {
			c.received[shard] = got
			c.log.Info("results received", "shard", shard, "records", got.Records, "bytes", got.Bytes,
				"outcome", got.Outcome, "received", len(c.received), "of", c.cfg.Shards)
			if len(c.received) == c.cfg.Shards {
				close(c.allIn)
			}
		}
		got = c.received[shard]
	}
	c.mu.Unlock()
	if p != nil {
		c.log.Warn("results refused", "shard", shard, "reason", p.Reason, "error", p.Message)
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusOK, got)
}

// beginUpload checks that shard may upload now, and marks it uploading.
// A repeated upload of the file already received is accepted again
// (the answer to the first was lost); any other second file is refused.
func (c *Coordinator) beginUpload(shard int, instance string, sum []byte) *Problem {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return &Problem{ReasonStopped, "the collector is shutting down"}
	case c.b.state != open:
		return &Problem{ReasonNotOpen, "results before the run started"}
	case c.b.joined[shard].Instance != instance:
		return &Problem{ReasonNotMember, fmt.Sprintf("results for shard %d from a process that did not join the run as that shard", shard)}
	case c.uploading[shard]:
		return &Problem{ReasonDuplicate, fmt.Sprintf("shard %d's results are being received already", shard)}
	}
	if got := c.received[shard]; got != nil && got.SHA256 != fmt.Sprintf("%x", sum) {
		return &Problem{ReasonDuplicate, fmt.Sprintf("shard %d sent a different results file already", shard)}
	}
	c.uploading[shard] = true
	return nil
}

// receive stores and checks an upload, and keeps it under its final name.
func (c *Coordinator) receive(shard int, body io.Reader, want []byte) (*Received, *Problem) {
	tmp, sum, n, err := store(c.cfg.Dir, body, want)
	if errors.Is(err, errChecksum) {
		return nil, &Problem{ReasonChecksum, "results: " + err.Error()}
	}
	if err != nil {
		return nil, &Problem{ReasonBad, "results: " + err.Error()}
	}
	got, err := verify(tmp, c.cfg.RunID, shard, c.cfg.Shards, c.cfg.ScenarioHash)
	if err != nil {
		os.Remove(tmp)
		return nil, &Problem{ReasonBadFile, fmt.Sprintf("results of shard %d: %v", shard, err)}
	}
	final := filepath.Join(c.cfg.Dir, FileName(c.cfg.RunID, shard, c.cfg.Shards))
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return nil, &Problem{ReasonBad, "results: " + err.Error()}
	}
	got.Path, got.SHA256, got.Bytes = final, sum, n
	return got, nil
}

// Wait waits for the run to end and returns what arrived: until every
// shard's results are in, or the barrier fails, or a timeout passes, or
// ctx ends. It returns an *Error when the barrier failed (ReasonMismatch,
// ReasonTimeout) and ctx's error when ctx ended first; a Collected that is
// not Complete otherwise means results are missing.
func (c *Coordinator) Wait(ctx context.Context) (*Collected, error) {
	barrierTimer := time.NewTimer(time.Until(c.created.Add(c.cfg.Timeout)))
	defer barrierTimer.Stop()
	select {
	case <-c.resolved:
	case <-barrierTimer.C:
		c.mu.Lock()
		if c.b.state == waiting {
			c.b.expire(c.cfg.Timeout)
			c.log.Error("the start barrier timed out", "reason", c.b.problem.Message)
			close(c.resolved)
		}
		c.mu.Unlock()
	case <-ctx.Done():
		return c.Collected(), ctx.Err()
	}
	c.mu.Lock()
	state, problem := c.b.state, c.b.problem
	deadline := c.b.startAt
	if c.b.plan != nil {
		deadline = deadline.Add(c.b.plan.Duration + c.b.plan.Grace + c.cfg.Timeout)
	}
	c.mu.Unlock()
	if state != open {
		status := http.StatusConflict
		if state == timedOut {
			status = http.StatusServiceUnavailable
		}
		return c.Collected(), &Error{Status: status, Problem: *problem}
	}
	resultsTimer := time.NewTimer(time.Until(deadline))
	defer resultsTimer.Stop()
	select {
	case <-c.allIn:
	case <-resultsTimer.C:
		c.log.Error("results timed out", "missing", c.Collected().MissingText())
	case <-ctx.Done():
		return c.Collected(), ctx.Err()
	}
	return c.Collected(), nil
}

// WaitTold waits until every shard has had a final answer to a join (the
// start, or why the run cannot start), at most d: after a failed barrier,
// a collector that waits for it before it quits lets every shard exit with
// the reason instead of retrying an address nobody answers.
func (c *Coordinator) WaitTold(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c.allTold:
	case <-t.C:
	case <-ctx.Done():
	}
}

// Close makes the Coordinator refuse every later request (answers held at
// the barrier are released with a refusal).
func (c *Coordinator) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	if c.b.state == waiting {
		c.b.state, c.b.problem = aborted, &Problem{ReasonStopped, "the collector stopped before every shard reported in"}
		close(c.resolved)
	}
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// statusOf maps a refusal to its HTTP status.
var statusOf = map[Reason]int{
	ReasonMismatch: http.StatusConflict, ReasonTaken: http.StatusConflict, ReasonTooLate: http.StatusGone, ReasonTimeout: http.StatusServiceUnavailable,
	ReasonChecksum: http.StatusBadRequest, ReasonBadFile: http.StatusUnprocessableEntity, ReasonNotMember: http.StatusConflict,
	ReasonDuplicate: http.StatusConflict, ReasonNotOpen: http.StatusConflict, ReasonBad: http.StatusBadRequest,
	ReasonStopped: http.StatusServiceUnavailable,
}

func writeProblem(w http.ResponseWriter, p *Problem) {
	status, ok := statusOf[p.Reason]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, p)
}

// joinedInOrder returns the joins in shard order; the caller holds c.mu.
func (c *Coordinator) joinedInOrder() []Joined {
	var js []Joined
	for _, i := range c.b.members() {
		r := c.b.joined[i]
		js = append(js, Joined{Shard: i, Instance: r.Instance, Host: r.Host, Version: r.Version, At: c.b.at[i]})
	}
	return js
}

// receivedInOrder returns the results received in shard order; the caller
// holds c.mu.
func (c *Coordinator) receivedInOrder() []Received {
	var rs []Received
	for i := range c.cfg.Shards {
		if r := c.received[i]; r != nil {
			rs = append(rs, *r)
		}
	}
	return rs
}

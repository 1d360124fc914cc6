package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"time"

	"github.com/loadgen/loadgen/collect"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
)

// startOptions are the flags of `loadgen run` for a distributed start.
type startOptions struct {
	collector        string        // --collector URL: barrier and results upload
	collectorTimeout time.Duration // how long to keep trying the collector
	startAt          string        // --start-at RFC 3339: a static start without a collector
	runID            string        // --run-id, shared by every shard
}

// validRunID is what a run id may hold: it names files and label values.
var validRunID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// check validates the flags; start is --start-at parsed (zero without).
func (s *startOptions) check(now time.Time) (start time.Time, err error) {
	if s.runID != "" && !validRunID.MatchString(s.runID) {
		return time.Time{}, fmt.Errorf("--run-id %q: want 1–100 letters, digits, '.', '_' or '-', starting with a letter or digit", s.runID)
	}
	if s.collector != "" && s.startAt != "" {
		return time.Time{}, errors.New("--collector and --start-at exclude each other: the collector gives the start instant")
	}
	if s.startAt == "" {
		return time.Time{}, nil
	}
	start, err = time.Parse(time.RFC3339Nano, s.startAt)
	if err != nil {
		return time.Time{}, fmt.Errorf("--start-at %q: want an RFC 3339 time such as 2026-12-01T12:00:00Z", s.startAt)
	}
	if late := now.Sub(start); late > time.Second {
		return time.Time{}, fmt.Errorf("--start-at %s was %v ago: give every shard an instant still to come", s.startAt, late.Round(time.Millisecond))
	}
	return start, nil
}

// staticRunID is the run id shards started with one --start-at share
// without being told one: the start instant and the scenario's hash.
func staticRunID(start time.Time, scenarioHash string) string {
	h := sha256.Sum256([]byte(scenarioHash + "@" + start.UTC().Format(time.RFC3339Nano)))
	return start.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(h[:4])
}

// shardRun is a shard of a run with a collector: it reports in at the
// barrier before the run and sends its results file after it.
type shardRun struct {
	client *collect.Client
	url    string
	shard  int
	path   string // the results file (--out, or a temporary file)
	temp   bool   // path is ours: removed once the collector has it
	tried  bool   // the upload was tried
	sent   bool   // the collector has the file
	wait   time.Duration
	log    *slog.Logger
}

// newShardRun prepares the collector's client and where the results file
// goes: --out, or a temporary file.
func (o *runOptions) newShardRun(shard int, log *slog.Logger) (*shardRun, error) {
	if o.out == "-" {
		return nil, errors.New("--out - with --collector: the results file goes to the collector; give --out a file or leave it out")
	}
	if o.abortOnFail {
		return nil, errors.New("--abort-on-fail with --collector: thresholds are judged by the collector on every shard's results, not on one shard's share")
	}
	if len(o.thresholds) > 0 {
		// A shard judges nothing, and the collector never sees a shard's
		// flags: the threshold would silently not count.
		return nil, errors.New("--threshold with --collector: the collector judges the thresholds, on every shard's results merged; give --threshold to loadgen collect")
	}
	c, err := collect.NewClient(o.collector, collect.WithClientLogger(log))
	if err != nil {
		return nil, fmt.Errorf("--collector: %w", err)
	}
	s := &shardRun{client: c, url: results.RedactURL(o.collector), shard: shard, path: o.out, wait: o.collectorTimeout, log: log}
	if s.path == "" {
		f, err := os.CreateTemp("", fmt.Sprintf("loadgen-shard-%d-*.jsonl", shard))
		if err != nil {
			return nil, fmt.Errorf("a results file for the collector: %w", err)
		}
		f.Close()
		s.path, s.temp = f.Name(), true
		o.out = s.path
	}
	return s, nil
}

// join reports in at the barrier and waits for every shard. It returns the
// run id and the start instant by this machine's clock. A disagreement with
// the other shards is a usage error (exit 2).
func (s *shardRun) join(ctx context.Context, req collect.JoinRequest) (string, time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	if host, err := os.Hostname(); err == nil {
		req.Host = host
	}
	s.log.Info("reporting in at the collector's start barrier", "collector", s.url, "shard", req.Shard, "shards", req.Shards)
	resp, received, err := s.client.Join(ctx, req)
	switch {
	case errors.Is(err, collect.ErrNotCollector):
		return "", time.Time{}, usageError(fmt.Errorf("--collector %s: %w", s.url, err))
	case collect.IsMismatch(err):
		return "", time.Time{}, usageError(err)
	case err != nil:
		return "", time.Time{}, err
	}
	start := resp.LocalStart(received)
	s.log.Info("every shard reported in", "run_id", resp.RunID, "start_at", resp.StartAt.UTC().Format(time.RFC3339Nano),
		"in", time.Until(start).Round(time.Millisecond))
	if offset := received.Sub(resp.Now); offset.Abs() > collect.ClockTolerance {
		s.log.Warn("this machine's clock differs from the collector's: the start is timed by the collector's clock, but the results' timestamps are this machine's",
			"offset", offset.Round(time.Millisecond))
	}
	return resp.RunID, start, nil
}

// upload sends the results file to the collector (bounded by the collector
// timeout, even after Ctrl-C: what ran must still arrive) and removes a
// temporary one once it is in. A run that stopped before its end (Ctrl-C,
// or stopped, the run's own error: an early stop, a transcript that could
// not be read on) is sent as interrupted, so the collector does not judge
// it a complete run.
//
// What ran must arrive even after the Ctrl-C that ended the run, so the
// upload outlives ctx; but a Ctrl-C that comes during the upload stops it
// (a collector that cannot be reached would hold the summary back for the
// whole collector timeout), and the results file stays.
func (s *shardRun) upload(ctx context.Context, out runner.Outcome, stopped bool) error {
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.wait)
	defer cancel()
	if ctx.Err() == nil {
		defer context.AfterFunc(ctx, cancel)()
	}
	s.tried = true
	got, err := s.client.Upload(uctx, s.shard, s.path, out.Began, out.Interrupted || stopped)
	if err != nil {
		// A failed run (exit 1), whatever the refusal: the file is this
		// run's own, so a refused one is broken (cut short), not misused.
		return fmt.Errorf("the collector did not take the results (they are in %s): %w", s.path, err)
	}
	s.log.Info("results sent to the collector", "records", got.Records, "bytes", got.Bytes)
	s.sent = true
	s.remove()
	return nil
}

// remove deletes a temporary results file, unless the collector refused
// it (then it stays, and the error says where).
func (s *shardRun) remove() {
	if s.temp && (s.sent || !s.tried) {
		os.Remove(s.path)
	}
}

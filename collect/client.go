package collect

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Client is a shard's side of the protocol. Create it with NewClient; it
// is safe for concurrent use.
type Client struct {
	base     string
	instance string
	http     *http.Client // no overall timeout: a join waits as long as the barrier does; ctx bounds every call
	log      *slog.Logger
	retry    time.Duration // first retry wait; doubled up to maxRetryWait
}

// ClientOption configures a Client.
type ClientOption func(*Client)

// WithClientLogger sets where retries are logged (default: discard).
func WithClientLogger(l *slog.Logger) ClientOption { return func(c *Client) { c.log = l } }

// ErrNotCollector means the server at the collector URL does not serve the
// protocol (it answered 404 or 405): the URL is wrong, a usage error.
var ErrNotCollector = errors.New("no loadgen collector at this URL (is it the address of loadgen collect, with no path?)")

// Retry waits: a shard keeps trying to reach the collector (which may start
// after it, as pods do) until its context ends.
const (
	firstRetryWait = 250 * time.Millisecond
	maxRetryWait   = 5 * time.Second
	maxUploads     = 5 // attempts of an upload refused for its checksum
)

// NewClient returns a Client of the collector at base (http://host:port).
// Each Client has its own random instance id, which ties its join to its
// upload.
func NewClient(base string, opts ...ClientOption) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("collect: collector URL %q: want http(s)://host:port", base)
	}
	id := make([]byte, 8)
	rand.Read(id)
	c := &Client{base: strings.TrimSuffix(u.String(), "/"), instance: hex.EncodeToString(id),
		http: &http.Client{}, log: slog.New(slog.DiscardHandler), retry: firstRetryWait}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Instance returns the client's instance id.
func (c *Client) Instance() string { return c.instance }

// Join reports in at the start barrier and waits until every shard has;
// it returns the run id and start instant, and when the answer arrived by
// this machine's clock (see JoinResponse.LocalStart). It retries while the
// collector cannot be reached. A refusal is an *Error: IsMismatch tells a
// disagreement about the run (exit 2) from a timeout or a late join (1).
func (c *Client) Join(ctx context.Context, r JoinRequest) (*JoinResponse, time.Time, error) {
	r.Instance = c.instance
	body, err := json.Marshal(r)
	if err != nil {
		return nil, time.Time{}, err
	}
	var resp JoinResponse
	var received time.Time
	err = c.retrying(ctx, "join", func() (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+PathJoin, bytes.NewReader(body))
		if err != nil {
			return false, err
		}
		req.Header.Set("Content-Type", "application/json")
		return c.do(req, &resp, func() { received = time.Now() })
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return &resp, received, nil
}

// Upload sends the results file at path for shard, with when the shard
// started and whether it ran to its end. It retries while the collector
// cannot be reached, and resends a file refused for its checksum a few
// times. It returns what the collector accepted.
func (c *Client) Upload(ctx context.Context, shard int, path string, startedAt time.Time, interrupted bool) (*Received, error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	outcome := OutcomeCompleted
	if interrupted {
		outcome = OutcomeInterrupted
	}
	var got Received
	attempts := 0
	err = c.retrying(ctx, "upload", func() (bool, error) {
		f, err := os.Open(path)
		if err != nil {
			return false, fmt.Errorf("collect: %w", err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return false, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base+PathResults+strconv.Itoa(shard), f)
		if err != nil {
			return false, err
		}
		req.ContentLength = fi.Size()
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set(HeaderDigest, ContentDigest(sum))
		req.Header.Set(HeaderInstance, c.instance)
		req.Header.Set(HeaderOutcome, outcome)
		if !startedAt.IsZero() {
			req.Header.Set(HeaderStartedAt, startedAt.UTC().Format(time.RFC3339Nano))
		}
		again, err := c.do(req, &got, nil)
		var e *Error
		if errors.As(err, &e) && e.Reason == ReasonChecksum {
			attempts++
			return attempts < maxUploads, err
		}
		return again, err
	})
	if err != nil {
		return nil, err
	}
	return &got, nil
}

// do sends req and decodes a 200 answer into out (calling arrived as soon
// as the answer's headers are in). It reports whether a failure is worth
// a retry: the collector unreachable or answering without a Problem.
func (c *Client) do(req *http.Request, out any, arrived func()) (retry bool, err error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return req.Context().Err() == nil, err
	}
	defer resp.Body.Close()
	if arrived != nil {
		arrived()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return true, err
	}
	if resp.StatusCode == http.StatusOK {
		return false, json.Unmarshal(body, out)
	}
	var p Problem
	if json.Unmarshal(body, &p) != nil || p.Reason == "" {
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			// A server that does not know the path: not a collector, or
			// a wrong path in the URL. Trying again cannot help.
			return false, fmt.Errorf("collect: %s %s: %s: %w", req.Method, req.URL.Path, resp.Status, ErrNotCollector)
		}
		// Not the collector speaking (a proxy, a Service without endpoints).
		return true, fmt.Errorf("collect: %s %s: %s", req.Method, req.URL.Path, resp.Status)
	}
	return false, &Error{Status: resp.StatusCode, Problem: p}
}

// retrying calls try until it succeeds, fails for good, or ctx ends,
// waiting longer between attempts each time.
func (c *Client) retrying(ctx context.Context, what string, try func() (bool, error)) error {
	wait := c.retry
	for {
		again, err := try()
		if err == nil || !again {
			return err
		}
		c.log.Warn("collector: "+what+" failed, trying again", "in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("collect: %s: gave up: %w (last error: %v)", what, context.Cause(ctx), err)
		case <-t.C:
		}
		wait = min(2*wait, maxRetryWait)
	}
}

func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

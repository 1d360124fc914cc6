package helperapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// errNoReply is the cause of a poll context whose PollOptions.Timeout passed.
var errNoReply = errors.New("helperapi: no reply in time")

// PostMessage calls POST /api/chat/conversation/{slug}/message (the
// non-streaming path, the headless SDK's messages.create) and returns the
// stored message id. The body is the SDK's for a text message:
// {content, tools: {}, attachments: [], customerSpecificTools: false}.
func (s *Session) PostMessage(ctx context.Context, slug, content string) (int64, Timing, error) {
	b, err := json.Marshal(struct {
		Content               string   `json:"content"`
		Tools                 struct{} `json:"tools"`
		Attachments           []string `json:"attachments"`
		CustomerSpecificTools bool     `json:"customerSpecificTools"`
	}{Content: content, Attachments: []string{}})
	if err != nil {
		return 0, Timing{}, &Error{Op: opMessage, Kind: KindProtocol, Msg: "cannot encode request", Err: err}
	}
	ex, xerr := s.send(ctx, opMessage, http.MethodPost, "/api/chat/conversation/"+url.PathEscape(slug)+"/message", b)
	if xerr != nil {
		return 0, ex.t, xerr
	}
	var resp struct {
		MessageID *int64 `json:"messageId"` // a JSON number; a string is a protocol error
	}
	if derr := ex.decodeJSON(&resp); derr != nil {
		return 0, ex.t, derr
	}
	if resp.MessageID == nil {
		return 0, ex.t, ex.newError(KindProtocol, "no messageId in response", nil)
	}
	return *resp.MessageID, ex.t, nil
}

// PollOptions tune WaitForReply.
type PollOptions struct {
	Interval time.Duration // between GETs (default DefaultPollInterval)
	Timeout  time.Duration // give up after this (default DefaultPollTimeout): KindNoReply
	// Backoff multiplies the interval after each GET (sparse polling: fewer
	// reads, a coarser reply time); values below 1 mean 1.
	Backoff float64
	// MaxInterval caps the interval Backoff grows (0: no cap).
	MaxInterval time.Duration
}

// AsyncReply is the outcome of waiting for a background reply.
type AsyncReply struct {
	Timing               // Start = when waiting began; Total = until the reply was seen
	Polls       int      // GETs made
	FailedPolls int      // of them, GETs that failed for a passing reason and were retried
	Message     *Message // the assistant (or staff) reply; nil with KindNoReply
}

// WaitForReply polls GetConversation until a message with role assistant or
// staff appears after the message with id afterID (the one PostMessage
// returned), or the timeout passes (an *Error of KindNoReply).
//
// The first GET goes out at once, the next ones Interval after the previous
// one ended. "After" means later in the conversation's list (oldest first)
// than the message whose id is afterID; when that message is not in the list,
// any assistant or staff message with a numeric id above afterID counts.
//
// A GET that fails for a passing reason (a 5xx or 429 from a proxy, a
// broken or refused connection, a GET's own timeout) is counted in
// FailedPolls and the wait goes on, as a widget's next poll would: one
// proxy hiccup must not fail an exchange whose reply arrives. Any other
// failure (auth, 404: the conversation is gone) ends the wait with its
// error (Op "poll"). When the timeout passes, the error is KindNoReply,
// or, when no GET succeeded at all, the last GET's own error. In the
// AsyncReply, Status is the last GET's status, BytesIn the sum over all
// GETs, and Headers and TTFB are not set.
func (s *Session) WaitForReply(ctx context.Context, slug string, afterID int64, opts PollOptions) (*AsyncReply, error) {
	interval, timeout := opts.Interval, opts.Timeout
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	if timeout <= 0 {
		timeout = DefaultPollTimeout
	}
	out := &AsyncReply{}
	out.Start = time.Now()
	pctx, cancel := context.WithTimeoutCause(ctx, timeout, errNoReply)
	defer cancel()
	after := strconv.FormatInt(afterID, 10)
	timer := time.NewTimer(interval)
	timer.Stop()
	defer timer.Stop()
	var lastErr error // the last GET's error, while no GET succeeded
	for {
		conv, t, err := s.getConversation(pctx, opPoll, slug, false)
		out.Polls++
		out.Status = t.Status
		out.BytesIn += t.BytesIn
		switch {
		case err != nil && ctx.Err() == nil && errors.Is(context.Cause(pctx), errNoReply):
			out.Total = time.Since(out.Start)
			return out, waitEnded(out, timeout, lastErr)
		case err != nil && passing(err) && ctx.Err() == nil:
			out.FailedPolls++
			if out.FailedPolls == out.Polls {
				lastErr = err
			}
		case err != nil:
			out.Total = time.Since(out.Start)
			return out, err
		default:
			lastErr = nil
			if m := replyAfter(conv.Messages, after, afterID); m != nil {
				out.Total = time.Since(out.Start)
				out.Message = m
				return out, nil
			}
		}
		timer.Reset(interval)
		interval = nextInterval(interval, opts)
		select {
		case <-timer.C:
		case <-pctx.Done():
			out.Total = time.Since(out.Start)
			if err := ctx.Err(); err != nil {
				kind := KindTimeout
				if errors.Is(err, context.Canceled) {
					kind = KindCanceled
				}
				return out, &Error{Op: opPoll, Kind: kind, Status: out.Status, Err: err}
			}
			return out, waitEnded(out, timeout, lastErr)
		}
	}
}

// passing reports whether a GET's error may pass by the next poll.
func passing(err error) bool {
	switch KindOf(err) {
	case KindHTTP5xx, KindRateLimited, KindNetwork, KindConnect, KindTimeout:
		return true
	}
	return false
}

// waitEnded is the error of a wait whose timeout passed: the last GET's own
// error when none succeeded (lastErr), else KindNoReply.
func waitEnded(out *AsyncReply, timeout time.Duration, lastErr error) error {
	if lastErr != nil {
		return lastErr
	}
	return noReply(out, timeout)
}

// noReply is the KindNoReply error of a wait that timed out.
func noReply(out *AsyncReply, timeout time.Duration) *Error {
	msg := fmt.Sprintf("no reply after %d polls in %s", out.Polls, timeout)
	if out.FailedPolls > 0 {
		msg += fmt.Sprintf(" (%d of them failed and were retried)", out.FailedPolls)
	}
	return &Error{Op: opPoll, Kind: KindNoReply, Status: out.Status, Msg: msg}
}

// replyAfter returns the first assistant or staff message after the message
// whose id is after (or, when that message is absent, with a numeric id above
// afterID); nil when there is none yet.
func replyAfter(msgs []Message, after string, afterID int64) *Message {
	start := 0
	found := false
	for i := range msgs {
		if msgs[i].ID == after {
			start, found = i+1, true
			break
		}
	}
	for i := start; i < len(msgs); i++ {
		m := &msgs[i]
		if m.Role != "assistant" && m.Role != "staff" {
			continue
		}
		if found {
			return m
		}
		if id, err := strconv.ParseInt(m.ID, 10, 64); err == nil && id > afterID {
			return m
		}
	}
	return nil
}

// nextInterval is the wait after the one of d: d times Backoff, capped.
func nextInterval(d time.Duration, opts PollOptions) time.Duration {
	if opts.Backoff <= 1 {
		return d
	}
	next := time.Duration(float64(d) * opts.Backoff)
	if opts.MaxInterval > 0 && next > opts.MaxInterval {
		next = opts.MaxInterval
	}
	return next
}

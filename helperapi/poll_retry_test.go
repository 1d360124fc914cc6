package helperapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// failing answers the first n GETs of a conversation with status, as a
// proxy in front of Helper would, and passes the rest to h.
func failing(h http.Handler, n int32, status int) http.Handler {
	var gets atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && gets.Add(1) <= n {
			w.WriteHeader(status)
			io.WriteString(w, "Service Unavailable")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// A GET that fails for a passing reason does not fail the wait: the next
// poll goes out, and a reply that arrives is the exchange's (one 503 from a
// proxy once failed the whole poll step).
func TestWaitForReplyRetriesPassingFailures(t *testing.T) {
	srv := newAsyncServer(t, 2) // the reply appears at the 2nd GET that reaches it
	_, s := newTestSession(t, failing(srv.handler(), 2, http.StatusServiceUnavailable))
	r, err := s.WaitForReply(context.Background(), "c", 100, PollOptions{Interval: time.Millisecond, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("WaitForReply() = %v, want the reply after two failed GETs", err)
	}
	if r.Polls != 4 || r.FailedPolls != 2 || r.Message == nil {
		t.Errorf("WaitForReply() = %d polls, %d failed, message %v; want 4, 2 and the reply", r.Polls, r.FailedPolls, r.Message)
	}
}

// When every GET failed until the timeout, the wait's error is the GETs'
// own, not "no reply": the target never answered.
func TestWaitForReplyEveryGETFailed(t *testing.T) {
	srv := newAsyncServer(t, -1)
	_, s := newTestSession(t, failing(srv.handler(), 1<<30, http.StatusServiceUnavailable))
	r, err := s.WaitForReply(context.Background(), "c", 101, PollOptions{Interval: 5 * time.Millisecond, Timeout: 100 * time.Millisecond})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindHTTP5xx {
		t.Fatalf("WaitForReply() error = %v, want the GETs' http_5xx", err)
	}
	// Every GET failed, but the last may have been cut by the timeout.
	if r.Polls < 2 || r.FailedPolls < r.Polls-1 {
		t.Errorf("WaitForReply() = %d polls, %d failed; want several, all failed (but the one the timeout cut)", r.Polls, r.FailedPolls)
	}
}

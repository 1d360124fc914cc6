package helperapi

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Kind is the class of a failed exchange, from a small fixed set, so that a
// runner can count failures by kind. The zero value means "no error".
type Kind string

// The kinds of failure. Their string values appear in results files, summaries
// and metric labels; they are part of the public interface.
const (
	KindConnect         Kind = "connect"          // dial, DNS or TLS handshake failed
	KindTimeout         Kind = "timeout"          // a deadline passed (request timeout, not the caller's cancel)
	KindCanceled        Kind = "canceled"         // the caller's context was canceled
	KindNetwork         Kind = "network"          // the connection broke after it was made (reset, EOF mid-body)
	KindRateLimited     Kind = "rate_limited"     // 429, usually from a proxy in front of Helper
	KindAuth            Kind = "auth"             // 401 or 403
	KindHTTP4xx         Kind = "http_4xx"         // any other 4xx
	KindHTTP5xx         Kind = "http_5xx"         // any 5xx
	KindStreamTruncated Kind = "stream_truncated" // began with f: and ended without d:, or ended before any text
	KindStreamError     Kind = "stream_error"     // a 3: error part, even with status 200
	KindProtocol        Kind = "protocol"         // a body that cannot be parsed
	KindNoReply         Kind = "no_reply"         // async mode: no assistant reply appeared in time
	KindLocal           Kind = "local_resource"   // this process ran out of file descriptors or ephemeral ports: the client's failure, not the server's
)

// Kinds lists every Kind, in a fixed order.
func Kinds() []Kind {
	return []Kind{KindConnect, KindTimeout, KindCanceled, KindNetwork, KindRateLimited, KindAuth,
		KindHTTP4xx, KindHTTP5xx, KindStreamTruncated, KindStreamError, KindProtocol, KindNoReply, KindLocal}
}

// Error is the error every Client and Session call returns. Its text never
// holds the HMAC secret or a session token.
type Error struct {
	Op         string        // the call: "session", "conversation", "message", "poll", "get", "list"
	Kind       Kind          // the class of failure
	Status     int           // HTTP status, 0 when no response arrived
	RetryAfter time.Duration // from a 429's Retry-After header, 0 when absent
	Msg        string        // the server's error text or a short description, redacted
	Err        error         // the underlying error, if any
}

func (e *Error) Error() string {
	s := "helperapi: " + e.Op + ": " + string(e.Kind)
	if e.Status != 0 {
		s += fmt.Sprintf(" (status %d)", e.Status)
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err: "" for nil, the Kind of a wrapped *Error, and
// for any other error a best guess (canceled, timeout, network).
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	switch {
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	}
	return KindNetwork
}

package helperapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The operations an *Error names.
const (
	opSession      = "session"
	opConversation = "conversation"
	opMessage      = "message"
	opPoll         = "poll"
	opGet          = "get"
	opList         = "list"
	opSDK          = "sdk"
	opPreflight    = "preflight"
	opOpen         = "open"
	opReact        = "react"
	opMarkRead     = "mark_read"
	opUnread       = "unread"
)

// Body limits: a JSON answer larger than maxJSONBody is a protocol error; an
// error body is read up to maxErrorBody for its message.
const (
	maxJSONBody  = 16 << 20
	maxErrorBody = 64 << 10
	maxErrorMsg  = 200
)

// Request header values shared by every request; never appended to.
var (
	userAgentHeader = []string{userAgent}
	jsonContentType = []string{"application/json"}
)

// errRequestTimeout is the cause of a request context whose per-request
// timeout passed, telling it apart from the caller's own deadline.
var errRequestTimeout = errors.New("helperapi: request timeout")

// exchange is one HTTP request in flight and what has been measured so far.
// It is used by one goroutine.
type exchange struct {
	op        string
	red       redactor
	parent    context.Context // the caller's context
	ctx       context.Context // parent plus the per-request timeout
	cancel    context.CancelFunc
	connected atomic.Bool // a connection was obtained (set by httptrace)
	resp      *http.Response
	t         Timing
	firstByte bool
	done      bool
}

// send starts a request and returns once the response headers have arrived.
// On a non-2xx status it reads the error body and returns an *Error. Either
// way the caller must call finish when done with the exchange.
func (c *Client) send(ctx context.Context, op, method, path string, body []byte, auth []string, red redactor) (*exchange, *Error) {
	return c.sendWith(ctx, op, method, path, body, auth, red, nil)
}

// sendWith is send with extra request headers (extra's values are shared,
// never appended to).
func (c *Client) sendWith(ctx context.Context, op, method, path string, body []byte, auth []string, red redactor, extra http.Header) (*exchange, *Error) {
	ex := &exchange{op: op, red: red, parent: ctx}
	// One instant starts both the timing and the per-request timeout, so a
	// request that timed out took at least the timeout (its Total was 99.9
	// ms of a 100 ms timeout when the request's assembly, below, was slow).
	// The assembly, microseconds, counts in the latency, as in vegeta.
	ex.t.Start = time.Now()
	if c.timeout > 0 {
		ex.ctx, ex.cancel = context.WithDeadlineCause(ctx, ex.t.Start.Add(c.timeout), errRequestTimeout)
	} else {
		ex.ctx, ex.cancel = context.WithCancel(ctx)
	}
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { ex.connected.Store(true) }}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ex.ctx, trace), method, c.base+path, rd)
	if err != nil {
		ex.done = true
		ex.cancel()
		return ex, ex.newError(KindProtocol, "cannot build request", err)
	}
	for k, v := range c.header {
		req.Header[k] = slices.Clip(v) // shared: an append must not write into it
	}
	// Canonical keys and shared values, set without Header.Set's copies.
	req.Header["User-Agent"] = userAgentHeader
	if body != nil {
		req.Header["Content-Type"] = jsonContentType
	}
	if auth != nil {
		req.Header["Authorization"] = auth
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	ex.t.BytesOut = int64(len(body))
	resp, err := c.do(req)
	elapsed := time.Since(ex.t.Start)
	if err != nil {
		ex.t.Total = elapsed
		ex.done = true
		ex.cancel()
		return ex, ex.failure(err, !ex.connected.Load())
	}
	ex.t.Headers = elapsed
	ex.resp = resp
	ex.t.Status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return ex, ex.statusFailure(c.now())
	}
	return ex, nil
}

// read reads the response body, stamping the time the read returned.
func (ex *exchange) read(p []byte) (n int, at time.Duration, err error) {
	n, err = ex.resp.Body.Read(p)
	at = time.Since(ex.t.Start)
	if n > 0 {
		ex.t.BytesIn += int64(n)
		if !ex.firstByte {
			ex.firstByte = true
			ex.t.TTFB = at
		}
	}
	if err != nil {
		ex.t.Total = at
	}
	return n, at, err
}

// Read makes the exchange an io.Reader of its body.
func (ex *exchange) Read(p []byte) (int, error) {
	n, _, err := ex.read(p)
	return n, err
}

// finish ends the exchange: closes the body, releases the context and sets
// Total if no read has ended the body yet. Safe to call more than once.
func (ex *exchange) finish() {
	if ex.done {
		return
	}
	ex.done = true
	if ex.t.Total == 0 {
		ex.t.Total = time.Since(ex.t.Start)
	}
	ex.resp.Body.Close()
	ex.cancel()
}

// jsonBufs holds the buffers JSON response bodies are read into.
var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledBody is the largest buffer kept for reuse.
const maxPooledBody = 64 << 10

// readBody reads the whole (bounded) body into a pooled buffer and finishes
// the exchange. The caller gives the buffer back with putBody.
func (ex *exchange) readBody() (*[]byte, *Error) {
	defer ex.finish()
	bp := jsonBufs.Get().(*[]byte)
	b := (*bp)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := ex.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		*bp = b
		switch {
		case len(b) > maxJSONBody:
			putBody(bp)
			return nil, ex.newError(KindProtocol, fmt.Sprintf("response body larger than %d bytes", maxJSONBody), nil)
		case err == io.EOF:
			return bp, nil
		case err != nil:
			putBody(bp)
			return nil, ex.failure(err, false)
		}
	}
}

func putBody(bp *[]byte) {
	if cap(*bp) <= maxPooledBody {
		*bp = (*bp)[:0]
		jsonBufs.Put(bp)
	}
}

// decodeJSON reads the whole (bounded) body into v and finishes the exchange.
func (ex *exchange) decodeJSON(v any) *Error {
	bp, e := ex.readBody()
	if e != nil {
		return e
	}
	defer putBody(bp)
	return ex.unmarshal(*bp, v)
}

// unmarshal decodes a JSON body into v.
func (ex *exchange) unmarshal(b []byte, v any) *Error {
	if err := json.Unmarshal(b, v); err != nil {
		return ex.newError(KindProtocol, "invalid JSON response", err)
	}
	return nil
}

// statusFailure classifies a non-2xx response, reading the server's JSON
// {"error": "..."} into Msg when present, and finishes the exchange.
func (ex *exchange) statusFailure(now time.Time) *Error {
	defer ex.finish()
	b, _ := io.ReadAll(io.LimitReader(ex, maxErrorBody))
	status := ex.t.Status
	e := ex.newError(statusKind(status), serverMessage(b), nil)
	if status == http.StatusTooManyRequests {
		e.RetryAfter = parseRetryAfter(ex.resp.Header.Get("Retry-After"), now)
	}
	if e.Kind == KindProtocol && e.Msg == "" {
		e.Msg = fmt.Sprintf("unexpected status %d", status)
	}
	return e
}

// failure classifies a transport error: the caller's cancel or deadline, the
// per-request timeout, this process out of file descriptors or ports
// (local), a failure before any connection (connect, dial and TLS handshake
// timeouts included), another timeout once connected (an http.Client
// Timeout or a transport's ResponseHeaderTimeout given with
// WithHTTPClient), or a broken connection (network).
func (ex *exchange) failure(err error, beforeConn bool) *Error {
	var kind Kind
	switch {
	case errors.Is(ex.parent.Err(), context.Canceled):
		kind = KindCanceled
	case ex.parent.Err() != nil, errors.Is(context.Cause(ex.ctx), errRequestTimeout):
		kind = KindTimeout
	case isLocal(err):
		kind = KindLocal
	case beforeConn:
		kind = KindConnect
	case isTimeout(err):
		kind = KindTimeout
	default:
		kind = KindNetwork
	}
	return ex.newError(kind, "", err)
}

// isLocal reports whether err is this process running out of a resource:
// file descriptors (socket: too many open files), ephemeral ports (cannot
// assign requested address) or socket buffers. The target never saw such a
// request.
func isLocal(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.EADDRNOTAVAIL, syscall.ENOBUFS} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// isTimeout reports whether err is a deadline passing rather than a broken
// connection.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// newError builds an *Error for this exchange with secrets redacted.
func (ex *exchange) newError(kind Kind, msg string, err error) *Error {
	return &Error{Op: ex.op, Kind: kind, Status: ex.t.Status, Msg: ex.red.string(msg), Err: ex.red.err(err)}
}

// serverMessage returns the "error" string of a JSON error body, shortened;
// "" when the body is not such JSON.
func serverMessage(b []byte) string {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(b, &body) != nil || len(body.Error) == 0 {
		return ""
	}
	var msg string
	if json.Unmarshal(body.Error, &msg) != nil {
		return ""
	}
	return shorten(msg)
}

// shorten cuts a server's error text to maxErrorMsg bytes (and an ellipsis),
// without splitting a character.
func shorten(msg string) string {
	if len(msg) > maxErrorMsg {
		msg = truncateUTF8(msg, maxErrorMsg) + "…"
	}
	return msg
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

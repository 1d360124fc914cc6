package mockserver

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// api wraps an /api handler with the pre-app faults: what a proxy in front
// of Helper does before the request reaches it.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	f := s.cfg.Faults
	retryAfter := strconv.Itoa(max(1, int((f.RetryAfter+time.Second-1)/time.Second)))
	return func(w http.ResponseWriter, r *http.Request) {
		if s.rand.chance(f.SlowHeaders) {
			s.fault(&s.counts.fSlowHeaders, "slow_headers")
			// Take the body in first, as a proxy does: net/http notices a
			// client going away only once the request body was read, so
			// without this a client that gave up during the hold would
			// still be served, and counted, after it left.
			if r.Body != nil && r.Body != http.NoBody {
				buf, err := s.readBody(w, r)
				if err != nil {
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(buf.Bytes())) // buf is not pooled again: the handler reads it
			}
			t := time.NewTimer(f.SlowHeadersDelay)
			err := s.pause(r.Context(), t, f.SlowHeadersDelay)
			t.Stop()
			if err != nil {
				return
			}
		}
		if s.rand.chance(f.RateLimited) {
			s.fault(&s.counts.f429, "rate_limited")
			w.Header().Set("Retry-After", retryAfter)
			http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
			return
		}
		if s.rand.chance(f.Error5xx) {
			s.fault(&s.counts.f5xx, "error_5xx")
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		}
		h(w, r)
	}
}

// streamFault is the failure a model reply will suffer, if any.
type streamFault uint8

const (
	faultNone streamFault = iota
	faultReset
	faultTruncate
	faultErrorPart
	faultStall
)

// drawStreamFault picks at most one stream fault and counts it.
func (s *Server) drawStreamFault() streamFault {
	f := &s.cfg.Faults
	switch {
	case s.rand.chance(f.Reset):
		s.fault(&s.counts.fReset, "reset")
		return faultReset
	case s.rand.chance(f.Truncate):
		s.fault(&s.counts.fTruncate, "truncate")
		return faultTruncate
	case s.rand.chance(f.ErrorPart):
		s.fault(&s.counts.fErrPart, "error_part")
		return faultErrorPart
	case s.rand.chance(f.Stall):
		s.fault(&s.counts.fStall, "stall")
		return faultStall
	}
	return faultNone
}

// reset flushes what was written and drops the connection with a TCP RST
// (an HTTP/1 hijack and SO_LINGER 0). Where hijacking is impossible
// (HTTP/2), it aborts the handler, which resets the stream.
func reset(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

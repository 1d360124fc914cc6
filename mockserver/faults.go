package mockserver

import (
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// chance reports true with probability p; it draws nothing when p is 0.
func chance(p float64) bool {
	return p > 0 && (p >= 1 || rand.Float64() < p)
}

// api wraps an /api handler with the pre-app faults: what a proxy in front
// of Helper does before the request reaches it.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	f := s.cfg.Faults
	retryAfter := strconv.Itoa(max(1, int((f.RetryAfter+time.Second-1)/time.Second)))
	return func(w http.ResponseWriter, r *http.Request) {
		if chance(f.SlowHeaders) {
			s.counts.fSlowHeaders.Add(1)
			t := time.NewTimer(f.SlowHeadersDelay)
			err := s.pause(r.Context(), t, f.SlowHeadersDelay)
			t.Stop()
			if err != nil {
				return
			}
		}
		if chance(f.RateLimited) {
			s.counts.f429.Add(1)
			w.Header().Set("Retry-After", retryAfter)
			http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
			return
		}
		if chance(f.Error5xx) {
			s.counts.f5xx.Add(1)
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
	case chance(f.Reset):
		s.counts.fReset.Add(1)
		return faultReset
	case chance(f.Truncate):
		s.counts.fTruncate.Add(1)
		return faultTruncate
	case chance(f.ErrorPart):
		s.counts.fErrPart.Add(1)
		return faultErrorPart
	case chance(f.Stall):
		s.counts.fStall.Add(1)
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

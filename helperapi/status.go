package helperapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// statusKind classes a non-2xx HTTP status.
func statusKind(status int) Kind {
	switch {
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return KindAuth
	case status >= 400 && status <= 499:
		return KindHTTP4xx
	case status >= 500 && status <= 599:
		return KindHTTP5xx
	}
	return KindProtocol // 1xx, 3xx (redirects are not followed) or nonsense
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP-date,
// relative to now. It returns 0 when v is empty, unparseable or in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		const maxSecs = int64(1<<63-1) / int64(time.Second)
		return time.Duration(min(secs, maxSecs)) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	if d := t.Sub(now); d > 0 {
		return d
	}
	return 0
}

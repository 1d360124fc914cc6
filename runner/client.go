package runner

import (
	"net"
	"net/http"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/scenarios"
)

// MaxIdleConns bounds the idle connection pool of NewClient's client.
// Connections in use are not capped; only those left idle, typically by
// users in think time, are, since each costs about 40 KB in loadgen (buffers
// and two goroutines) and as much on the target. Busy users hand their
// connections on at once, so a run of thousands of users without think time
// keeps well under this many idle.
const MaxIdleConns = 1024

// NewClient returns a Helper client for the scenario's target (its timeouts
// and headers) signing in with secret, its idle connection pool sized for
// the users the load runs at once: the closed model's users or max_sessions,
// at least 100 and at most MaxIdleConns, and at most half of what the file
// limit leaves (limits.go).
func NewClient(sc *scenarios.Scenario, secret string) (*helperapi.Client, error) {
	_, idle := fdBudget(fdLimit(), idleConns(sc.Load))
	tr := helperapi.NewTransport(idle)
	if sc.Target.ConnectTimeout > 0 {
		tr.DialContext = (&net.Dialer{Timeout: sc.Target.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	opts := []helperapi.Option{
		helperapi.WithHTTPClient(&http.Client{Transport: tr}),
		helperapi.WithSecret(secret),
	}
	if sc.Target.Timeout > 0 {
		opts = append(opts, helperapi.WithTimeout(sc.Target.Timeout))
	}
	for k, v := range sc.Target.Headers {
		opts = append(opts, helperapi.WithHeader(k, v))
	}
	return helperapi.New(sc.Target.BaseURL, opts...)
}

// idleConns is the idle pool for l's concurrency.
func idleConns(l scenarios.Load) int {
	conns := l.Users
	if l.MaxSessions > 0 {
		conns = max(conns, l.MaxSessions)
	}
	return min(max(conns, 100), MaxIdleConns)
}

package runner_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
)

func TestSaturationReason(t *testing.T) {
	tests := []struct {
		name string
		s    runner.Saturation
		want string // "" or a part of the reason
	}{
		{"idle", runner.Saturation{Sessions: 1000, Arrivals: 1000, CPU: 0.5, CPUs: 2}, ""},
		{"a few slot waits", runner.Saturation{Sessions: 1000, SlotWaits: 10, SlotWait: time.Second, MaxSessions: 50}, ""},
		{"slots", runner.Saturation{Sessions: 1000, SlotWaits: 300, SlotWait: 30 * time.Second, MaxSessions: 50},
			"300 of 1000 sessions (30%) waited for one of the 50 session slots, 100ms on average"},
		{"too few to judge", runner.Saturation{Sessions: 15, SlotWaits: 15, SlotWait: time.Second}, ""},
		{"connections", runner.Saturation{Requests: 2000, ConnWaits: 500, ConnWait: 100 * time.Second, MaxConns: 96},
			"500 of 2000 requests (25%) waited for one of the 96 connections its file limit allows, 200ms on average"},
		{"a few connection waits", runner.Saturation{Requests: 2000, ConnWaits: 20, ConnWait: time.Second, MaxConns: 96}, ""},
		{"too few requests to judge", runner.Saturation{Requests: 15, ConnWaits: 15, ConnWait: time.Second, MaxConns: 2}, ""},
		{"late arrivals", runner.Saturation{Arrivals: 1000, LateArrivals: 50}, "50 of 1000 arrivals (5%) started late, by over 10ms and half their spacing: the scheduler fell behind"},
		{"late arrivals with an slo", runner.Saturation{Arrivals: 1000, LateArrivals: 50, MaxLate: 100 * time.Millisecond}, "started late, by over 10ms and half their spacing or 100ms (5% of the slo)"},
		{"local errors", runner.Saturation{LocalErrors: 3}, "3 requests failed on loadgen's own limits"},
		{"cpu", runner.Saturation{CPU: 1.9, CPUs: 2}, "loadgen used 95% of its 2 CPUs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Reason()
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Reason() = %q, want %q", got, tt.want)
			}
		})
	}
}

// Undelivered is the part of saturation that is loadgen's own limits for
// certain: its own resources ran out, or the connections its file limit
// allows held requests back. A user's max_sessions, late arrivals and CPU are not (the
// first is the scenario's choice, the others are a busy machine's jitter
// as often as not).
func TestSaturationUndelivered(t *testing.T) {
	tests := []struct {
		name string
		s    runner.Saturation
		want string // "" or a part of the reason
	}{
		{"idle", runner.Saturation{Sessions: 1000, Arrivals: 1000, CPU: 0.5, CPUs: 2}, ""},
		{"the file limit's connections", runner.Saturation{Requests: 298, ConnWaits: 202, ConnWait: 449 * time.Second, MaxConns: 96},
			"202 of 298 requests (68%) waited for one of the 96 connections its file limit allows, 2.223s on average"},
		{"a few waits for the file limit's connections", runner.Saturation{Requests: 1000, ConnWaits: 10, ConnWait: time.Second, MaxConns: 96}, ""},
		{"max_sessions' slots", runner.Saturation{Sessions: 1000, SlotWaits: 300, SlotWait: 30 * time.Second, MaxSessions: 50}, ""},
		{"local errors", runner.Saturation{LocalErrors: 3}, "3 requests failed on loadgen's own limits"},
		{"late arrivals", runner.Saturation{Arrivals: 1000, LateArrivals: 500}, ""},
		{"cpu", runner.Saturation{CPU: 1.9, CPUs: 2}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Undelivered()
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Undelivered() = %q, want %q", got, tt.want)
			}
		})
	}
}

// A schedule that asks for more requests at once than loadgen may hold
// connections for (here a file limit that leaves room for 10) saturates
// the generator, and it says so: the connections, not the target, bounded
// the load offered. The requests beyond them wait, and start late: their
// wait is schedule lag, not the target's latency, and no error. Sessions
// are not capped: more than 10 are in flight, and loadgen's connections,
// in use and idle, stay within the 20 descriptors the limit leaves.
func TestSaturatedByConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ttft = 500 * time.Millisecond
		_, srv := startMock(t, func(c *mockserver.Config) { c.TTFT = mockserver.Fixed(ttft) })
		conns := countConns(&srv)
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 100/s, duration: 2s}"))
		rec, out := run(t, t.Context(), sc, srv, runner.WithFDLimit(64+20)) // 20 usable: 10 idle, 10 requests
		s := out.Saturation
		if s.MaxConns != 10 || s.MaxSessions != 0 || !strings.Contains(s.Reason(), "waited for one of the 10 connections its file limit allows") {
			t.Errorf("saturation %+v: reason %q; want the 10 connections named, and no cap on sessions", s, s.Reason())
		}
		if s.LateArrivals != 0 || s.SlotWaits != 0 {
			t.Errorf("%d late arrivals, %d slot waits: the connections' wait was counted as the scheduler's or the sessions'", s.LateArrivals, s.SlotWaits)
		}
		if s.Undelivered() == "" {
			t.Errorf("saturation %+v: the file limit's connections held the load back, but it is not undelivered", s)
		}
		if rec.maxActive <= 10 {
			t.Errorf("at most %d sessions in flight; want more than the 10 connections (a session holds one only during a request)", rec.maxActive)
		}
		if n := conns.max(); n > 20 {
			t.Errorf("%d connections open at once; want at most the 20 descriptors the file limit leaves", n)
		}
		n, errs, kinds := rec.count(results.StepMessage)
		var lagged int
		for _, r := range rec.results {
			if r.Step == results.StepMessage && r.OK() {
				if r.TTFT > ttft+10*time.Millisecond {
					t.Fatalf("a message's TTFT is %v, over the mock's %v: the wait for a connection was counted as the target's", r.TTFT, ttft)
				}
				if r.Lag() > 100*time.Millisecond {
					lagged++
				}
			}
		}
		if n == 0 || errs != kinds[results.KindCanceled] || lagged == 0 { // the stop cancels those still waiting: loadgen's, not errors
			t.Errorf("%d messages, %d errors (%v), %d lagged; want no errors and the waits shown as lag", n, errs, kinds, lagged)
		}
	})
}

// Requests that wait for a connection until the stop cancels them were
// held back the most: they count as waits. Here the first 10 sessions'
// messages hold the 10 connections for the whole run, and every later
// session's sign-in waits until the stop; before, only requests that got a
// connection counted, so 40 requests, none of which waited, passed.
func TestConnWaitsCanceledByTheStopCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) { c.TTFT = mockserver.Fixed(time.Hour) })
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 5/s, duration: 10s}"))
		_, out := run(t, t.Context(), sc, srv, runner.WithFDLimit(64+20), runner.WithGrace(time.Second)) // 10 connections
		s := out.Saturation
		if s.ConnWaits < 30 || s.ConnWait < 30*time.Second || s.Undelivered() == "" {
			t.Errorf("saturation %+v: undelivered %q; want the ~40 sign-ins held back until the stop counted as waits (at least 30, of 1s or more each)", s, s.Undelivered())
		}
	})
}

// Users thinking between turns hold no connection: far more of them than
// the file limit allows connections start their sessions and think (before
// requests were capped, sessions were, and only 10 of these could start).
func TestThinkingUsersNeedNoConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		conns := countConns(&srv)
		sc := parseScenario(t, `
version: 1
name: idle
target: {base_url: "http://unused"}
users: {email: "u-{{.Seq}}@example.com"}
load: {arrival_rate: 100/s, duration: 5s}
conversations:
  - name: chat
    turns:
      - message: "hello {{.Seq}}"
      - message: "much later"
        think: 1h
`)
		rec, out := run(t, t.Context(), sc, srv, runner.WithFDLimit(64+20), runner.WithGrace(time.Second)) // 10 connections
		n, errs, kinds := rec.count(results.StepMessage)
		if rec.started != 500 || rec.maxActive != 500 || n != 500 || errs != 0 {
			t.Errorf("%d sessions started, at most %d in flight, %d messages, %d errors (%v); want all 500 thinking at once, no errors",
				rec.started, rec.maxActive, n, errs, kinds)
		}
		if s := out.Saturation; s.Reason() != "" || s.MaxConns != 10 || s.Requests < 1000 {
			t.Errorf("saturation %+v: %q; want 10 connections and at least 1000 requests, not saturated", s, s.Reason())
		}
		if n := conns.max(); n > 20 {
			t.Errorf("%d connections open at once; want at most the 20 descriptors the file limit leaves", n)
		}
	})
}

// The same slots set by the scenario's max_sessions are its choice: the
// generator says it was saturated, but it delivered what the scenario
// allowed.
func TestMaxSessionsSlotsAreNotUndelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) { c.TTFT = mockserver.Fixed(500 * time.Millisecond) })
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 100/s, duration: 2s, max_sessions: 10}"))
		_, out := run(t, t.Context(), sc, srv)
		if s := out.Saturation; s.Reason() == "" || s.SlotWaits == 0 || s.Undelivered() != "" {
			t.Errorf("saturation %+v: reason %q, undelivered %q; want saturated by max_sessions, not undelivered", s, s.Reason(), s.Undelivered())
		}
	})
}

// The same schedule with room for every session in flight is not saturated.
func TestNotSaturated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 100/s, duration: 2s}"))
		_, out := run(t, t.Context(), sc, srv)
		if r := out.Saturation.Reason(); r != "" || out.Saturation.Sessions != 200 || out.Saturation.Arrivals != 200 {
			t.Errorf("saturation %+v: %q; want 200 sessions and arrivals, not saturated", out.Saturation, r)
		}
	})
}

// connCounter counts a target's connections open at once.
type connCounter struct {
	mu        sync.Mutex
	open, top int
}

// countConns makes tgt's connections counted.
func countConns(tgt *target) *connCounter {
	c := &connCounter{}
	dial := tgt.dial
	tgt.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.open++
		c.top = max(c.top, c.open)
		c.mu.Unlock()
		return &countedConn{Conn: conn, c: c}, nil
	}
	return c
}

func (c *connCounter) max() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.top
}

type countedConn struct {
	net.Conn
	c    *connCounter
	once sync.Once
}

func (cc *countedConn) Close() error {
	cc.once.Do(func() {
		cc.c.mu.Lock()
		cc.c.open--
		cc.c.mu.Unlock()
	})
	return cc.Conn.Close()
}

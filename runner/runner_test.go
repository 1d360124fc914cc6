package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/internal/testutil"
	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/scenarios"
)

const testSecret = "runner-test-secret"

// recorder is a Sink that keeps everything and tracks sessions in flight.
type recorder struct {
	mu        sync.Mutex
	results   []*results.Result
	started   int
	ends      map[results.End]int
	active    int
	maxActive int
}

func (r *recorder) SessionStarted(string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started++
	r.active++
	r.maxActive = max(r.maxActive, r.active)
}

func (r *recorder) Record(res *results.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, res)
}

func (r *recorder) SessionEnded(_ string, e results.End) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ends == nil {
		r.ends = map[results.End]int{}
	}
	r.ends[e]++
	r.active--
}

func (r *recorder) count(step results.Step) (n, errs int, kinds map[results.Kind]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kinds = map[results.Kind]int{}
	for _, res := range r.results {
		if res.Step == step {
			n++
			if res.Error != "" {
				errs++
				kinds[res.Error]++
			}
		}
	}
	return n, errs, kinds
}

// The runner's tests run in testing/synctest bubbles. Time in a bubble is
// virtual and moves only when every goroutine of the bubble is blocked, so a
// run's schedule, think times, Retry-Afters and grace periods take no real
// time and come out exact, and so do the mock's latencies. The mock and the
// client are the real ones; the mock listens in memory (testutil.PipeListener:
// a goroutine blocked on a socket would keep the bubble's clock still) and
// the runner runs on runner.GoClock (a timerfd's time is not the bubble's).
// TestWallClockRunOnLoopback runs the default clock on real loopback.

// rtt is the in-memory server's round trip: each request waits this long
// before its handler runs, as on a network, so that a closed-model loop of
// instant replies moves the bubble's clock on.
const rtt = time.Millisecond

// target is a server for a test's client: its URL and, for a server in
// memory, the dialer that reaches it (nil: the network).
type target struct {
	url  string
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// serve serves h in memory, each request rtt late, until the test ends.
func serve(t *testing.T, h http.Handler) target {
	t.Helper()
	ln := testutil.NewPipeListener()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(rtt)
		h.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return target{url: "http://helper.test", dial: ln.Dial}
}

// mockConfig is a fast mock's configuration, changed by tweak (nil: none).
func mockConfig(tweak func(*mockserver.Config)) mockserver.Config {
	cfg := mockserver.Config{
		Secret:        testSecret,
		TTFT:          mockserver.Fixed(5 * time.Millisecond),
		TokenInterval: mockserver.Fixed(time.Millisecond),
		Tokens:        mockserver.Range{Min: 3, Max: 3},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	return cfg
}

// newMock returns a mock that is closed when the test ends.
func newMock(t *testing.T, cfg mockserver.Config) *mockserver.Server {
	t.Helper()
	m, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// startMock serves a fast mock in memory (call it in a bubble).
func startMock(t *testing.T, tweak func(*mockserver.Config)) (*mockserver.Server, target) {
	t.Helper()
	m := newMock(t, mockConfig(tweak))
	return m, serve(t, m)
}

func parseScenario(t *testing.T, yaml string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// newClient returns a client of tgt on its own transport, whose idle
// connections are closed when the run ends so goroutine counts can be
// compared.
func newClient(t *testing.T, tgt target) (*helperapi.Client, *http.Transport) {
	t.Helper()
	tr := helperapi.NewTransport(10)
	if tgt.dial != nil {
		tr.DialContext, tr.Proxy = tgt.dial, nil
	}
	c, err := helperapi.New(tgt.url, helperapi.WithSecret(testSecret), helperapi.WithTimeout(10*time.Second),
		helperapi.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

// run runs sc against tgt. Against a server in memory (in a bubble) the
// runner gets runner.GoClock unless opts has a Clock.
func run(t *testing.T, ctx context.Context, sc *scenarios.Scenario, tgt target, opts ...runner.Option) (*recorder, runner.Outcome) {
	t.Helper()
	return runFrom(t, ctx, time.Time{}, sc, tgt, opts...)
}

// runFrom is run with a start instant (zero: none).
func runFrom(t *testing.T, ctx context.Context, start time.Time, sc *scenarios.Scenario, tgt target, opts ...runner.Option) (*recorder, runner.Outcome) {
	t.Helper()
	rec := &recorder{}
	client, tr := newClient(t, tgt)
	defer tr.CloseIdleConnections()
	if tgt.dial != nil { // in memory: Go's time, which the bubble makes virtual (a later WithClock wins)
		opts = append([]runner.Option{runner.WithClock(runner.GoClock{})}, opts...)
	}
	rn, err := runner.New(sc, client, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if !start.IsZero() {
		rn.StartAt(start)
	}
	out, err := rn.Run(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	return rec, out
}

const twoTurns = `
version: 1
name: t
target: {base_url: "http://unused"}
users: {email: "u-{{.Seq}}@example.com", anonymous: 30%%}
load: %s
conversations:
  - name: chat
    turns:
      - message: "hello {{.Seq}}"
      - message: "and again"
        think: 20ms
`

func TestOpenModelRunsEveryScheduledSession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, srv := startMock(t, nil)
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 40/s, duration: 1s}"))
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(1))

		if out.Sessions != 40 || rec.started != 40 {
			t.Fatalf("sessions: outcome %d, sink %d; want 40 (40/s for 1s)", out.Sessions, rec.started)
		}
		if rec.ends[results.EndCompleted] != 40 {
			t.Errorf("ends = %v, want 40 completed", rec.ends)
		}
		for _, step := range []results.Step{results.StepSession, results.StepConversation} {
			if n, errs, kinds := rec.count(step); n != 40 || errs != 0 {
				t.Errorf("%s: %d results, %d errors %v; want 40, 0", step, n, errs, kinds)
			}
		}
		if n, errs, kinds := rec.count(results.StepMessage); n != 80 || errs != 0 {
			t.Errorf("message: %d results, %d errors %v; want 80, 0", n, errs, kinds)
		}
		st := mock.Stats()
		if got := st.Sessions.Email + st.Sessions.Anonymous; got != 40 {
			t.Errorf("mock counted %d sessions, want 40", got)
		}
		if st.Messages.StreamStarted != 80 {
			t.Errorf("mock counted %d streamed messages, want 80", st.Messages.StreamStarted)
		}
		// Each step starts at its intended start or after it, never before;
		// on the bubble's clock a session starts exactly on schedule: hit n
		// in the middle of its 25 ms (see StagesPacer.At).
		for _, r := range rec.results {
			if r.Intended.IsZero() || r.Start.Before(r.Intended) {
				t.Fatalf("%s step of session %d started %v before its intended start %v", r.Step, r.Session, r.Start, r.Intended)
			}
			if want := out.Start.Add(time.Duration(2*r.Session-1) * time.Second / 80); r.Step == results.StepSession && (r.Intended.Sub(want).Abs() > time.Microsecond || r.Lag() != 0) {
				t.Errorf("session %d is due %v and started %v late; want due %v, at once", r.Session, r.Intended.Sub(out.Start), r.Lag(), want.Sub(out.Start))
			}
		}
	})
}

func TestClosedModelHoldsExactlyNUsers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{users: 5, duration: 700ms}"))
		rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(2))
		if rec.maxActive != 5 {
			t.Errorf("max sessions in flight = %d, want exactly 5 users", rec.maxActive)
		}
		if rec.started <= 5 {
			t.Errorf("started %d sessions; want users to loop (more than 5)", rec.started)
		}
		if rec.active != 0 || rec.ends[results.EndCompleted] != rec.started {
			t.Errorf("ends = %v of %d started, %d still active; want all completed", rec.ends, rec.started, rec.active)
		}
		users := map[uint64]bool{}
		for _, r := range rec.results {
			users[r.User] = true
		}
		if len(users) != 5 {
			t.Errorf("results name %d distinct users, want 5", len(users))
		}
	})
}

func TestMaxSessionsCapsSessionsInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) { c.TTFT = mockserver.Fixed(50 * time.Millisecond) })
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 100/s, duration: 500ms, max_sessions: 3}"))
		rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(3))
		if rec.maxActive > 3 {
			t.Errorf("max sessions in flight = %d, want ≤ 3", rec.maxActive)
		}
		// The delayed arrivals keep their intended start: the wait is visible as lag.
		var lagged int
		for _, r := range rec.results {
			if r.Step == results.StepSession && r.Lag() > 20*time.Millisecond {
				lagged++
			}
		}
		if lagged == 0 {
			t.Errorf("no session step shows schedule lag although max_sessions held arrivals back")
		}
	})
}

func TestRequestRateCapHolds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{users: 10, duration: 1s, request_rate: 50/s, burst: 5}"))
		start := time.Now()
		rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(4))
		elapsed := time.Since(start)
		rec.mu.Lock()
		n := len(rec.results)
		var waited int
		for _, r := range rec.results {
			if r.Wait > 0 {
				waited++
			}
		}
		rec.mu.Unlock()
		// A token bucket lets through at most burst + rate·elapsed requests.
		if limit := 5 + int(50*elapsed.Seconds()); n > limit {
			t.Errorf("%d requests in %v; the cap allows at most %d", n, elapsed, limit)
		}
		if waited == 0 {
			t.Errorf("no result records a rate-limiter wait")
		}
	})
}

func TestCancelDrainsAndEndsEverySession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := parseScenario(t, `
version: 1
name: t
target: {base_url: "http://unused"}
load: {users: 4, duration: 1m}
conversations:
  - name: slow
    turns:
      - message: "hi"
      - message: "still there?"
        think: 1h
`)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		before, _ := goroutines()
		rec, out := run(t, ctx, sc, srv, runner.WithSeed(5))
		if !out.Interrupted {
			t.Errorf("Outcome.Interrupted = false after cancel")
		}
		if out.End.Sub(out.Start) > 30*time.Second {
			t.Errorf("run took %v after cancel; want it to stop promptly", out.End.Sub(out.Start))
		}
		if rec.started != 4 || rec.ends[results.EndCanceled] != 4 || rec.active != 0 {
			t.Errorf("started %d, ends %v, active %d; want 4 users each ending canceled during think time", rec.started, rec.ends, rec.active)
		}
		checkGoroutines(t, before)
	})
}

func TestDeadTargetCountsConnectErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ln := testutil.NewPipeListener()
		ln.Close() // nothing listens there now: connection refused
		srv := target{url: "http://dead.test", dial: ln.Dial}
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 20/s, duration: 500ms}"))
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(6), runner.WithEarlyStop(0))
		n, errs, kinds := rec.count(results.StepSession)
		if n != 10 || errs != n || kinds["connect"] != n {
			t.Errorf("session steps: %d, errors %d %v; want 10 (20/s for 500ms), every one a connect error", n, errs, kinds)
		}
		if rec.ends[results.EndFailed] != int(out.Sessions) {
			t.Errorf("ends = %v; want all %d sessions failed", rec.ends, out.Sessions)
		}
		if m, _, _ := rec.count(results.StepMessage); m != 0 {
			t.Errorf("%d message steps after failed sessions; want none", m)
		}
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) {
			c.Faults.RateLimited = 0.5
			c.Faults.RetryAfter = time.Second
		})
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{users: 2, duration: 1500ms}"))
		rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(7), runner.WithMaxRetries(2))
		rec.mu.Lock()
		defer rec.mu.Unlock()
		// After a 429 the same user's next request waits at least Retry-After.
		last := map[uint64]*results.Result{}
		var limited int
		for _, r := range rec.results {
			if p := last[r.User]; p != nil && p.Error == "rate_limited" {
				limited++
				if gap := r.Start.Sub(p.Start.Add(p.Latency)); gap < 900*time.Millisecond {
					t.Errorf("user %d retried %v after a 429 with Retry-After: 1; want ≥ 1s", r.User, gap)
				}
			}
			last[r.User] = r
		}
		if limited == 0 {
			t.Skip("the mock injected no 429 followed by another request in this run")
		}
	})
}

// checkGoroutines fails when goroutines started by the run are still there
// once every goroutine of the bubble has finished or blocked.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	synctest.Wait()
	if n, dump := goroutines(); n > before {
		t.Fatalf("goroutines: %d before, %d after the run\n%s", before, n, dump)
	}
}

// goroutines counts the live goroutines in a dump of them all. Not
// runtime.NumGoroutine: synctest.Wait returns once a bubble's goroutine has
// ended, and NumGoroutine goes on counting an ended goroutine for a moment,
// until the runtime has put it on its free list (a "5 before, 6 after" whose
// dump listed 5).
func goroutines() (int, []byte) {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Count(buf[:n], []byte("\ngoroutine ")) + 1, buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// TestWallClockRunOnLoopback runs the default clock (arrivals that wake on a
// timerfd) against the mock on real loopback, outside any bubble. The run
// ends when its unique feeder of 10 rows runs out, not at a duration: on the
// wall clock, a busy machine that wakes the schedule late finds a short
// duration over before its last arrivals (50/s for 200 ms started 0 to 9 of
// its 10 sessions in 10 of 300 runs under load), so the count would say how
// busy the machine was, not whether the schedule works.
func TestWallClockRunOnLoopback(t *testing.T) {
	m := newMock(t, mockConfig(nil))
	hs := httptest.NewServer(m)
	defer hs.Close()
	const rows = 10
	yaml := strings.Replace(fmt.Sprintf(twoTurns, "{arrival_rate: 50/s, duration: 1h}"), "users:",
		"feeders: [{file: data/customers.csv, order: unique}]\nusers:", 1)
	sc := loadWithFeeder(t, yaml, customers(rows))
	rec, out := run(t, context.Background(), sc, target{url: hs.URL}, runner.WithSeed(13))
	if out.Sessions != rows || !out.Exhausted || rec.ends[results.EndCompleted] != rows {
		t.Fatalf("%d sessions, exhausted %v, ends %v; want %d, all completed, then the feeder ran out", out.Sessions, out.Exhausted, rec.ends, rows)
	}
	if n, errs, kinds := rec.count(results.StepMessage); n != 2*rows || errs != 0 {
		t.Errorf("message: %d results, %d errors %v; want %d, 0", n, errs, kinds, 2*rows)
	}
	// The schedule on the wall clock: session i was meant for start +
	// (i + ½)/50 s exactly (the pacer's hit n is at the middle of its
	// interval), however late the machine started it; nothing started early.
	var intended []time.Duration
	for _, r := range rec.results {
		if r.Step == results.StepSession {
			intended = append(intended, r.Intended.Sub(out.Start))
		}
		if r.Start.Before(r.Intended) {
			t.Errorf("%s step of session %d started %v before its intended start", r.Step, r.Session, r.Intended.Sub(r.Start))
		}
	}
	slices.Sort(intended)
	var want []time.Duration
	for i := range rows {
		want = append(want, time.Duration(2*i+1)*10*time.Millisecond)
	}
	if !slices.Equal(intended, want) {
		t.Errorf("sessions intended at %v after the start; want %v", intended, want)
	}
}

// TestStartAtAnInstant: after StartAt the run waits for that instant and
// schedules every session from it, as the shards of a distributed run do
// with the collector's start instant.
func TestStartAtAnInstant(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 20/s, duration: 500ms}"))
		at := time.Now().Add(1500 * time.Millisecond)
		rec, out := runFrom(t, context.Background(), at, sc, srv, runner.WithSeed(1), runner.WithShard(1, 2))
		if !out.Start.Equal(at) || !out.Began.Equal(at) {
			t.Errorf("outcome start %v, began %v; want both %v (the bubble's clock is exact)", out.Start, out.Began, at)
		}
		if out.Sessions != 5 {
			t.Errorf("%d sessions, want 5 (shard 1 of 2 at 20/s for 0.5 s)", out.Sessions)
		}
		for _, r := range rec.results {
			if r.Intended.Before(at) || r.Start.Before(at) {
				t.Fatalf("%s step intended %v, started %v: before the start instant %v", r.Step, r.Intended, r.Start, at)
			}
		}
		if end := at.Add(500 * time.Millisecond); !out.Stop.Equal(end) {
			t.Errorf("arrivals stopped at %v, want the start + the duration, %v", out.Stop, end)
		}
	})
}

// TestStartCanceledBeforeTheInstant: canceled while waiting for the start,
// Run returns at once with nothing run.
func TestStartCanceledBeforeTheInstant(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 20/s, duration: 1s}"))
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		rec, out := runFrom(t, ctx, time.Now().Add(time.Hour), sc, srv, runner.WithSeed(1))
		if !out.Interrupted || out.Sessions != 0 || len(rec.results) != 0 {
			t.Errorf("outcome %+v with %d results; want interrupted, nothing run", out, len(rec.results))
		}
		if got := out.Began.Sub(out.Start); got != -(time.Hour - time.Second) {
			t.Errorf("Run returned %v after the start instant, want -59m59s (canceled after 1 s of the hour)", got)
		}
	})
}

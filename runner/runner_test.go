package runner_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/loadgen/loadgen/helperapi"
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

// startMock serves a fast mock on loopback.
func startMock(t *testing.T, tweak func(*mockserver.Config)) (*mockserver.Server, string) {
	t.Helper()
	cfg := mockserver.Config{
		Secret:        testSecret,
		TTFT:          mockserver.Fixed(5 * time.Millisecond),
		TokenInterval: mockserver.Fixed(time.Millisecond),
		Tokens:        mockserver.Range{Min: 3, Max: 3},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	m, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(func() { srv.Close(); m.Close() })
	return m, srv.URL
}

func parseScenario(t *testing.T, yaml string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// newClient returns a client on its own transport, whose idle connections
// are closed when the run ends so goroutine counts can be compared.
func newClient(t *testing.T, url string) (*helperapi.Client, *http.Transport) {
	t.Helper()
	tr := helperapi.NewTransport(10)
	c, err := helperapi.New(url, helperapi.WithSecret(testSecret), helperapi.WithTimeout(10*time.Second),
		helperapi.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

func run(t *testing.T, ctx context.Context, sc *scenarios.Scenario, url string, opts runner.Options) (*recorder, runner.Outcome) {
	t.Helper()
	rec := &recorder{}
	client, tr := newClient(t, url)
	defer tr.CloseIdleConnections()
	rn, err := runner.New(sc, client, opts)
	if err != nil {
		t.Fatal(err)
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
	mock, url := startMock(t, nil)
	sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 40/s, duration: 1s}"))
	rec, out := run(t, context.Background(), sc, url, runner.Options{Seed: 1})

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
	// Each session starts at its scheduled time or after it, never before.
	for _, r := range rec.results {
		if r.Intended.IsZero() || r.Start.Before(r.Intended) {
			t.Fatalf("%s step of session %d started %v before its intended start %v", r.Step, r.Session, r.Start, r.Intended)
		}
	}
}

func TestClosedModelHoldsExactlyNUsers(t *testing.T) {
	_, url := startMock(t, nil)
	sc := parseScenario(t, fmt.Sprintf(twoTurns, "{users: 5, duration: 700ms}"))
	rec, _ := run(t, context.Background(), sc, url, runner.Options{Seed: 2})
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
}

func TestMaxSessionsCapsSessionsInFlight(t *testing.T) {
	_, url := startMock(t, func(c *mockserver.Config) { c.TTFT = mockserver.Fixed(50 * time.Millisecond) })
	sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 100/s, duration: 500ms, max_sessions: 3}"))
	rec, _ := run(t, context.Background(), sc, url, runner.Options{Seed: 3})
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
}

func TestRequestRateCapHolds(t *testing.T) {
	_, url := startMock(t, nil)
	sc := parseScenario(t, fmt.Sprintf(twoTurns, "{users: 10, duration: 1s, request_rate: 50/s, burst: 5}"))
	start := time.Now()
	rec, _ := run(t, context.Background(), sc, url, runner.Options{Seed: 4})
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
}

func TestCancelDrainsAndEndsEverySession(t *testing.T) {
	_, url := startMock(t, nil)
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
	before := runtime.NumGoroutine()
	rec, out := run(t, ctx, sc, url, runner.Options{Seed: 5})
	if !out.Interrupted {
		t.Errorf("Outcome.Interrupted = false after cancel")
	}
	if out.End.Sub(out.Start) > 30*time.Second {
		t.Errorf("run took %v after cancel; want it to stop promptly", out.End.Sub(out.Start))
	}
	if rec.started != 4 || rec.ends[results.EndCanceled] != 4 || rec.active != 0 {
		t.Errorf("started %d, ends %v, active %d; want 4 users each ending canceled during think time", rec.started, rec.ends, rec.active)
	}
	waitGoroutines(t, before)
}

func TestDeadTargetCountsConnectErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	sc := parseScenario(t, fmt.Sprintf(twoTurns, "{arrival_rate: 20/s, duration: 500ms}"))
	rec, out := run(t, context.Background(), sc, url, runner.Options{Seed: 6})
	n, errs, kinds := rec.count(results.StepSession)
	if n == 0 || errs != n || kinds["connect"] != n {
		t.Errorf("session steps: %d, errors %d %v; want every one a connect error", n, errs, kinds)
	}
	if rec.ends[results.EndFailed] != int(out.Sessions) {
		t.Errorf("ends = %v; want all %d sessions failed", rec.ends, out.Sessions)
	}
	if m, _, _ := rec.count(results.StepMessage); m != 0 {
		t.Errorf("%d message steps after failed sessions; want none", m)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	_, url := startMock(t, func(c *mockserver.Config) {
		c.Faults.RateLimited = 0.5
		c.Faults.RetryAfter = time.Second
	})
	sc := parseScenario(t, fmt.Sprintf(twoTurns, "{users: 2, duration: 1500ms}"))
	rec, _ := run(t, context.Background(), sc, url, runner.Options{Seed: 7, MaxRetries: 2})
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
}

// waitGoroutines fails when goroutines started by the test are still running.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d before, %d after the run\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

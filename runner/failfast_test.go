package runner_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
)

// runErr is run for a run that may end with an error.
func runErr(t *testing.T, sc string, tgt target, opts ...runner.Option) (*recorder, runner.Outcome, error) {
	t.Helper()
	rec := &recorder{}
	client, tr := newClient(t, tgt)
	defer tr.CloseIdleConnections()
	rn, err := runner.New(parseScenario(t, sc), client, append([]runner.Option{runner.WithClock(runner.GoClock{})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := rn.Run(context.Background(), rec)
	return rec, out, err
}

// A run whose every sign-in is refused stops early with a clear reason,
// after DefaultEarlyStop of them (plus those already in flight), instead of
// signing in thousands of times a second for its whole duration.
func TestEarlyStopOnRefusedSecret(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) { c.Secret = "another secret" })
		// Email users only: an anonymous sign-in needs no secret, and one
		// that succeeds shows the target works.
		sc := strings.Replace(fmt.Sprintf(twoTurns, "{users: 10, duration: 1m}"), "anonymous: 30%", "anonymous: 0%", 1)
		rec, out, err := runErr(t, sc, srv, runner.WithSeed(1))
		var stop *runner.EarlyStop
		if !errors.As(err, &stop) || stop.Kind != results.KindAuth || stop.Count != runner.DefaultEarlyStop {
			t.Fatalf("Run error = %v, want an EarlyStop after %d refused sign-ins", err, runner.DefaultEarlyStop)
		}
		n, _, kinds := rec.count(results.StepSession)
		if kinds[results.KindAuth] < runner.DefaultEarlyStop || n > runner.DefaultEarlyStop+10 {
			t.Errorf("%d sign-ins (%v), want %d refused and at most the 10 users' in flight more", n, kinds, runner.DefaultEarlyStop)
		}
		if d := out.Stop.Sub(out.Start); d > 10*time.Second {
			t.Errorf("the run went on for %v of its minute", d)
		}
	})
}

// A wrong secret stops the run even when anonymous users sign in fine: an
// anonymous sign-in needs no secret, so it says nothing of it. Before, the
// first anonymous success (30% of the users here) cleared the streak: the
// signed users' refusals went on for the whole run, which measured only the
// anonymous users and, with a latency threshold, passed (exit 0).
func TestEarlyStopOnRefusedSecretWithAnonymousUsers(t *testing.T) {
	for _, load := range []string{"{users: 10, duration: 1m}", "{arrival_rate: 50/s, duration: 1m}"} {
		t.Run(load, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, srv := startMock(t, func(c *mockserver.Config) { c.Secret = "another secret" })
				rec, out, err := runErr(t, fmt.Sprintf(twoTurns, load), srv, runner.WithSeed(1))
				var stop *runner.EarlyStop
				if !errors.As(err, &stop) || stop.Kind != results.KindAuth {
					_, _, kinds := rec.count(results.StepSession)
					t.Fatalf("Run error = %v after %v (sign-ins %v), want an EarlyStop: every signed sign-in was refused", err, out.Stop.Sub(out.Start), kinds)
				}
				if !strings.Contains(stop.Error(), "signed sign-ins") {
					t.Errorf("the reason %q does not say it was the signed sign-ins", stop.Error())
				}
			})
		})
	}
}

// Nothing answering at the target's address stops the run too.
func TestEarlyStopOnDeadTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ln := testutil.NewPipeListener()
		ln.Close()
		_, _, err := runErr(t, fmt.Sprintf(twoTurns, "{arrival_rate: 100/s, duration: 1m}"), target{url: "http://dead.test", dial: ln.Dial})
		var stop *runner.EarlyStop
		if !errors.As(err, &stop) || stop.Kind != results.KindConnect {
			t.Fatalf("Run error = %v, want an EarlyStop on connect errors", err)
		}
	})
}

// A target that worked and then went away (a restart) is measured, not
// stopped: the early stop is for targets that never worked.
func TestNoEarlyStopAfterASuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newMock(t, mockConfig(nil))
		ln := testutil.NewPipeListener()
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(rtt)
			m.ServeHTTP(w, r)
		})}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		time.AfterFunc(500*time.Millisecond, func() { srv.Close() }) // the target dies after half a second
		rec, _, err := runErr(t, fmt.Sprintf(twoTurns, "{arrival_rate: 50/s, duration: 3s}"), target{url: "http://helper.test", dial: ln.Dial})
		if err != nil {
			t.Fatalf("Run error = %v, want none: the target worked before it died", err)
		}
		if _, _, kinds := rec.count(results.StepSession); kinds[results.KindConnect] < 2*runner.DefaultEarlyStop {
			t.Errorf("connect errors after the target died: %v, want well over %d (the run went on)", kinds, runner.DefaultEarlyStop)
		}
	})
}

// A closed-model user whose sessions fail at once backs off exponentially,
// and the wait is schedule lag of its next session, not hidden. (Users of a
// dead port once made 431 698 sessions in 10 s.)
func TestClosedUsersBackOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) { c.Faults.Error5xx = 1 }) // every request: 503
		rec, _, err := runErr(t, fmt.Sprintf(twoTurns, "{users: 1, duration: 30s}"), srv, runner.WithSeed(3))
		if err != nil {
			t.Fatal(err)
		}
		n, errs, _ := rec.count(results.StepSession)
		// 30 s of waits of 50–100 ms, 100–200, … up to 5–10 s: at most ~11
		// sessions; without a backoff, thousands.
		if n < 4 || n > 15 || errs != n {
			t.Errorf("%d sessions (%d failed) in 30 s, want a few, each failed", n, errs)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		var lags []time.Duration
		for _, r := range rec.results {
			lags = append(lags, r.Lag())
		}
		for i := 1; i < len(lags) && i < 6; i++ {
			lo := runner.DefaultBackoff << (i - 1) / 2
			if lags[i] < lo {
				t.Errorf("session %d started %v late, want the backoff (≥ %v) as its lag; lags %v", i+1, lags[i], lo, lags)
			}
		}
	})
}

// A step retried after a 429 keeps its intended start, so the Retry-After
// wait shows as the retry's lag and in its latency from the intended start
// (a retry's intended start was reset to the end of the wait: 0.24 s
// recorded, 1.24 s lived).
func TestRetryKeepsTheIntendedStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) {
			c.Faults.RateLimited = 0.5
			c.Faults.RetryAfter = time.Second
		})
		sc := parseScenario(t, fmt.Sprintf(twoTurns, "{users: 2, duration: 3s}"))
		rec, _ := run(t, t.Context(), sc, srv, runner.WithSeed(7), runner.WithMaxRetries(3))
		rec.mu.Lock()
		defer rec.mu.Unlock()
		type key struct {
			session uint64
			step    results.Step
			turn    int
		}
		first := map[key]*results.Result{}
		var retries int
		for _, r := range rec.results {
			k := key{r.Session, r.Step, r.Turn}
			p := first[k]
			if p == nil {
				first[k] = r
				continue
			}
			retries++
			if !r.Intended.Equal(p.Intended) || r.Lag() < time.Second {
				t.Errorf("retry of %v: intended %v (first attempt's %v), lag %v; want the first's and at least the 1 s Retry-After",
					k, r.Intended, p.Intended, r.Lag())
			}
		}
		if retries == 0 {
			t.Fatal("no step was retried: the test tested nothing")
		}
	})
}

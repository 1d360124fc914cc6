package sweep_test

import (
	"context"
	"math"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/capacity"
	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/internal/testutil"
	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/sweep"
)

const secret = "sweep-test-secret"

const scenario = `
version: 1
name: sweep_test
target: {base_url: "http://helper.test"}
users: {anonymous: 100%}
load: {arrival_rate: 1/s, duration: 1s}
conversations:
  - name: ask
    turns:
      - message: "hello"
slo: {ttft: 100ms}
`

// mmc serves, in memory, a mock that is an M/M/2 queue with 100 ms mean
// service (capacity 20/s; TTFT is the wait for one of 2 slots), on Go's
// timers, so that a testing/synctest bubble runs it in virtual time.
func mmc(t *testing.T) *helperapi.Client {
	t.Helper()
	m, err := mockserver.New(mockserver.Config{
		Secret: secret, Capacity: 2, Seed: 1,
		TokenInterval: mockserver.Dist{Kind: mockserver.DistExp, Mean: 100 * time.Millisecond},
		Tokens:        mockserver.Range{Min: 2, Max: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	ln := testutil.NewPipeListener()
	// Each request a millisecond late: virtual time does not pass while
	// the mock works, and a reply with TTFT 0 would read as tokenless.
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond)
		m.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	tr := helperapi.NewTransport(64)
	tr.DialContext, tr.Proxy = ln.Dial, nil
	c, err := helperapi.New("http://helper.test", helperapi.WithSecret(secret), helperapi.WithTimeout(30*time.Second),
		helperapi.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return c
}

// TestProberSweep runs a whole sweep through the real runner, client and
// mock in virtual time: every probe's results file is kept, the run-level
// requirement is evaluated, and the answers are those of an M/M/2 queue.
func TestProberSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sc, err := scenarios.Parse("sweep.yaml", []byte(scenario))
		if err != nil {
			t.Fatal(err)
		}
		errorsBelow, err := report.ParseThreshold("errors.rate < 1%")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		obj := sweep.Objectives{SLO: sc.SLO}
		p := sweep.NewProber(sc, mmc(t), obj, sweep.ProberOptions{
			Run: results.Run{ID: "r", Scenario: sc.Name}, Dir: dir, Requires: []*report.Threshold{errorsBelow},
			Seed: 1, Clock: runner.GoClock{},
		})
		var probes []capacity.Probe
		res, err := capacity.Search(context.Background(), p, capacity.Config{
			Attainment: 0.9, Objectives: obj.Names(), Precision: 0.25,
			ProbeDuration: 15 * time.Second, Budget: 3 * time.Minute,
			OnProbe: func(pr capacity.Probe) { probes = append(probes, pr) },
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, pr := range probes {
			var b strings.Builder
			sweep.WriteRow(&b, sweep.ProbeOf(pr))
			t.Log(strings.TrimRight(b.String(), "\n"))
		}
		t.Logf("capacity %.2f [%.2f, %.2f], SLO-max %.2f [%.2f, %.2f], stop %q", res.Capacity.Load, res.Capacity.Lo, res.Capacity.Hi,
			res.SLOMax.Load, res.SLOMax.Lo, res.SLOMax.Hi, res.Stop)
		q := capacity.MMc{C: 2, Mu: 10}
		if c := res.Capacity.Load; math.Abs(c-q.Capacity()) > 0.15*q.Capacity() {
			t.Errorf("capacity %.2f/s, want %.0f ± 15%%", c, q.Capacity())
		}
		want := q.MaxRate(100*time.Millisecond, 0.9)
		if m := res.SLOMax; !m.Found || m.Load <= 0 || m.Load >= res.Capacity.Load || math.Abs(m.Load-want) > 0.35*want {
			t.Errorf("SLO-max %.2f/s [%.2f, %.2f], want ≈ %.2f (Erlang C) below the capacity %.2f", m.Load, m.Lo, m.Hi, want, res.Capacity.Load)
		}
		files, _ := os.ReadDir(dir)
		if len(files) != len(probes) {
			t.Errorf("%d results files for %d probes", len(files), len(probes))
		}
		for _, pr := range probes {
			if pr.ResultFile == "" || !strings.HasPrefix(pr.ResultFile, dir) {
				t.Errorf("probe %d: results file %q, want one in %s", pr.Seq, pr.ResultFile, dir)
			}
			if pr.Requests == 0 || pr.Messages == 0 {
				t.Errorf("probe %d: %d requests, %d messages measured", pr.Seq, pr.Requests, pr.Messages)
			}
		}
		if res.Capacity.Messages <= 0 || math.Abs(res.MessagesPerSession-1) > 0.01 {
			t.Errorf("messages per session %.3f, capacity %.2f messages/s; want 1 and the capacity", res.MessagesPerSession, res.Capacity.Messages)
		}
	})
}

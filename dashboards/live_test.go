package dashboards

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
	"github.com/loadgen/loadgen/metrics"
	"github.com/loadgen/loadgen/results"
)

// rateInterval stands in for Grafana's $__rate_interval against a
// Prometheus scraping every second.
const rateInterval = "10s"

// startPrometheus starts a Prometheus that scrapes every second and loads
// rules.yml, with its storage in a temp dir, and returns its address without
// waiting for it to be ready. With
// native set it ingests native histograms (Prometheus 2.42 then drops the
// classic buckets of histograms that have native ones).
func startPrometheus(t *testing.T, native bool, jobs map[string][]string) string {
	t.Helper()
	bin := tool(t, "prometheus")
	rules, err := filepath.Abs("rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}\nrule_files: [%q]\nscrape_configs:\n", rules)
	for job, targets := range jobs {
		fmt.Fprintf(&cfg, "  - job_name: %s\n    honor_labels: %v\n    static_configs: [{targets: [%q]}]\n",
			job, job == "pushgateway", strings.Join(targets, `", "`))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	promtool(t, nil, "check", "config", path)
	addr := testutil.FreeAddr(t)
	args := []string{"--config.file=" + path, "--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + addr, "--log.level=warn"}
	if native {
		args = append(args, "--enable-feature=native-histograms")
	}
	startProcess(t, bin, args...)
	return addr
}

// awaitScraping waits until the Prometheus at addr is ready and has tried
// each of its targets once. Prometheus starts scraping only after its first
// target discovery update, some seconds after it reports ready; a run
// started before that would be missed.
func awaitScraping(t *testing.T, addr string, targets int) {
	t.Helper()
	waitReady(t, "http://"+addr+"/-/ready")
	waitFor(t, 30*time.Second, "Prometheus "+addr+" to scrape", func() error {
		n, err := promValue(addr, "count(up)")
		if err == nil && n < float64(targets) {
			err = fmt.Errorf("%g of %d targets scraped", n, targets)
		}
		return err
	})
}

// feed records synthetic sessions into m until ctx ends or max sessions:
// every fifth one fails its message with a 503. It returns the counts it
// recorded.
type fed struct {
	requests, errors, started, completed, failed int
}

func feed(ctx context.Context, m *metrics.Metrics, every time.Duration, max int) fed {
	var f fed
	t := time.NewTicker(every)
	defer t.Stop()
	for i := range max {
		select {
		case <-ctx.Done():
			return f
		case <-t.C:
		}
		conv := []string{"greeting", "support"}[i%2]
		now := time.Now()
		m.SessionStarted(conv)
		f.started++
		// A page view and a chat, with the widget's steps around it.
		for _, step := range []results.Step{results.StepSDK, results.StepPreflight, results.StepSession, results.StepUnread,
			results.StepConversation, results.StepOpen, results.StepHistory, results.StepReact, results.StepMarkRead} {
			m.Record(&results.Result{Conversation: conv, Step: step, Code: 200, Intended: now.Add(-2 * time.Millisecond),
				Start: now, Wait: time.Millisecond, Latency: 15 * time.Millisecond, TTFB: 10 * time.Millisecond})
			f.requests++
		}
		if conv == "support" { // an async wait: measurement overhead
			m.Record(&results.Result{Conversation: conv, Step: results.StepPoll, Turn: 1, Code: 200, Start: now,
				Latency: 200 * time.Millisecond, Polls: 3})
			f.requests++
		}
		r := &results.Result{Conversation: conv, Step: results.StepMessage, Turn: 1, Intended: now, Start: now,
			Code: 200, Latency: 800 * time.Millisecond, TTFB: 40 * time.Millisecond, TTFT: 120 * time.Millisecond,
			Gaps: []time.Duration{20 * time.Millisecond, 30 * time.Millisecond}, Tokens: 3, Shape: "model", Good: true}
		end := results.EndCompleted
		if i%5 == 4 {
			*r = results.Result{Conversation: conv, Step: results.StepMessage, Turn: 1, Start: now,
				Code: 503, Error: "http_5xx", Latency: 5 * time.Millisecond, TTFB: 5 * time.Millisecond}
			end = results.EndFailed
			f.errors++
			f.failed++
		} else {
			f.completed++
		}
		m.Record(r)
		f.requests++
		m.SessionEnded(conv, end)
	}
	return f
}

// nativeQuery tells native-histogram queries (histogram_quantile over a
// histogram without _bucket) from the rest.
var nativeQuery = regexp.MustCompile(`histogram_quantile\([0-9.]+, sum (by \([a-z_, ]+\) )?\(rate\(loadgen_[a-z_]+_seconds\{`)

// alertCondition splits an alert expression into its left side and threshold.
var alertCondition = regexp.MustCompile(`^(.*\S)\s*>\s*[0-9.]+$`)

// grafanaVar finds a Grafana variable ($name or ${name}) in an expression.
var grafanaVar = regexp.MustCompile(`\$\{?[A-Za-z_]`)

// queryCheck says where and when checkQueries evaluates the shipped
// queries.
type queryCheck struct {
	classic  string    // address of a Prometheus with classic histograms
	native   string    // address of one with native histograms; "" skips the native queries
	at       time.Time // evaluation time; zero is now
	scenario string    // the value of $scenario, and the scenario whose rule series must have data
	run      string    // the value of $run ("" for All)
	rng      string    // $__range ("" for 1m: the whole test)
	interval string    // $__interval ("" for 1s: every scrape)
}

// checkQueries evaluates every dashboard and rule expression, with Grafana's
// variables expanded as for c.scenario and All otherwise, and fails the test
// for each one that errs, returns no series of c.scenario, or returns NaN.
// An alert's condition must evaluate; what it compares must have data. It
// returns how many expressions it evaluated, and how many of those on the
// native-histogram Prometheus.
func checkQueries(t *testing.T, c queryCheck) (evaluated, native int) {
	t.Helper()
	if c.rng == "" {
		c.rng = "1m"
	}
	if c.interval == "" {
		c.interval = "1s"
	}
	for _, q := range append(dashboardQueries(t), ruleQueries(t)...) {
		addr, server := c.classic, "classic"
		if nativeQuery.MatchString(q.Expr) {
			if c.native == "" {
				continue
			}
			addr, server = c.native, "native-histogram"
			native++
		}
		evaluated++
		expr := expand(q.Expr, grafanaVars{rateInterval: rateInterval, rng: c.rng, interval: c.interval, scenario: c.scenario, run: c.run})
		if grafanaVar.MatchString(expr) {
			t.Errorf("%s: %s: a Grafana variable is left unexpanded", q.Where, expr)
			continue
		}
		if sub := alertCondition.FindStringSubmatch(expr); sub != nil && strings.HasPrefix(q.Where, "rules: Loadgen") {
			if _, err := promQueryAt(addr, expr, c.at); err != nil { // the condition itself must evaluate
				t.Errorf("%s: %v", q.Where, err)
			}
			expr = sub[1] // and what it compares must have data
		}
		s, err := promQueryAt(addr, expr, c.at)
		if err != nil {
			t.Errorf("%s: %v", q.Where, err)
			continue
		}
		var ours []sample // series of c.scenario, or aggregated over scenarios
		for _, x := range s {
			if sc, ok := x.Metric["scenario"]; !ok || sc == c.scenario {
				ours = append(ours, x)
			}
		}
		if len(ours) == 0 {
			t.Errorf("%s: %s on the %s Prometheus returned no data for scenario %s (%d series in all)",
				q.Where, expr, server, c.scenario, len(s))
		}
		for _, x := range ours {
			if math.IsNaN(x.Value) {
				t.Errorf("%s: %s on the %s Prometheus returned NaN for %v", q.Where, expr, server, x.Metric)
			}
		}
	}
	return evaluated, native
}

// TestLivePrometheus serves loadgen metrics fed with synthetic sessions,
// pushes them to a real Pushgateway, and has real Prometheus servers (one
// classic, one with native histograms) scrape both every second. Then it
// evaluates every dashboard and rule expression through the HTTP API and
// checks the totals that arrive.
func TestLivePrometheus(t *testing.T) {
	tool(t, "prometheus")
	pgBin := tool(t, "prometheus-pushgateway")

	reg := metrics.NewRegistry()
	m := metrics.New("live", metrics.WithRunID("live-run"), metrics.WithVersion("test"),
		metrics.WithConversations("greeting", "support"),
		metrics.WithSLO(metrics.SLO{TTFT: time.Second, Latency: 2 * time.Second, InterToken: 100 * time.Millisecond}))
	if err := m.Register(reg); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := metrics.Serve(ctx, "127.0.0.1:0", reg)
	if err != nil {
		t.Fatalf("Serve() error = %v", err)
	}

	pgAddr := testutil.FreeAddr(t)
	startProcess(t, pgBin, "--web.listen-address="+pgAddr, "--persistence.file=", "--log.level=warn")
	waitReady(t, "http://"+pgAddr+"/-/ready")
	pusher, err := metrics.NewPusher(m, "http://"+pgAddr, metrics.WithPushJob("loadgen-push"),
		metrics.WithPushInstance("shard-0"), metrics.WithPushInterval(500*time.Millisecond), metrics.WithPushKeep(true))
	if err != nil {
		t.Fatalf("NewPusher() error = %v", err)
	}
	pctx, stopPush := context.WithCancel(ctx)
	pushed := make(chan error, 1)
	go func() { pushed <- pusher.Run(pctx) }()

	defer stopPush()

	classic := startPrometheus(t, false, map[string][]string{"loadgen": {srv.Addr()}, "pushgateway": {pgAddr}})
	native := startPrometheus(t, true, map[string][]string{"loadgen": {srv.Addr()}})
	waitReady(t, "http://"+classic+"/-/ready")
	waitReady(t, "http://"+native+"/-/ready")

	fctx, stopFeed := context.WithCancel(ctx)
	defer stopFeed()
	fedc := make(chan fed, 1)
	go func() { fedc <- feed(fctx, m, 20*time.Millisecond, 3000) }()

	// Enough scrapes for rates, and the recording rules have run.
	for _, addr := range []string{classic, native} {
		waitFor(t, 30*time.Second, "four scrapes", func() error {
			v, err := promValue(addr, `count_over_time(loadgen_run_info{job="loadgen"}[1m])`)
			if err == nil && v < 4 {
				err = fmt.Errorf("%g scrapes", v)
			}
			return err
		})
	}
	waitFor(t, 30*time.Second, "recording rules", func() error {
		_, err := promValue(classic, `scenario:loadgen_schedule_lag_seconds:quantile_rate1m{scenario="live"}`)
		return err
	})

	t.Run("every query returns data", func(t *testing.T) {
		n, nNative := checkQueries(t, queryCheck{classic: classic, native: native, scenario: "live"})
		t.Logf("evaluated %d queries, %d of them on the native-histogram Prometheus", n, nNative)
	})

	stopFeed()
	f := <-fedc
	stopPush()
	if err := <-pushed; err != nil {
		t.Errorf("final push: %v", err)
	}

	t.Run("totals arrive", func(t *testing.T) {
		tests := []struct {
			expr string
			want int
		}{
			{`sum(loadgen_requests_total{job="%s"})`, f.requests},
			{`sum(loadgen_errors_total{job="%s"})`, f.errors},
			{`sum(loadgen_sessions_started_total{job="%s"})`, f.started},
			{`sum(loadgen_sessions_completed_total{job="%s",outcome="completed"})`, f.completed},
			{`sum(loadgen_sessions_completed_total{job="%s",outcome="failed"})`, f.failed},
			{`sum(loadgen_step_duration_seconds_count{job="%s"})`, f.requests},
		}
		for _, job := range []string{"loadgen", "loadgen-push"} {
			for _, tt := range tests {
				expr := fmt.Sprintf(tt.expr, job)
				waitFor(t, 15*time.Second, expr, func() error {
					got, err := promValue(classic, expr)
					if err == nil && got != float64(tt.want) {
						err = fmt.Errorf("%s = %g, want %d", expr, got, tt.want)
					}
					return err
				})
			}
		}
	})

	t.Run("pushed group labels", func(t *testing.T) {
		s, err := promQuery(classic, `loadgen_run_info{job="loadgen-push"}`)
		if err != nil || len(s) != 1 {
			t.Fatalf("pushed loadgen_run_info: %v, %v; want one series", s, err)
		}
		for k, want := range map[string]string{"run_id": "live-run", "instance": "shard-0", "scenario": "live", "version": "test"} {
			if got := s[0].Metric[k]; got != want {
				t.Errorf("pushed loadgen_run_info %s = %q, want %q", k, got, want)
			}
		}
	})
}

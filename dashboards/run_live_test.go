package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
)

// liveScenario is the scenario of the live runs: three closed-model users
// per run looping through a streamed two-turn conversation with the widget's
// page-view requests and steps, and an async one (so every step, poll
// included, has data) under a request cap (so the rate
// limiter waits), with an SLO (goodput). %s is the scenario name.
const liveScenario = `version: 1
name: %s
target:
  base_url: http://127.0.0.1:1 # replaced by --target
  request_timeout: 10s
users:
  email: "live-{{.Seq}}@example.com"
widget: {sdk: 50%%, preflight: true, unread: 50%%}
load:
  users: 3
  duration: 4s
  request_rate: 80/s
  burst: 4
conversations:
  - name: chat
    weight: 3
    turns:
      - message: Hello, can you help me with my order?
      - react: {}
      - message: "It is order {{randInt 1000 9999}}."
      - open: {}
      - history: {}
      - mark_read: {}
  - name: billing
    mode: async
    poll: {interval: 40ms, timeout: 5s}
    turns:
      - message: Why was I charged twice?
slo:
  ttft: 1s
  latency: 5s
  inter_token: 500ms
`

// mockArgs make the mock fast (replies in tens of milliseconds) and faulty
// (503s and mid-stream resets), so that error panels and error totals have
// data.
var mockArgs = []string{"--ttft", "fixed:15ms", "--token-interval", "2ms", "--tokens", "3-8",
	"--async-delay", "fixed:40ms", "--async-no-reply", "0", "--fail-5xx", "0.04", "--fail-reset", "0.04",
	"--log-level", "warn"}

// buildLoadgen builds the loadgen command into a temp dir and returns its path.
func buildLoadgen(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not found in PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "loadgen")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // about 35 s with an empty build cache
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, goBin, "build", "-buildvcs=auto", "-o", bin, "github.com/loadgen/loadgen/cmd/loadgen").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/loadgen: %v\n%s", err, out)
	}
	t.Logf("built loadgen in %v", time.Since(start).Round(time.Millisecond))
	return bin
}

// liveRun is one `loadgen run` of liveScenario.
type liveRun struct {
	scenario string
	summary  runSummary
	output   string
	err      error
}

// runSummary is the part of --summary-json the test compares with
// Prometheus.
type runSummary struct {
	RunID    string `json:"run_id"`
	Sessions struct {
		Started   int64 `json:"started"`
		Completed int64 `json:"completed"`
		Failed    int64 `json:"failed"`
		Canceled  int64 `json:"canceled"`
	} `json:"sessions"`
	Steps   map[string]*stepSummary `json:"steps"`
	Errors  map[string]int64        `json:"errors"`
	Goodput struct {
		Good int64 `json:"good"`
	} `json:"goodput"`
	Schedule struct {
		Lag  struct{ Count int64 } `json:"lag"`
		Wait struct{ Count int64 } `json:"rate_limit_wait"`
	} `json:"schedule"`
}

type stepSummary struct {
	Count      int64                 `json:"count"`
	Kinds      map[string]int64      `json:"errors_by_kind"`
	Codes      map[string]int64      `json:"codes"`
	TTFT       struct{ Count int64 } `json:"ttft"`
	InterToken struct{ Count int64 } `json:"inter_token"`
	Tokens     int64                 `json:"tokens"`
	Shapes     map[string]int64      `json:"shapes"`
}

// runLoadgen runs `loadgen run` of liveScenario named scenario against the
// mock at target with the extra flags, and reads its summary. Ending ctx
// kills it.
func runLoadgen(ctx context.Context, bin, dir, scenario, target string, flags ...string) liveRun {
	r := liveRun{scenario: scenario}
	path := filepath.Join(dir, scenario+".yaml")
	if r.err = os.WriteFile(path, []byte(fmt.Sprintf(liveScenario, scenario)), 0o644); r.err != nil {
		return r
	}
	sumPath := filepath.Join(dir, scenario+"-summary.json")
	args := append([]string{"run", "--target", "http://" + target, "--summary-json", sumPath, "--quiet",
		"--grace", "3s", "--log-level", "warn"}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, path)...)
	out, err := cmd.CombinedOutput()
	r.output = string(out)
	if err != nil {
		r.err = fmt.Errorf("loadgen %s: %w", strings.Join(args, " "), err)
		return r
	}
	b, err := os.ReadFile(sumPath)
	if err == nil {
		err = json.Unmarshal(b, &r.summary)
	}
	r.err = err
	return r
}

// liveStack is what TestLiveRun runs against: the loadgen binary, its mock,
// a Pushgateway, and two Prometheus servers scraping every second.
type liveStack struct {
	bin     string
	mock    string // the mock's address
	pg      string // the Pushgateway's
	runAddr string // the scraped run's --metrics-addr
	classic string // Prometheus scraping runAddr, the mock and the Pushgateway
	native  string // Prometheus with native histograms scraping the Pushgateway
}

// startLiveStack starts the stack and returns once both Prometheus servers
// scrape. Only the classic one scrapes the run: --metrics-linger waits for
// one scrape, so with two scrapers the second could miss the final values.
// Both scrape the Pushgateway, which keeps them.
func startLiveStack(t *testing.T) *liveStack {
	t.Helper()
	tool(t, "prometheus")
	s := &liveStack{pg: testutil.FreeAddr(t), mock: testutil.FreeAddr(t), runAddr: testutil.FreeAddr(t)}
	startProcess(t, tool(t, "prometheus-pushgateway"), "--web.listen-address="+s.pg, "--persistence.file=", "--log.level=warn")
	// Prometheus first: it scrapes only some seconds after it starts, time
	// enough to build loadgen.
	s.classic = startPrometheus(t, false, map[string][]string{"loadgen": {s.runAddr}, "helper-mock": {s.mock}, "pushgateway": {s.pg}})
	s.native = startPrometheus(t, true, map[string][]string{"pushgateway": {s.pg}})
	s.bin = buildLoadgen(t)
	t.Setenv("HELPER_HMAC_SECRET", "dashboards-live-run-test") // the mock's and the runs' (a test value)
	startProcess(t, s.bin, append([]string{"mock", "--addr", s.mock}, mockArgs...)...)
	waitReady(t, "http://"+s.mock+"/metrics")
	waitReady(t, "http://"+s.pg+"/-/ready")
	awaitScraping(t, s.classic, 3)
	awaitScraping(t, s.native, 1)
	return s
}

// runAll runs the pushed run and, at the same time, two scraped runs of one
// scenario back to back on the same --metrics-addr (so the run selector has
// two runs of one instance to tell apart); it checks the scraped run's
// /metrics with promtool on the way, and returns the runs.
func (s *liveStack) runAll(t *testing.T) (scraped [2]liveRun, pushed liveRun) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	dir := t.TempDir()
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() }) // no run outlives the test (or dir), even when it fails early
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range scraped {
			scraped[i] = runLoadgen(ctx, s.bin, dir, "live-scrape", s.mock, "--metrics-addr", s.runAddr, "--metrics-linger", "10s")
			if scraped[i].err != nil {
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		// The default: the group is deleted after the final push, here
		// once Prometheus (every second) had 3 s to scrape it.
		pushed = runLoadgen(ctx, s.bin, dir, "live-push", s.mock, "--pushgateway", "http://"+s.pg, "--push-interval", "1s",
			"--push-linger", "3s")
	}()

	// promtool check metrics on a real run's /metrics, mid-run.
	var exposition []byte
	waitFor(t, 20*time.Second, "the run's /metrics with requests", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		b, err := httpGet(ctx, "http://"+s.runAddr+"/metrics", "text/plain;version=0.0.4")
		if err == nil && !strings.Contains(string(b), "loadgen_requests_total{") {
			err = fmt.Errorf("no loadgen_requests_total yet")
		}
		exposition = b
		return err
	})
	if out := promtool(t, exposition, "check", "metrics"); strings.TrimSpace(out) != "" {
		t.Errorf("promtool check metrics on a real run's /metrics reported problems:\n%s", out)
	}

	wg.Wait()
	for _, r := range []liveRun{scraped[0], scraped[1], pushed} {
		if r.err != nil {
			t.Fatalf("%s: %v\n%s", r.scenario, r.err, r.output)
		}
	}
	return scraped, pushed
}

// TestLiveRun runs the real thing: the loadgen binary's mock, three runs of
// it (two back to back serving /metrics on one address, one pushing to a
// real Pushgateway), and real Prometheus servers scraping them every second.
// Every dashboard and rule expression must return data for each run, the
// totals in Prometheus must equal the runs' JSON summaries, and the
// dashboard's run selector must isolate each of the back-to-back runs.
func TestLiveRun(t *testing.T) {
	start := time.Now()
	s := startLiveStack(t)
	both, pushed := s.runAll(t)
	scraped := both[1]

	pushedAt := awaitFinal(t, s.classic, pushed, true) // its last scrape, before the group was deleted
	firstAt := lastScrape(t, s.classic, both[0])
	scrapedAt := awaitFinal(t, s.classic, scraped, true)

	t.Run("run info", func(t *testing.T) {
		// Scraped: job and instance from the scrape. Pushed: honor_labels
		// keeps the group's job and instance (the pushing process's
		// host:pid, like a scrape target's address).
		for _, r := range []struct {
			run      liveRun
			at       time.Time
			instance string // a regexp
		}{{scraped, scrapedAt, regexp.QuoteMeta(s.runAddr)}, {pushed, pushedAt, `[^:]+:[0-9]+`}} {
			expr := fmt.Sprintf(`loadgen_run_info{scenario=%q}`, r.run.scenario)
			got, err := promQueryAt(s.classic, expr, r.at)
			if err != nil || len(got) != 1 {
				t.Errorf("%s: %v, %v; want one series", expr, got, err)
				continue
			}
			if m := got[0].Metric; m["job"] != "loadgen" || m["run_id"] != r.run.summary.RunID || !regexp.MustCompile("^"+r.instance+"$").MatchString(m["instance"]) {
				t.Errorf("%s = %v; want job loadgen, run_id %s (the summary's), instance %s", expr, m, r.run.summary.RunID, r.instance)
			}
		}
		// Pushed series have no run_id label: loadgen_run_info holds it.
		if s, err := promQueryAt(s.classic, fmt.Sprintf(`count({scenario=%q, run_id!="", __name__!="loadgen_run_info"})`, pushed.scenario), pushedAt); err != nil || len(s) != 0 {
			t.Errorf("pushed series with a run_id label other than loadgen_run_info: %v, %v", s, err)
		}
		// The finished run's group is gone from the Pushgateway.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		body, err := httpGet(ctx, "http://"+s.pg+"/api/v1/metrics", "")
		if err != nil || strings.Contains(string(body), pushed.summary.RunID) {
			t.Errorf("the Pushgateway still holds the finished run %s (%v):\n%.500s", pushed.summary.RunID, err, body)
		}
	})
	t.Run("totals", func(t *testing.T) {
		for _, r := range []struct {
			run liveRun
			at  time.Time
		}{{scraped, scrapedAt}, {pushed, pushedAt}} {
			for _, c := range totalChecks(r.run) {
				if err := c.compare(s.classic, r.at); err != nil {
					t.Error(err)
				}
			}
		}
	})
	t.Run("every query returns data", func(t *testing.T) {
		// The native-histogram queries only for the pushed run: no native
		// Prometheus scrapes the other (see startLiveStack).
		n, _ := checkQueries(t, queryCheck{classic: s.classic, scenario: scraped.scenario, at: scrapedAt})
		m, nNative := checkQueries(t, queryCheck{classic: s.classic, native: s.native, scenario: pushed.scenario, at: pushedAt})
		t.Logf("evaluated %d queries for the scraped run and %d for the pushed one (%d of them on the native-histogram Prometheus)", n, m, nNative)
	})
	t.Run("run selector", func(t *testing.T) {
		checkRunSelector(t, s.classic, both, [2]time.Time{firstAt, scrapedAt})
	})
	t.Run("mock counts", func(t *testing.T) {
		// The mock created exactly the conversations the runs saw succeed.
		var want int64
		for _, r := range []liveRun{both[0], both[1], pushed} {
			want += r.summary.Steps["conversation"].Codes["200"]
		}
		waitFor(t, 10*time.Second, "the mock's conversations", func() error {
			got, err := promValue(s.classic, `helpermock_conversations_total{job="helper-mock"}`)
			if err == nil && got != float64(want) {
				err = fmt.Errorf("helpermock_conversations_total = %g, want %d", got, want)
			}
			return err
		})
	})
	for _, r := range []liveRun{both[0], both[1], pushed} {
		x := r.summary
		t.Logf("%s: %d sessions (%d completed, %d failed, %d canceled), %d requests by step %v, errors %v, %d tokens, %d good",
			r.scenario, x.Sessions.Started, x.Sessions.Completed, x.Sessions.Failed, x.Sessions.Canceled,
			requests(x), counts(x), x.Errors, x.Steps["message"].Tokens, x.Goodput.Good)
	}
	t.Logf("took %v", time.Since(start).Round(time.Millisecond))
}

// counts returns the summary's requests by step.
func counts(s runSummary) map[string]int64 {
	m := map[string]int64{}
	for step, st := range s.Steps {
		if st != nil {
			m[step] = st.Count
		}
	}
	return m
}

// requests returns the summary's requests.
func requests(s runSummary) int64 {
	var n int64
	for _, c := range counts(s) {
		n += c
	}
	return n
}

// totalCheck compares a Prometheus aggregation, by one label or none, with
// what the summary says.
type totalCheck struct {
	expr string           // PromQL
	by   string           // the label the result is by, "" for one value
	want map[string]int64 // label value → total ("" when by is ""); a missing value wants 0
}

// compare evaluates the check at time at on the Prometheus at addr.
func (c totalCheck) compare(addr string, at time.Time) error {
	s, err := promQueryAt(addr, c.expr, at)
	if err != nil {
		return err
	}
	// By a label, zeros do not count: series are created at zero (e.g.
	// error kinds that never happened) and summaries omit zeros.
	got, want := map[string]int64{}, map[string]int64{}
	for _, x := range s {
		if x.Value != float64(int64(x.Value)) {
			return fmt.Errorf("%s = %v: not a whole number", c.expr, s)
		}
		if x.Value != 0 || c.by == "" {
			got[x.Metric[c.by]] = int64(x.Value)
		}
	}
	for k, v := range c.want {
		if v != 0 || c.by == "" {
			want[k] = v
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("%s = %v, want %v (the summary's)", c.expr, got, want)
	}
	return nil
}

// totalChecks are the totals of run r that Prometheus must have exactly.
func totalChecks(r liveRun) []totalCheck {
	s := r.summary
	sel := fmt.Sprintf(`{scenario=%q, job="loadgen"}`, r.scenario)
	one := func(v int64) map[string]int64 { return map[string]int64{"": v} }
	steps := map[string]int64{}
	kinds := map[string]int64{}
	var codes []totalCheck
	for step, st := range s.Steps {
		if st == nil {
			continue
		}
		steps[step] = st.Count
		for k, n := range st.Kinds {
			kinds[step+"/"+k] = n
		}
		stepSel := fmt.Sprintf(`{scenario=%q, job="loadgen", step=%q}`, r.scenario, step)
		codes = append(codes, totalCheck{`sum by (code) (loadgen_requests_total` + stepSel + `)`, "code", st.Codes})
	}
	msg := s.Steps["message"]
	return append(codes,
		totalCheck{`sum by (step) (loadgen_requests_total` + sel + `)`, "step", steps},
		totalCheck{`sum by (step) (loadgen_step_duration_seconds_count` + sel + `)`, "step", steps},
		totalCheck{`sum by (kind) (loadgen_errors_total` + sel + `)`, "kind", s.Errors},
		totalCheck{`sum by (sk) (label_join(loadgen_errors_total` + sel + `, "sk", "/", "step", "kind"))`, "sk", kinds},
		totalCheck{`sum(loadgen_sessions_started_total` + sel + `)`, "", one(s.Sessions.Started)},
		totalCheck{`sum by (outcome) (loadgen_sessions_completed_total` + sel + `)`, "outcome", map[string]int64{
			"completed": s.Sessions.Completed, "failed": s.Sessions.Failed, "canceled": s.Sessions.Canceled}},
		totalCheck{`sum(loadgen_sessions_active` + sel + `)`, "", one(0)},
		totalCheck{`sum(loadgen_tokens_total` + sel + `)`, "", one(msg.Tokens)},
		totalCheck{`sum by (shape) (loadgen_replies_total` + sel + `)`, "shape", msg.Shapes},
		totalCheck{`sum(loadgen_messages_good_total` + sel + `)`, "", one(s.Goodput.Good)},
		totalCheck{`sum(loadgen_time_to_first_token_seconds_count` + sel + `)`, "", one(msg.TTFT.Count)},
		totalCheck{`sum(loadgen_inter_token_seconds_count` + sel + `)`, "", one(msg.InterToken.Count)},
		totalCheck{`sum(loadgen_schedule_lag_seconds_count` + sel + `)`, "", one(s.Schedule.Lag.Count)},
		totalCheck{`sum(loadgen_rate_limit_wait_seconds_count` + sel + `)`, "", one(s.Schedule.Wait.Count)},
	)
}

// awaitFinal waits (bounded) until Prometheus at addr has run r's final
// values and returns the time to evaluate the run at. For a scraped run
// that is its last scrape, which came after its last result
// (--metrics-linger): soon after, its series go stale. For a pushed run it
// is the first moment the values are there: the Pushgateway keeps them, but
// rate windows should still cover the run.
func awaitFinal(t *testing.T, addr string, r liveRun, scraped bool) time.Time {
	t.Helper()
	expr := fmt.Sprintf(`sum(loadgen_requests_total{scenario=%q, job="loadgen"})`, r.scenario)
	want := float64(requests(r.summary))
	var at time.Time
	waitFor(t, 15*time.Second, r.scenario+"'s final values in Prometheus", func() error {
		at = time.Now()
		if scraped {
			last, err := promQuery(addr, fmt.Sprintf(`loadgen_run_info{run_id=%q}[1m]`, r.summary.RunID))
			if err != nil || len(last) != 1 {
				return fmt.Errorf("the last scrape: %v, %v", last, err)
			}
			at = last[0].At
		}
		got, err := promValueAt(addr, expr, at)
		if err == nil && got != want {
			err = fmt.Errorf("%s at %v = %g, want %g", expr, at, got, want)
		}
		return err
	})
	return at
}

// lastScrape returns the time of the last scrape of scraped run r: when its
// loadgen_run_info was last seen.
func lastScrape(t *testing.T, addr string, r liveRun) time.Time {
	t.Helper()
	var at time.Time
	waitFor(t, 15*time.Second, r.summary.RunID+"'s last scrape", func() error {
		s, err := promQuery(addr, fmt.Sprintf(`loadgen_run_info{run_id=%q}[2m]`, r.summary.RunID))
		if err != nil || len(s) != 1 {
			return fmt.Errorf("%v, %v; want one series", s, err)
		}
		at = s[0].At
		return nil
	})
	return at
}

// panelExpr returns the expression of the dashboard panel titled title,
// query refID.
func panelExpr(t *testing.T, title, refID string) string {
	t.Helper()
	for _, p := range loadDashboard(t).allPanels() {
		for _, tg := range p.Targets {
			if p.Title == title && tg.RefID == refID {
				return tg.Expr
			}
		}
	}
	t.Fatalf("no panel %q with a query %s", title, refID)
	return ""
}

// checkRunSelector checks the dashboard's run selector on two runs of one
// scenario that ran back to back on one instance, whose last scrapes were at
// ends: with $run at either run, over a time range that covers both, the
// whole-run panels show exactly that run's totals (its summary's), the
// live panels show data during that run only, and the run annotation is
// there during that run only.
func checkRunSelector(t *testing.T, addr string, runs [2]liveRun, ends [2]time.Time) {
	t.Helper()
	after := ends[1].Add(time.Second) // both runs are over; the range covers both
	for i, r := range runs {
		v := grafanaVars{rateInterval: rateInterval, rng: "3m", interval: "1s", scenario: r.scenario, run: r.summary.RunID}
		x := r.summary
		var errs int64
		for _, n := range x.Errors {
			errs += n
		}
		for _, c := range []struct {
			title, ref string
			want       int64
		}{
			{"Requests", "A", requests(x)},
			{"Errors", "A", errs},
			{"Sessions completed", "A", x.Sessions.Completed},
			{"Sessions failed or canceled", "A", x.Sessions.Failed + x.Sessions.Canceled},
			{"Output tokens", "A", x.Steps["message"].Tokens},
			{"Good messages", "A", x.Goodput.Good},
		} {
			expr := expand(panelExpr(t, c.title, c.ref), v)
			got, err := promValueAt(addr, expr, after)
			if err != nil || got != float64(c.want) {
				t.Errorf("run %d (%s): panel %q = %g, %v; want %d (the run's summary)", i+1, x.RunID, c.title, got, err, c.want)
			}
		}
		perStep := totalCheck{expand(panelExpr(t, "Per step (the selected run)", "A"), v), "step", counts(x)}
		if err := perStep.compare(addr, after); err != nil {
			t.Errorf("run %d: per-step table: %v", i+1, err)
		}
		// Live panels and the annotation: data at the run's own end, none
		// at the other run's.
		live := expand(panelExpr(t, "Requests/s", "A"), v)
		var anno string
		for _, a := range loadDashboard(t).Annotations.List {
			if a.Name == "Runs" {
				anno = expand(a.Expr, v)
			}
		}
		for j, at := range ends {
			for _, expr := range []string{live, anno} {
				got, err := promQueryAt(addr, expr, at)
				if err != nil || (len(got) > 0) != (i == j) {
					t.Errorf("run %d selected, at run %d's end: %s = %v, %v; want data only during the selected run", i+1, j+1, expr, got, err)
				}
			}
		}
	}
}

// TestVersionNamesTheCommit: the built binary's --version names the commit
// the toolchain recorded in its build info (as make build does), when it
// recorded one: not under GOFLAGS=-buildvcs=false on the command line's
// behalf, nor (Go 1.26) in a git worktree.
func TestVersionNamesTheCommit(t *testing.T) {
	bin := buildLoadgen(t)
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`vcs\.revision=([0-9a-f]{12})`).FindSubmatch(info)
	if m == nil {
		t.Skip("the toolchain recorded no VCS commit in this build (a git worktree, or not a git checkout)")
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.Contains(string(out), "commit  "+string(m[1])) {
		t.Errorf("loadgen --version = %q, %v; want it to name commit %s", out, err, m[1])
	}
}

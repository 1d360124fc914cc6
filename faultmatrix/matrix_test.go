package faultmatrix

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// scenarioYAML is the matrix's scenario: a closed model of streamed
// two-turn conversations, whose users and duration a case may override
// with --users and --duration. Requests time out after 2 s (unless a case
// says otherwise); the mock's slow headers and stalls last longer, so each
// of them ends as a timeout.
const scenarioYAML = `version: 1
name: faultmatrix
target:
  base_url: http://127.0.0.1:9   # every case passes --target
  request_timeout: %s
users:
  email: "fm-{{.Seq}}@example.com"
load:
  users: 6
  duration: 3s
conversations:
  - name: chat
    turns:
      - message: "Where is my order {{randInt 1000 9999}}?"
      - message: Thanks!
        think: 100ms
`

// mockBase makes every reply a short model stream (the mock injects stream
// faults into model replies only) and fast, so a 3 s run has hundreds of
// requests.
var mockBase = []string{"--ttft", "30ms", "--token-interval", "3ms", "--tokens", "4-8",
	"--human", "0", "--tool-steps", "0", "--data-part", "0"}

// Fault flags of the mock, one fault each; the delays outlast the
// scenario's 2 s request timeout.
var (
	fault5xx       = []string{"--fail-5xx", "0.1"}
	fault429       = []string{"--fail-429", "0.1", "--retry-after", "1s"}
	faultReset     = []string{"--fail-reset", "0.2"}
	faultTruncate  = []string{"--fail-truncate", "0.2"}
	faultErrorPart = []string{"--fail-error-part", "0.2"}
	faultSlow      = []string{"--slow-headers", "0.1", "--slow-headers-delay", "6s"}
	faultStall     = []string{"--stall", "0.1", "--stall-for", "6s"}
)

// faultCase is one row of the matrix.
type faultCase struct {
	name    string
	mock    []string // fault flags of the mock
	noMock  bool     // the target is a port nobody listens on
	run     []string // extra flags of loadgen run
	nofile  uint64   // RLIMIT_NOFILE of loadgen (0: inherited)
	fsize   uint64   // RLIMIT_FSIZE of loadgen in bytes (0: inherited)
	noINT   bool     // loadgen starts with SIGINT ignored (a script's background job)
	timeout string   // the scenario's request_timeout (default 2s)
	during  func(*running) error

	wantExit   int            // the exit code (when wantSignal is 0)
	wantSignal syscall.Signal // the signal that ends loadgen, if any
	bound      time.Duration  // the run ends within this (default 30 s)
	afterLast  time.Duration  // and within this after the last signal sent (0: not checked)

	faults []string // mock faults (Stats.Faults JSON names) that must have happened
	kinds  []string // further error kinds the results may hold (besides those of the mock's faults)
	// inexact: the process dies before it can write everything, so the
	// three counts are checked against the bounds death allows.
	inexact bool
	// successesOnly: the mock was restarted; only its last life's
	// successes are compared (its first life's counts died with it).
	successesOnly bool
	// fileCut: the results file could not be written to the end (a full
	// disk): /metrics is held against the mock instead.
	fileCut bool
	// noRun: loadgen must refuse to start (a bad output): no request
	// reaches the mock.
	noRun bool
	// stallsCut: the mock's stalls outlast the run, whose stop cuts them:
	// each is canceled, not a timeout (and the stop may cut a few
	// requests that were not stalled too).
	stallsCut bool
	secret    string // loadgen's HMAC secret (default the mock's)
	check     func(t *testing.T, o *outcome)
}

func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault matrix runs loadgen and the mock as processes for about a minute")
	}
	cases := []*faultCase{
		{name: "5xx", mock: fault5xx, faults: []string{"error_5xx"}},
		{name: "429 with Retry-After", mock: fault429, faults: []string{"rate_limited"}},
		{name: "reset", mock: faultReset, faults: []string{"reset"}},
		{name: "truncate", mock: faultTruncate, faults: []string{"truncate"}},
		{name: "error part", mock: faultErrorPart, faults: []string{"error_part"}},
		{name: "slow headers", mock: faultSlow, faults: []string{"slow_headers"}},
		{name: "stall", mock: faultStall, faults: []string{"stall"}},
		{
			name: "target killed and restarted", run: []string{"--duration", "6s"}, during: killAndRestartMock,
			kinds: []string{"connect", "network"}, successesOnly: true,
		},
		{
			name: "SIGINT", run: []string{"--duration", "30s"}, during: signalWhen(sessions(20), syscall.SIGINT),
			wantExit: 1, afterLast: 10 * time.Second, kinds: []string{"canceled"},
			check: func(t *testing.T, o *outcome) {
				if !strings.Contains(o.stdout, "loadgen summary") {
					t.Errorf("stdout has no summary after Ctrl-C:\n%s", o.stdout)
				}
			},
		},
		{
			// Every reply stalls, so requests are in flight when the
			// second Ctrl-C comes.
			name: "two SIGINTs", mock: []string{"--stall", "1", "--stall-for", "10s"}, run: []string{"--duration", "30s"}, timeout: "30s",
			during:     signalWhen(streaming(6), syscall.SIGINT, syscall.SIGINT),
			wantSignal: syscall.SIGINT, afterLast: 3 * time.Second, inexact: true,
		},
		{
			// SIGINT ignored at start: a second Ctrl-C still quits at
			// once (it was ignored: the run drained for its whole grace).
			name: "two SIGINTs, SIGINT ignored at start", noINT: true, mock: []string{"--stall", "1", "--stall-for", "10s"}, timeout: "30s",
			run: []string{"--duration", "30s", "--grace", "20s"}, during: signalWhen(streaming(6), syscall.SIGINT, syscall.SIGINT),
			wantExit: 130, afterLast: 3 * time.Second, inexact: true,
		},
		{
			name: "SIGKILL", run: []string{"--duration", "30s"}, during: signalWhen(sessions(20), syscall.SIGKILL),
			wantSignal: syscall.SIGKILL, afterLast: 3 * time.Second, inexact: true,
		},
		{
			// Nothing listens at the target: the run stops early, with
			// the reason, instead of spinning for its duration.
			name: "dead target", noMock: true, run: []string{"--duration", "30s"},
			wantExit: 1, bound: 15 * time.Second, kinds: []string{"connect"},
			check: stderrHas("stopped early: cannot reach the target"),
		},
		{
			// The target refuses loadgen's HMAC secret: the run stops
			// early and says so.
			name: "wrong secret", secret: "not-the-mock-secret", run: []string{"--duration", "30s"},
			wantExit: 1, bound: 15 * time.Second,
			check: stderrHas("stopped early: the target rejects the HMAC secret"),
		},
		{
			// A hard file limit of 256: loadgen holds at most the 96
			// connections it allows in use (the other requests wait,
			// which is schedule lag and a saturated generator), blames
			// none of its own limits on the target, and does not call a
			// run a pass that offered less than the load asked for.
			name: "fd limit 256", nofile: 256, run: []string{"--users", "300", "--duration", "4s"}, wantExit: 1,
			check: func(t *testing.T, o *outcome) {
				stderrHas("the file limit (256) lets loadgen hold only 96 connections at once")(t, o)
				stdoutHas("SATURATED")(t, o)
				stdoutHas("waited for one of the 96 connections its file limit allows")(t, o)
				stderrHas("loadgen's own limits held back the load asked for")(t, o)
			},
		},
		{
			// A full disk (RLIMIT_FSIZE of 64 KiB): the results file stops
			// there, the failure is logged once, the run and every other
			// output go on, and the exit code says an output failed.
			name: "full disk", fsize: 64 << 10, run: []string{"--duration", "6s"}, fileCut: true, wantExit: 1,
			check: func(t *testing.T, o *outcome) {
				stdoutHas("loadgen summary")(t, o)
				if n := strings.Count(o.stderr, "cannot write an output"); n != 1 || !strings.Contains(o.stderr, "flag=--out ") {
					t.Errorf("stderr logs %d output failures, want the results file's once", n)
				}
				if fi, err := os.Stat(filepath.Join(o.dir, "summary.json")); err != nil || fi.Size() == 0 {
					t.Errorf("the JSON summary was not written: %v", err)
				}
			},
		},
		{
			// A threshold on a metric the run never measures fails.
			name: "threshold on no data", run: []string{"--threshold", "poll.latency.p95 < 1s"}, wantExit: 3,
			check: stdoutHas("no samples"),
		},
		{
			// Replies that hang past the run's end: the stop cuts them
			// (canceled, loadgen's, not errors), but they had run for
			// seconds, so a latency threshold counts them at that and
			// fails (it passed on the replies that came).
			name: "stall past the end", mock: []string{"--stall", "0.3", "--stall-for", "8s"}, timeout: "30s",
			run:      []string{"--duration", "2s", "--grace", "1s", "--threshold", "message.latency.p99 < 2s"},
			wantExit: 3, kinds: []string{"canceled"}, faults: []string{"stall"}, stallsCut: true,
			check: stdoutHas("FAIL  message.latency.p99 < 2s  at least"),
		},
		{
			// A report path that cannot be written stops the run before it
			// starts.
			name: "bad report path", run: []string{"--html", "/nonexistent/dir/report.html", "--duration", "30s"},
			noRun: true, wantExit: 2, bound: 10 * time.Second, check: stderrHas("--html"),
		},
		{
			// SIGINT once every fault has struck at least once.
			name: "all mock faults together, fd limit 256, then SIGINT",
			mock: slices.Concat(
				[]string{"--fail-5xx", "0.04", "--fail-429", "0.04", "--retry-after", "1s"},
				[]string{"--fail-reset", "0.05", "--fail-truncate", "0.05", "--fail-error-part", "0.05", "--stall", "0.05", "--stall-for", "6s"},
				[]string{"--slow-headers", "0.04", "--slow-headers-delay", "6s"}),
			// Under a file limit of 256 too, with more users than it
			// lets loadgen run at once.
			nofile: 256, run: []string{"--duration", "30s", "--users", "150"}, during: signalWhen(everyFault, syscall.SIGINT),
			wantExit: 1, afterLast: 10 * time.Second, kinds: []string{"canceled"},
			faults: []string{"error_5xx", "rate_limited", "reset", "truncate", "error_part", "stall", "slow_headers"},
		},
	}
	outcomes := make([]*outcome, len(cases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 6) // processes mostly wait on timers and the network
	dir := t.TempDir()
	start := time.Now()
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			outcomes[i] = execute(c, filepath.Join(dir, fmt.Sprint(i)))
		}()
	}
	wg.Wait()
	t.Logf("%d cases in %v", len(cases), time.Since(start).Round(100*time.Millisecond))
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) { verify(t, c, outcomes[i]) })
	}
}

// outcome is what a case's run left behind.
type outcome struct {
	dir            string // the case's files
	err            error  // the harness could not run the case
	code           int
	signal         syscall.Signal
	elapsed        time.Duration // from loadgen's start to its end
	sinceSignal    time.Duration // from the last signal sent to the end
	stdout, stderr string
	file           *resultsFile
	fileErr        error
	metrics        *counts // the last scrape of /metrics
	scrapes        int
	lives          []*life // the mock's lives, in order
	users          int     // users of the run
}

// life is one life of the mock.
type life struct {
	m     *mock
	from  time.Time // the requests stamped since went to this life (zero: all)
	stats mockStats // final counts, for the life still running at the end
	final bool
}

// running is a case in progress, for its during function.
type running struct {
	ctx        context.Context
	c          *faultCase
	lg         *proc
	lives      []*life
	lastSignal time.Time
}

// execute runs one case in dir.
func execute(c *faultCase, dir string) *outcome {
	o := &outcome{users: 6, dir: dir}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		o.err = err
		return o
	}
	bound := c.bound
	if bound == 0 {
		bound = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), bound+30*time.Second)
	defer cancel()
	r := &running{ctx: ctx, c: c}
	target := "http://127.0.0.1:9" // discard: nobody listens
	if !c.noMock {
		m, err := startMock(ctx, "127.0.0.1:0", slices.Concat(mockBase, c.mock))
		if err != nil {
			o.err = err
			return o
		}
		r.lives = append(r.lives, &life{m: m})
		target = "http://" + m.addr
	}
	scenario := filepath.Join(dir, "faultmatrix.yaml")
	timeout := cmp.Or(c.timeout, "2s")
	if err := os.WriteFile(scenario, []byte(fmt.Sprintf(scenarioYAML, timeout)), 0o644); err != nil {
		o.err = err
		return o
	}
	args := slices.Concat([]string{"run", "--quiet", "--target", target,
		"--out", filepath.Join(dir, "results.jsonl"), "--summary-json", filepath.Join(dir, "summary.json"),
		"--metrics-addr", "127.0.0.1:0", "--metrics-linger", "10s", "--grace", "10s"}, c.run, []string{scenario})
	for i, a := range args {
		if a == "--users" {
			fmt.Sscan(args[i+1], &o.users)
		}
	}
	cmd := wrap(ctx, c.nofile, c.fsize, c.noINT, loadgenBin, args...)
	cmd.Env = append(cmd.Environ(), "HELPER_HMAC_SECRET="+cmp.Or(c.secret, mockSecret))
	lg, err := startProc(cmd)
	if err != nil {
		o.err = err
		return o
	}
	r.lg = lg
	sc := scrape(lg)
	if c.during != nil {
		if err := c.during(r); err != nil {
			o.err = fmt.Errorf("during the run: %w", err)
		}
	}
	<-lg.done
	o.code, o.signal = lg.status()
	o.elapsed = lg.end.Sub(lg.start)
	if !r.lastSignal.IsZero() {
		o.sinceSignal = lg.end.Sub(r.lastSignal)
	}
	o.stdout, o.stderr = lg.stdout.String(), lg.stderr.String()
	o.file, o.fileErr = readResults(filepath.Join(dir, "results.jsonl"))
	if body, n := sc.result(); n > 0 {
		o.scrapes = n
		o.metrics, err = parseMetrics(body)
		o.err = joinErr(o.err, err)
	}
	if n := len(r.lives); n > 0 {
		last := r.lives[n-1]
		last.stats, err = last.m.settledStats()
		last.final = err == nil
		o.err = joinErr(o.err, err)
	}
	o.lives = r.lives
	return o
}

func joinErr(a, b error) error {
	if b == nil {
		return a
	}
	if a == nil {
		return b
	}
	return fmt.Errorf("%w; %w", a, b)
}

// verify checks a case's outcome.
func verify(t *testing.T, c *faultCase, o *outcome) {
	defer func() {
		if t.Failed() && o.file != nil {
			for i, r := range o.file.results {
				if r.K == "result" && r.Error != "" && i < 2000 {
					t.Logf("result %d: %s %d %s %v: %s", i, r.Step, r.Code, r.Error, time.Duration(r.Latency), r.Detail)
				}
			}
		}
		if t.Failed() {
			t.Logf("loadgen exit %d signal %v after %v\nstdout:\n%s\nstderr:\n%s", o.code, o.signal, o.elapsed, o.stdout, tail(o.stderr, 3000))
		}
	}()
	if o.err != nil {
		t.Fatalf("harness: %v", o.err)
	}
	switch {
	case c.wantSignal != 0 && o.signal != c.wantSignal:
		t.Errorf("loadgen ended with exit code %d, signal %v; want killed by %v", o.code, o.signal, c.wantSignal)
	case c.wantSignal == 0 && (o.signal != 0 || o.code != c.wantExit):
		t.Errorf("loadgen ended with exit code %d, signal %v; want exit code %d", o.code, o.signal, c.wantExit)
	}
	bound := c.bound
	if bound == 0 {
		bound = 30 * time.Second
	}
	t.Logf("loadgen ran %v (%v after the last signal)", o.elapsed.Round(time.Millisecond), o.sinceSignal.Round(time.Millisecond))
	if o.elapsed > bound {
		t.Errorf("loadgen ran %v, want at most %v", o.elapsed.Round(time.Millisecond), bound)
	}
	if c.afterLast > 0 && o.sinceSignal > c.afterLast {
		t.Errorf("loadgen ended %v after the last signal, want at most %v", o.sinceSignal.Round(time.Millisecond), c.afterLast)
	}
	for _, out := range []string{o.stdout, o.stderr} {
		if strings.Contains(out, mockSecret) {
			t.Errorf("loadgen printed the HMAC secret")
		}
	}
	if c.check != nil {
		c.check(t, o)
	}
	if c.noRun {
		checkNoRun(t, o)
		return
	}
	if o.fileErr != nil {
		t.Fatalf("results file: %v", o.fileErr)
	}
	file := o.file.counts(time.Time{})
	checkKinds(t, c, o, file)
	switch {
	case c.inexact:
		checkDeath(t, o, file)
	case c.fileCut:
		checkCut(t, c, o)
	default:
		checkExact(t, c, o, file)
	}
}

// stderrHas and stdoutHas check that loadgen printed s.
func stderrHas(s string) func(*testing.T, *outcome) {
	return func(t *testing.T, o *outcome) {
		t.Helper()
		if !strings.Contains(o.stderr, s) {
			t.Errorf("stderr lacks %q", s)
		}
	}
}

func stdoutHas(s string) func(*testing.T, *outcome) {
	return func(t *testing.T, o *outcome) {
		t.Helper()
		if !strings.Contains(o.stdout, s) {
			t.Errorf("stdout lacks %q", s)
		}
	}
}

// checkNoRun checks that a run refused before it started sent nothing.
func checkNoRun(t *testing.T, o *outcome) {
	t.Helper()
	if o.file != nil && len(o.file.results) > 0 {
		t.Errorf("the results file holds %d records of a run that should not have started", len(o.file.results))
	}
	if n := len(o.lives); n > 0 {
		if st := o.lives[n-1].stats; st.Sessions.Email+st.Sessions.Anonymous+st.Rejections.BadHMAC > 0 {
			t.Errorf("the mock saw sign-ins from a run that should not have started: %+v", st.Sessions)
		}
	}
}

// checkCut checks a run whose results file stopped early (a full disk):
// the file is readable up to where it stopped and no longer than the
// limit, and /metrics agrees with the mock exactly.
func checkCut(t *testing.T, c *faultCase, o *outcome) {
	t.Helper()
	if fi, err := os.Stat(filepath.Join(o.dir, "results.jsonl")); err != nil || uint64(fi.Size()) > c.fsize {
		t.Errorf("results file: %v, size over the %d-byte limit?", err, c.fsize)
	}
	if o.file.closed {
		t.Errorf("a results file cut by a full disk has a closing record")
	}
	if o.metrics == nil {
		t.Fatalf("no scrape of /metrics")
	}
	last := o.lives[len(o.lives)-1]
	successes, kinds := fromMock(last.stats)
	if d := diffMaps(only(o.metrics.requests, slices.Collect(maps.Keys(successes))...), successes); d != "" {
		t.Errorf("successes: /metrics (got) and the mock's /stats (want) disagree: %s", d)
	}
	if d := diffMaps(only(o.metrics.kinds(), slices.Collect(maps.Keys(kinds))...), kinds); d != "" {
		t.Errorf("errors by kind: /metrics (got) and the mock's /stats (want) disagree: %s", d)
	}
}

// checkKinds checks that every fault the case injects happened and that
// the results hold no error kind the case does not explain.
func checkKinds(t *testing.T, c *faultCase, o *outcome, file *counts) {
	t.Helper()
	allowed := map[string]bool{}
	for _, k := range c.kinds {
		allowed[k] = true
	}
	if n := len(o.lives); n > 0 {
		last := o.lives[n-1].stats
		faults := map[string]int64{
			"error_5xx": last.Faults.Error5xx, "rate_limited": last.Faults.RateLimited,
			"slow_headers": last.Faults.SlowHeaders, "reset": last.Faults.Reset,
			"truncate": last.Faults.Truncate, "error_part": last.Faults.ErrorPart, "stall": last.Faults.Stall,
		}
		for _, f := range c.faults {
			if faults[f] == 0 {
				t.Errorf("the mock injected no %s fault: the case tested nothing", f)
			}
		}
		_, kinds := fromMock(last)
		for k, n := range kinds {
			if n > 0 {
				allowed[k] = true
			}
		}
	}
	for k, n := range file.kinds() {
		if !allowed[k] {
			t.Errorf("results hold %d errors of kind %s, which the case does not inject", n, k)
		}
	}
}

// checkExact checks that the results file, /metrics and the mock agree
// exactly.
func checkExact(t *testing.T, c *faultCase, o *outcome, file *counts) {
	t.Helper()
	if !o.file.closed {
		t.Errorf("the results file has no closing record")
	}
	if o.metrics == nil {
		t.Errorf("no scrape of /metrics")
	} else if d := diffCounts(o.metrics, file); d != "" {
		t.Errorf("/metrics (got) and the results file (want) disagree:\n%s", d)
	}
	if len(o.lives) == 0 {
		return
	}
	last := o.lives[len(o.lives)-1]
	var from time.Time
	if len(o.lives) > 1 {
		from = last.from
	}
	fileFrom := o.file.counts(from)
	successes, kinds := fromMock(last.stats)
	if d := diffMaps(only(fileFrom.requests, slices.Collect(maps.Keys(successes))...), successes); d != "" {
		t.Errorf("successes: the results file (got) and the mock's /stats (want) disagree: %s", d)
	}
	if c.successesOnly {
		return
	}
	if c.stallsCut {
		stalls := kinds["timeout"]
		delete(kinds, "timeout")
		if got := fileFrom.kinds()["canceled"]; got < stalls {
			t.Errorf("the results file has %d canceled steps, the mock stalled %d replies past the run's end", got, stalls)
		}
		if n := fileFrom.kinds()["timeout"]; n > 0 {
			t.Errorf("the results file has %d timeouts; the stop cut the stalls before any request timed out", n)
		}
	}
	if d := diffMaps(only(fileFrom.kinds(), slices.Collect(maps.Keys(kinds))...), kinds); d != "" {
		t.Errorf("errors by kind: the results file (got) and the mock's /stats (want) disagree: %s", d)
	}
}

// checkDeath checks what a killed loadgen leaves: a results file readable
// up to its last line, and counts that fall short of the mock's by at most
// the requests in flight (one per user).
func checkDeath(t *testing.T, o *outcome, file *counts) {
	t.Helper()
	if o.file.closed {
		t.Errorf("the results file of a killed run has a closing record")
	}
	if len(o.results()) == 0 {
		t.Fatalf("the results file of a killed run holds no results")
	}
	if o.metrics != nil {
		for k, n := range o.metrics.requests {
			if n > file.requests[k] {
				t.Errorf("/metrics counted %d %s requests before the kill, the results file only %d", n, k, file.requests[k])
			}
		}
	}
	last := o.lives[len(o.lives)-1].stats
	successes, kinds := fromMock(last)
	fileKinds := file.kinds()
	slack := int64(o.users)
	for k, want := range successes {
		if got := file.requests[k]; got > want || want-got > slack {
			t.Errorf("%s: the results file has %d, the mock %d; want the file short by at most %d in flight", k, got, want, slack)
		}
	}
	for k, want := range kinds {
		if got := fileKinds[k]; got > want || want-got > slack {
			t.Errorf("kind %s: the results file has %d, the mock injected %d; want the file short by at most %d", k, got, want, slack)
		}
	}
}

func (o *outcome) results() []result { return o.file.results }

// sessions is true once the mock has created n sessions.
func sessions(n int64) func(mockStats) bool {
	return func(st mockStats) bool { return st.Sessions.Email >= n }
}

// streaming is true once the mock has begun n streamed replies.
func streaming(n int64) func(mockStats) bool {
	return func(st mockStats) bool { return st.Messages.StreamStarted >= n }
}

// everyFault is true once the mock has injected every fault at least once.
func everyFault(st mockStats) bool {
	f := st.Faults
	return min(f.Error5xx, f.RateLimited, f.SlowHeaders, f.Reset, f.Truncate, f.ErrorPart, f.Stall) > 0
}

// signalWhen waits until cond holds for the mock's counts, then sends each
// signal, half a second apart (a person's second Ctrl-C).
func signalWhen(cond func(mockStats) bool, sigs ...syscall.Signal) func(*running) error {
	return func(r *running) error {
		m := r.lives[0].m
		if err := waitFor(30*time.Second, r.lg.done, "the moment to signal", func() bool {
			st, err := m.stats()
			return err == nil && cond(st)
		}); err != nil {
			return err
		}
		for i, sig := range sigs {
			if i > 0 {
				time.Sleep(500 * time.Millisecond)
			}
			if err := r.lg.signal(sig); err != nil {
				return err
			}
			r.lastSignal = time.Now()
		}
		return nil
	}
}

// killAndRestartMock kills the mock (SIGKILL) once it has created 20
// sessions, and starts a new one on the same address a second later.
func killAndRestartMock(r *running) error {
	first := r.lives[0].m
	if err := waitFor(30*time.Second, r.lg.done, "20 sessions", func() bool {
		st, err := first.stats()
		return err == nil && st.Sessions.Email >= 20
	}); err != nil {
		return err
	}
	first.cmd.Process.Kill()
	<-first.done
	// Every success of a request stamped after this was served by the new
	// life. (Not "after the new life started": a request is stamped before
	// it dials, and on a busy machine the dial can come tens of
	// milliseconds later, after the new life is up.)
	dead := time.Now()
	time.Sleep(time.Second)
	m, err := startMock(r.ctx, first.addr, slices.Concat(mockBase, r.c.mock))
	if err != nil {
		return err
	}
	r.lives = append(r.lives, &life{m: m, from: dead})
	return nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/loadgen/loadgen/collect"
	"github.com/loadgen/loadgen/metrics"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/stats"
)

// runOptions are the flags of `loadgen run` (and the knobs `demo` sets).
type runOptions struct {
	target        string
	secretFile    string
	load          map[string]string // the load flags given (scenarios.LoadFlags), as typed
	metricsAddr   string
	linger        time.Duration
	pushgateway   string
	pushEvery     time.Duration
	pushKeep      bool
	pushLinger    time.Duration
	out           string
	outVegeta     string
	summaryJSON   string
	html          string
	junit         string
	thresholds    stringList
	abortOnFail   bool
	grace         time.Duration
	seed          uint64
	shard         string
	speed         float64
	quiet         bool
	logLevel      string
	logFormat     string
	progressEvery time.Duration
	cpuProfile    string
	memProfile    string
	startOptions

	// Set by the command, not flags.
	secret       string    // the secret itself (demo's in-process mock)
	scenarioHash string    // "sha256:…" of the scenario file
	stdout       io.Writer // where an output named "-" goes
	metricOpts   []metrics.Option
}

// loadFlag registers a flag that overrides a load setting: its text goes to
// scenarios.Load.Override, which reads and checks it as the scenario file's.
func (o *runOptions) loadFlag(fs *flag.FlagSet, name, usage string) {
	fs.Func(name, usage, func(s string) error {
		if o.load == nil {
			o.load = map[string]string{}
		}
		o.load[name] = s
		return nil
	})
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func (o *runOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.target, "target", "", "base `URL` of the deployment under test (overrides target.base_url)")
	fs.StringVar(&o.secretFile, "secret-file", "", "read the HMAC secret from `PATH` instead of the scenario's env var")
	for _, f := range scenarios.LoadFlags() {
		o.loadFlag(fs, f.Name, f.Usage)
	}
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus /metrics on `HOST:PORT` during the run (default off)")
	fs.DurationVar(&o.linger, "metrics-linger", 0, "after the run and its summary, keep /metrics up until the next scrape, for at most `D`, so Prometheus sees the final values (Ctrl-C ends the wait)")
	fs.StringVar(&o.pushgateway, "pushgateway", "", "push the run's metrics to the Pushgateway at `URL` during the run and at its end")
	fs.DurationVar(&o.pushEvery, "push-interval", metrics.DefaultPushInterval, "time `D` between pushes to the Pushgateway")
	fs.BoolVar(&o.pushKeep, "push-keep", false, "keep the run's group on the Pushgateway after the run (default: delete it once the final values had --push-linger to be scraped)")
	fs.DurationVar(&o.pushLinger, "push-linger", metrics.DefaultPushLinger, "after the final push, wait `D` for Prometheus to scrape it before deleting the group (0: delete at once)")
	fs.StringVar(&o.out, "out", "", "stream every step's result to `FILE` (JSON lines; read it with loadgen report; - for stdout)")
	fs.StringVar(&o.outVegeta, "out-vegeta", "", "also write vegeta-encoded results to `FILE`, for vegeta report and vegeta plot (- for stdout)")
	fs.StringVar(&o.summaryJSON, "summary-json", "", "write the JSON summary to `FILE` (- for stdout)")
	fs.StringVar(&o.html, "html", "", "write a self-contained HTML report with interactive charts to `FILE` (- for stdout)")
	fs.Var(&o.thresholds, "threshold", "add a pass/fail `EXPR` such as 'message.ttft.p95 < 1.5s' (repeatable; exit code 3 when one fails)")
	fs.StringVar(&o.junit, "junit", "", "write the thresholds as JUnit XML test cases to `FILE` (- for stdout)")
	fs.BoolVar(&o.abortOnFail, "abort-on-fail", false, "stop the run as soon as a threshold has certainly failed")
	fs.DurationVar(&o.grace, "grace", runner.DefaultGrace, "after the duration ends, running sessions may finish for up to `D` (after Ctrl-C only requests in flight); 0 cancels at once")
	fs.Uint64Var(&o.seed, "seed", 0, "random `SEED` for the conversation mix, think times, templates and Poisson arrivals (default random; give shards the same one)")
	fs.StringVar(&o.shard, "shard", "", "run shard `I/N` of a distributed run (users and arrivals split N ways), e.g. 0/4")
	fs.StringVar(&o.collector, "collector", "", "distributed run: report in at the collector at `URL` (loadgen collect), start at its start instant, send it the results")
	fs.DurationVar(&o.collectorTimeout, "collector-timeout", collect.DefaultTimeout, "how long to keep trying to reach the collector, at the start and for the results, `D`")
	fs.StringVar(&o.startAt, "start-at", "", "start at the instant `T` (RFC 3339, e.g. 2026-12-01T12:00:00Z) instead of at once: shards started apart begin together without a collector")
	fs.StringVar(&o.runID, "run-id", "", "the run's `ID`, shared by every shard (default: a new one; the collector's with --collector; from --start-at and the scenario with --start-at)")
	fs.Float64Var(&o.speed, "speed", 0, "replay transcripts `X` times as fast as recorded, e.g. 2 (overrides each transcript's speed)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress output")
	fs.DurationVar(&o.progressEvery, "progress-interval", DefaultProgressEvery, "when stderr is not a terminal, log a progress line every `D` (on a terminal a live line is redrawn twice a second)")
	fs.StringVar(&o.logLevel, "log-level", "info", "log `LEVEL`: debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "text", "log `FORMAT`: text (key=value) or json (one object per line, progress lines too)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a pprof CPU profile of loadgen itself to `FILE`")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a pprof heap profile of loadgen itself to `FILE` when the duration ends, before sessions drain (after a GC that returns free memory to the OS)")
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o runOptions
	fs := newFlags("run", "[flags] SCENARIO.yaml", stdout, stderr)
	o.register(fs.FlagSet)
	runHelp(fs)
	sc, err := parseScenario(fs, args)
	if err != nil {
		return err
	}
	if b, err := os.ReadFile(fs.Arg(0)); err == nil {
		o.scenarioHash = hashOf(b)
	}
	return runScenario(ctx, sc, &o, stdout, stderr)
}

// runScenario runs sc with o and prints the summary. It is `run` after the
// scenario is loaded, and the core of `demo`.
func runScenario(ctx context.Context, sc *scenarios.Scenario, o *runOptions, stdout, stderr io.Writer) error {
	logOut := stderr // on a terminal, the log shares it with the progress line
	if !o.quiet && isTerminal(stderr) {
		logOut = &termLine{out: stderr}
	}
	log, err := newLogger(o.logLevel, o.logFormat, logOut)
	if err != nil {
		return usageError(err)
	}
	o.stdout = stdout
	summaryOut := stdout // the text summary; stderr when an output takes stdout
	var toStdout []string
	for _, f := range []struct{ flag, path string }{{"--out", o.out}, {"--out-vegeta", o.outVegeta},
		{"--summary-json", o.summaryJSON}, {"--html", o.html}, {"--junit", o.junit}} {
		if f.path == "-" {
			toStdout = append(toStdout, f.flag)
			summaryOut = stderr
		}
	}
	if len(toStdout) > 1 {
		return usageError(fmt.Errorf("%s all write to stdout (-): give all but one a file", strings.Join(toStdout, " and ")))
	}
	if err := o.apply(sc); err != nil {
		return usageError(err)
	}
	shard, shards, err := parseShard(o.shard)
	if err != nil {
		return usageError(err)
	}
	startAt, err := o.startOptions.check(time.Now())
	if err != nil {
		return usageError(err)
	}
	var sr *shardRun // with --collector
	if o.collector != "" {
		if sr, err = o.newShardRun(shard, log); err != nil {
			return usageError(err)
		}
		defer sr.remove()
	}
	secret, err := o.readSecret(sc)
	if err != nil {
		return usageError(err)
	}
	client, err := runner.NewClient(sc, secret)
	if err != nil {
		return usageError(err)
	}

	ths, err := o.compileThresholds(sc)
	if err != nil {
		return usageError(err)
	}

	rn, err := runner.New(sc, client, runner.WithGrace(o.grace), runner.WithSeed(o.seed),
		runner.WithShard(shard, shards), runner.WithLogger(log))
	if err != nil {
		return usageError(err)
	}
	runID := cmp.Or(o.runID, newRunID())
	if !startAt.IsZero() {
		runID = cmp.Or(o.runID, staticRunID(startAt, o.scenarioHash))
	}
	if sr != nil {
		if runID, startAt, err = sr.join(ctx, collect.JoinRequest{RunID: o.runID, Shard: shard, Shards: shards,
			ScenarioHash: o.scenarioHash, Duration: rn.Duration(), Grace: o.grace, Version: Version()}); err != nil {
			return err
		}
		if len(ths) > 0 {
			log.Info("thresholds are judged by the collector, on every shard's results merged", "thresholds", len(ths))
		}
	} else if shards > 1 && len(ths) > 0 {
		log.Warn("without --collector the thresholds judge this shard's share only; judge the run with loadgen report --threshold on every shard's --out")
	}
	if !startAt.IsZero() {
		rn.StartAt(startAt)
	}
	// The run's facts, made once: the results file's header holds them as
	// planned, the reports as they happened.
	run := results.Run{ID: runID, Scenario: sc.Name, ScenarioHash: o.scenarioHash, Version: Version(),
		Target: sc.Target.BaseURL, Start: cmp.Or(startAt, time.Now()), Duration: rn.Duration(), TargetRate: rn.TargetRate(), Hold: rn.Hold(),
		Shard: shard, Shards: shards}
	run.Config = report.ConfigOf(sc, o.settings(shards)...)
	live := stats.New()
	o.metricOpts = metricsOptions(sc, ths)
	outs, err := o.openOutputs(ctx, sc, run, log)
	if err != nil {
		return err
	}
	defer outs.close()
	log.Info("run starting", "run_id", run.ID, "scenario", sc.Name, "target", results.RedactURL(sc.Target.BaseURL),
		"load", describeLoad(sc, rn), "duration", rn.Duration())
	log.Debug("generator limits", "file_limit", runner.FDLimit(), "requests_in_flight", rn.MaxConns(), "sessions_in_flight", rn.MaxSessions(), "cpus", runtime.GOMAXPROCS(0))
	if w := rn.LimitWarning(); w != "" {
		log.Warn(w)
	}

	ran := func(out runner.Outcome) results.Run {
		r := run
		r.Start, r.Duration = out.Start, out.Duration
		return r
	}
	runCtx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	// The background goroutines last until the runner returns (bg.stop),
	// not until Ctrl-C: the progress shows the drain of an interrupted run.
	bg := newBackground(context.WithoutCancel(runCtx))
	if !o.quiet {
		bg.start(func(ctx context.Context) { showProgress(ctx, logOut, log, rn, live, o.progressEvery) })
	}
	if o.abortOnFail && len(ths) > 0 {
		bg.start(func(ctx context.Context) {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			defer context.AfterFunc(runCtx, cancel)() // nothing to abort once the run stops
			watchThresholds(ctx, ths, func() *report.Summary {
				return report.Build(ran(runner.Outcome{Start: time.Now()}), live.Snapshot())
			}, func(err error) { log.Warn("aborting the run", "reason", err); abort(err) })
		})
	}
	stopping := context.AfterFunc(ctx, func() {
		log.Warn("stopping: no new sessions or turns; requests in flight may finish (Ctrl-C again quits at once)", "grace", o.grace)
	})
	prof, err := startProfiles(o.cpuProfile, o.memProfile, rn.Duration(), log)
	if err != nil {
		return usageError(err)
	}
	out, runErr := rn.Run(runCtx, results.Tee(append(outs.sinks, live)...))
	stopping() // a Ctrl-C from now on stops the outputs' waits (a shard's upload), not the run
	prof.stop()
	bg.stop()
	var uploadErr error
	if sr != nil { // as soon as the results file is complete
		outs.afterFiles = func() { uploadErr = sr.upload(ctx, out, runErr != nil) }
	}
	// Whatever stopped the run, and whichever output failed, what it
	// measured is still reported, everywhere it can be: the files, then
	// the summary and reports, then the live outputs (which may wait).
	outs.finishFiles(out)
	sum := report.Build(ran(out), live.Snapshot())
	sum.Generator = generatorOf(out.Saturation)
	sum.Interrupted = out.Interrupted
	judged := ths
	if sr != nil {
		judged = nil // the collector judges them, on every shard's results
		sum.AllFailed = false
	}
	pass := report.Evaluate(judged, sum)
	outs.fail("the text summary", "", report.WriteText(summaryOut, sum))
	outs.writeReports(sum, o.stdout)
	outs.finishLive(ctx)
	return verdict(runErr, uploadErr, pass, sum, out, outs.failures())
}

// generatorOf puts the runner's measure of its own limits in the summary.
func generatorOf(s runner.Saturation) *report.Generator {
	reason := s.Reason()
	return &report.Generator{Saturated: reason != "", Reason: reason, CPU: s.CPU, CPUs: s.CPUs, MaxSessions: s.MaxSessions,
		SlotWaits: s.SlotWaits, MaxConnections: s.MaxConns, ConnectionWaits: s.ConnWaits, LateArrivals: s.LateArrivals, LocalErrors: s.LocalErrors, Undelivered: s.Undelivered()}
}

// verdict is how a run ends, in this order: the run could not go on (an
// early stop, a transcript that could not be read), a shard's results could
// not reach the collector, a threshold failed (exit 3, kept when an output
// failed too), an output could not be written, steps were never sent
// (their templates failed to render), loadgen's own limits held
// back the load asked for (a pass would describe a lower load), every
// request failed, or the run was interrupted.
func verdict(runErr, uploadErr error, pass bool, sum *report.Summary, out runner.Outcome, outErr error) error {
	switch {
	case runErr != nil:
		return runErr
	case uploadErr != nil:
		return uploadErr
	case !pass:
		msg := failedThresholds(sum)
		if outErr != nil {
			msg += "; and some outputs could not be written: " + outErr.Error()
		}
		return &exitError{code: exitThresholds, err: errors.New(msg)}
	case outErr != nil:
		return fmt.Errorf("some outputs could not be written (the others were): %w", outErr)
	case unsent(sum) > 0:
		return unsentError(sum)
	case sum.Generator != nil && sum.Generator.Undelivered != "":
		return fmt.Errorf("loadgen's own limits held back the load asked for (%s): the run measured a lower load, so it is not a pass; "+
			"raise the hard file limit (ulimit -Hn) or split the run with --shard", sum.Generator.Undelivered)
	case sum.AllFailed:
		return errors.New("every request failed: the run measured nothing of the target (see the summary's errors)")
	case out.Interrupted:
		return errors.New("run interrupted before its duration ended (the summary above covers what ran)")
	}
	return nil
}

// unsent counts the steps never sent because their templates failed to
// render.
func unsent(sum *report.Summary) int64 { return sum.Errors[results.KindTemplate] }

// unsentError says that steps were never sent because their templates
// failed to render: the scenario's failure, which a pass would hide (the
// steps that were sent are fewer and not those asked for).
func unsentError(sum *report.Summary) error {
	first := ""
	if d := sum.ErrorDetails[results.KindTemplate]; len(d) > 0 {
		first = " (first: " + d[0] + ")"
	}
	return fmt.Errorf("%d steps were never sent: their templates failed to render%s; fix the scenario or its feeder rows "+
		"(loadgen validate checks the templates with sample data only)", unsent(sum), first)
}

// setting is one line of the report's configuration section.
func setting(name, value string) results.Setting { return results.Setting{Name: name, Value: value} }

// settings are the run's own settings for the report's configuration
// section (the scenario's come from report.ConfigOf).
func (o *runOptions) settings(shards int) []results.Setting {
	set := []results.Setting{{Name: "grace", Value: o.grace.String()}}
	if o.seed != 0 {
		set = append(set, results.Setting{Name: "seed", Value: strconv.FormatUint(o.seed, 10)})
	}
	if shards > 1 {
		set = append(set, results.Setting{Name: "shard", Value: o.shard})
	}
	if len(o.thresholds) > 0 {
		set = append(set, results.Setting{Name: "--threshold", Value: strings.Join(o.thresholds, "; ")})
	}
	return set
}

// compileThresholds returns the scenario's thresholds and --threshold's.
func (o *runOptions) compileThresholds(sc *scenarios.Scenario) ([]*report.Threshold, error) {
	ths, err := report.CompileThresholds(sc.Thresholds)
	if err != nil {
		return nil, err
	}
	for _, expr := range o.thresholds {
		t, err := report.ParseThreshold(expr)
		if err != nil {
			return nil, fmt.Errorf("--threshold: %w", err)
		}
		ths = append(ths, t)
	}
	return ths, nil
}

// writeReports writes the summary files the flags ask for, each opened
// now (loadgen collect's: run opens its own before the run, see outputs);
// one that fails does not stop the others, and the errors come back joined.
func (o *runOptions) writeReports(sum *report.Summary, log *slog.Logger) error {
	var errs []error
	for _, f := range []struct {
		flag, path string
		write      func(io.Writer, *report.Summary) error
	}{{"--summary-json", o.summaryJSON, report.WriteJSON}, {"--html", o.html, report.WriteHTML}, {"--junit", o.junit, report.WriteJUnit}} {
		switch {
		case f.path == "":
		case f.path == "-":
			errs = append(errs, f.write(o.stdout, sum))
		default:
			if err := writeFile(f.path, func(w io.Writer) error { return f.write(w, sum) }); err != nil {
				log.Error("cannot write a report; the others are still written", "flag", f.flag, "file", f.path, "err", err)
				errs = append(errs, fmt.Errorf("%s: %w", f.flag, err))
				continue
			}
			log.Info("wrote report", "file", f.path)
		}
	}
	return errors.Join(errs...)
}

// failedThresholds names the thresholds that failed.
func failedThresholds(sum *report.Summary) string {
	var failed []string
	for _, t := range sum.Thresholds {
		if !t.Pass {
			failed = append(failed, t.Expr)
		}
	}
	return "thresholds failed: " + strings.Join(failed, "; ")
}

// apply puts the command-line overrides into the scenario.
func (o *runOptions) apply(sc *scenarios.Scenario) error {
	if o.target != "" {
		sc.Target.BaseURL = o.target
	}
	if err := sc.Load.Override(o.load); err != nil {
		return err
	}
	if o.grace < 0 {
		return fmt.Errorf("--grace: want 0 (cancel at once) or more, got %v", o.grace)
	}
	if o.speed < 0 || math.IsNaN(o.speed) || math.IsInf(o.speed, 0) {
		return fmt.Errorf("--speed: want a factor above zero, got %g", o.speed)
	}
	for i := range sc.Conversations {
		if t := sc.Conversations[i].Transcript; t != nil && o.speed > 0 {
			t.Speed = o.speed
		}
	}
	return nil
}

// readSecret returns the HMAC secret from --secret-file or the scenario's env
// var. Without one, only anonymous users can run.
func (o *runOptions) readSecret(sc *scenarios.Scenario) (string, error) {
	if o.secret != "" {
		return o.secret, nil
	}
	if o.secretFile != "" {
		return readSecretFile(o.secretFile)
	}
	name := sc.Target.SecretEnv
	if name == "" {
		name = scenarios.DefaultSecretEnv
	}
	secret := os.Getenv(name)
	if secret == "" && sc.Users.AnonymousShare < 1 {
		return "", fmt.Errorf("no HMAC secret: set the %s environment variable or use --secret-file (or make every user anonymous with users.anonymous: 100%%)", name)
	}
	return secret, nil
}

func conversationNames(sc *scenarios.Scenario) []string {
	names := make([]string, len(sc.Conversations))
	for i, c := range sc.Conversations {
		names[i] = c.Name
	}
	return names
}

func describeLoad(sc *scenarios.Scenario, rn *runner.Runner) string {
	l := sc.Load
	var s string
	switch l.Model {
	case scenarios.Closed:
		s = fmt.Sprintf("closed, %d users", l.Users)
	case scenarios.Replay:
		s = "replay, sessions start at their recorded times"
	default:
		s = fmt.Sprintf("open, %.3g sessions/s on average", rn.TargetRate())
		if l.Arrivals == scenarios.Poisson {
			s += ", Poisson arrivals"
		}
	}
	if n := rn.MaxSessions(); n > 0 {
		s += fmt.Sprintf(", at most %d in flight", n)
	}
	if n := rn.MaxConns(); n > 0 {
		s += fmt.Sprintf(", requests in flight at most %d (the file limit's)", n)
	}
	if !l.RequestRate.IsZero() {
		s += fmt.Sprintf(", requests capped at %.3g/s", l.RequestRate.PerSecond())
	}
	return s
}

// parseShard parses "I/N"; "" is shard 0 of 1.
func parseShard(s string) (int, int, error) {
	if s == "" {
		return 0, 1, nil
	}
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard: want I/N with 0 ≤ I < N, got %q", s)
	}
	return i, n, nil
}

// newLogger returns the run's logger on w: text (key=value) or JSON lines.
func newLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: want debug, info, warn or error, got %q", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "json":
		// Durations as in text lines ("20s"), not nanoseconds.
		opts.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindDuration {
				a.Value = slog.StringValue(a.Value.Duration().String())
			}
			return a
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
	default:
		return nil, fmt.Errorf("--log-format: want text or json, got %q", format)
	}
	if isTerminal(w) {
		// A person is watching: the progress line tells the time.
		opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

func newRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// writeFile writes a file through fn, reporting the first error of either.
func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// runHelp groups run's flags and adds its examples and environment.
func runHelp(fs *cmdFlags) {
	fs.about = "Runs a scenario against a Helper deployment: virtual users sign in, create conversations " +
		"and exchange messages as the scenario says, every step is measured (streamed replies token by " +
		"token), and a summary is printed at the end; thresholds decide the exit code. A progress line " +
		"(or, when stderr is not a terminal, a periodic log line) shows the run as it goes.\n\n" +
		"Outputs given as - go to stdout (one at most); the text summary then goes to stderr."
	fs.group("Target", "target", "secret-file")
	var load []string
	for _, f := range scenarios.LoadFlags() {
		load = append(load, f.Name)
	}
	fs.group("Load (overrides the scenario's load section)", append(load, "grace", "speed", "seed")...)
	fs.group("Distributed runs (see loadgen collect)", "shard", "collector", "collector-timeout", "start-at", "run-id")
	fs.group("Results and reports", "out", "out-vegeta", "summary-json", "html", "junit")
	fs.group("Thresholds", "threshold", "abort-on-fail")
	fs.group("Live metrics", "metrics-addr", "metrics-linger", "pushgateway", "push-interval", "push-keep", "push-linger")
	fs.group("Progress and logs", "quiet", "progress-interval", "log-level", "log-format")
	fs.group("Profiling loadgen itself", "cpuprofile", "memprofile")
	fs.examples = []string{
		"loadgen run --target http://127.0.0.1:8080 scenarios/examples/smoke.yaml",
		"loadgen run --rate 20/s --duration 5m --out results.jsonl --html report.html demo.yaml",
		"loadgen run --quiet --summary-json summary.json --junit thresholds.xml \\",
		"    --threshold 'message.ttft.p95 < 2s' smoke.yaml          # a CI gate: exit 3 on a failed threshold",
		"loadgen run --metrics-addr 127.0.0.1:9464 soak.yaml          # watch it in Prometheus/Grafana",
		"loadgen run --out - smoke.yaml | gzip > results.jsonl.gz",
		"loadgen run --shard 2/4 --collector http://collector:8090 smoke.yaml   # one shard of four (loadgen collect)",
	}
	fs.env = []string{
		scenarios.DefaultSecretEnv + "\tthe mailbox's HMAC secret, or the variable named by target.hmac_secret_env " +
			"(--secret-file instead); never printed or logged. Without one only anonymous users can run",
		"${NAME}\tany variable the scenario refers to, e.g. HELPER_URL in target.base_url (${NAME:-default} gives a default)",
	}
}

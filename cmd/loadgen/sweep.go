package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/loadgen/loadgen/capacity"
	"github.com/loadgen/loadgen/metrics"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/sweep"
)

// sweepOptions are the flags of `loadgen sweep`.
type sweepOptions struct {
	target, secretFile string
	attainment         string
	requires, expects  stringList
	control            string
	between            string
	precision          string
	budget             time.Duration
	probe              time.Duration
	seed               uint64
	dir                string
	json, html         string
	metricsAddr        string
	quiet              bool
	logLevel           string
}

func (o *sweepOptions) register(fs *cmdFlags) {
	fs.StringVar(&o.target, "target", "", "base `URL` of the deployment under test (overrides target.base_url)")
	fs.StringVar(&o.secretFile, "secret-file", "", "read the HMAC secret from `PATH` instead of the scenario's env var")
	fs.StringVar(&o.attainment, "attainment", "95%", "the `SHARE` of messages that must meet the scenario's slo:")
	fs.Var(&o.requires, "require", "a run-level `EXPR` each probe must also meet, in the threshold grammar, e.g. 'errors.rate < 1%' (repeatable)")
	fs.StringVar(&o.control, "control", "rate", "what the sweep varies, `MODEL`: rate (open model, sessions/s, Poisson arrivals unless the scenario says) or users (closed model)")
	fs.StringVar(&o.between, "range", "", "search between `MIN..MAX`, e.g. 5/s..200/s or 1..64 (users); default: from one user to the capacity")
	fs.StringVar(&o.precision, "precision", "10%", "refine until the SLO-max interval is this `SHARE` of its estimate wide (the capacity's to a quarter of it)")
	fs.DurationVar(&o.budget, "budget", capacity.DefaultBudget, "the whole sweep's time `D`, drains included: it stops refining when spent")
	fs.DurationVar(&o.probe, "probe", capacity.DefaultProbeDuration, "a full-length probe lasts `D`; probes whose verdict is clear stop at a third of it")
	fs.Uint64Var(&o.seed, "seed", 0, "random `SEED` for arrivals, the mix and the interval's bootstrap (default random)")
	fs.StringVar(&o.dir, "dir", "", "keep each probe's results file and the probes' JSON lines in `DIR` (default sweep-RUNID)")
	fs.StringVar(&o.json, "json", "", "write the sweep's answers and probes as JSON to `FILE`")
	fs.StringVar(&o.html, "html", "", "write an HTML page with the answers, charts and probes to `FILE`")
	fs.Var(&o.expects, "expect", "a gate `EXPR` on the answers, e.g. 'slo_max.rate >= 40/s' or 'capacity.low >= 300/s' (repeatable; exit 3 when one fails)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus /metrics on `HOST:PORT` during the sweep: the probes' run metrics and the sweep's gauges")
	fs.BoolVar(&o.quiet, "quiet", false, "no log line per probe on stderr")
	fs.StringVar(&o.logLevel, "log-level", "info", "log `LEVEL`: debug, info, warn or error")
}

func sweepHelp(fs *cmdFlags) {
	fs.about = "Finds the target's capacity (the most sessions per second it completes, measured saturated) and its " +
		"SLO-max (the highest load at which a share of messages still meets the scenario's slo:, at steady state), each " +
		"with an interval, by probing it: a probe at the minimum load, a ramp of users to saturation, then probes that " +
		"bracket and refine the SLO-max. The scenario's conversations and SLO are used; its load section is replaced " +
		"by each probe's. A table row is printed as each probe ends; Ctrl-C ends the probe running and still " +
		"writes every file."
	fs.group("Target", "target", "secret-file")
	fs.group("What to find", "attainment", "require", "control", "range")
	fs.group("How long and how precisely", "precision", "budget", "probe", "seed")
	fs.group("Outputs", "dir", "json", "html", "expect", "metrics-addr", "quiet", "log-level")
	fs.examples = []string{
		"loadgen sweep --target http://127.0.0.1:8080 --budget 10m --html sweep.html chat.yaml",
		"loadgen sweep --require 'errors.rate < 1%' --expect 'slo_max.rate >= 40/s' --json sweep.json chat.yaml   # a capacity gate for CI",
		"loadgen compare last-week.json sweep.json --fail-on 'slo_max.rate -10%'",
	}
	fs.env = []string{scenarios.DefaultSecretEnv + "\tthe mailbox's HMAC secret, as for run (--secret-file instead)"}
}

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o sweepOptions
	fs := newFlags("sweep", "[flags] SCENARIO.yaml", stdout, stderr)
	o.register(fs)
	sweepHelp(fs)
	sc, err := parseScenario(fs, args)
	if err != nil {
		return err
	}
	if o.target != "" {
		sc.Target.BaseURL = o.target
	}
	log, err := newLogger(o.logLevel, "text", stderr)
	if err != nil {
		return usageError(err)
	}
	cfg, requires, expects, err := o.config()
	if err != nil {
		return usageError(err)
	}
	obj := sweep.Objectives{SLO: sc.SLO}
	if !obj.Bounded() && len(requires) == 0 {
		return usageError(errors.New("nothing to search for: the scenario has no slo: (what makes a message good, e.g. slo: {ttft: 2s}) and no --require was given (e.g. --require 'errors.rate < 1%')"))
	}
	cfg.Objectives = obj.Names()
	run := results.Run{ID: newRunID(), Scenario: sc.Name, Version: Version(), Target: sc.Target.BaseURL, Start: time.Now()}
	if b, err := os.ReadFile(fs.Arg(0)); err == nil {
		run.ScenarioHash = hashOf(b)
	}
	ro := runOptions{secretFile: o.secretFile}
	secret, err := ro.readSecret(sc)
	if err != nil {
		return usageError(err)
	}
	client, err := runner.NewClient(sc, secret)
	if err != nil {
		return usageError(err)
	}
	dir := o.dir
	if dir == "" {
		dir = "sweep-" + run.ID
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageError(fmt.Errorf("--dir: %w", err))
	}
	probesFile, err := os.OpenFile(filepath.Join(dir, "probes.jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return usageError(fmt.Errorf("--dir: %w", err))
	}
	defer probesFile.Close()

	gauges := sweep.NewGauges(sc.Name)
	var sinks []results.Sink
	if o.metricsAddr != "" {
		m := metrics.New(sc.Name, metrics.WithRunID(run.ID), metrics.WithVersion(Version()),
			metrics.WithConversations(conversationNames(sc)...))
		reg := metrics.NewRegistry()
		if err := errors.Join(m.Register(reg), gauges.Register(reg)); err != nil {
			return err
		}
		srvCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
		defer stop()
		srv, err := metrics.Serve(srvCtx, o.metricsAddr, reg)
		if err != nil {
			return usageError(fmt.Errorf("--metrics-addr: %w", err))
		}
		log.Info("serving metrics", "url", srv.URL())
		sinks = append(sinks, m)
	}

	rep := &sweep.Report{Kind: sweep.ReportKind, RunID: run.ID, Scenario: sc.Name, Target: results.RedactURL(sc.Target.BaseURL),
		Version: Version(), StartedAt: run.Start.UTC(), Objectives: obj.Set(), Attainment: cfg.Attainment,
		Confidence: capacity.DefaultConfidence, Precision: cfg.Precision, Budget: cfg.Budget.Seconds(), Dir: dir}
	for _, r := range requires {
		rep.Requires = append(rep.Requires, r.Expr)
	}
	prober := sweep.NewProber(sc, client, obj, sweep.ProberOptions{Run: run, Dir: dir, Requires: requires,
		Seed: o.seed, Sinks: sinks, Logger: log})
	var out sync.Mutex // the table and the JSON lines, one probe at a time
	if err := sweep.WriteHeader(stdout); err != nil {
		return err
	}
	cfg.Seed = o.seed
	cfg.OnStart = func(spec capacity.Spec) {
		gauges.Start(spec)
		if !o.quiet {
			log.Info("probe", "n", spec.Seq, "kind", spec.Kind, "load", loadText(spec), "up_to", spec.Duration)
		}
	}
	cfg.OnProbe = func(p capacity.Probe) {
		out.Lock()
		defer out.Unlock()
		gauges.End(p)
		row := sweep.ProbeOf(p)
		if err := sweep.WriteRow(stdout, row); err != nil {
			log.Warn("writing the table", "err", err)
		}
		if err := sweep.AppendJSONLine(probesFile, row); err != nil {
			log.Warn("writing the probe's JSON line", "file", probesFile.Name(), "err", err)
		}
	}
	res, searchErr := capacity.Search(ctx, prober, cfg)
	if res != nil {
		rep.Fill(res)
		gauges.Answers(rep)
	}
	var inf *capacity.InfeasibleError
	switch {
	case errors.Is(searchErr, capacity.ErrBudget):
		return usageError(fmt.Errorf("--budget %s: %w (give more, or a shorter --probe)", o.budget, searchErr))
	case searchErr != nil && !errors.As(searchErr, &inf) && ctx.Err() == nil:
		return searchErr
	}
	fmt.Fprintln(stdout)
	if err := sweep.WriteAnswers(stdout, rep); err != nil {
		return err
	}
	if err := o.writeOutputs(rep, sc, log); err != nil {
		return err
	}
	switch {
	case inf != nil:
		return &exitError{code: exitThresholds, err: searchErr}
	case ctx.Err() != nil:
		return errors.New("sweep interrupted: the probes so far and the answers they give are above and in the files")
	}
	var failed []string
	for _, e := range expects {
		if v, pass := e.Eval(rep); !pass {
			failed = append(failed, fmt.Sprintf("%s (was %.4g)", e.Expr, v))
		}
	}
	if len(failed) > 0 {
		return &exitError{code: exitThresholds, err: errors.New("expectations failed: " + strings.Join(failed, "; "))}
	}
	return nil
}

// config turns the flags into the search's configuration.
func (o *sweepOptions) config() (capacity.Config, []*report.Threshold, []*sweep.Expectation, error) {
	var cfg capacity.Config
	share := func(name, s string) (float64, error) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
		if err != nil || !(v > 0 && v < 100) {
			return 0, fmt.Errorf("--%s: want a percentage such as 95%%, got %q", name, s)
		}
		return v / 100, nil
	}
	var err error
	if cfg.Attainment, err = share("attainment", o.attainment); err != nil {
		return cfg, nil, nil, err
	}
	if cfg.Precision, err = share("precision", o.precision); err != nil {
		return cfg, nil, nil, err
	}
	switch o.control {
	case "rate":
		cfg.Control = capacity.Rate
	case "users":
		cfg.Control = capacity.Users
	default:
		return cfg, nil, nil, fmt.Errorf("--control: want rate or users, got %q", o.control)
	}
	if o.between != "" {
		lo, hi, ok := strings.Cut(o.between, "..")
		if cfg.Min, err = parseLoad(lo, cfg.Control); ok && err == nil {
			cfg.Max, err = parseLoad(hi, cfg.Control)
		}
		if !ok || err != nil || cfg.Max <= cfg.Min {
			return cfg, nil, nil, fmt.Errorf("--range: want MIN..MAX with MIN < MAX, such as 5/s..200/s (or 1..64 users), got %q", o.between)
		}
	}
	if o.budget <= 0 || o.probe <= 0 {
		return cfg, nil, nil, errors.New("--budget and --probe: want durations above zero")
	}
	cfg.Budget, cfg.ProbeDuration = o.budget, o.probe
	if err := cfg.Validate(); err != nil {
		return cfg, nil, nil, err
	}
	var requires []*report.Threshold
	for _, expr := range o.requires {
		t, err := report.ParseThreshold(expr)
		if err != nil {
			return cfg, nil, nil, fmt.Errorf("--require: %w", err)
		}
		requires = append(requires, t)
	}
	var expects []*sweep.Expectation
	for _, expr := range o.expects {
		e, err := sweep.ParseExpectation(expr)
		if err != nil {
			return cfg, nil, nil, fmt.Errorf("--expect: %w", err)
		}
		expects = append(expects, e)
	}
	return cfg, requires, expects, nil
}

// parseLoad reads a rate (5/s, 300/m) or a number of users.
func parseLoad(s string, c capacity.Control) (float64, error) {
	s = strings.TrimSpace(s)
	if c == capacity.Users {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("want a number of users, got %q", s)
		}
		return float64(n), nil
	}
	r, err := scenarios.ParseRate(s)
	if err != nil {
		return 0, err
	}
	return r.PerSecond(), nil
}

// writeOutputs writes --json and --html.
func (o *sweepOptions) writeOutputs(rep *sweep.Report, sc *scenarios.Scenario, log *slog.Logger) error {
	if o.json != "" {
		if err := writeFile(o.json, func(w io.Writer) error { return sweep.WriteJSON(w, rep) }); err != nil {
			return err
		}
		log.Info("wrote the sweep's JSON", "file", o.json)
	}
	if o.html != "" {
		if err := writeFile(o.html, func(w io.Writer) error { return sweep.WriteHTML(w, rep, sc.SLO.MaxTTFT.Seconds()) }); err != nil {
			return err
		}
		log.Info("wrote the sweep's HTML", "file", o.html)
	}
	return nil
}

func loadText(spec capacity.Spec) string {
	if spec.Control == capacity.Users && spec.Load == 1 {
		return "1 user"
	}
	if spec.Control == capacity.Users {
		return fmt.Sprintf("%d users", int(spec.Load))
	}
	return fmt.Sprintf("%.4g sessions/s", spec.Load)
}

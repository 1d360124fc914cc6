package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/metrics"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/scenarios"
)

// outputs are the places a run's results go, besides the in-memory
// summary: while it runs, the results files, /metrics and the Pushgateway;
// after it, the report files. Every file is opened before the run starts, so
// a bad path is a usage error at once. A write error later is logged once
// when it happens; the run and every other output go on.
type outputs struct {
	sinks   []results.Sink
	reports []*reportFile // summary files, written after the run
	log     *slog.Logger

	mu     sync.Mutex       // guards failed
	failed map[string]error // output (its flag) → its first error, logged once

	file       *resultfile.Writer
	vegeta     *resultfile.VegetaWriter
	vegetaFile *os.File
	afterFiles func() // called once the files are closed, before the final push and the linger (a shard's upload)
	outPath    string // --out
	vegetaPath string // --out-vegeta

	server     *metrics.Server
	stopServer context.CancelFunc
	linger     time.Duration
	stopPush   context.CancelFunc
	pushDone   chan struct{}
	closeOnce  sync.Once
}

// reportFile is a summary file (--summary-json, --html, --junit), opened
// before the run and written after it.
type reportFile struct {
	flag, path string
	f          *os.File // nil: standard output
	write      func(io.Writer, *report.Summary) error
}

// openOutputs opens what the flags ask for. On error, what was opened is closed.
func (o *runOptions) openOutputs(ctx context.Context, sc *scenarios.Scenario, run results.Run, log *slog.Logger) (_ *outputs, err error) {
	x := &outputs{linger: o.linger, log: log, failed: map[string]error{}, outPath: o.out, vegetaPath: o.outVegeta}
	defer func() {
		if err != nil {
			x.close()
		}
	}()
	if o.out != "" {
		onError := resultfile.WithOnError(func(err error) { x.fail("--out", o.out, err) })
		if o.out == "-" {
			x.file, err = resultfile.NewWriter(o.stdout, run, onError)
		} else {
			x.file, err = resultfile.Create(o.out, run, onError)
		}
		if err != nil {
			return nil, usageError(fmt.Errorf("--out: %w", err))
		}
		x.sinks = append(x.sinks, x.file)
	}
	if o.outVegeta != "" {
		var w io.Writer = o.stdout
		if o.outVegeta != "-" {
			if x.vegetaFile, err = os.Create(o.outVegeta); err != nil {
				return nil, usageError(fmt.Errorf("--out-vegeta: %w", err))
			}
			w = x.vegetaFile
		}
		x.vegeta = resultfile.NewVegetaWriter(w, sc.Name, sc.Target.BaseURL, resultfile.WithVegetaWindow(longestStep(sc)),
			resultfile.WithVegetaOnError(func(err error) { x.fail("--out-vegeta", o.outVegeta, err) }))
		x.sinks = append(x.sinks, x.vegeta)
	}
	for _, r := range []*reportFile{
		{flag: "--summary-json", path: o.summaryJSON, write: report.WriteJSON},
		{flag: "--html", path: o.html, write: report.WriteHTML},
		{flag: "--junit", path: o.junit, write: report.WriteJUnit},
	} {
		if r.path == "" {
			continue
		}
		if r.path != "-" {
			if r.f, err = os.Create(r.path); err != nil {
				return nil, usageError(fmt.Errorf("%s: %w", r.flag, err))
			}
		}
		x.reports = append(x.reports, r)
	}
	if o.metricsAddr == "" && o.pushgateway == "" {
		return x, nil
	}
	m := metrics.New(sc.Name, append([]metrics.Option{metrics.WithRunID(run.ID), metrics.WithVersion(Version()),
		metrics.WithConversations(conversationNames(sc)...)}, o.metricOpts...)...)
	x.sinks = append(x.sinks, m)
	// Both outlive a Ctrl-C: the final values must still go out.
	bg := context.WithoutCancel(ctx)
	if o.metricsAddr != "" {
		reg := metrics.NewRegistry()
		if err := m.Register(reg); err != nil {
			return nil, err
		}
		sctx, stop := context.WithCancel(bg)
		srv, err := metrics.Serve(sctx, o.metricsAddr, reg)
		if err != nil {
			stop()
			return nil, usageError(fmt.Errorf("--metrics-addr: %w", err))
		}
		x.server, x.stopServer = srv, stop
		log.Info("serving metrics", "url", x.server.URL())
	}
	if o.pushgateway != "" {
		p, err := metrics.NewPusher(m, o.pushgateway, metrics.WithPushInterval(o.pushEvery),
			metrics.WithPushKeep(o.pushKeep), metrics.WithPushLinger(o.pushLinger), metrics.WithPushLogger(log))
		if err != nil {
			return nil, usageError(fmt.Errorf("--pushgateway: %w", err))
		}
		var pctx context.Context
		pctx, x.stopPush = context.WithCancel(bg)
		x.pushDone = make(chan struct{})
		go func() { defer close(x.pushDone); p.Run(pctx) }()
		log.Info("pushing metrics", "pushgateway", results.RedactURL(o.pushgateway), "every", o.pushEvery,
			"group_after_the_run", pushFate(o.pushKeep, o.pushLinger))
	}
	return x, nil
}

// longestStep bounds how long one step of sc can take, from its send to its
// result: a request timeout, plus a poll's wait for an async reply. The
// vegeta writer holds results that long to write them in send order.
func longestStep(sc *scenarios.Scenario) time.Duration {
	request := cmp.Or(sc.Target.Timeout, helperapi.DefaultTimeout)
	longest := request
	for _, c := range sc.Conversations {
		if c.Mode == scenarios.Async {
			longest = max(longest, request+cmp.Or(c.Poll.Timeout, helperapi.DefaultPollTimeout))
		}
	}
	return longest + 10*time.Second // and the moment it takes to record one
}

// fail records that an output could not be written, and logs it the first
// time. Safe for concurrent use (writers call it as they fail).
func (x *outputs) fail(flag, path string, err error) {
	if err == nil {
		return
	}
	x.mu.Lock()
	_, seen := x.failed[flag]
	if !seen {
		x.failed[flag] = fmt.Errorf("%s %s: %w", flag, path, err)
	}
	x.mu.Unlock()
	if !seen {
		x.log.Error("cannot write an output; the run and every other output go on", "flag", flag, "file", path, "err", err)
	}
}

// failures returns the outputs that could not be written, nil when none.
func (x *outputs) failures() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(x.failed)) {
		errs = append(errs, x.failed[k])
	}
	return errors.Join(errs...)
}

// writeReports writes the summary files, each into the file opened before
// the run; a failure is recorded and the others are still written.
func (x *outputs) writeReports(sum *report.Summary, stdout io.Writer) {
	for _, r := range x.reports {
		if r.f == nil {
			x.fail(r.flag, "-", r.write(stdout, sum))
			continue
		}
		err := r.write(r.f, sum)
		if cerr := r.f.Close(); err == nil {
			err = cerr
		}
		r.f = nil
		if err != nil {
			x.fail(r.flag, r.path, err)
			continue
		}
		x.log.Info("wrote report", "file", r.path)
	}
}

// finishFiles completes the results files after a run: they are flushed
// and closed, then afterFiles runs. Failures are recorded (see failures);
// the report files are left for writeReports, and the live outputs for
// finishLive, which may wait: the summary and reports come first.
func (x *outputs) finishFiles(ran runner.Outcome) {
	if x.file != nil {
		x.file.Ran(ran.Start, ran.Start.Add(ran.Duration)) // Duration, not Stop: the same monotonic span the summary reports
		x.fail("--out", x.outPath, x.file.Close())
		x.file = nil
	}
	if x.vegeta != nil {
		x.fail("--out-vegeta", x.vegetaPath, x.vegeta.Close())
		if n := x.vegeta.Late(); n > 0 {
			x.log.Warn("some vegeta results arrived after their steps' longest duration; their times were moved up to keep vegeta's order", "results", n)
		}
		if x.vegetaFile != nil {
			x.fail("--out-vegeta", x.vegetaPath, x.vegetaFile.Close())
			x.vegetaFile = nil
		}
		x.vegeta = nil
	}
	if x.afterFiles != nil {
		x.afterFiles()
	}
}

// finishLive ends the live outputs after the summary and reports are
// written (so a wait here, or a second Ctrl-C that quits during it, loses
// none of them): the final push is made, and /metrics waits for one more
// scrape when asked. ctx is the run's signal context: a Ctrl-C that comes
// after the run ends that wait (one during the run does not: the final
// values of an interrupted run must still go out).
func (x *outputs) finishLive(ctx context.Context) {
	if x.stopPush != nil {
		x.stopPush() // Run makes its final push before returning
		<-x.pushDone
		x.stopPush = nil
	}
	if x.server != nil && x.linger > 0 {
		wait := ctx
		if ctx.Err() != nil {
			wait = context.WithoutCancel(ctx)
		}
		wctx, cancel := context.WithTimeout(wait, x.linger)
		if err := x.server.AwaitScrape(wctx); err != nil {
			if ctx.Err() != nil && wait == ctx {
				x.log.Info("stopped waiting for a last scrape of /metrics (interrupted)")
			} else {
				x.log.Warn("no scrape of /metrics after the run", "waited", x.linger)
			}
		}
		cancel()
	}
}

// close releases everything still open; safe to call more than once.
func (x *outputs) close() {
	x.closeOnce.Do(func() {
		if x.file != nil {
			x.file.Close()
		}
		if x.vegetaFile != nil {
			x.vegetaFile.Close()
		}
		for _, r := range x.reports {
			if r.f != nil {
				r.f.Close()
			}
		}
		if x.stopPush != nil {
			x.stopPush()
			<-x.pushDone
		}
		if x.stopServer != nil {
			x.stopServer()
			<-x.server.Done()
		}
	})
}

// background runs helper goroutines for the length of a run.
type background struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newBackground(ctx context.Context) *background {
	b := &background{}
	b.ctx, b.cancel = context.WithCancel(ctx)
	return b
}

// start runs f in a goroutine with a context that stop cancels.
func (b *background) start(f func(ctx context.Context)) {
	b.wg.Add(1)
	go func() { defer b.wg.Done(); f(b.ctx) }()
}

// stop cancels the goroutines and waits for them.
func (b *background) stop() {
	b.cancel()
	b.wg.Wait()
}

// Early abort (--abort-on-fail): how often thresholds are checked during a
// run, and how many observations a check needs before its failure counts.
const (
	abortCheckEvery = time.Second
	abortMinSamples = 50
)

// watchThresholds checks ths on a summary of the run so far, every
// abortCheckEvery, and calls abort once one has certainly failed.
func watchThresholds(ctx context.Context, ths []*report.Threshold, build func() *report.Summary, abort func(error)) {
	t := time.NewTicker(abortCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sum := build()
		for _, th := range ths {
			if o := th.Eval(sum); th.CertainlyFailed(o, abortMinSamples) {
				abort(fmt.Errorf("threshold %q failed: %s is %s", th.Expr, th.Metric, report.FormatValue(o.Value, o.Unit)))
				return
			}
		}
	}
}

// pushFate says what happens to the pushed group after the run.
func pushFate(keep bool, linger time.Duration) string {
	switch {
	case keep:
		return "kept (--push-keep)"
	case linger > 0:
		return "deleted " + linger.String() + " after the final push"
	}
	return "deleted at once"
}

package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/metrics"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
)

// outputs are the places a run's results go while it runs, besides the
// in-memory summary: the results files, /metrics and the Pushgateway.
type outputs struct {
	sinks []results.Sink

	file       *resultfile.Writer
	vegeta     *resultfile.VegetaWriter
	vegetaFile *os.File
	afterFiles func() // called once the files are closed, before the final push and the linger (a shard's upload)

	server     *metrics.Server
	stopServer context.CancelFunc
	linger     time.Duration
	stopPush   context.CancelFunc
	pushDone   chan struct{}
	closeOnce  sync.Once
}

// openOutputs opens what the flags ask for. On error, what was opened is closed.
func (o *runOptions) openOutputs(ctx context.Context, sc *scenarios.Scenario, run results.Run, log *slog.Logger) (_ *outputs, err error) {
	x := &outputs{linger: o.linger}
	defer func() {
		if err != nil {
			x.close()
		}
	}()
	if o.out != "" {
		if o.out == "-" {
			x.file, err = resultfile.NewWriter(o.stdout, run)
		} else {
			x.file, err = resultfile.Create(o.out, run)
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
		x.vegeta = resultfile.NewVegetaWriter(w, sc.Name, sc.Target.BaseURL, resultfile.WithVegetaWindow(longestStep(sc)))
		x.sinks = append(x.sinks, x.vegeta)
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

// finish completes the outputs after a run: files are flushed and closed,
// the final push is made, and /metrics waits for one more scrape when asked.
func (x *outputs) finish(ctx context.Context, log *slog.Logger) error {
	var errs []error
	if x.file != nil {
		errs = append(errs, x.file.Close())
		x.file = nil
	}
	if x.vegeta != nil {
		errs = append(errs, x.vegeta.Close())
		if n := x.vegeta.Late(); n > 0 {
			log.Warn("some vegeta results arrived after their steps' longest duration; their times were moved up to keep vegeta's order", "results", n)
		}
		if x.vegetaFile != nil {
			errs = append(errs, x.vegetaFile.Close())
			x.vegetaFile = nil
		}
		x.vegeta = nil
	}
	if x.afterFiles != nil {
		x.afterFiles()
	}
	if x.stopPush != nil {
		x.stopPush() // Run makes its final push before returning
		<-x.pushDone
		x.stopPush = nil
	}
	if x.server != nil && x.linger > 0 {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), x.linger)
		if err := x.server.AwaitScrape(wctx); err != nil {
			log.Warn("no scrape of /metrics after the run", "waited", x.linger)
		}
		cancel()
	}
	x.close()
	return errors.Join(errs...)
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

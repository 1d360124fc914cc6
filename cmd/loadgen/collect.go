package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/loadgen/loadgen/collect"
	"github.com/loadgen/loadgen/report"
)

// collectOptions are the flags of `loadgen collect`.
type collectOptions struct {
	addr        string
	shards      int
	runID       string
	dir         string
	out         string
	summaryJSON string
	html        string
	junit       string
	thresholds  stringList
	timeout     time.Duration
	margin      time.Duration
	pushgateway string
	logLevel    string
	logFormat   string
}

// runCollect is the coordinator of a distributed run: the start barrier,
// the intake of every shard's results, the exact merge, the thresholds on
// the merged data and the reports. Exit codes as run's: 0, 1 incomplete or
// timed out, 2 usage or shards that disagree, 3 thresholds failed.
func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o collectOptions
	fs := o.flags(stdout, stderr)
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.hint()
		return usageError(errors.New("want exactly one scenario file: the one every shard runs"))
	}
	if o.shards < 1 {
		return usageError(fmt.Errorf("--shards: want the number of shards, at least 1, got %d", o.shards))
	}
	log, err := newLogger(o.logLevel, o.logFormat, stderr)
	if err != nil {
		return usageError(err)
	}
	sc, err := loadScenario(fs.Arg(0))
	if err != nil {
		return usageError(err)
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return usageError(err)
	}
	ths, err := (&runOptions{thresholds: o.thresholds}).compileThresholds(sc)
	if err != nil {
		return usageError(err)
	}
	runID := cmp.Or(o.runID, newRunID())
	if !validRunID.MatchString(runID) {
		return usageError(fmt.Errorf("--run-id %q: want 1–100 letters, digits, '.', '_' or '-'", runID))
	}
	if err := o.checkPaths(); err != nil {
		return usageError(err)
	}
	coord, err := collect.New(collect.Config{Shards: o.shards, ScenarioHash: hashOf(b), RunID: runID, Dir: o.dir,
		Margin: o.margin, Timeout: o.timeout, Logger: log})
	if err != nil {
		return usageError(err)
	}
	out, waitErr, err := o.serve(ctx, coord, sc.Name, runID, log)
	if err != nil {
		return err
	}
	var refused *collect.Error
	switch {
	case errors.As(waitErr, &refused) && refused.Reason == collect.ReasonMismatch:
		return usageError(fmt.Errorf("the shards disagree, the run is aborted: %s", refused.Message))
	case errors.As(waitErr, &refused):
		return errors.New(refused.Message)
	case len(out.Received) == 0 && waitErr != nil:
		return fmt.Errorf("interrupted before any shard sent its results (%s): no summary", cmp.Or(out.MissingText(), "none expected"))
	case len(out.Received) == 0:
		return fmt.Errorf("no shard sent its results (%s)", out.MissingText())
	}

	sum, outErr, err := o.merge(sc.Name, out, log)
	if err != nil {
		return err
	}
	// From here on, an output that cannot be written is logged and the
	// others are still written; the verdict keeps a failed threshold's 3.
	sum.Config = report.ConfigOf(sc, setting("shards", fmt.Sprint(o.shards)))
	pass := report.Evaluate(ths, sum)
	var outErrs []error
	if outErr != nil {
		outErrs = append(outErrs, outErr)
	}
	if err := report.WriteText(stdout, sum); err != nil {
		outErrs = append(outErrs, fmt.Errorf("the text summary: %w", err))
	}
	ro := runOptions{summaryJSON: o.summaryJSON, html: o.html, junit: o.junit, stdout: stdout}
	if err := ro.writeReports(sum, log); err != nil {
		outErrs = append(outErrs, err)
	}
	if o.pushgateway != "" {
		if err := pushSummary(ctx, o.pushgateway, sum); err != nil {
			log.Warn("the merged summary was not pushed", "err", err)
		}
	}
	return collectVerdict(waitErr, sum, pass, errors.Join(outErrs...))
}

// collectVerdict is the merged run's exit, in run's order: an interrupted
// or incomplete run is an error (1) whatever its thresholds say, its
// numbers being part of the run; then the thresholds (3, kept when an
// output failed too); then an output that could not be written (1); then a
// run in which every request failed (1: it measured nothing).
func collectVerdict(waitErr error, sum *report.Summary, pass bool, outErr error) error {
	switch {
	case waitErr != nil:
		return fmt.Errorf("interrupted: %w (the summary above covers what arrived)", waitErr)
	case sum.Distributed.Problem() != "":
		return fmt.Errorf("the run is %s; the summary covers only what arrived", sum.Distributed.Problem())
	case !pass:
		msg := failedThresholds(sum) + " (on the merged results of every shard)"
		if outErr != nil {
			msg += "; and some outputs could not be written: " + outErr.Error()
		}
		return &exitError{code: exitThresholds, err: errors.New(msg)}
	case outErr != nil:
		return fmt.Errorf("some outputs could not be written (the others were): %w", outErr)
	case unsent(sum) > 0:
		return unsentError(sum)
	case sum.AllFailed:
		return errors.New("every request failed: the run measured nothing of the target (see the summary's errors)")
	}
	return nil
}

// flags registers collect's flags into o.
func (o *collectOptions) flags(stdout, stderr io.Writer) *cmdFlags {
	fs := newFlags("collect", "[flags] --shards N SCENARIO.yaml", stdout, stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8090", "listen on `HOST:PORT` for the shards (:8090 for every interface)")
	fs.IntVar(&o.shards, "shards", 0, "the run's number of shards `N` (each runs loadgen run --shard I/N --collector URL)")
	fs.StringVar(&o.runID, "run-id", "", "the run's `ID`, given to every shard (default: a new one)")
	fs.StringVar(&o.dir, "dir", ".", "keep each shard's results file in `DIR`")
	fs.StringVar(&o.out, "out", "", "write every shard's results merged in time order to `FILE` (loadgen report reads it)")
	fs.StringVar(&o.summaryJSON, "summary-json", "", "write the merged JSON summary to `FILE`")
	fs.StringVar(&o.html, "html", "", "write the merged HTML report to `FILE`")
	fs.StringVar(&o.junit, "junit", "", "write the thresholds (and whether every shard's results arrived) as JUnit XML to `FILE`")
	fs.Var(&o.thresholds, "threshold", "add a pass/fail `EXPR`, judged on the merged results (repeatable; exit 3 when one fails)")
	fs.DurationVar(&o.timeout, "timeout", collect.DefaultTimeout, "wait `D` for every shard to report in (from the start of collect), and for their results after the run's planned end")
	fs.DurationVar(&o.margin, "start-margin", collect.DefaultMargin, "start the run `D` after the last shard reported in (time for every shard to hear of it)")
	fs.StringVar(&o.pushgateway, "pushgateway", "", "push the merged summary to the Pushgateway at `URL` (job loadgen_collect, one group per scenario: each run replaces the last)")
	fs.StringVar(&o.logLevel, "log-level", "info", "log `LEVEL`: debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "text", "log `FORMAT`: text (key=value) or json (one object per line)")
	collectHelp(fs)
	return fs
}

// serve runs the coordinator on --addr until the run ends (see
// collect.Coordinator.Wait), and keeps what it saw in --dir. err is a
// failure to listen; waitErr is Wait's.
func (o *collectOptions) serve(ctx context.Context, coord *collect.Coordinator, scenario, runID string, log *slog.Logger) (out *collect.Collected, waitErr, err error) {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, nil, usageError(fmt.Errorf("--addr: %w", err))
	}
	srv := &http.Server{Handler: coord.Handler(), ReadHeaderTimeout: 30 * time.Second}
	go srv.Serve(ln)
	log.Info("collector waiting for the shards", "url", "http://"+ln.Addr().String(), "run_id", runID,
		"shards", o.shards, "scenario", scenario, "timeout", o.timeout)

	out, waitErr = coord.Wait(ctx)
	if _, failed := errors.AsType[*collect.Error](waitErr); failed {
		// Shards that report in later learn why rather than retry for
		// --collector-timeout.
		coord.WaitTold(ctx, min(o.timeout, time.Minute))
	}
	coord.Close()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	srv.Shutdown(sctx)
	cancel()
	o.writeCollected(out, log)
	return out, waitErr, nil
}

// checkPaths makes --dir and checks that every output can be created,
// before any shard runs: a typo (or a directory, a read-only place) must
// not cost the run. An output is created here (empty) and written at the
// end, as run does.
func (o *collectOptions) checkPaths() error {
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	for _, f := range []struct{ flag, path string }{{"--out", o.out}, {"--summary-json", o.summaryJSON}, {"--html", o.html}, {"--junit", o.junit}} {
		if f.path == "" || f.path == "-" {
			continue
		}
		if fi, err := os.Stat(filepath.Dir(f.path)); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s %s: no directory %s", f.flag, f.path, filepath.Dir(f.path))
		}
		file, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("%s: %w", f.flag, err)
		}
		file.Close()
	}
	return nil
}

// writeCollected keeps what the collector saw (who joined, when each shard
// started, what arrived) as RUNID.collect.json in --dir.
func (o *collectOptions) writeCollected(out *collect.Collected, log *slog.Logger) {
	path := filepath.Join(o.dir, strings.TrimSuffix(collect.FileName(out.RunID, 0, 1), ".shard-0-of-1.jsonl")+".collect.json")
	err := writeFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	})
	if err != nil {
		log.Warn("could not write the collector's record", "file", path, "err", err)
	}
}

func collectHelp(fs *cmdFlags) {
	fs.about = "Coordinates a distributed run of N shards (loadgen run --shard I/N --collector URL), as one " +
		"Kubernetes Job of N pods would run it (deploy/k8s). Start barrier: each shard reports in once " +
		"ready; when all N have, every shard gets one start instant and schedules from it. A shard with " +
		"another N, scenario file, run id or duration aborts the run (exit 2); one that reports in after " +
		"the start is refused (a replaced pod) and the run is incomplete. Results: each shard sends its " +
		"results file (checksummed, header checked); the collector merges them exactly, judges the " +
		"thresholds (the scenario's and --threshold) on the merged data only, and writes the reports. " +
		"A shard whose results do not arrive within --timeout after the planned end makes the run " +
		"incomplete: the reports say which, and the exit code is 1."
	fs.group("The run", "shards", "run-id", "timeout", "start-margin", "addr")
	fs.group("Results and reports", "dir", "out", "summary-json", "html", "junit", "threshold", "pushgateway")
	fs.group("Logs", "log-level", "log-format")
	fs.examples = []string{
		"loadgen collect --shards 4 --addr :8090 --html report.html --junit thresholds.xml smoke.yaml",
		"loadgen run --shard 0/4 --collector http://collector-host:8090 smoke.yaml   # on each of four machines, 0 to 3",
	}
}

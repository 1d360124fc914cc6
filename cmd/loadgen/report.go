package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
)

// reportOptions are the flags of loadgen report.
type reportOptions struct {
	typ        string
	out        string
	thresholds stringList
	steps      string
	labels     string
}

// runReport renders results files (merged exactly: the shards of a run, or
// several runs) or a summary JSON as text, JSON, HTML, JUnit, CSV or
// vegeta's encoding; HTML overlays several runs. Thresholds given with
// -threshold are checked; a failure exits 3.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o reportOptions
	fs := newFlags("report", "[flags] FILE...", stdout, stderr)
	fs.about = "Renders a run from its results files (--out of loadgen run; the shards of a run merge exactly, " +
		"and so do several runs for text, json and junit) or from one summary JSON (--summary-json).\n\n" +
		"-type html with files of more than one run (results files with different run ids, or several " +
		"summary JSONs) overlays them on one page, each labelled by its file name: key figures side by " +
		"side with the change from the first, thresholds, and the time series and TTFT distributions " +
		"drawn over each other.\n\n" +
		"-type csv writes one row per step result (time, run, user, conversation, turn, step, code, error " +
		"kind, latency, TTFB, TTFT, tokens, …; durations in seconds) from results files, for spreadsheets " +
		"and data frames."
	fs.StringVar(&o.typ, "type", "text", "report `TYPE`: text, json, html, junit, csv (one row per result) or vegeta (vegeta's binary encoding, for vegeta report/plot)")
	fs.StringVar(&o.out, "o", "", "write to `FILE` instead of standard output")
	fs.Var(&o.thresholds, "threshold", "check `EXPR`, e.g. 'message.ttft.p95 < 1.5s' (repeatable; a failure exits 3)")
	fs.StringVar(&o.steps, "step", "", "with -type vegeta or csv, only these `STEPS` (comma-separated: "+stepNames()+")")
	fs.StringVar(&o.labels, "labels", "", "with -type html and several runs, their `LABELS` (comma-separated, in order; default: the file names)")
	fs.examples = []string{
		"loadgen report results.jsonl                       # the text summary",
		"loadgen report -type html -o report.html shard-*.jsonl",
		"loadgen report -type html -o runs.html before.jsonl after.jsonl   # two runs overlaid",
		"loadgen report -type csv -step message results.jsonl > messages.csv",
		"loadgen report -type vegeta -step message results.jsonl | vegeta report",
		"loadgen report -threshold 'message.ttft.p95 < 2s' summary.json",
	}
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.hint()
		return usageError(errors.New("no input files"))
	}
	var ths []*report.Threshold
	for _, expr := range o.thresholds {
		t, err := report.ParseThreshold(expr)
		if err != nil {
			return usageError(fmt.Errorf("-threshold: %w", err))
		}
		ths = append(ths, t)
	}
	switch o.typ {
	case "vegeta", "csv":
		steps, err := parseSteps(o.steps)
		if err != nil {
			return err
		}
		write := writeVegeta
		if o.typ == "csv" {
			write = writeCSV
		}
		return o.output(stdout, func(w io.Writer) error { return write(w, stderr, steps, fs.Args()) })
	case "html":
		return o.html(stdout, stderr, ths, fs.Args())
	}
	write, ok := map[string]func(io.Writer, *report.Summary) error{
		"text": report.WriteText, "json": report.WriteJSON, "junit": report.WriteJUnit,
	}[o.typ]
	if !ok {
		return usageError(fmt.Errorf("-type %q: want text, json, html, junit, csv or vegeta", o.typ))
	}
	sum, warnings, err := report.Load(fs.Args()...)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "loadgen report: warning:", w)
	}
	if err != nil {
		return inputError(err)
	}
	pass := true
	if len(ths) > 0 {
		pass = report.Evaluate(ths, sum)
	}
	if err := o.output(stdout, func(w io.Writer) error { return write(w, sum) }); err != nil {
		return err
	}
	if !pass {
		return &exitError{code: exitThresholds, err: errors.New(failedThresholds(sum))}
	}
	return nil
}

// html writes the HTML report of the run in paths, or of several runs
// overlaid.
func (o *reportOptions) html(stdout, stderr io.Writer, ths []*report.Threshold, paths []string) error {
	runs, labels, warnings, err := report.LoadRuns(paths...)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "loadgen report: warning:", w)
	}
	if err != nil {
		return inputError(err)
	}
	if o.labels != "" {
		given := strings.Split(o.labels, ",")
		if len(given) != len(runs) {
			return usageError(fmt.Errorf("-labels: %d labels for %d runs", len(given), len(runs)))
		}
		for i := range given {
			labels[i] = strings.TrimSpace(given[i])
		}
	}
	var failed []string
	for i, sum := range runs {
		if len(ths) > 0 && !report.Evaluate(ths, sum) {
			msg := failedThresholds(sum)
			if len(runs) > 1 {
				msg = labels[i] + ": " + msg
			}
			failed = append(failed, msg)
		}
	}
	if err := o.output(stdout, func(w io.Writer) error { return report.WriteHTMLRuns(w, runs, labels) }); err != nil {
		return err
	}
	if len(failed) > 0 {
		return &exitError{code: exitThresholds, err: errors.New(strings.Join(failed, "; "))}
	}
	return nil
}

// inputError makes unreadable input a usage error (exit 2), and anything
// else a run error.
func inputError(err error) error {
	if errors.Is(err, resultfile.ErrFormat) || errors.Is(err, report.ErrNotSummary) || errors.Is(err, os.ErrNotExist) {
		return usageError(err)
	}
	return err
}

// output writes with fn to -o FILE or to stdout.
func (o *reportOptions) output(stdout io.Writer, fn func(io.Writer) error) error {
	if o.out == "" {
		return fn(stdout)
	}
	return writeFile(o.out, fn)
}

func parseSteps(list string) ([]results.Step, error) {
	if list == "" {
		return nil, nil
	}
	var steps []results.Step
	for _, name := range strings.Split(list, ",") {
		s := results.Step(strings.TrimSpace(name))
		valid := false
		for _, known := range results.Steps() {
			valid = valid || s == known
		}
		if !valid {
			return nil, usageError(fmt.Errorf("-step %q: want one of %s", name, stepNames()))
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// stepNames lists the steps, comma-separated.
func stepNames() string {
	var names []string
	for _, s := range results.Steps() {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

// writeCSV streams the results of the files to w as CSV rows, one file
// after the other, each row labelled with its file's run id.
func writeCSV(w, stderr io.Writer, steps []results.Step, paths []string) error {
	cw := resultfile.NewCSVWriter(w, "", steps...)
	err := replayFiles(stderr, paths, func(r *resultfile.Reader) results.TimedSink {
		cw.SetRunID(r.Run().ID)
		return cw
	})
	return errors.Join(err, cw.Flush())
}

// writeVegeta streams the results of the files to w in vegeta's encoding,
// in the order they were sent. One file is in the order its steps ended:
// holding results for the default window puts them in send order. Several
// are not, so all are held until the end.
func writeVegeta(w, stderr io.Writer, steps []results.Step, paths []string) error {
	var vw *resultfile.VegetaWriter
	err := replayFiles(stderr, paths, func(r *resultfile.Reader) results.TimedSink {
		if vw == nil {
			window := resultfile.DefaultVegetaWindow
			if len(paths) > 1 {
				window = 0
			}
			vw = resultfile.NewVegetaWriter(w, r.Run().Scenario, r.Run().Target,
				resultfile.WithVegetaSteps(steps...), resultfile.WithVegetaWindow(window))
		}
		return vw
	})
	if err != nil {
		return err
	}
	if err := vw.Close(); err != nil {
		return err
	}
	if n := vw.Late(); n > 0 {
		fmt.Fprintf(stderr, "loadgen report: warning: %d results ended more than %v after they were sent; their times were moved up to keep vegeta's order\n", n, resultfile.DefaultVegetaWindow)
	}
	return nil
}

// replayFiles reads the results files in order into the sink that sink
// returns for each, printing their warnings.
func replayFiles(stderr io.Writer, paths []string, sink func(*resultfile.Reader) results.TimedSink) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return usageError(err)
		}
		r, err := resultfile.NewReader(f, p)
		if err != nil {
			f.Close()
			return inputError(err)
		}
		err = r.Replay(sink(r))
		f.Close()
		for _, warn := range r.Warnings() {
			fmt.Fprintln(stderr, "loadgen report: warning:", warn)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

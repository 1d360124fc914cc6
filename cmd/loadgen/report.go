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
}

// runReport renders results files (merged exactly: the shards of a run, or
// several runs) or a summary JSON as text, JSON, HTML, JUnit or vegeta's
// encoding. Thresholds given with -threshold are checked; a failure exits 3.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o reportOptions
	fs := newFlagSet("report", "[flags] FILE...\n\nFILE is a results file (--out of loadgen run; several merge exactly) or one summary JSON.", stderr)
	fs.StringVar(&o.typ, "type", "text", "report `TYPE`: text, json, html, junit or vegeta (vegeta's binary encoding, for vegeta report/plot)")
	fs.StringVar(&o.out, "o", "", "write to `FILE` instead of standard output")
	fs.Var(&o.thresholds, "threshold", "check `EXPR`, e.g. 'message.ttft.p95 < 1.5s' (repeatable; a failure exits 3)")
	fs.StringVar(&o.steps, "step", "", "with -type vegeta, only these `STEPS` (comma-separated: session, conversation, message, poll)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
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
	if o.typ == "vegeta" {
		steps, err := parseSteps(o.steps)
		if err != nil {
			return err
		}
		return o.output(stdout, func(w io.Writer) error { return writeVegeta(w, stderr, steps, fs.Args()) })
	}
	write, ok := map[string]func(io.Writer, *report.Summary) error{
		"text": report.WriteText, "json": report.WriteJSON, "html": report.WriteHTML, "junit": report.WriteJUnit,
	}[o.typ]
	if !ok {
		return usageError(fmt.Errorf("-type %q: want text, json, html, junit or vegeta", o.typ))
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
			return nil, usageError(fmt.Errorf("-step %q: want session, conversation, message or poll", name))
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// writeVegeta streams the results of the files to w in vegeta's encoding,
// one file after the other.
func writeVegeta(w, stderr io.Writer, steps []results.Step, paths []string) error {
	var vw *resultfile.VegetaWriter
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
		if vw == nil {
			vw = resultfile.NewVegetaWriter(w, r.Run().Scenario, r.Run().Target, steps...)
		}
		err = r.Replay(vw)
		f.Close()
		for _, warn := range r.Warnings() {
			fmt.Fprintln(stderr, "loadgen report: warning:", warn)
		}
		if err != nil {
			return err
		}
	}
	return vw.Err()
}

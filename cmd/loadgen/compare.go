package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/sweep"
)

// runCompare compares two runs metric by metric with a noise verdict each,
// and applies --fail-on rules: a failed rule exits 3, like a failed
// threshold, so CI can gate a release on it.
func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		typ, out string
		rules    stringList
		force    bool
	)
	fs := newFlags("compare", "[flags] BASELINE NEW", stdout, stderr)
	fs.about = "Compares two runs metric by metric: per step and metric, the change of p50/p95/p99 and of the " +
		"error rate, and whether it is beyond noise. BASELINE and NEW are each a summary JSON or results " +
		"files (the shards of a run joined with commas), or both a sweep's JSON (loadgen sweep --json): then the " +
		"capacity and the SLO-max are compared, beyond noise when their intervals do not overlap, and --fail-on " +
		"takes 'slo_max.rate -10%' or 'capacity.rate -5%'.\n\n" + report.NoiseMethod + "\n\n" +
		"A --fail-on rule (METRIC +LIMIT fails on a rise, METRIC -LIMIT on a fall; LIMIT in %, pp for rates, " +
		"a duration or /s) exits 3 when the change is past its limit and not within noise; a change without " +
		"a noise estimate, or of a metric whose detectable change is none (runs too short for any change to be " +
		"beyond noise), is judged on its size alone."
	fs.examples = []string{
		"loadgen compare baseline.json summary.json",
		"loadgen compare --fail-on 'message.ttft.p95 +10%' --fail-on 'errors.rate +0.5pp' base.json new.json",
		"loadgen compare a-0.jsonl,a-1.jsonl b-0.jsonl,b-1.jsonl   # shards of each run",
	}
	fs.StringVar(&typ, "type", "text", "output `TYPE`: text or json")
	fs.StringVar(&out, "o", "", "write to `FILE` instead of standard output")
	fs.Var(&rules, "fail-on", "fail (exit 3) on a `RULE` such as 'message.ttft.p95 +10%' or 'errors.rate +0.5pp' (repeatable)")
	fs.BoolVar(&force, "force", false, "compare runs of different scenarios or targets (by default an error)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.hint()
		return usageError(fmt.Errorf("want BASELINE and NEW, got %d arguments", fs.NArg()))
	}
	if isSweep := [2]bool{sweep.IsReport(fs.Arg(0)), sweep.IsReport(fs.Arg(1))}; isSweep[0] || isSweep[1] {
		if !isSweep[0] || !isSweep[1] {
			return usageError(errors.New("one file is a sweep's JSON (loadgen sweep --json) and the other is not: compare two sweeps, or two runs"))
		}
		return compareSweeps(fs.Arg(0), fs.Arg(1), typ, out, rules, stdout)
	}
	write, compiled, err := compareSetup(typ, rules, report.WriteCompareText, report.WriteCompareJSON, report.ParseRule)
	if err != nil {
		return err
	}
	var sums [2]*report.Summary
	for i, arg := range fs.Args() {
		s, warnings, err := report.Load(strings.Split(arg, ",")...)
		for _, w := range warnings {
			fmt.Fprintln(stderr, "loadgen compare: warning:", w)
		}
		if err != nil {
			return inputError(err)
		}
		sums[i] = s
	}
	problems, warnings := comparable(sums[0], sums[1])
	if len(problems) > 0 && !force {
		return usageError(fmt.Errorf("the runs differ: %s; comparing different workloads or targets tests no regression (--force compares them anyway)", strings.Join(problems, "; ")))
	}
	for _, w := range append(problems, warnings...) {
		fmt.Fprintln(stderr, "loadgen compare: warning:", w)
	}
	c := report.Compare(sums[0], sums[1], compiled...)
	o := reportOptions{out: out}
	if err := o.output(stdout, func(w io.Writer) error { return write(w, c) }); err != nil {
		return err
	}
	var failed []string
	for _, r := range c.Rules {
		if !r.Pass {
			failed = append(failed, r.Expr+": "+r.Reason)
		}
	}
	return regression(failed)
}

// compareSetup picks the writer of -type and compiles the --fail-on rules,
// for a comparison of runs or of sweeps.
func compareSetup[C, R any](typ string, rules []string, text, json func(io.Writer, C) error,
	parse func(string) (R, error)) (func(io.Writer, C) error, []R, error) {
	write, ok := map[string]func(io.Writer, C) error{"text": text, "json": json}[typ]
	if !ok {
		return nil, nil, usageError(fmt.Errorf("-type %q: want text or json", typ))
	}
	var compiled []R
	for _, expr := range rules {
		r, err := parse(expr)
		if err != nil {
			return nil, nil, usageError(fmt.Errorf("--fail-on: %w", err))
		}
		compiled = append(compiled, r)
	}
	return write, compiled, nil
}

// regression is the exit-3 error of the failed rules, nil when none failed.
func regression(failed []string) error {
	if len(failed) == 0 {
		return nil
	}
	return &exitError{code: exitThresholds, err: errors.New("regression: " + strings.Join(failed, "; "))}
}

// comparable says how two runs differ: problems make a comparison
// meaningless as a regression test (another scenario, another target),
// warnings may (the scenario file or the planned arrival rate changed).
func comparable(base, new *report.Summary) (problems, warnings []string) {
	if base.Scenario != new.Scenario {
		problems = append(problems, fmt.Sprintf("the baseline ran scenario %q, the new run %q", base.Scenario, new.Scenario))
	}
	if base.Target != new.Target {
		problems = append(problems, fmt.Sprintf("the baseline ran against %s, the new run against %s", orUnknown(base.Target), orUnknown(new.Target)))
	}
	if base.ScenarioHash != "" && new.ScenarioHash != "" && base.ScenarioHash != new.ScenarioHash && base.Scenario == new.Scenario {
		warnings = append(warnings, fmt.Sprintf("scenario %q changed between the runs (its file's hash differs): its load may differ", base.Scenario))
	}
	if b, n := base.Schedule.TargetRate, new.Schedule.TargetRate; math.Abs(b-n) > 0.01*max(b, n) {
		warnings = append(warnings, fmt.Sprintf("the planned arrival rate differs: %.3g/s in the baseline, %.3g/s in the new run", b, n))
	}
	return problems, warnings
}

func orUnknown(s string) string {
	if s == "" {
		return "an unrecorded target"
	}
	return s
}

// compareSweeps compares two sweeps' answers (capacity and SLO-max, each
// beyond noise when the intervals do not overlap) and applies the rules.
func compareSweeps(basePath, newPath, typ, out string, rules []string, stdout io.Writer) error {
	write, compiled, err := compareSetup(typ, rules, sweep.WriteCompareText, sweep.WriteCompareJSON, sweep.ParseRule)
	if err != nil {
		return err
	}
	var reps [2]*sweep.Report
	for i, path := range []string{basePath, newPath} {
		r, err := sweep.ReadReport(path)
		if err != nil {
			return usageError(err)
		}
		reps[i] = r
	}
	if reps[0].Scenario != reps[1].Scenario || reps[0].Control != reps[1].Control {
		return usageError(fmt.Errorf("the sweeps differ: scenario %q (%s) and %q (%s)", reps[0].Scenario, reps[0].Control, reps[1].Scenario, reps[1].Control))
	}
	c := sweep.Compare(reps[0], reps[1], compiled...)
	o := reportOptions{out: out}
	if err := o.output(stdout, func(w io.Writer) error { return write(w, c) }); err != nil {
		return err
	}
	var failed []string
	for _, r := range c.Rules {
		if !r.Pass {
			failed = append(failed, r.Expr+": "+r.Reason)
		}
	}
	return regression(failed)
}

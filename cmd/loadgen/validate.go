package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/scenarios"
)

// runValidate checks scenario files, their threshold expressions included:
// for each, "FILE: ok (summary)" or every problem, one per line, on stdout.
// Any problem makes it a usage error (exit code 2). It reads the names of
// environment variables, never the secret.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", "FILE...", stdout, stderr)
	fs.about = "Checks scenario files, threshold expressions included, and prints every problem of each at " +
		"once, one per line as file:line:col: field: problem; or \"FILE: ok (summary)\". Environment " +
		"variables are read by name; the secret never is."
	fs.examples = []string{"loadgen validate scenarios/examples/*.yaml"}
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.hint()
		return usageError(errors.New("no scenario files given"))
	}
	bad := 0
	for _, file := range fs.Args() {
		sc, err := loadScenario(file)
		var perr *scenarios.Error
		switch {
		case errors.As(err, &perr):
			bad++
			fmt.Fprintln(stdout, perr)
		case err != nil:
			bad++
			fmt.Fprintf(stdout, "%s: %v\n", file, err)
		default:
			fmt.Fprintf(stdout, "%s: ok (%s)\n", file, sc.Summary())
		}
	}
	if bad > 0 {
		return usageError(fmt.Errorf("%d of %d scenario files have problems", bad, fs.NArg()))
	}
	return nil
}

// loadScenario loads a scenario file with its threshold expressions checked
// among its other problems.
func loadScenario(path string, opts ...scenarios.Option) (*scenarios.Scenario, error) {
	return scenarios.LoadFile(path, append(opts, scenarios.WithThresholdCheck(report.CheckThreshold))...)
}

// parseScenario parses a command's arguments, which must name exactly one
// scenario file, and loads it; every failure but -h is a usage error.
func parseScenario(fs *cmdFlags, args []string) (*scenarios.Scenario, error) {
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 1 {
		fs.hint()
		return nil, usageError(errors.New("want exactly one scenario file"))
	}
	sc, err := loadScenario(fs.Arg(0))
	if err != nil {
		return nil, usageError(err)
	}
	return sc, nil
}

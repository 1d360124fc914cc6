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
// for each, "FILE: ok (summary)" or every problem, one per line, on stdout. Any problem makes it a usage error (exit
// code 2). It reads the names of environment variables, never the secret.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", "FILE...", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageError(errors.New("no scenario files given"))
	}
	bad := 0
	for _, file := range fs.Args() {
		sc, err := scenarios.LoadFile(file)
		var perr *scenarios.Error
		switch {
		case errors.As(err, &perr):
			bad++
			fmt.Fprintln(stdout, perr)
		case err != nil:
			bad++
			fmt.Fprintf(stdout, "%s: %v\n", file, err)
		default:
			if _, err := report.CompileThresholds(sc.Thresholds); err != nil {
				bad++
				fmt.Fprintln(stdout, err)
				continue
			}
			fmt.Fprintf(stdout, "%s: ok (%s)\n", file, sc.Summary())
		}
	}
	if bad > 0 {
		return usageError(fmt.Errorf("%d of %d scenario files have problems", bad, fs.NArg()))
	}
	return nil
}

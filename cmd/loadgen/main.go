// Command loadgen is a load and conversation-replay testing harness for chat
// APIs that speak the Helper conversation API.
//
// Each subcommand lives in its own file; this file only dispatches and maps
// errors to exit codes (0 ok, 1 run error, 2 usage or scenario error,
// 3 thresholds failed).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes; CI jobs depend on them.
const (
	exitOK         = 0
	exitRunError   = 1
	exitUsage      = 2
	exitThresholds = 3
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	// drains: the first Ctrl-C cancels ctx and the command winds down
	// (writes what it has); without it, Ctrl-C ends the command at once.
	drains bool
}

func commands() []command {
	return []command{
		{"run", "run a scenario against a Helper deployment", runRun, true},
		{"collect", "coordinate a distributed run: start barrier, results of every shard, exact merge, thresholds", runCollect, true},
		{"demo", "run the demo scenario against an in-process mock (start here)", runDemo, true},
		{"mock", "run a fake Helper server for tests and demos", runMock, true},
		{"validate", "check scenario files and print their problems", runValidate, false},
		{"report", "render results files or a summary as text, JSON, HTML (several runs overlaid), CSV, JUnit or vegeta", runReport, false},
		{"sweep", "find the target's capacity and the highest load that meets the SLO, with intervals", runSweep, true},
		{"compare", "compare two runs (or two sweeps), with a noise verdict per metric and --fail-on gates", runCompare, false},
		{"record", "save a customer's conversations from a Helper deployment as a replayable transcript", runRecord, true},
		{"profile", "read a Helper access log: traffic per route and hour, and a scenario that reproduces it", runProfile, false},
		{"version", "print the version", runVersion, false},
	}
}

// exitError carries an exit code out of a subcommand.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks err as a usage or input error (exit code 2).
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

func main() {
	ctx := context.Background()
	for _, c := range commands() {
		if len(os.Args) > 1 && c.name == os.Args[1] && c.drains {
			ctx = interrupts() // the others stop at the first Ctrl-C, by default
		}
	}
	os.Exit(Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs loadgen with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(stdout)
		return exitOK
	case "-version", "--version":
		args[0] = "version"
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "loadgen %s: %v\n", c.name, err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return exitRunError
	}
	fmt.Fprintf(stderr, "loadgen: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return exitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "loadgen: load and conversation-replay testing for Helper chat APIs")
	fmt.Fprintln(w, "\nUsage: loadgen COMMAND [flags] [args]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Examples:
  loadgen demo                                   # start here: a fake Helper, the demo scenario, a summary
  loadgen validate scenarios/examples/*.yaml     # check scenario files
  loadgen run --target https://helper.example.com --html report.html scenarios/examples/smoke.yaml
  loadgen report -type html before.jsonl after.jsonl > runs.html
  loadgen compare baseline.json summary.json --fail-on 'message.ttft.p95 +10%'

Environment:
`)
	writeColumns(w, envHelp)
	fmt.Fprintln(w, "\nExit codes:")
	writeColumns(w, exitCodeHelp)
	fmt.Fprintln(w, "\nRun 'loadgen COMMAND -h' for a command's flags; 'loadgen --version' for the version.")
}

// envHelp documents the environment variables loadgen reads.
var envHelp = []string{
	"HELPER_HMAC_SECRET\tthe mailbox's HMAC secret (or the variable the scenario's target.hmac_secret_env names); never printed or logged",
	"${NAME}, ${NAME:-default}\tany variable a scenario refers to, e.g. HELPER_URL in target.base_url",
}

// parseFlags parses args into fs, turning flag errors into usage errors.
// Flags may come after positional arguments too (loadgen compare A B
// --fail-on …); "--" ends the flags. fs.Args() holds the positional ones.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError(err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...) // everything after "--"
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

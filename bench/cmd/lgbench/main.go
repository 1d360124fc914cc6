// Command lgbench runs loadgen's end-to-end benchmarks (bench/run.sh, `make
// bench`): throughput against vegeta, the streaming flow's CPU cost, memory
// per idle user, TTFT accuracy and schedule accuracy. Each benchmark starts
// what it needs on loopback (`loadgen mock` as its own process, then
// `loadgen run` or `vegeta attack`), is bounded in time, and appends its
// figures as JSON lines to -results; `lgbench table` turns them into the
// Markdown table of bench/README.md.
//
//	lgbench -loadgen BIN [-vegeta BIN] -scenarios DIR -results FILE BENCH [flags]
//	lgbench -results FILE gobench FILE   (go test -bench output → figures)
//	lgbench -results FILE table          (figures → Markdown)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

// figure is one measured number, one row of the README's table.
type figure struct {
	Bench  string `json:"bench"`  // e.g. "1 throughput"
	Name   string `json:"name"`   // what was measured
	Value  string `json:"value"`  // formatted with its unit
	Goal   string `json:"goal"`   // "" when the issue sets none
	Met    string `json:"met"`    // "yes", "no" or "" (no goal)
	Detail string `json:"detail"` // the numbers behind it, the command
}

var (
	results *os.File
	logOut  io.Writer = os.Stderr
)

func logf(format string, args ...any) {
	fmt.Fprintf(logOut, "lgbench: "+format+"\n", args...)
}

// report records a figure and prints it.
func report(f figure) {
	logf("%s | %s = %s (goal %s, met %s) %s", f.Bench, f.Name, f.Value, or(f.Goal, "-"), or(f.Met, "-"), f.Detail)
	if results != nil {
		b, _ := json.Marshal(f)
		results.Write(append(b, '\n'))
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

type bench struct {
	run   func(ctx context.Context, e *env, args []string) error
	about string
}

var benches = map[string]bench{
	"throughput": {runThroughput, "conversations/s: loadgen closed model vs vegeta attack -rate=0"},
	"flow":       {runFlow, "streamed messages/s, CPU split between mock and harness"},
	"memory":     {runMemory, "RSS and Go heap per idle user in think time"},
	"ttft":       {runTTFT, "measured TTFT minus the mock's fixed TTFT"},
	"schedule":   {runSchedule, "open model: achieved vs target rate, schedule lag"},
	"sweep":      {runSweep, "make sweep-check: loadgen sweep against an M/M/8 mock, held to the closed forms"},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "lgbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("lgbench", flag.ContinueOnError)
	var e env
	var resultsPath string
	fs.StringVar(&e.loadgen, "loadgen", "loadgen", "the loadgen `BINARY`")
	fs.StringVar(&e.vegeta, "vegeta", "vegeta", "the vegeta `BINARY`")
	fs.StringVar(&e.scenarios, "scenarios", "bench/scenarios", "scenario `DIR`")
	fs.StringVar(&resultsPath, "results", "", "append figures as JSON lines to `FILE`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: lgbench [flags] BENCH [bench flags]\n       lgbench -results FILE gobench GO-TEST-BENCH-OUTPUT\n       lgbench -results FILE table\n\nBenchmarks:\n")
		for _, name := range []string{"throughput", "flow", "memory", "ttft", "schedule", "sweep"} {
			fmt.Fprintf(fs.Output(), "  %-11s %s\n", name, benches[name].about)
		}
		fmt.Fprintf(fs.Output(), "\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no benchmark named")
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	if name == "table" {
		return printTable(os.Stdout, resultsPath)
	}
	if resultsPath != "" {
		f, err := os.OpenFile(resultsPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		results = f
	}
	if name == "gobench" {
		if len(rest) != 1 {
			return errors.New("gobench: want the file of go test -bench output")
		}
		return runGobench(rest[0])
	}
	b, ok := benches[name]
	if !ok {
		return fmt.Errorf("unknown benchmark %q", name)
	}
	tmp, err := os.MkdirTemp("", "lgbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	e.tmp = tmp
	t0 := time.Now()
	err = b.run(ctx, &e, rest)
	logf("%s took %v", name, time.Since(t0).Round(time.Second))
	return err
}

// printTable prints the recorded figures as a Markdown table.
func printTable(w io.Writer, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "| # | figure | value | goal | met | details |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var f figure
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", f.Bench, f.Name, f.Value, or(f.Goal, "—"), or(f.Met, "—"),
			strings.ReplaceAll(f.Detail, "|", "\\|"))
	}
	return nil
}

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/scenarios/examples"
)

// demoMetricsAddr is where the shipped Prometheus config scrapes a run.
const demoMetricsAddr = "127.0.0.1:9464"

// free reports whether addr can be listened on now.
func free(addr string) bool {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// runDemo starts the mock in-process on a free loopback port and runs the
// embedded demo scenario against it, serving /metrics, then prints the
// summary and the mock's own counts to hold them against.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := runOptions{grace: runner.DefaultGrace, logLevel: "info"}
	fs := newFlags("demo", "[flags]", stdout, stderr)
	fs.about = "Starts a fake Helper server (loadgen mock) in-process on a free loopback port and runs the " +
		"embedded demo scenario (scenarios/examples/demo.yaml) against it for about 20 seconds, serving " +
		"Prometheus metrics, then prints the summary and the mock's own counts to hold against it. " +
		"The first thing to run; no secret or target needed."
	fs.examples = []string{
		"loadgen demo",
		"loadgen demo --duration 1m --summary-json demo.json",
		"loadgen demo --scenario my.yaml   # your scenario against the mock",
	}
	scenarioFile := fs.String("scenario", "", "run this scenario `FILE` against the mock instead of the embedded demo.yaml")
	o.loadFlag(fs.FlagSet, "duration", "run for `D` instead of the scenario's 20s")
	fs.StringVar(&o.metricsAddr, "metrics-addr", demoMetricsAddr, "serve Prometheus /metrics on `HOST:PORT` (the default is where dashboards/prometheus.yml scrapes; a free port when it is taken)")
	fs.StringVar(&o.summaryJSON, "summary-json", "", "also write the JSON summary to `FILE`")
	fs.DurationVar(&o.linger, "metrics-linger", 0, "after the run and its summary, keep /metrics up until the next scrape, for at most `D`, so Prometheus sees the final values (Ctrl-C ends the wait)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress output")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(errors.New("demo takes no arguments; see -h"))
	}
	if o.metricsAddr == demoMetricsAddr && !free(demoMetricsAddr) {
		o.metricsAddr = "127.0.0.1:0"
	}
	var sc *scenarios.Scenario
	var err error
	if *scenarioFile != "" {
		sc, err = loadScenario(*scenarioFile)
	} else {
		sc, err = examples.Load("demo.yaml")
	}
	if err != nil {
		return usageError(err)
	}

	// A fresh secret shared by the in-process mock and the client; it is
	// never printed.
	b := make([]byte, 16)
	rand.Read(b)
	o.secret = hex.EncodeToString(b)
	cfg := mockserver.DefaultConfig()
	cfg.Secret = o.secret
	mock, err := mockserver.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mctx, stopMock := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan error, 1)
	go func() { served <- mock.Serve(mctx, ln) }()
	defer func() { stopMock(); <-served }()
	o.target = "http://" + ln.Addr().String()

	fmt.Fprintf(stderr, "loadgen demo: a fake Helper server (loadgen mock) is listening on %s;\n", o.target)
	fmt.Fprintf(stderr, "running scenario %q against it: %s\n\n", sc.Name, sc.Description)
	if err := runScenario(ctx, sc, &o, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nThe mock's own counts per route, to hold against the table above: %s.\n", mockCounts(mock.Stats()))
	fmt.Fprintln(stdout, "Next: `loadgen run -h`, the scenario format in scenarios/examples/demo.yaml, and README.md.")
	return nil
}

// mockCounts lists the mock's requests per route under the step that sends
// them, the routes that had none left out.
func mockCounts(st mockserver.Stats) string {
	n := func(rt mockserver.Route) int64 { return st.Routes[rt].Requests }
	var parts []string
	for _, c := range []struct {
		step results.Step
		n    int64
	}{
		{results.StepSDK, n(mockserver.RouteSDK)}, {results.StepPreflight, n(mockserver.RouteSessionPreflight)},
		{results.StepSession, n(mockserver.RouteSession)}, {results.StepUnread, n(mockserver.RouteUnread)},
		{results.StepConversation, n(mockserver.RouteCreateConversation)},
		{results.StepMessage, n(mockserver.RouteChat)}, {results.StepAck, n(mockserver.RoutePostMessage)},
		{results.StepOpen, n(mockserver.RouteOpen)}, {results.StepHistory, n(mockserver.RouteList)},
		{results.StepReact, n(mockserver.RouteReact)}, {results.StepMarkRead, n(mockserver.RouteMarkRead)},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.step, c.n))
		}
	}
	if polls := n(mockserver.RoutePoll); polls > 0 {
		parts = append(parts, fmt.Sprintf("poll GETs %d", polls))
	}
	return strings.Join(parts, ", ")
}

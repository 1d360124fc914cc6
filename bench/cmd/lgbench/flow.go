package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"time"
)

// runFlow drives flow.yaml (session, conversation, three streamed messages
// per loop) against a zero-latency mock in its own process, and splits the
// CPU time between the two processes.
func runFlow(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("flow", flag.ContinueOnError)
	users := fs.Int("users", 50, "closed model users")
	dur := fs.Duration("duration", 10*time.Second, "run duration")
	tokens := fs.Int("tokens", 40, "text parts per model reply")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := e.startMock(append(zeroLatency, "-tokens", strconv.Itoa(*tokens))...)
	if err != nil {
		return err
	}
	defer m.stop(10 * time.Second)
	m0, _ := procCPU(m.pid())
	p, path, err := e.startRun(runSpec{scenario: "flow.yaml", target: m.url, users: *users, duration: *dur, grace: 5 * time.Second})
	if err != nil {
		return err
	}
	if err := p.wait(*dur + time.Minute); err != nil {
		return err
	}
	m1, _ := procCPU(m.pid())
	cpu, maxRSS := p.rusage()
	s, err := readSummary(path)
	if err != nil {
		return err
	}
	msg := s.Steps["message"]
	ok := float64(msg.Count - msg.Errors)
	mockCPU := m1 - m0
	total := cpu + mockCPU
	var requests int64
	for _, st := range s.Steps {
		requests += st.Count
	}
	report(figure{Bench: "2 flow", Name: fmt.Sprintf("streamed messages/s (%d users, %d tokens each)", *users, *tokens),
		Value: fmt.Sprintf("%.0f/s", ok/s.Duration),
		Detail: fmt.Sprintf("%.0f messages (%d errors) and %d requests in all in %.1fs; %d tokens/s",
			ok, msg.Errors, requests, s.Duration, int(float64(msg.Tokens)/s.Duration))})
	report(figure{Bench: "2 flow", Name: "CPU split, harness : mock",
		Value: fmt.Sprintf("%.0f%% : %.0f%%", 100*cpu.Seconds()/total.Seconds(), 100*mockCPU.Seconds()/total.Seconds()),
		Detail: fmt.Sprintf("harness %.2fs, mock %.2fs CPU over %.1fs (2 cores = %.0fs); harness peak RSS %.0f MB",
			cpu.Seconds(), mockCPU.Seconds(), s.Duration, 2*s.Duration, float64(maxRSS)/1e6)})
	report(figure{Bench: "2 flow", Name: "harness CPU per message",
		Value:  fmt.Sprintf("%.0f µs", cpu.Seconds()/ok*1e6),
		Detail: fmt.Sprintf("getrusage of loadgen run; includes the session and conversation steps, 1 per 3 messages; %.1f µs per token", cpu.Seconds()/float64(msg.Tokens)*1e6)})
	return nil
}

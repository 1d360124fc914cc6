package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// mockTTFT is the mock's fixed time to first token in the timing benchmark.
const mockTTFT = 100 * time.Millisecond

// runTTFT measures TTFT against a mock whose TTFT is fixed at 100 ms, at
// each stream count in turn (closed model users of ttft.yaml, each stream
// open about a second), and reports measured − 100 ms.
func runTTFT(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ttft", flag.ContinueOnError)
	list := fs.String("streams", "10,100,1000", "comma-separated concurrent stream counts")
	dur := fs.Duration("duration", 15*time.Second, "each run's duration")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, f := range strings.Split(*list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("-streams: bad count %q", f)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.ttft(n, *dur); err != nil {
			return err
		}
	}
	return nil
}

func (e *env) ttft(n int, dur time.Duration) error {
	m, err := e.startMock("-ttft", mockTTFT.String(), "-token-interval", "uniform:100ms,50ms", "-tokens", "10", "-capacity", "0",
		"-human", "0", "-data-part", "0", "-tool-steps", "0")
	if err != nil {
		return err
	}
	defer m.stop(10 * time.Second)
	m0, _ := procCPU(m.pid())
	// Sessions of ten ~1 s streams: the grace lets those running finish.
	p, path, err := e.startRun(runSpec{scenario: "ttft.yaml", target: m.url, users: n, duration: dur, grace: 15 * time.Second})
	if err != nil {
		return err
	}
	if err := p.wait(dur + time.Minute); err != nil {
		return err
	}
	m1, _ := procCPU(m.pid())
	cpu, _ := p.rusage()
	s, err := readSummary(path)
	if err != nil {
		return err
	}
	msg := s.Steps["message"]
	errMS := func(q float64) float64 { return (q - mockTTFT.Seconds()) * 1e3 }
	f := figure{Bench: "4 ttft", Name: fmt.Sprintf("TTFT − 100 ms at %d streams, p50 / p99", n),
		Value: fmt.Sprintf("%.2f / %.2f ms", errMS(msg.TTFT.P50), errMS(msg.TTFT.P99)),
		Detail: fmt.Sprintf("%d messages (%d errors), streams of %.2f s on average back to back; max %.2f ms, mean %.2f ms; "+
			"CPU harness %.1fs, mock %.1fs; HDR resolution at 100 ms is 0.064 ms",
			msg.Count, msg.Errors, msg.Latency.Mean, errMS(msg.TTFT.Max), errMS(msg.TTFT.Mean),
			cpu.Seconds(), (m1 - m0).Seconds())}
	if n >= 1000 {
		f.Goal, f.Met = "p99 ≤ 1 ms", met(errMS(msg.TTFT.P99) <= 1)
	}
	report(f)

	// The same mock process, streams and duration with a minimal client.
	m0, _ = procCPU(m.pid())
	ref, err := refTTFT(context.Background(), m.url, n, dur)
	if err != nil {
		return err
	}
	m1, _ = procCPU(m.pid())
	refMS := func(q float64) float64 { return float64(quantile(ref, q)-mockTTFT) / 1e6 }
	report(figure{Bench: "4 ttft", Name: fmt.Sprintf("same with a minimal client (the floor), %d streams, p50 / p99", n),
		Value: fmt.Sprintf("%.2f / %.2f ms", refMS(0.5), refMS(0.99)),
		Detail: fmt.Sprintf("%d messages; max %.2f ms; mock CPU %.1fs; loadgen − floor: p50 %+.2f ms, p99 %+.2f ms",
			len(ref), refMS(1), (m1 - m0).Seconds(), errMS(msg.TTFT.P50)-refMS(0.5), errMS(msg.TTFT.P99)-refMS(0.99))})
	return nil
}

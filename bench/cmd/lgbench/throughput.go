package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// runThroughput compares conversations created per second by `vegeta attack
// -rate=0` (N workers, one fixed bearer token) and `loadgen run` (closed
// model, N users, scenario create.yaml: users.reuse_session and turns: [], so
// each loop iteration is exactly one POST /api/chat/conversation, as for
// vegeta). Both hit the same zero-latency mock process, one after the other,
// alternating which goes first, for -rounds rounds.
func runThroughput(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("throughput", flag.ContinueOnError)
	conns := fs.Int("conns", 50, "connections (vegeta workers and connections; loadgen users)")
	dur := fs.Duration("duration", 8*time.Second, "each attack's duration")
	rounds := fs.Int("rounds", 2, "rounds of (vegeta, loadgen), alternating the order")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var veg, lg side
	for r := range *rounds {
		order := []func() error{
			func() error {
				return veg.add(e.freshMock(func(m *mock) (attack, error) { return e.attackVegeta(m, *conns, *dur) }))
			},
			func() error {
				return lg.add(e.freshMock(func(m *mock) (attack, error) { return e.attackLoadgen(m, *conns, *dur) }))
			},
		}
		if r%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, f := range order {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := f(); err != nil {
				return err
			}
		}
	}
	ratio := lg.rate() / veg.rate()
	report(figure{Bench: "1 throughput", Name: fmt.Sprintf("vegeta conversations/s (%d workers)", *conns),
		Value: fmt.Sprintf("%.0f/s", veg.rate()), Detail: veg.detail()})
	report(figure{Bench: "1 throughput", Name: fmt.Sprintf("loadgen conversations/s (%d users)", *conns),
		Value: fmt.Sprintf("%.0f/s", lg.rate()), Detail: lg.detail()})
	report(figure{Bench: "1 throughput", Name: "loadgen ÷ vegeta, requests/s",
		Value: fmt.Sprintf("%.2f×", ratio), Goal: "≥ 1.0×", Met: met(ratio >= 1),
		Detail: fmt.Sprintf("a fresh zero-latency mock process per attack, %d rounds of %v each, order alternated", *rounds, *dur)})
	cpuRatio := lg.cpuPerReq() / veg.cpuPerReq()
	report(figure{Bench: "1 throughput", Name: "client CPU per request, loadgen ÷ vegeta",
		Value: fmt.Sprintf("%.2f×", cpuRatio),
		Detail: fmt.Sprintf("loadgen %.1f µs, vegeta %.1f µs; mock %.1f µs vs %.1f µs per request",
			lg.cpuPerReq()*1e6, veg.cpuPerReq()*1e6, lg.mockPerReq()*1e6, veg.mockPerReq()*1e6)})
	return nil
}

// attack is one side's measurement in one round.
type attack struct {
	requests float64 // successful conversation creations
	errors   float64
	seconds  float64
	cpu      time.Duration // the client's CPU
	mockCPU  time.Duration // the mock's CPU over the same time
}

// side accumulates one tool's rounds.
type side struct{ rounds []attack }

func (s *side) add(a attack, err error) error {
	if err != nil {
		return err
	}
	s.rounds = append(s.rounds, a)
	return nil
}

func (s *side) sum() (a attack) {
	for _, r := range s.rounds {
		a.requests += r.requests
		a.errors += r.errors
		a.seconds += r.seconds
		a.cpu += r.cpu
		a.mockCPU += r.mockCPU
	}
	return a
}

func (s *side) rate() float64       { a := s.sum(); return a.requests / a.seconds }
func (s *side) cpuPerReq() float64  { a := s.sum(); return a.cpu.Seconds() / a.requests }
func (s *side) mockPerReq() float64 { a := s.sum(); return a.mockCPU.Seconds() / a.requests }

func (s *side) detail() string {
	d := "rounds:"
	for _, r := range s.rounds {
		d += fmt.Sprintf(" %.0f/s", r.requests/r.seconds)
	}
	a := s.sum()
	return d + fmt.Sprintf("; %.0f requests, %.0f errors; client CPU %.1fs, mock CPU %.1fs",
		a.requests, a.errors, a.cpu.Seconds(), a.mockCPU.Seconds())
}

// writeTargets writes vegeta's HTTP targets file: the conversation endpoint
// with the fixed token and the body loadgen sends.
func writeTargets(dir, base, token string) (string, error) {
	body := filepath.Join(dir, "conversation.json")
	if err := os.WriteFile(body, []byte(`{"subject":"Bench","isPrompt":false}`), 0o644); err != nil {
		return "", err
	}
	t := fmt.Sprintf("POST %s/api/chat/conversation\nAuthorization: Bearer %s\nContent-Type: application/json\n@%s\n",
		base, token, body)
	path := filepath.Join(dir, "targets.txt")
	return path, os.WriteFile(path, []byte(t), 0o600)
}

// freshMock runs f against a zero-latency mock of its own, so that each
// attack meets the same server state (an empty store, a small heap).
func (e *env) freshMock(f func(*mock) (attack, error)) (attack, error) {
	m, err := e.startMock(zeroLatency...)
	if err != nil {
		return attack{}, err
	}
	a, err := f(m)
	if serr := m.stop(10 * time.Second); err == nil {
		err = serr
	}
	return a, err
}

// attackVegeta runs vegeta attack -rate=0 with n workers and connections,
// with a bearer token minted on m.
func (e *env) attackVegeta(m *mock, n int, d time.Duration) (attack, error) {
	token, err := mintToken(m.url, "vegeta@example.com")
	if err != nil {
		return attack{}, err
	}
	targets, err := writeTargets(e.tmp, m.url, token)
	if err != nil {
		return attack{}, err
	}
	out := filepath.Join(e.tmp, "vegeta.bin")
	n0, _ := procCPU(m.pid())
	p, err := start(e.vegeta, []string{"attack", "-rate=0", fmt.Sprintf("-workers=%d", n), fmt.Sprintf("-max-workers=%d", n),
		fmt.Sprintf("-connections=%d", n), "-duration=" + d.String(), "-timeout=30s",
		"-targets=" + targets, "-output=" + out})
	if err != nil {
		return attack{}, err
	}
	if err := p.wait(d + time.Minute); err != nil {
		return attack{}, err
	}
	n1, _ := procCPU(m.pid())
	cpu, _ := p.rusage()
	rep, err := exec.Command(e.vegeta, "report", "-type=json", out).Output()
	if err != nil {
		return attack{}, fmt.Errorf("vegeta report: %w", err)
	}
	var r struct {
		Requests float64 `json:"requests"`
		Success  float64 `json:"success"`
		Duration float64 `json:"duration"` // attack duration, ns
	}
	if err := json.Unmarshal(rep, &r); err != nil {
		return attack{}, fmt.Errorf("vegeta report: %w", err)
	}
	ok := r.Requests * r.Success
	a := attack{requests: ok, errors: r.Requests - ok, seconds: r.Duration / 1e9, cpu: cpu, mockCPU: n1 - n0}
	logf("vegeta: %.0f requests in %.2fs = %.0f/s, %.0f errors", a.requests, a.seconds, a.requests/a.seconds, a.errors)
	return a, nil
}

// attackLoadgen runs loadgen's closed model on create.yaml with n users.
func (e *env) attackLoadgen(m *mock, n int, d time.Duration) (attack, error) {
	n0, _ := procCPU(m.pid())
	p, path, err := e.startRun(runSpec{scenario: "create.yaml", target: m.url, users: n, duration: d, grace: 5 * time.Second})
	if err != nil {
		return attack{}, err
	}
	if err := p.wait(d + time.Minute); err != nil {
		return attack{}, err
	}
	n1, _ := procCPU(m.pid())
	cpu, _ := p.rusage()
	s, err := readSummary(path)
	if err != nil {
		return attack{}, err
	}
	c := s.Steps["conversation"]
	a := attack{requests: float64(c.Count - c.Errors), errors: float64(c.Errors), seconds: s.Duration, cpu: cpu, mockCPU: n1 - n0}
	logf("loadgen: %.0f conversations in %.2fs = %.0f/s, %.0f errors %v (+%d session steps)",
		a.requests, a.seconds, a.requests/a.seconds, a.errors, c.Kinds, s.Steps["session"].Count)
	return a, nil
}

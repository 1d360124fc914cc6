package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// devSecret is the mock's public development secret (mockserver.DevSecret).
// The benchmark passes it to both sides explicitly.
const devSecret = "loadgen-dev-secret-do-not-use-in-production"

var secretEnv = "HELPER_HMAC_SECRET=" + devSecret

// zeroLatency are the mock flags of a zero-latency server: no TTFT, no gap
// between tokens, unlimited capacity.
var zeroLatency = []string{"-ttft", "0", "-token-interval", "0", "-capacity", "0"}

// env is where the benchmark finds its binaries and writes its files.
type env struct {
	loadgen   string // the loadgen binary
	vegeta    string // the vegeta binary
	scenarios string // bench/scenarios
	tmp       string // scratch directory
}

// mock is a `loadgen mock` process.
type mock struct {
	*proc
	url string
}

var listeningRE = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// startMock starts `loadgen mock` on a free loopback port with flags.
func (e *env) startMock(flags ...string) (*mock, error) {
	args := append([]string{"mock", "-addr", "127.0.0.1:0", "-log-level", "warn"}, flags...)
	p, err := start(e.loadgen, args, secretEnv)
	if err != nil {
		return nil, err
	}
	url, err := p.await(listeningRE, 10*time.Second)
	if err != nil {
		p.stop(5 * time.Second)
		return nil, err
	}
	return &mock{proc: p, url: url}, nil
}

// runSpec is one `loadgen run`.
type runSpec struct {
	scenario string        // file under bench/scenarios
	target   string        // the mock's URL
	users    int           // closed model users (0: open)
	rate     string        // open model rate, e.g. 500/s
	duration time.Duration //
	grace    time.Duration // --grace
	metrics  bool          // serve /metrics on a free port
	extra    []string      // more flags
}

func (r runSpec) args(e *env, summary string) []string {
	a := []string{"run", "--quiet", "--log-level", "info", "--target", r.target,
		"--duration", r.duration.String(), "--grace", r.grace.String(), "--summary-json", summary}
	if r.users > 0 {
		a = append(a, "--users", strconv.Itoa(r.users))
	}
	if r.rate != "" {
		a = append(a, "--rate", r.rate)
	}
	if r.metrics {
		a = append(a, "--metrics-addr", "127.0.0.1:0")
	}
	a = append(a, r.extra...)
	return append(a, filepath.Join(e.scenarios, r.scenario))
}

// startRun starts `loadgen run`; the summary JSON goes to a temp file.
func (e *env) startRun(r runSpec) (*proc, string, error) {
	f, err := os.CreateTemp(e.tmp, "summary-*.json")
	if err != nil {
		return nil, "", err
	}
	f.Close()
	p, err := start(e.loadgen, r.args(e, f.Name()), secretEnv)
	return p, f.Name(), err
}

var metricsURLRE = regexp.MustCompile(`msg="serving metrics" url=(http://\S+/metrics)`)

// summary is the part of loadgen's summary JSON the benchmarks read.
type summary struct {
	Duration float64 `json:"duration_s"`
	Sessions struct {
		Started, Completed, Failed, Canceled int64
	} `json:"sessions"`
	Steps    map[string]stepSummary `json:"steps"`
	Schedule struct {
		TargetRate   float64   `json:"target_rate"`
		AchievedRate float64   `json:"achieved_rate"`
		LagP99       float64   `json:"lag_p99"`
		Lag          quantiles `json:"lag"`
	} `json:"schedule"`
}

type stepSummary struct {
	Count   int64            `json:"count"`
	Errors  int64            `json:"errors"`
	Latency quantiles        `json:"latency"`
	Lag     quantiles        `json:"lag"`
	TTFB    quantiles        `json:"ttfb"`
	TTFT    quantiles        `json:"ttft"`
	Tokens  int64            `json:"tokens"`
	Kinds   map[string]int64 `json:"errors_by_kind"`
}

type quantiles struct {
	Count                   int64
	P50, P90, P95, P99, Max float64
	Mean, Min               float64
}

func readSummary(path string) (*summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

func decodeJSON(r io.Reader, v any) error {
	return json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(v)
}

// mintToken signs in to the mock once, as vegeta's fixed bearer token.
func mintToken(base, email string) (string, error) {
	ts := time.Now().UnixMilli()
	m := hmac.New(sha256.New, []byte(devSecret))
	fmt.Fprintf(m, "%s:%d", email, ts)
	body, _ := json.Marshal(map[string]any{"email": email, "emailHash": hex.EncodeToString(m.Sum(nil)),
		"timestamp": ts, "currentToken": nil})
	resp, err := http.Post(base+"/api/widget/session", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil || out.Token == "" {
		return "", fmt.Errorf("session: status %d, no token (%v)", resp.StatusCode, err)
	}
	return out.Token, nil
}

// exposition is a scraped Prometheus text exposition: each sample's value
// by its series, "name{labels}" as written.
type exposition map[string]float64

// sum adds the samples of metric name whose labels contain every one of
// the label pairs given (e.g. `step="message"`).
func (x exposition) sum(name string, labels ...string) float64 {
	var t float64
	for series, v := range x {
		n, rest, _ := strings.Cut(series, "{")
		if n != name {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(rest, l)
		}
		if ok {
			t += v
		}
	}
	return t
}

// scrape reads a Prometheus text exposition.
func scrape(url string) (exposition, error) {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return parseExposition(resp.Body)
}

func parseExposition(r io.Reader) (exposition, error) {
	out := exposition{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		series, rest := line, ""
		if i := strings.IndexByte(line, '}'); i >= 0 {
			series, rest = line[:i+1], line[i+1:]
		} else if i := strings.IndexByte(line, ' '); i >= 0 {
			series, rest = line[:i], line[i:]
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue
		}
		out[series] += v
	}
	return out, sc.Err()
}

package faultmatrix

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// counts are what a run measured, as the results file or /metrics tell it.
// The matrix reads both with its own small parsers, not loadgen's packages,
// so that a shared bug cannot hide.
type counts struct {
	requests map[string]int64 // "step code" → results
	errors   map[string]int64 // "step kind" → results
	started  int64            // sessions started
	ended    map[string]int64 // session outcome → sessions
}

func newCounts() *counts {
	return &counts{requests: map[string]int64{}, errors: map[string]int64{}, ended: map[string]int64{}}
}

// kinds returns the error count per kind over all steps.
func (c *counts) kinds() map[string]int64 {
	k := map[string]int64{}
	for sk, n := range c.errors {
		_, kind, _ := strings.Cut(sk, " ")
		k[kind] += n
	}
	return k
}

// result is the part of a results file's "result" line the matrix reads.
type result struct {
	K       string `json:"k"`
	Step    string `json:"step"`
	Code    int    `json:"code"`
	Error   string `json:"error"`
	Detail  string `json:"detail"`
	Latency int64  `json:"latency"` // ns
	Start   int64  `json:"start"`   // Unix ns
	End     string `json:"end"`     // "end" events: the outcome
}

// resultsFile is a parsed results file.
type resultsFile struct {
	results []result
	closed  bool // the closing record is there
	cut     bool // the last line was cut short (a killed writer)
}

func readResults(path string) (*resultsFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &resultsFile{}
	lines := bytes.Split(b, []byte("\n"))
	if last := lines[len(lines)-1]; len(last) > 0 {
		f.cut = true // the last line, without its newline: a killed writer
	}
	for i, line := range lines[:len(lines)-1] {
		var r result
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		switch r.K {
		case "close":
			f.closed = true
		case "result", "start", "end":
			f.results = append(f.results, r)
		}
	}
	return f, nil
}

// counts returns the file's counts of the results that started at or after
// from (zero: all). Session events are counted only for all.
func (f *resultsFile) counts(from time.Time) *counts {
	c := newCounts()
	for _, r := range f.results {
		switch {
		case r.K == "start" && from.IsZero():
			c.started++
		case r.K == "end" && from.IsZero():
			c.ended[r.End]++
		case r.K == "result" && (from.IsZero() || r.Start >= from.UnixNano()):
			c.requests[r.Step+" "+strconv.Itoa(r.Code)]++
			if r.Error != "" {
				c.errors[r.Step+" "+r.Error]++
			}
		}
	}
	return c
}

// parseMetrics reads the loadgen counters from a Prometheus text
// exposition, summed over the labels the matrix does not compare.
func parseMetrics(text []byte) (*counts, error) {
	c := newCounts()
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, labels, value, err := parseSample(line)
		if err != nil {
			return nil, err
		}
		n := int64(value)
		switch name {
		case "loadgen_requests_total":
			c.requests[labels["step"]+" "+labels["code"]] += n
		case "loadgen_errors_total":
			if n > 0 {
				c.errors[labels["step"]+" "+labels["kind"]] += n
			}
		case "loadgen_sessions_started_total":
			c.started += n
		case "loadgen_sessions_completed_total":
			if n > 0 {
				c.ended[labels["outcome"]] += n
			}
		}
	}
	return c, sc.Err()
}

// parseSample parses `name{a="x",b="y"} value` (label values without
// escaped quotes, as loadgen's are).
func parseSample(line string) (string, map[string]string, float64, error) {
	labels := map[string]string{}
	name, rest, ok := strings.Cut(line, "{")
	if ok {
		var ls string
		ls, rest, ok = strings.Cut(rest, "}")
		if !ok {
			return "", nil, 0, fmt.Errorf("metrics: %q: no closing brace", line)
		}
		for _, kv := range strings.Split(ls, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			labels[k] = strings.Trim(v, `"`)
		}
	} else {
		name, rest, _ = strings.Cut(line, " ")
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return "", nil, 0, fmt.Errorf("metrics: %q: no value", line)
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	return name, labels, v, err
}

// diffMaps describes how got differs from want ("" when equal), zero
// entries counting as absent.
func diffMaps(got, want map[string]int64) string {
	var d []string
	keys := slices.Sorted(maps.Keys(got))
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if got[k] != want[k] {
			d = append(d, fmt.Sprintf("%s: %d, want %d", k, got[k], want[k]))
		}
	}
	return strings.Join(d, "; ")
}

// diffCounts describes how two sources' counts differ ("" when equal).
func diffCounts(a, b *counts) string {
	var d []string
	if s := diffMaps(a.requests, b.requests); s != "" {
		d = append(d, "requests by step and code: "+s)
	}
	if s := diffMaps(a.errors, b.errors); s != "" {
		d = append(d, "errors by step and kind: "+s)
	}
	if a.started != b.started {
		d = append(d, fmt.Sprintf("sessions started: %d, want %d", a.started, b.started))
	}
	if s := diffMaps(a.ended, b.ended); s != "" {
		d = append(d, "sessions ended: "+s)
	}
	return strings.Join(d, "\n")
}

// fromMock is what a results file must show for one life of the mock:
// every request the mock accepted as a success, and every fault it
// injected under the kind loadgen gives it.
func fromMock(st mockStats) (successes, kinds map[string]int64) {
	successes = map[string]int64{
		"session 200":      st.Sessions.Email + st.Sessions.Anonymous,
		"conversation 200": st.Conversations,
		"message 200":      st.Messages.StreamStarted,
	}
	f := st.Faults
	r := st.Rejections
	kinds = map[string]int64{
		"http_5xx":         f.Error5xx,
		"rate_limited":     f.RateLimited,
		"network":          f.Reset,
		"stream_truncated": f.Truncate,
		"stream_error":     f.ErrorPart,
		// The matrix holds slow headers and stalls longer than the
		// scenario's request timeout, so each ends as a timeout.
		"timeout": f.SlowHeaders + f.Stall,
		"auth":    r.BadHMAC + r.StaleTimestamp + r.MissingToken + r.BadToken,
	}
	return successes, kinds
}

// only returns m's entries for keys.
func only(m map[string]int64, keys ...string) map[string]int64 {
	out := map[string]int64{}
	for _, k := range keys {
		if m[k] != 0 {
			out[k] = m[k]
		}
	}
	return out
}

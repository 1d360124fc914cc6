package sweep

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/loadgen/loadgen/capacity"
)

// ReportKind is the "kind" of a sweep's JSON file, which tells it from a
// run's summary.
const ReportKind = "loadgen-sweep"

// Report is a sweep's result as written by --json: the two answers with
// their intervals and units, and every probe.
type Report struct {
	Kind       string    `json:"kind"`
	RunID      string    `json:"run_id"`
	Scenario   string    `json:"scenario"`
	Target     string    `json:"target,omitempty"`
	Version    string    `json:"loadgen_version,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	DurationS  float64   `json:"duration_s"`
	Control    string    `json:"control"` // rate or users
	Objectives []string  `json:"objectives"`
	Requires   []string  `json:"requires,omitempty"`
	Attainment float64   `json:"attainment"` // the share of good messages asked for
	Confidence float64   `json:"confidence"`
	Precision  float64   `json:"precision"`
	Budget     float64   `json:"budget_s"`

	Capacity           Answer `json:"capacity"`
	SLOMax             Answer `json:"slo_max"`
	Steady             bool   `json:"steady"`
	GeneratorSaturated string `json:"generator_saturated,omitempty"`
	// Stop says why the search ended: precision reached, budget spent,
	// interrupted, …
	Stop       string  `json:"stop"`
	LittleRate float64 `json:"little_rate,omitempty"` // capacity by Little's law, sessions/s
	Probes     []Probe `json:"probes"`
	Dir        string  `json:"results_dir,omitempty"`
}

// Answer is a capacity.Answer as a sweep's JSON writes it: capacity or
// SLO-max, the estimate in Unit with its interval, and as sessions/s and
// messages/s.
type Answer struct {
	Found    bool       `json:"found"`
	Rate     float64    `json:"rate"` // in Unit
	Unit     string     `json:"unit"` // sessions/s or users
	Interval [2]float64 `json:"interval"`
	Sessions float64    `json:"sessions_per_s"`
	Messages float64    `json:"messages_per_s"`
	// AtLeast reports that only a lower bound was found (no probe failed
	// below the capacity): Rate is the interval's low end.
	AtLeast bool   `json:"at_least,omitempty"`
	Binding string `json:"binding,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Probe is a capacity.Probe as a sweep's files write it: a line of the
// probes file, a row of the table, an element of the JSON's probes
// (durations in seconds, no NaN).
type Probe struct {
	Seq         int        `json:"probe"`
	Kind        string     `json:"kind"`
	Control     string     `json:"control"`
	Load        float64    `json:"load"` // sessions/s or users, as Control
	Offered     float64    `json:"offered_sessions_per_s"`
	Achieved    float64    `json:"achieved_sessions_per_s"`
	Messages    float64    `json:"messages_per_s"`
	Good        float64    `json:"good_messages_per_s"`
	Attainment  float64    `json:"attainment"`
	Interval    [2]float64 `json:"attainment_interval"`
	Measured    int        `json:"messages_measured"`
	TTFTp50     float64    `json:"ttft_p50"`
	TTFTp95     float64    `json:"ttft_p95"`
	TTFTp99     float64    `json:"ttft_p99"`
	ITLp95      float64    `json:"inter_token_p95"`
	Errors      int        `json:"errors"`
	Requests    int        `json:"requests"`
	LagP99      float64    `json:"lag_p99"`
	Backlog     float64    `json:"backlog_per_s"` // trend of sessions in flight
	TTFTTrend   float64    `json:"ttft_trend"`    // seconds per second
	Steady      bool       `json:"steady"`
	Throughput  float64    `json:"throughput_sessions_per_s,omitempty"`
	Little      float64    `json:"little_sessions_per_s,omitempty"`
	Seconds     float64    `json:"seconds"`
	Verdict     string     `json:"verdict"`
	Reason      string     `json:"reason,omitempty"`
	Binding     string     `json:"binding,omitempty"`
	ResultsFile string     `json:"results_file,omitempty"`
}

// ProbeOf converts a capacity.Probe.
func ProbeOf(p capacity.Probe) Probe {
	return Probe{
		Seq: p.Seq, Kind: string(p.Kind), Control: p.Control.String(), Load: p.Load,
		Offered: finite(p.Offered), Achieved: finite(p.Achieved), Messages: finite(p.MessageRate), Good: finite(p.GoodRate),
		Attainment: finite(p.Attainment.Est), Interval: [2]float64{finite(p.Attainment.Lo), finite(p.Attainment.Hi)},
		Measured: p.Messages,
		TTFTp50:  p.TTFTp50.Seconds(), TTFTp95: p.TTFTp95.Seconds(), TTFTp99: p.TTFTp99.Seconds(),
		ITLp95: p.ITLp95.Seconds(), Errors: p.Errors, Requests: p.Requests, LagP99: p.LagP99.Seconds(),
		Backlog: finite(p.Backlog), TTFTTrend: finite(p.LatencyTrend), Steady: p.Steady,
		Throughput: finite(p.Throughput.Est), Little: finite(p.Little), Seconds: p.Elapsed.Seconds(),
		Verdict: string(p.Verdict), Reason: p.Reason, Binding: p.Binding, ResultsFile: p.ResultFile,
	}
}

// finite returns x, or 0 for NaN and ±Inf (JSON has neither).
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// answerOf converts a capacity answer.
func answerOf(e capacity.Answer, unit string) Answer {
	return Answer{Found: e.Found, Rate: finite(e.Load), Unit: unit, Interval: [2]float64{finite(e.Lo), finite(e.Hi)},
		Sessions: finite(e.Sessions), Messages: finite(e.Messages), AtLeast: e.AtLeast, Binding: e.Binding, Note: e.Note}
}

// Fill sets the report's answers and probes from a search's result.
func (r *Report) Fill(res *capacity.Findings) {
	r.Control = res.Control.String()
	capUnit := "sessions/s"
	if res.Control == capacity.Users {
		capUnit = "users"
	}
	r.Capacity = answerOf(res.Capacity, capUnit)
	r.SLOMax = answerOf(res.SLOMax, res.Control.Unit())
	r.Steady = res.Steady
	r.GeneratorSaturated = res.GeneratorSaturated
	r.Stop = res.Stop
	r.DurationS = res.Elapsed.Seconds()
	if res.LittleRatio > 0 {
		r.LittleRate = res.Capacity.Sessions / res.LittleRatio
	}
	r.Probes = r.Probes[:0]
	for _, p := range res.Probes {
		r.Probes = append(r.Probes, ProbeOf(p))
	}
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// AppendJSONLine appends the probe to f as one JSON line and syncs it, so
// that a sweep that crashes keeps every probe that ended.
func AppendJSONLine(f *os.File, p Probe) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return err
	}
	return f.Sync()
}

// IsReport reports whether the file at path is a sweep's JSON (its first
// kilobytes name ReportKind), so compare can tell it from a run's summary.
func IsReport(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 512)
	n, _ := io.ReadFull(bufio.NewReader(f), b)
	return bytes.Contains(b[:n], []byte(`"kind": "`+ReportKind+`"`)) || bytes.Contains(b[:n], []byte(`"kind":"`+ReportKind+`"`))
}

// maxReport bounds a sweep's JSON file (a sweep has at most some tens of probes).
const maxReport = 16 << 20

// ReadReport reads a sweep's JSON file.
func ReadReport(path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxReport+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxReport {
		return nil, fmt.Errorf("sweep: %s: larger than %d MB: not a sweep's JSON", path, maxReport>>20)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("sweep: %s: %w", path, err)
	}
	if r.Kind != ReportKind {
		return nil, fmt.Errorf("sweep: %s: not a sweep's JSON (kind %q)", path, r.Kind)
	}
	return &r, nil
}

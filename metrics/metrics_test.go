package metrics

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// sample records one complete streamed session and one failed session.
func sample(m *Metrics) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.SessionStarted("chat")
	m.Record(&results.Result{Conversation: "chat", Step: results.StepSession, Code: 200,
		Intended: t0, Start: t0.Add(5 * time.Millisecond), Latency: 10 * time.Millisecond, TTFB: 8 * time.Millisecond})
	m.Record(&results.Result{Conversation: "chat", Step: results.StepConversation, Code: 200,
		Latency: 20 * time.Millisecond, TTFB: 15 * time.Millisecond, Wait: 3 * time.Millisecond})
	m.Record(&results.Result{Conversation: "chat", Step: results.StepMessage, Turn: 1, Code: 200,
		Latency: 1500 * time.Millisecond, TTFB: 50 * time.Millisecond, TTFT: 300 * time.Millisecond,
		Gaps: []time.Duration{20 * time.Millisecond, 30 * time.Millisecond}, Tokens: 3, Shape: "model", Good: true})
	m.SessionEnded("chat", results.EndCompleted)

	m.SessionStarted("chat")
	m.Record(&results.Result{Conversation: "chat", Step: results.StepSession, Error: "connect",
		Detail: "dial tcp 127.0.0.1:1: connection refused", Latency: 2 * time.Millisecond})
	m.SessionEnded("chat", results.EndFailed)
}

func TestRecordExposition(t *testing.T) {
	// Custom inter-token buckets with an added edge (as an SLO bound adds
	// one) keep the exposition short.
	m := New("demo", WithRunID("run-1"), WithVersion("v0.1.0"),
		WithBuckets(InterToken, 10*time.Millisecond, 25*time.Millisecond, 50*time.Millisecond),
		WithBucketEdges(InterToken, 20*time.Millisecond, 25*time.Millisecond))
	sample(m)
	want := `
# HELP loadgen_errors_total Failed steps, by error kind.
# TYPE loadgen_errors_total counter
loadgen_errors_total{conversation="chat",kind="connect",scenario="demo",step="session"} 1
# HELP loadgen_inter_token_seconds Gaps between consecutive non-empty text parts of streamed replies.
# TYPE loadgen_inter_token_seconds histogram
loadgen_inter_token_seconds_bucket{conversation="chat",scenario="demo",step="message",le="0.01"} 0
loadgen_inter_token_seconds_bucket{conversation="chat",scenario="demo",step="message",le="0.02"} 1
loadgen_inter_token_seconds_bucket{conversation="chat",scenario="demo",step="message",le="0.025"} 1
loadgen_inter_token_seconds_bucket{conversation="chat",scenario="demo",step="message",le="0.05"} 2
loadgen_inter_token_seconds_bucket{conversation="chat",scenario="demo",step="message",le="+Inf"} 2
loadgen_inter_token_seconds_sum{conversation="chat",scenario="demo",step="message"} 0.05
loadgen_inter_token_seconds_count{conversation="chat",scenario="demo",step="message"} 2
# HELP loadgen_messages_good_total Message steps that met the scenario's SLO (goodput).
# TYPE loadgen_messages_good_total counter
loadgen_messages_good_total{conversation="chat",scenario="demo"} 1
# HELP loadgen_replies_total Successful replies, by shape (model, single_shot, empty).
# TYPE loadgen_replies_total counter
loadgen_replies_total{conversation="chat",scenario="demo",shape="model"} 1
# HELP loadgen_requests_total Steps completed, by HTTP status code (0 when no response arrived).
# TYPE loadgen_requests_total counter
loadgen_requests_total{code="0",conversation="chat",scenario="demo",step="session"} 1
loadgen_requests_total{code="200",conversation="chat",scenario="demo",step="conversation"} 1
loadgen_requests_total{code="200",conversation="chat",scenario="demo",step="message"} 1
loadgen_requests_total{code="200",conversation="chat",scenario="demo",step="session"} 1
# HELP loadgen_run_info Information about the load test run; always 1.
# TYPE loadgen_run_info gauge
loadgen_run_info{run_id="run-1",scenario="demo",version="v0.1.0"} 1
# HELP loadgen_sessions_active Sessions in flight (active virtual users).
# TYPE loadgen_sessions_active gauge
loadgen_sessions_active{conversation="chat",scenario="demo"} 0
# HELP loadgen_sessions_completed_total Sessions ended, by outcome: completed (every step succeeded), failed or canceled.
# TYPE loadgen_sessions_completed_total counter
loadgen_sessions_completed_total{conversation="chat",outcome="canceled",scenario="demo"} 0
loadgen_sessions_completed_total{conversation="chat",outcome="completed",scenario="demo"} 1
loadgen_sessions_completed_total{conversation="chat",outcome="failed",scenario="demo"} 1
# HELP loadgen_sessions_started_total Sessions (virtual user visits) started.
# TYPE loadgen_sessions_started_total counter
loadgen_sessions_started_total{conversation="chat",scenario="demo"} 2
# HELP loadgen_tokens_total Output tokens received (reported usage, else text parts).
# TYPE loadgen_tokens_total counter
loadgen_tokens_total{conversation="chat",scenario="demo"} 3
`
	names := []string{"loadgen_errors_total", "loadgen_inter_token_seconds", "loadgen_messages_good_total",
		"loadgen_replies_total", "loadgen_requests_total", "loadgen_run_info", "loadgen_sessions_active",
		"loadgen_sessions_completed_total", "loadgen_sessions_started_total", "loadgen_tokens_total"}
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

func TestGoodCountsMessagesOnly(t *testing.T) {
	m := New("demo")
	// An async turn: the runner marks both the message step and the poll
	// step that fetched its reply good; the summary counts one good message.
	m.Record(&results.Result{Conversation: "chat", Step: results.StepMessage, Code: 200, Good: true})
	m.Record(&results.Result{Conversation: "chat", Step: results.StepPoll, Code: 200, Good: true})
	if got := testutil.ToFloat64(m.c.good.WithLabelValues("chat")); got != 1 {
		t.Errorf("loadgen_messages_good_total = %g after a good message and its good poll, want 1", got)
	}
}

func TestUnmeasuredHistogramsAbsent(t *testing.T) {
	m := New("demo")
	// A poll step measures no TTFB (helperapi leaves it unset) and streams
	// nothing: no empty TTFB, TTFT or gap series, whose quantiles would be NaN.
	m.Record(&results.Result{Conversation: "billing", Step: results.StepPoll, Code: 200, Latency: time.Second})
	for _, name := range []string{"loadgen_time_to_first_byte_seconds", "loadgen_time_to_first_token_seconds", "loadgen_inter_token_seconds"} {
		if n := testutil.CollectAndCount(m, name); n != 0 {
			t.Errorf("%s: %d series after a poll step without it, want 0", name, n)
		}
	}
	if n := testutil.CollectAndCount(m, "loadgen_step_duration_seconds"); n != 1 {
		t.Errorf("loadgen_step_duration_seconds: %d series, want 1", n)
	}
}

// histogram returns the gathered histogram of name with the given label values.
func histogram(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) *dto.Histogram {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("Gather() error = %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, mt := range mf.GetMetric() {
			for _, lp := range mt.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue metric
				}
			}
			return mt.GetHistogram()
		}
	}
	t.Fatalf("no %s%v gathered", name, labels)
	return nil
}

func TestHistograms(t *testing.T) {
	m := New("demo")
	sample(m)
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	tests := []struct {
		name   string
		labels map[string]string
		count  uint64
		sum    float64
	}{
		{"loadgen_step_duration_seconds", map[string]string{"step": "message"}, 1, 1.5},
		{"loadgen_step_duration_seconds", map[string]string{"step": "session"}, 2, 0.012},
		{"loadgen_time_to_first_byte_seconds", map[string]string{"step": "session"}, 1, 0.008},
		{"loadgen_time_to_first_token_seconds", map[string]string{"step": "message"}, 1, 0.3},
		{"loadgen_inter_token_seconds", map[string]string{"step": "message"}, 2, 0.05},
		{"loadgen_schedule_lag_seconds", map[string]string{"step": "session"}, 2, 0.005},
		{"loadgen_rate_limit_wait_seconds", map[string]string{"step": "conversation"}, 1, 0.003},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.name, tt.labels), func(t *testing.T) {
			h := histogram(t, reg, tt.name, tt.labels)
			if got := h.GetSampleCount(); got != tt.count {
				t.Errorf("count = %d, want %d", got, tt.count)
			}
			if got := h.GetSampleSum(); math.Abs(got-tt.sum) > 1e-9 {
				t.Errorf("sum = %g, want %g", got, tt.sum)
			}
			b := h.GetBucket()
			if got := b[len(b)-1].GetUpperBound(); got < 120 {
				t.Errorf("largest classic bucket = %g, want >= 120", got)
			}
			if got := h.GetSchema(); got != 3 {
				t.Errorf("native schema = %d, want 3 (bucket factor 1.1)", got)
			}
			if got := h.GetZeroThreshold(); got <= 0 {
				t.Errorf("native zero threshold = %g, want > 0 (native histogram enabled)", got)
			}
		})
	}
}

func TestTTFTOnlyWhereMeasured(t *testing.T) {
	m := New("demo")
	sample(m)
	if got := testutil.CollectAndCount(m, "loadgen_time_to_first_token_seconds"); got != 1 {
		t.Errorf("TTFT series = %d, want 1 (message step only)", got)
	}
}

func TestLint(t *testing.T) {
	reg := NewRegistry()
	m := New("demo", WithRunID("r"), WithVersion("dev"), WithConversations("chat"))
	if err := m.Register(reg); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	sample(m)
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatalf("GatherAndLint() error = %v", err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	if n, _ := testutil.GatherAndCount(reg, "go_goroutines", "process_cpu_seconds_total"); n != 2 {
		t.Errorf("go and process collectors: %d of go_goroutines, process_cpu_seconds_total gathered, want 2", n)
	}
}

func TestSessionsActive(t *testing.T) {
	m := New("demo")
	for range 3 {
		m.SessionStarted("a")
	}
	m.SessionEnded("a", results.EndCompleted)
	m.SessionEnded("a", results.EndCanceled)
	m.SessionEnded("a", "bogus")
	m.SessionStarted("a")
	want := `
# HELP loadgen_sessions_active Sessions in flight (active virtual users).
# TYPE loadgen_sessions_active gauge
loadgen_sessions_active{conversation="a",scenario="demo"} 1
# HELP loadgen_sessions_completed_total Sessions ended, by outcome: completed (every step succeeded), failed or canceled.
# TYPE loadgen_sessions_completed_total counter
loadgen_sessions_completed_total{conversation="a",outcome="canceled",scenario="demo"} 1
loadgen_sessions_completed_total{conversation="a",outcome="completed",scenario="demo"} 1
loadgen_sessions_completed_total{conversation="a",outcome="failed",scenario="demo"} 0
loadgen_sessions_completed_total{conversation="a",outcome="other",scenario="demo"} 1
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want),
		"loadgen_sessions_active", "loadgen_sessions_completed_total"); err != nil {
		t.Error(err)
	}
}

// labelValues gathers the distinct values of each label across m's series.
func labelValues(t *testing.T, m *Metrics) map[string]map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather() error = %v", err)
	}
	vals := map[string]map[string]bool{}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			for _, lp := range mt.GetLabel() {
				if vals[lp.GetName()] == nil {
					vals[lp.GetName()] = map[string]bool{}
				}
				vals[lp.GetName()][lp.GetValue()] = true
			}
		}
	}
	return vals
}

func TestLabelsBounded(t *testing.T) {
	tests := []struct {
		name   string
		opts   []Option
		record func(m *Metrics)
		label  string
		want   []string
	}{
		{
			name: "conversations past the bound",
			opts: []Option{WithMaxConversations(3)},
			record: func(m *Metrics) {
				for i := range 50 {
					m.SessionStarted(fmt.Sprintf("user-%d@example.com", i))
				}
			},
			label: "conversation",
			want:  []string{"user-0@example.com", "user-1@example.com", "user-2@example.com", "other"},
		},
		{
			name: "conversations outside the declared set",
			opts: []Option{WithConversations("a", "b")},
			record: func(m *Metrics) {
				m.Record(&results.Result{Conversation: "a", Step: results.StepSession, Code: 200})
				m.Record(&results.Result{Conversation: "slug-123", Step: results.StepSession, Code: 200})
			},
			label: "conversation",
			want:  []string{"a", "b", "other"},
		},
		{
			name:   "invalid UTF-8 conversation",
			record: func(m *Metrics) { m.SessionStarted("bad\xff") },
			label:  "conversation",
			want:   []string{"other"},
		},
		{
			name: "unknown steps",
			record: func(m *Metrics) {
				m.Record(&results.Result{Conversation: "a", Step: "/api/chat?id=42", Code: 200})
				m.Record(&results.Result{Conversation: "a", Step: results.StepPoll, Code: 200})
			},
			label: "step",
			want:  []string{"other", "poll"},
		},
		{
			name: "unknown error kinds",
			record: func(m *Metrics) {
				m.Record(&results.Result{Conversation: "a", Step: results.StepMessage, Error: "timeout"})
				m.Record(&results.Result{Conversation: "a", Step: results.StepMessage, Error: "dial tcp 10.0.0.1:80: refused"})
				m.Record(&results.Result{Conversation: "a", Step: results.StepMessage, Error: results.KindTemplate})
			},
			label: "kind",
			want:  []string{"timeout", "template", "other"},
		},
		{
			name: "status codes out of range",
			record: func(m *Metrics) {
				m.Record(&results.Result{Conversation: "a", Step: results.StepMessage, Code: 429})
				m.Record(&results.Result{Conversation: "a", Step: results.StepMessage, Code: 123456})
				m.Record(&results.Result{Conversation: "a", Step: results.StepMessage, Code: -1})
			},
			label: "code",
			want:  []string{"429", "other"},
		},
		{
			name: "unknown shapes",
			record: func(m *Metrics) {
				m.Record(&results.Result{Conversation: "a", Step: results.StepMessage, Code: 200, Shape: "single_shot"})
				m.Record(&results.Result{Conversation: "a", Step: results.StepMessage, Code: 200, Shape: "whatever text"})
			},
			label: "shape",
			want:  []string{"single_shot", "other"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New("demo", tt.opts...)
			tt.record(m)
			got := labelValues(t, m)[tt.label]
			if len(got) != len(tt.want) {
				t.Errorf("%s values = %v, want %v", tt.label, got, tt.want)
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("%s values = %v, want %q among them", tt.label, got, w)
				}
			}
		})
	}
}

func TestNoRunIDOnSeries(t *testing.T) {
	m := New("demo", WithRunID("run-xyz"))
	sample(m)
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather() error = %v", err)
	}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			for _, lp := range mt.GetLabel() {
				if lp.GetName() == "run_id" && mf.GetName() != "loadgen_run_info" {
					t.Errorf("%s has a run_id label; only loadgen_run_info may", mf.GetName())
				}
			}
		}
	}
}

func TestNoDetailExposed(t *testing.T) {
	const secret = "s3cr3t-token-value"
	m := New("demo")
	m.Record(&results.Result{Conversation: "a", Step: results.StepSession, Code: 401, Error: "auth", Detail: "bad token " + secret})
	out, err := testutil.CollectAndFormat(m, expfmt.TypeTextPlain)
	if err != nil {
		t.Fatalf("CollectAndFormat() error = %v", err)
	}
	if strings.Contains(string(out), secret) {
		t.Errorf("exposition contains the error detail %q", secret)
	}
}

func TestConcurrentRecord(t *testing.T) {
	const workers, each = 8, 500
	m := New("demo")
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			conv := fmt.Sprintf("c%d", w%3)
			for i := range each {
				m.SessionStarted(conv)
				m.Record(&results.Result{Conversation: conv, Step: results.StepMessage, Code: 200 + i%2,
					Latency: time.Millisecond, TTFT: time.Millisecond, Gaps: []time.Duration{time.Millisecond}, Tokens: 2})
				m.SessionEnded(conv, results.EndCompleted)
			}
		})
	}
	wg.Wait()
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	sum := func(name string) float64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatalf("Gather() error = %v", err)
		}
		var s float64
		for _, mf := range mfs {
			if mf.GetName() != name {
				continue
			}
			for _, mt := range mf.GetMetric() {
				s += mt.GetCounter().GetValue() + mt.GetGauge().GetValue() + float64(mt.GetHistogram().GetSampleCount())
			}
		}
		return s
	}
	tests := []struct {
		name string
		want float64
	}{
		{"loadgen_requests_total", workers * each},
		{"loadgen_sessions_started_total", workers * each},
		{"loadgen_sessions_active", 0},
		{"loadgen_tokens_total", 2 * workers * each},
		{"loadgen_time_to_first_token_seconds", workers * each},
		{"loadgen_inter_token_seconds", workers * each},
	}
	for _, tt := range tests {
		if got := sum(tt.name); got != tt.want {
			t.Errorf("sum(%s) = %g, want %g", tt.name, got, tt.want)
		}
	}
}

func BenchmarkRecord(b *testing.B) {
	m := New("demo", WithConversations("chat", "support"))
	r := results.Result{Conversation: "chat", Step: results.StepMessage, Code: 200,
		Latency: 1200 * time.Millisecond, TTFB: 40 * time.Millisecond, TTFT: 250 * time.Millisecond,
		Gaps:   []time.Duration{20 * time.Millisecond, 25 * time.Millisecond, 18 * time.Millisecond},
		Tokens: 4, Shape: "model", Good: true}
	m.Record(&r) // create the series outside the timed loop
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := r
		for pb.Next() {
			m.Record(&r)
		}
	})
}

func TestSLOBounds(t *testing.T) {
	m := New("demo", WithSLO(SLO{TTFT: 2 * time.Second, Latency: 1500 * time.Millisecond}))
	want := `
# HELP loadgen_slo_seconds The scenario's SLO bounds for a good message (ttft, latency, inter_token), for dashboards to draw.
# TYPE loadgen_slo_seconds gauge
loadgen_slo_seconds{bound="latency",scenario="demo"} 1.5
loadgen_slo_seconds{bound="ttft",scenario="demo"} 2
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), "loadgen_slo_seconds"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(New("demo"), "loadgen_slo_seconds"); n != 0 {
		t.Errorf("without an SLO: %d loadgen_slo_seconds series, want none", n)
	}
}

func TestDefaultBuckets(t *testing.T) {
	for _, h := range Histograms() {
		b := DefaultBuckets(h)
		if !slices.IsSorted(b) || len(slices.Compact(slices.Clone(b))) != len(b) || b[len(b)-1] != 120 {
			t.Errorf("DefaultBuckets(%s) = %v: want rising edges up to 120 s", h, b)
		}
	}
	// The common SLO bounds are edges, so "within 2 s" is read off a bucket.
	for _, h := range []HistogramName{Latency, TTFB, TTFT} {
		for _, slo := range []float64{0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10} {
			if !slices.Contains(DefaultBuckets(h), slo) {
				t.Errorf("DefaultBuckets(%s) lacks the edge %gs", h, slo)
			}
		}
	}
	// Between 0.1 and 5 s (TTFT) and 10 and 50 ms (inter-token), neighbouring
	// edges are at most 25 % apart: a live p95 is then within a bucket of
	// that width of the exact one.
	for _, c := range []struct {
		h      HistogramName
		lo, hi float64
	}{{TTFT, 0.1, 5}, {InterToken, 0.01, 0.05}} {
		b := DefaultBuckets(c.h)
		for i := 1; i < len(b); i++ {
			if b[i-1] >= c.lo && b[i] <= c.hi && b[i]/b[i-1] > 1.25 {
				t.Errorf("%s buckets (%g, %g]: %.0f%% wide", c.h, b[i-1], b[i], (b[i]/b[i-1]-1)*100)
			}
		}
	}
}

// TestWidgetStepsAndPolls: the widget's steps are counted under their own
// step label, and poll GETs (measurement overhead) have their own counter.
func TestWidgetStepsAndPolls(t *testing.T) {
	m := New("widget")
	for _, step := range []results.Step{results.StepSDK, results.StepPreflight, results.StepOpen, results.StepHistory,
		results.StepReact, results.StepMarkRead, results.StepUnread} {
		m.Record(&results.Result{Conversation: "chat", Step: step, Code: 200, Latency: time.Millisecond})
	}
	m.Record(&results.Result{Conversation: "chat", Step: results.StepPoll, Code: 200, Latency: time.Second, Polls: 4})
	m.Record(&results.Result{Conversation: "chat", Step: results.StepPoll, Code: 200, Latency: time.Second, Polls: 3})
	want := `
# HELP loadgen_poll_requests_total GETs made waiting for async replies (poll steps): measurement overhead no real widget sends.
# TYPE loadgen_poll_requests_total counter
loadgen_poll_requests_total{conversation="chat",scenario="widget"} 7
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), "loadgen_poll_requests_total"); err != nil {
		t.Error(err)
	}
	for _, step := range []string{"sdk", "preflight", "open", "history", "react", "mark_read", "unread"} {
		if got := testutil.ToFloat64(m.c.requests.WithLabelValues("chat", step, "200")); got != 1 {
			t.Errorf("loadgen_requests_total{step=%q} = %g, want 1", step, got)
		}
	}
}

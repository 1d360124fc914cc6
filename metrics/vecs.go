package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Label names. Every value comes from a bounded set: the scenario name, the
// scenario's conversation names (bounded, see OtherConversation), the steps,
// HTTP status codes, the error kinds, the reply shapes and session outcomes.
const (
	labelScenario     = "scenario"
	labelConversation = "conversation"
	labelStep         = "step"
	labelCode         = "code"
	labelKind         = "kind"
	labelShape        = "shape"
	labelOutcome      = "outcome"
	labelRunID        = "run_id"
	labelBound        = "bound"
	labelVersion      = "version"
)

// Native histogram settings: a bucket factor of 1.1 (schema 3, about 9 %
// relative error), at most 160 buckets, and if a histogram outgrows that
// within an hour its resolution is halved instead of being reset.
const (
	nativeBucketFactor     = 1.1
	nativeMaxBuckets       = 160
	nativeMinResetDuration = time.Hour
)

// vecs holds the vectors of one Metrics.
type vecs struct {
	stepDuration *prometheus.HistogramVec // conversation, step
	ttfb         *prometheus.HistogramVec // conversation, step
	ttft         *prometheus.HistogramVec // conversation, step
	interToken   *prometheus.HistogramVec // conversation, step
	lag          *prometheus.HistogramVec // step
	wait         *prometheus.HistogramVec // step

	requests *prometheus.CounterVec // conversation, step, code
	errors   *prometheus.CounterVec // conversation, step, kind

	sessionsStarted   *prometheus.CounterVec // conversation
	sessionsCompleted *prometheus.CounterVec // conversation, outcome
	sessionsActive    *prometheus.GaugeVec   // conversation
	tokens            *prometheus.CounterVec // conversation
	pollRequests      *prometheus.CounterVec // conversation
	replies           *prometheus.CounterVec // conversation, shape
	good              *prometheus.CounterVec // conversation
	slo               *prometheus.GaugeVec   // bound

	info prometheus.Gauge // run_id, version (+ scenario)
}

func newVecs(scenario string, c *config) *vecs {
	cl := prometheus.Labels{labelScenario: scenario}
	hist := func(h HistogramName, name, help string, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace:                       "loadgen",
			Name:                            name,
			Help:                            help,
			ConstLabels:                     cl,
			Buckets:                         c.buckets(h),
			NativeHistogramBucketFactor:     nativeBucketFactor,
			NativeHistogramMaxBucketNumber:  nativeMaxBuckets,
			NativeHistogramMinResetDuration: nativeMinResetDuration,
		}, labels)
	}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "loadgen", Name: name, Help: help, ConstLabels: cl,
		}, labels)
	}
	info := func(labels prometheus.Labels) prometheus.Gauge {
		labels[labelScenario] = scenario
		return prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "loadgen", Name: "run_info", ConstLabels: labels,
			Help: "Information about the load test run; always 1.",
		})
	}
	return &vecs{
		stepDuration: hist(Latency, "step_duration_seconds",
			"Duration of a step (request and whole response body), failed steps included.",
			labelConversation, labelStep),
		ttfb: hist(TTFB, "time_to_first_byte_seconds",
			"Time from sending a request to the first response body byte.",
			labelConversation, labelStep),
		ttft: hist(TTFT, "time_to_first_token_seconds",
			"Time from sending a message to the first non-empty text part of the reply.",
			labelConversation, labelStep),
		interToken: hist(InterToken, "inter_token_seconds",
			"Gaps between consecutive non-empty text parts of streamed replies.",
			labelConversation, labelStep),
		lag: hist(Lag, "schedule_lag_seconds",
			"How late steps started against their schedule (coordinated omission).",
			labelStep),
		wait: hist(RateLimitWait, "rate_limit_wait_seconds",
			"Time steps waited for the global request rate limiter.",
			labelStep),
		requests: counter("requests_total",
			"Steps completed, by HTTP status code (0 when no response arrived).",
			labelConversation, labelStep, labelCode),
		errors: counter("errors_total",
			"Failed steps, by error kind.",
			labelConversation, labelStep, labelKind),
		sessionsStarted: counter("sessions_started_total",
			"Sessions (virtual user visits) started.",
			labelConversation),
		sessionsCompleted: counter("sessions_completed_total",
			"Sessions ended, by outcome: completed (every step succeeded), failed or canceled.",
			labelConversation, labelOutcome),
		sessionsActive: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "loadgen", Name: "sessions_active", ConstLabels: cl,
			Help: "Sessions in flight (active virtual users).",
		}, []string{labelConversation}),
		tokens: counter("tokens_total",
			"Output tokens received (reported usage, else text parts).",
			labelConversation),
		pollRequests: counter("poll_requests_total",
			"GETs made waiting for async replies (poll steps): measurement overhead no real widget sends.",
			labelConversation),
		replies: counter("replies_total",
			"Successful replies, by shape (model, single_shot, empty).",
			labelConversation, labelShape),
		good: counter("messages_good_total",
			"Message steps that met the scenario's SLO (goodput).",
			labelConversation),
		slo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "loadgen", Name: "slo_seconds", ConstLabels: cl,
			Help: "The scenario's SLO bounds for a good message (ttft, latency, inter_token), for dashboards to draw.",
		}, []string{labelBound}),
		info: info(prometheus.Labels{labelRunID: c.runID, labelVersion: c.version}),
	}
}

// each calls f with every collector exposed by /metrics and pushed.
func (c *vecs) each(f func(prometheus.Collector)) {
	c.eachSeries(f)
	f(c.info)
}

// eachSeries calls f with every collector except the info gauge.
func (c *vecs) eachSeries(f func(prometheus.Collector)) {
	for _, x := range []prometheus.Collector{
		c.stepDuration, c.ttfb, c.ttft, c.interToken, c.lag, c.wait,
		c.requests, c.errors,
		c.sessionsStarted, c.sessionsCompleted, c.sessionsActive, c.tokens, c.pollRequests, c.replies, c.good, c.slo,
	} {
		f(x)
	}
}

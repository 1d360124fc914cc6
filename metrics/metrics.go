package metrics

import (
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/loadgen/loadgen/results"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics holds the Prometheus collectors of one scenario's run. It is a
// results.Sink, so a runner can tee its results into it, and a
// prometheus.Collector, so it can be registered (Register) or pushed
// (Pusher). It is safe for concurrent use; create it with New.
type Metrics struct {
	c      *vecs
	convs  cowMap[string, *convSeries]
	closed bool // WithConversations was given: no new conversation labels
	max    int  // bound on conversation labels when not closed
	other  *convSeries
}

var (
	_ results.Sink         = (*Metrics)(nil)
	_ prometheus.Collector = (*Metrics)(nil)
)

// New returns the collectors for a run of the named scenario. The scenario
// name is a constant label on every series.
func New(scenario string, opts ...Option) *Metrics {
	cfg := config{maxConversations: DefaultMaxConversations}
	for _, o := range opts {
		o(&cfg)
	}
	m := &Metrics{c: newVecs(scenario, &cfg), max: cfg.maxConversations}
	m.c.info.Set(1)
	for bound, d := range map[string]time.Duration{"ttft": cfg.slo.TTFT, "latency": cfg.slo.Latency, "inter_token": cfg.slo.InterToken} {
		if d > 0 {
			m.c.slo.WithLabelValues(bound).Set(d.Seconds())
		}
	}
	for _, name := range cfg.conversations {
		m.zeroErrors(m.conv(name))
	}
	m.closed = cfg.conversations != nil
	return m
}

// zeroErrors creates a declared conversation's error series at zero for every
// step and known kind, so that increase() and rate() see the first error of a
// kind (a series born at 1 would hide it) and dashboards show a flat zero
// instead of "no data".
// Only the counters are made: a step's histograms appear with its first
// result, so quantiles of steps a scenario never takes are not NaN.
func (m *Metrics) zeroErrors(c *convSeries) {
	for _, step := range results.Steps() {
		for _, kind := range results.Kinds() {
			m.c.errors.WithLabelValues(c.name, string(step), string(kind))
		}
	}
}

// Register registers the collectors with r, typically a registry from
// NewRegistry.
func (m *Metrics) Register(r prometheus.Registerer) error { return r.Register(m) }

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.c.each(func(c prometheus.Collector) { c.Describe(ch) })
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.c.each(func(c prometheus.Collector) { c.Collect(ch) })
}

// SessionStarted counts a session start and marks it active. It implements
// results.Sink.
func (m *Metrics) SessionStarted(conversation string) {
	c := m.conv(conversation)
	c.started.Inc()
	c.active.Inc()
}

// Record observes one step. Every step's duration is observed, failed or not; TTFB,
// TTFT and gaps only when measured; tokens and shapes as reported; goodput for
// message steps only (the runner also marks an async reply's poll step good,
// and the summary, like the Goodput panel, counts messages).
// It implements results.Sink and does not allocate once a (conversation,
// step, code) has been seen.
func (m *Metrics) Record(r *results.Result) {
	c := m.conv(r.Conversation)
	s := c.step(m.c, r.Step)
	s.duration.Observe(r.Latency.Seconds())
	if r.TTFB > 0 {
		s.lazy(&s.ttfb, m.c.ttfb).Observe(r.TTFB.Seconds())
	}
	if r.TTFT > 0 {
		s.lazy(&s.ttft, m.c.ttft).Observe(r.TTFT.Seconds())
	}
	if len(r.Gaps) > 0 {
		o := s.lazy(&s.gap, m.c.interToken)
		for _, g := range r.Gaps {
			o.Observe(g.Seconds())
		}
	}
	s.lag.Observe(r.Lag().Seconds())
	s.wait.Observe(r.Wait.Seconds())
	s.requests(m.c, r.Code).Inc()
	if r.Error != "" {
		s.errors(m.c, r.Error).Inc()
	}
	if r.Tokens > 0 {
		c.tokens.Add(float64(r.Tokens))
	}
	if r.Polls > 0 {
		c.polls.Add(float64(r.Polls))
	}
	if r.Shape != "" {
		c.reply(m.c, r.Shape).Inc()
	}
	if r.Good && r.Step.Sends() {
		c.good.Inc()
	}
}

// SessionEnded counts a session's end by outcome and takes it out of the
// active gauge. It implements results.Sink.
// An outcome outside results' three is counted as "other".
func (m *Metrics) SessionEnded(conversation string, end results.End) {
	c := m.conv(conversation)
	if o := end.Index(); o >= 0 {
		c.ended[o].Inc()
	} else {
		m.c.sessionsCompleted.WithLabelValues(c.name, otherLabel).Inc()
	}
	c.active.Dec()
}

// conv returns the series of a conversation, or of OtherConversation when
// the name is outside the declared set, past the bound, or not valid UTF-8.
func (m *Metrics) conv(name string) *convSeries {
	if c, ok := m.convs.load(name); ok {
		return c
	}
	return m.convs.loadOrCreate(name, func(n int) (*convSeries, bool) {
		if name == OtherConversation || m.closed || n >= m.max || !utf8.ValidString(name) {
			if m.other == nil { // guarded by the convs insert lock
				m.other = newConvSeries(m.c, OtherConversation)
			}
			return m.other, name == OtherConversation
		}
		return newConvSeries(m.c, name), true
	})
}

// convSeries holds the series of one conversation label value.
type convSeries struct {
	name    string
	started prometheus.Counter
	active  prometheus.Gauge
	ended   []prometheus.Counter // indexed like results.Ends()
	tokens  prometheus.Counter
	polls   prometheus.Counter
	good    prometheus.Counter
	replies cowMap[results.Shape, prometheus.Counter] // by shape
	steps   cowMap[results.Step, *stepSeries]         // by step label
}

func newConvSeries(c *vecs, name string) *convSeries {
	s := &convSeries{
		name:    name,
		started: c.sessionsStarted.WithLabelValues(name),
		active:  c.sessionsActive.WithLabelValues(name),
		tokens:  c.tokens.WithLabelValues(name),
		polls:   c.pollRequests.WithLabelValues(name),
		good:    c.good.WithLabelValues(name),
	}
	for _, o := range results.Ends() {
		s.ended = append(s.ended, c.sessionsCompleted.WithLabelValues(name, string(o)))
	}
	return s
}

// otherLabel is the label value of a step, error kind or shape outside its
// fixed set.
const otherLabel = "other"

func (c *convSeries) reply(cs *vecs, shape results.Shape) prometheus.Counter {
	if r, ok := c.replies.load(shape); ok {
		return r
	}
	return c.replies.loadOrCreate(shape, func(int) (prometheus.Counter, bool) {
		if shape.Known() {
			return cs.replies.WithLabelValues(c.name, string(shape)), true
		}
		return cs.replies.WithLabelValues(c.name, otherLabel), false
	})
}

func (c *convSeries) step(cs *vecs, step results.Step) *stepSeries {
	if !step.Known() {
		step = otherLabel
	}
	if s, ok := c.steps.load(step); ok {
		return s
	}
	return c.steps.loadOrCreate(step, func(int) (*stepSeries, bool) {
		st := string(step)
		return &stepSeries{
			conversation: c.name,
			step:         st,
			duration:     cs.stepDuration.WithLabelValues(c.name, st),
			lag:          cs.lag.WithLabelValues(st),
			wait:         cs.wait.WithLabelValues(st),
		}, true
	})
}

// stepSeries holds the series of one (conversation, step) pair.
type stepSeries struct {
	conversation, step  string
	duration, lag, wait prometheus.Observer
	// Created on first use: poll steps never measure TTFB, and only message
	// steps stream. An empty histogram would give the dashboards a NaN
	// quantile series.
	ttfb, ttft, gap atomic.Pointer[prometheus.Observer]
	codes           cowMap[int, prometheus.Counter]
	kinds           cowMap[results.Kind, prometheus.Counter]
}

// lazy returns the observer in p, creating it from v on first use.
func (s *stepSeries) lazy(p *atomic.Pointer[prometheus.Observer], v *prometheus.HistogramVec) prometheus.Observer {
	if o := p.Load(); o != nil {
		return *o
	}
	o := v.WithLabelValues(s.conversation, s.step) // the same child every time, so a race is harmless
	p.CompareAndSwap(nil, &o)
	return o
}

func (s *stepSeries) requests(cs *vecs, code int) prometheus.Counter {
	if code < 0 || code > 999 {
		code = -1
	}
	if c, ok := s.codes.load(code); ok {
		return c
	}
	return s.codes.loadOrCreate(code, func(int) (prometheus.Counter, bool) {
		lv := otherLabel
		if code >= 0 {
			lv = strconv.Itoa(code)
		}
		return cs.requests.WithLabelValues(s.conversation, s.step, lv), true
	})
}

// errors returns the counter of kind; a kind outside results.Kinds() is
// counted as "other".
func (s *stepSeries) errors(cs *vecs, kind results.Kind) prometheus.Counter {
	if c, ok := s.kinds.load(kind); ok {
		return c
	}
	return s.kinds.loadOrCreate(kind, func(int) (prometheus.Counter, bool) {
		if kind.Known() {
			return cs.errors.WithLabelValues(s.conversation, s.step, string(kind)), true
		}
		return cs.errors.WithLabelValues(s.conversation, s.step, otherLabel), false
	})
}

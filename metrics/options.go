package metrics

import "time"

// DefaultMaxConversations bounds the distinct conversation label values one
// Metrics creates when no WithConversations list is given; later names are
// counted under OtherConversation.
const DefaultMaxConversations = 100

// OtherConversation is the conversation label value of results whose
// conversation is outside the declared set, past the bound, or not valid
// UTF-8. Steps and error kinds outside their fixed sets get the label "other"
// too.
const OtherConversation = "other"

// Option configures New.
type Option func(*config)

type config struct {
	runID            string
	version          string
	conversations    []string
	maxConversations int
	slo              SLO
	edges            map[HistogramName][]float64 // classic bucket edges replacing the defaults
	extra            map[HistogramName][]float64 // edges added to them
}

// SLO is the bounds a good message meets (the scenario's slo block), which
// loadgen_slo_seconds shows so that dashboards can draw them; zero bounds
// are not set.
type SLO struct {
	TTFT, Latency, InterToken time.Duration
}

// WithSLO sets the SLO bounds shown by loadgen_slo_seconds{bound}: "ttft",
// "latency" and "inter_token"; a zero bound has no series.
func WithSLO(s SLO) Option { return func(c *config) { c.slo = s } }

// WithRunID sets the run id shown by loadgen_run_info. It is never a label on
// other series.
func WithRunID(id string) Option { return func(c *config) { c.runID = id } }

// WithVersion sets the loadgen version shown by loadgen_run_info.
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithConversations declares the scenario's conversation names: their session
// series exist (at zero) from the start, so rates and dashboards show them
// before the first session, and any other name is counted as
// OtherConversation.
func WithConversations(names ...string) Option {
	return func(c *config) { c.conversations = append([]string(nil), names...) }
}

// WithMaxConversations bounds the distinct conversation label values when no
// WithConversations list is given (default DefaultMaxConversations; n < 1
// keeps the default).
func WithMaxConversations(n int) Option {
	return func(c *config) {
		if n >= 1 {
			c.maxConversations = n
		}
	}
}

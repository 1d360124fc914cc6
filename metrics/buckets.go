package metrics

import (
	"slices"
	"time"
)

// HistogramName names a duration histogram whose classic bucket edges can
// be chosen (WithBuckets, WithBucketEdges); the names are those of a
// scenario's metrics.buckets.
type HistogramName string

// The duration histograms.
const (
	Latency       HistogramName = "latency"         // loadgen_step_duration_seconds
	TTFB          HistogramName = "ttfb"            // loadgen_time_to_first_byte_seconds
	TTFT          HistogramName = "ttft"            // loadgen_time_to_first_token_seconds
	InterToken    HistogramName = "inter_token"     // loadgen_inter_token_seconds
	Lag           HistogramName = "lag"             // loadgen_schedule_lag_seconds
	RateLimitWait HistogramName = "rate_limit_wait" // loadgen_rate_limit_wait_seconds
)

// Histograms lists the duration histograms.
func Histograms() []HistogramName {
	return []HistogramName{Latency, TTFB, TTFT, InterToken, Lag, RateLimitWait}
}

// The default classic bucket edges, in seconds. histogram_quantile
// interpolates linearly inside a bucket, so a live percentile can be off by
// up to its bucket's width: the edges are dense where the answers matter —
// around the SLOs people set for chat replies (0.1, 0.2, 0.3, 0.5, 0.75, 1,
// 1.5, 2, 3, 5, 10 s all are edges, about 10-15 % apart from 0.1 s to 5 s)
// and, for the gaps between tokens, every millisecond from 10 to 20 ms and
// a few more to 50 ms, where streamed replies run. Each histogram still ends
// at 120 s, so long replies and timeouts land in a finite bucket. The
// native buckets (factor 1.1) are independent of these.
var (
	latencyEdges = []float64{
		0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075,
		0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9,
		1, 1.1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7.5,
		10, 12.5, 15, 20, 25, 30, 45, 60, 90, 120,
	}
	ttftEdges = []float64{
		0.01, 0.025, 0.05, 0.075,
		0.1, 0.11, 0.125, 0.14, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9,
		1, 1.1, 1.25, 1.4, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.5, 4, 4.5, 5, 6, 7.5,
		10, 15, 20, 30, 60, 120,
	}
	interTokenEdges = []float64{
		0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009,
		0.01, 0.011, 0.012, 0.013, 0.014, 0.015, 0.016, 0.017, 0.018, 0.019, 0.02,
		0.0225, 0.025, 0.0275, 0.03, 0.035, 0.04, 0.045, 0.05,
		0.06, 0.07, 0.08, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30, 120,
	}
	lagEdges = []float64{
		0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
		1, 2.5, 5, 10, 30, 60, 120,
	}
)

// DefaultBuckets returns h's default classic bucket edges in seconds.
func DefaultBuckets(h HistogramName) []float64 {
	switch h {
	case Latency, TTFB:
		return slices.Clone(latencyEdges)
	case TTFT:
		return slices.Clone(ttftEdges)
	case InterToken:
		return slices.Clone(interTokenEdges)
	}
	return slices.Clone(lagEdges)
}

// WithBuckets replaces h's classic bucket edges (a scenario's
// metrics.buckets); no edges keeps the defaults.
func WithBuckets(h HistogramName, edges ...time.Duration) Option {
	return func(c *config) {
		if len(edges) == 0 {
			return
		}
		if c.edges == nil {
			c.edges = map[HistogramName][]float64{}
		}
		c.edges[h] = seconds(edges)
	}
}

// WithBucketEdges adds edges to h's classic buckets, whichever they are: the
// bounds of the scenario's SLO and thresholds, so that "how many were within
// 2 s" is read off a bucket exactly.
func WithBucketEdges(h HistogramName, edges ...time.Duration) Option {
	return func(c *config) {
		if c.extra == nil {
			c.extra = map[HistogramName][]float64{}
		}
		c.extra[h] = append(c.extra[h], seconds(edges)...)
	}
}

// buckets returns h's edges: the chosen or default ones plus the added ones,
// sorted, without duplicates.
func (c *config) buckets(h HistogramName) []float64 {
	edges := DefaultBuckets(h)
	if e, ok := c.edges[h]; ok {
		edges = slices.Clone(e)
	}
	for _, x := range c.extra[h] {
		if x > 0 {
			edges = append(edges, x)
		}
	}
	slices.Sort(edges)
	return slices.Compact(edges)
}

func seconds(ds []time.Duration) []float64 {
	out := make([]float64, 0, len(ds))
	for _, d := range ds {
		if d > 0 {
			out = append(out, d.Seconds())
		}
	}
	return out
}

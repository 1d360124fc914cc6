package report

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

// Summary is the end-of-run summary document: what the JSON report holds
// field for field (design.md "Summary JSON", durations in seconds) and what
// the text and HTML reports render. Build makes one from a
// stats.Snapshot; ReadJSON reads one back.
type Summary struct {
	RunID        string                 `json:"run_id"`
	Scenario     string                 `json:"scenario"`
	ScenarioHash string                 `json:"scenario_hash,omitempty"`
	Version      string                 `json:"loadgen_version,omitempty"`
	Target       string                 `json:"target,omitempty"`
	StartedAt    time.Time              `json:"started_at"`
	DurationS    float64                `json:"duration_s"`
	Files        int                    `json:"files,omitempty"`
	Sessions     stats.Sessions         `json:"sessions"`
	Steps        Steps                  `json:"steps"`
	Errors       map[results.Kind]int64 `json:"errors"`
	// ErrorDetails holds the first few distinct error texts of each kind
	// (redacted by the client: never a secret or token).
	ErrorDetails map[results.Kind][]string `json:"error_details,omitempty"`
	// Generator is what loadgen measured of its own limits during a live
	// run (nil for a report made from files).
	Generator *Generator `json:"generator,omitempty"`
	// AllFailed: requests were made and not one succeeded (or every one was
	// failed by loadgen itself): the run measured nothing of the target.
	AllFailed   bool            `json:"all_failed,omitempty"`
	Goodput     Goodput         `json:"goodput"`
	Throughput  Throughput      `json:"throughput"`
	Thresholds  []Verdict       `json:"thresholds"`
	Schedule    Schedule        `json:"schedule"`
	TTFTBars    []Bar           `json:"ttft_histogram,omitempty"`
	Series      *Timeline       `json:"series,omitempty"`
	Replay      *Replay         `json:"replay,omitempty"`      // only when turns were replayed from transcripts
	Config      *results.Config `json:"config,omitempty"`      // the run's settings, secret-free
	Distributed *Distributed    `json:"distributed,omitempty"` // a run merged from its shards by loadgen collect
	// Conversations breaks the run down by conversation of the mix, by name.
	Conversations []ConversationSummary `json:"conversations,omitempty"`
	// Interrupted: the run was stopped (Ctrl-C) before its duration ended;
	// DurationS is then how long it ran.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Replay compares the replies to replayed turns with the recorded replies.
type Replay struct {
	Replies     int64   `json:"replies"`      // replies to turns with a recorded reply
	Chars       int64   `json:"chars"`        // their characters
	RefChars    int64   `json:"ref_chars"`    // the recorded replies' characters
	LengthRatio float64 `json:"length_ratio"` // Chars / RefChars
}

// StepSummary is one step's stats.
type StepSummary struct {
	Step         results.Step           `json:"-"` // the key of this entry in Steps
	Count        int64                  `json:"count"`
	Errors       int64                  `json:"errors"`         // failed for the target's reasons
	Ours         int64                  `json:"loadgen_failed"` // failed for loadgen's own (canceled by the run's stop, local_resource): not errors
	ErrorRate    float64                `json:"error_rate"`     // Errors / (Count − Ours)
	Kinds        map[results.Kind]int64 `json:"errors_by_kind"`
	Codes        map[string]int64       `json:"codes"`
	Latency      Percentiles            `json:"latency"`
	FromIntended Percentiles            `json:"latency_from_intended"`
	Lag          Percentiles            `json:"lag"`
	BytesIn      int64                  `json:"bytes_in"`
	BytesOut     int64                  `json:"bytes_out"`
	Polls        int64                  `json:"polls,omitempty"`
	// AtLeast is set when the run's stop cut some of the step's requests
	// short (canceled, not the target's errors): its distributions counting
	// them at how long they had run, a lower bound of each. Thresholds take
	// the larger of it and the completed steps' figure.
	AtLeast         *Bounds `json:"at_least,omitempty"`
	*MessageSummary         // message steps only
}

// Bounds are a step's distributions with the requests the run's stop cut
// short counted at how long they had run: what each was at least. A hung
// reply cut after 20 s took at least 20 s, whatever the completed ones did.
type Bounds struct {
	Cut     int64        `json:"cut"` // requests the stop cut short
	Latency Percentiles  `json:"latency"`
	TTFB    *Percentiles `json:"ttfb,omitempty"` // message steps
	TTFT    *Percentiles `json:"ttft,omitempty"`
}

// MessageSummary holds the stats only message steps have.
type MessageSummary struct {
	TTFB       Percentiles             `json:"ttfb"`
	TTFT       Percentiles             `json:"ttft"`
	InterToken Percentiles             `json:"inter_token"`
	TPOT       Percentiles             `json:"tpot"`
	Tokens     int64                   `json:"tokens"`
	Parts      int64                   `json:"parts"`
	Chars      int64                   `json:"chars"`
	Shapes     map[results.Shape]int64 `json:"shapes"`
	Good       int64                   `json:"good"`
}

// Percentiles summarises a distribution of durations, in seconds: its
// count, percentiles, maximum, mean and minimum.
type Percentiles struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
	Min   float64 `json:"min"`
}

// Goodput is the share of messages that met the scenario's SLO. Messages
// that loadgen itself failed (canceled by the run's stop, local_resource)
// are not counted: they say nothing of the target.
type Goodput struct {
	Messages  int64   `json:"messages"`
	Good      int64   `json:"good"`
	Share     float64 `json:"share"`      // Good / Messages
	PerSecond float64 `json:"per_second"` // good messages per second of the run
}

// Generator is what loadgen measured of its own limits during a run
// (runner.Saturation): when Saturated, it did not deliver the load the
// scenario asked for, and the run measured loadgen rather than the target.
type Generator struct {
	Saturated   bool    `json:"saturated"`
	Reason      string  `json:"reason,omitempty"` // why, for people
	CPU         float64 `json:"cpu"`              // CPUs used on average
	CPUs        int     `json:"cpus"`             // CPUs it could use
	MaxSessions int     `json:"max_sessions"`     // the cap on sessions in flight, max_sessions (0: none)
	SlotWaits   int64   `json:"slot_waits"`       // sessions that waited for a slot
	// MaxConnections is the cap on requests in flight, the connections the
	// file limit lets loadgen hold (0: none); ConnectionWaits the requests
	// that waited for one.
	MaxConnections  int   `json:"max_connections"`
	ConnectionWaits int64 `json:"connection_waits"`
	LateArrivals    int64 `json:"late_arrivals"` // arrivals the scheduler started late
	LocalErrors     int64 `json:"local_errors"`  // requests failed on loadgen's own resources
	// Undelivered says how loadgen's own limits (its resources, the
	// connections its file limit allows) held back the load asked for; "" when they did
	// not. Such a run exits 1 unless a threshold failed.
	Undelivered string `json:"undelivered,omitempty"`
}

// Verdict is a threshold's result on a summary: the metric's value and
// whether it passed.
type Verdict struct {
	Expr    string  `json:"expr"`
	Value   float64 `json:"value"` // the metric, in its unit
	Pass    bool    `json:"pass"`
	Unit    string  `json:"unit,omitempty"`    // UnitSeconds, UnitRatio (a fraction), UnitPerSecond or UnitCount
	Samples int64   `json:"samples,omitempty"` // observations the value rests on
	// NoSamples: nothing was measured for the metric, so the threshold
	// failed whatever its value (shown as "no samples").
	NoSamples bool `json:"no_samples,omitempty"`
	// AtLeast: the value counts requests the run's stop cut short at how
	// long they had run (StepSummary.AtLeast), which is above what the
	// completed ones give: the metric was at least this.
	AtLeast bool `json:"at_least,omitempty"`
}

// Show returns the value for people: "no samples" when nothing was
// measured, else the value in its unit, "at least" it when it counts
// requests the run's stop cut short (Verdict.AtLeast).
func (v Verdict) Show() string {
	switch {
	case v.NoSamples:
		return "no samples"
	case v.AtLeast:
		return "at least " + FormatValue(v.Value, v.Unit)
	}
	return FormatValue(v.Value, v.Unit)
}

// Schedule compares the planned session arrivals with what happened.
type Schedule struct {
	TargetRate   float64     `json:"target_rate"`   // planned sessions/s (0: closed model)
	AchievedRate float64     `json:"achieved_rate"` // sessions started per second of the run
	LagP99       float64     `json:"lag_p99"`       // seconds late, every step
	Lag          Percentiles `json:"lag"`           // lag of every step
	Wait         Percentiles `json:"rate_limit_wait"`
	WaitTotal    float64     `json:"rate_limit_wait_total_s"`
	// Steady is the steady-state check's verdict, null when the run had no
	// window to check (too short, or no constant load to hold); the check's
	// details are in SteadyState.
	Steady      *bool        `json:"steady"`
	SteadyState *SteadyState `json:"steady_state,omitempty"`
}

// Bar is one bar of a histogram plot: Count values in [From, To) seconds.
type Bar struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Count int64   `json:"count"`
}

// Timeline is the run's time series as the summary document holds it: one
// Point per interval of the aggregate's stats.Series.
type Timeline struct {
	IntervalS float64   `json:"interval_s"`
	Start     time.Time `json:"start"`
	Points    []Point   `json:"points"`
}

// Point is one interval. T is its start in seconds from Timeline.Start. The
// flat latency percentiles are of message steps; Steps holds the other
// steps that ran in the interval. Percentiles have two significant digits.
type Point struct {
	T              float64               `json:"t"`
	Requests       int64                 `json:"requests"`
	Errors         int64                 `json:"errors"`
	UsersActive    float64               `json:"users_active"`
	ArrivalsTarget int64                 `json:"arrivals_target"`
	Arrivals       int64                 `json:"arrivals"`
	Messages       int64                 `json:"messages"`
	MessageErrors  int64                 `json:"message_errors"`
	Sent           int64                 `json:"sent"` // messages sent, streamed or async (goodput's denominator)
	Good           int64                 `json:"good"`
	TTFTP50        float64               `json:"ttft_p50"`
	TTFTP95        float64               `json:"ttft_p95"`
	TTFTP99        float64               `json:"ttft_p99"`
	LatencyP50     float64               `json:"latency_p50"`
	LatencyP95     float64               `json:"latency_p95"`
	LatencyP99     float64               `json:"latency_p99"`
	Steps          map[string]*PointStep `json:"steps,omitempty"`
}

// PointStep is one step other than message in an interval.
type PointStep struct {
	Count      int64   `json:"count"`
	Errors     int64   `json:"errors"`
	LatencyP50 float64 `json:"latency_p50"`
	LatencyP95 float64 `json:"latency_p95"`
	LatencyP99 float64 `json:"latency_p99"`
}

// Build makes the summary document of a run from its facts and the
// snapshot of its aggregate. A zero run.Start means the first thing
// recorded; a zero run.Duration, first to last.
func Build(run results.Run, d *stats.Snapshot) *Summary {
	start := run.Start
	if start.IsZero() {
		start = d.First
	}
	dur := run.Duration
	if dur <= 0 {
		dur = d.Elapsed()
	}
	s := &Summary{
		RunID:        run.ID,
		Scenario:     run.Scenario,
		ScenarioHash: run.ScenarioHash,
		Version:      run.Version,
		Target:       results.RedactURL(run.Target),
		StartedAt:    start.UTC(),
		DurationS:    dur.Seconds(),
		Sessions:     d.Sessions,
		Errors:       d.Errors,
		ErrorDetails: d.Details,
		Thresholds:   []Verdict{},
		Config:       run.Config,
	}
	for _, st := range d.Steps {
		step := buildStep(st)
		if st.Step == results.StepMessage {
			step.MessageSummary = buildMessage(st)
			s.TTFTBars = bars(&st.TTFT)
		}
		if st.Step.Sends() { // goodput: every message sent, streamed or async, that loadgen did not fail itself
			s.Goodput.Messages += st.Judged()
			s.Goodput.Good += st.Good
		}
		s.Steps = append(s.Steps, step)
	}
	s.Goodput.Share = ratio(s.Goodput.Good, s.Goodput.Messages)
	s.Goodput.PerSecond = perSecond(s.Goodput.Good, dur)
	s.Schedule = Schedule{
		TargetRate:   run.TargetRate,
		AchievedRate: perSecond(d.Sessions.Started, dur),
		LagP99:       d.Lag.Quantile(0.99).Seconds(),
		Lag:          dist(&d.Lag),
		Wait:         dist(&d.Wait),
		WaitTotal:    d.Wait.Sum().Seconds(),
	}
	if st := buildSteady(run, start, dur, d); st != nil {
		s.Schedule.Steady, s.Schedule.SteadyState = &st.Steady, st
	}
	s.Series = buildSeries(&d.Series)
	s.Replay = buildReplay(d)
	s.Throughput = buildThroughput(d, dur)
	s.Conversations = buildConversations(d)
	reqs, errs := s.Steps.Traffic()
	s.AllFailed = reqs > 0 && errs == reqs-s.Steps.trafficOurs()
	return s
}

// buildReplay sums the recorded-reply counts of every step; nil without any.
func buildReplay(d *stats.Snapshot) *Replay {
	var r Replay
	for _, st := range d.Steps {
		r.Replies += st.Referenced
		r.Chars += st.RefReplyChars
		r.RefChars += st.RefChars
	}
	if r.Replies == 0 {
		return nil
	}
	r.LengthRatio = ratio(r.Chars, r.RefChars)
	return &r
}

func buildStep(st *stats.StepStats) *StepSummary {
	codes := make(map[string]int64, len(st.Codes))
	for c, n := range st.Codes {
		codes[strconv.Itoa(c)] = n
	}
	return &StepSummary{
		Step: st.Step, Count: st.Count, Errors: st.Errors, Ours: st.Ours, ErrorRate: st.ErrorRate(), Kinds: st.Kinds, Codes: codes,
		Latency: dist(&st.Latency), FromIntended: dist(&st.FromIntended), Lag: dist(&st.Lag),
		BytesIn: st.BytesIn, BytesOut: st.BytesOut, Polls: st.Polls, AtLeast: buildBounds(st),
	}
}

// buildBounds is a step's Bounds, nil when the stop cut nothing short.
func buildBounds(st *stats.StepStats) *Bounds {
	if st.Cut.Count() == 0 {
		return nil
	}
	with := func(done, cut *stats.Histogram) Percentiles {
		h := done.Clone()
		h.Merge(cut)
		return dist(h)
	}
	b := &Bounds{Cut: st.Cut.Count(), Latency: with(&st.Latency, &st.Cut)}
	if st.Step == results.StepMessage {
		ttfb, ttft := with(&st.TTFB, &st.CutTTFB), with(&st.TTFT, &st.CutTTFT)
		b.TTFB, b.TTFT = &ttfb, &ttft
	}
	return b
}

func buildMessage(st *stats.StepStats) *MessageSummary {
	return &MessageSummary{
		TTFB: dist(&st.TTFB), TTFT: dist(&st.TTFT), InterToken: dist(&st.Gap), TPOT: dist(&st.TPOT),
		Tokens: st.Tokens, Parts: st.Parts, Chars: st.Chars, Shapes: st.Shapes, Good: st.Good,
	}
}

func dist(h *stats.Histogram) Percentiles {
	return Percentiles{
		Count: h.Count(),
		P50:   h.Quantile(0.50).Seconds(),
		P90:   h.Quantile(0.90).Seconds(),
		P95:   h.Quantile(0.95).Seconds(),
		P99:   h.Quantile(0.99).Seconds(),
		Max:   h.Max().Seconds(),
		Mean:  h.Mean().Seconds(),
		Min:   h.Min().Seconds(),
	}
}

func buildSeries(s *stats.Series) *Timeline {
	if len(s.Intervals) == 0 {
		return nil
	}
	out := &Timeline{IntervalS: s.Width.Seconds(), Start: s.Start().UTC(), Points: make([]Point, len(s.Intervals))}
	msg := slices.Index(results.Steps(), results.StepMessage)
	for i := range s.Intervals {
		iv := &s.Intervals[i]
		lat := &iv.Steps[msg].Latency
		out.Points[i] = Point{
			T:              float64(i) * s.Width.Seconds(),
			Requests:       iv.Requests(),
			Errors:         iv.Errors(),
			UsersActive:    round(s.UsersActive(i), 3),
			ArrivalsTarget: iv.Arrivals,
			Arrivals:       iv.Started,
			Messages:       iv.Steps[msg].Count,
			Sent:           sent(iv),
			MessageErrors:  iv.Steps[msg].Errors,
			Good:           iv.Good,
			TTFTP50:        iv.TTFT.Quantile(0.50).Seconds(),
			TTFTP95:        iv.TTFT.Quantile(0.95).Seconds(),
			TTFTP99:        iv.TTFT.Quantile(0.99).Seconds(),
			LatencyP50:     lat.Quantile(0.50).Seconds(),
			LatencyP95:     lat.Quantile(0.95).Seconds(),
			LatencyP99:     lat.Quantile(0.99).Seconds(),
		}
		for j, st := range results.Steps() {
			is := &iv.Steps[j]
			if j == msg || is.Count == 0 {
				continue
			}
			if out.Points[i].Steps == nil {
				out.Points[i].Steps = map[string]*PointStep{}
			}
			out.Points[i].Steps[string(st)] = &PointStep{Count: is.Count, Errors: is.Errors,
				LatencyP50: is.Latency.Quantile(0.50).Seconds(), LatencyP95: is.Latency.Quantile(0.95).Seconds(),
				LatencyP99: is.Latency.Quantile(0.99).Seconds()}
		}
	}
	return out
}

// bars cuts a histogram into about 30 bars of a round width from its
// minimum to its 99.9th percentile; the last bar also holds the rest.
func bars(h *stats.Histogram) []Bar {
	if h.Count() == 0 {
		return nil
	}
	lo, hi := h.Min(), h.Quantile(0.999)
	width := niceStep((hi - lo) / 30)
	first := lo.Truncate(width)
	var edges []time.Duration
	for e := first; e <= hi; e += width {
		edges = append(edges, e)
	}
	edges = append(edges, edges[len(edges)-1]+width)
	bs := h.Buckets(edges)
	out := make([]Bar, len(bs))
	for i, b := range bs {
		out[i] = Bar{From: b.From.Seconds(), To: b.To.Seconds(), Count: b.Count}
	}
	return out
}

// niceStep rounds d up to 1, 2 or 5 times a power of ten (at least 1 µs).
func niceStep(d time.Duration) time.Duration {
	step := time.Microsecond
	for {
		for _, m := range []time.Duration{1, 2, 5} {
			if m*step >= d {
				return m * step
			}
		}
		step *= 10
	}
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return round(float64(n)/d.Seconds(), 3)
}

func round(x float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(x*p) / p
}

// sent counts the messages sent in an interval, streamed or async, but
// those loadgen failed itself (the goodput's denominator).
func sent(iv *stats.Interval) int64 {
	var n int64
	for i, st := range results.Steps() {
		if st.Sends() {
			n += iv.Steps[i].Count - iv.Steps[i].Ours
		}
	}
	return n
}

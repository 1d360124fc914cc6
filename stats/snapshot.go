package stats

import (
	"maps"
	"slices"
	"time"

	"github.com/loadgen/loadgen/results"
)

// Snapshot is the state of an Aggregate at one moment: plain data that is safe
// to read without locks. Aggregate.Snapshot returns an independent copy, so
// callers may keep or merge it.
//
// What each histogram holds:
//   - Latency and FromIntended: every step except canceled ones (a timeout
//     or a failed step still took that long); FromIntended adds the schedule
//     lag (results.Result.LatencyFromIntended, coordinated omission corrected).
//   - Lag and Wait: every step.
//   - TTFB and TTFT: message steps that got a first byte / first token.
//   - Gap: every inter-token gap of every message step; TPOT: one value per
//     message with at least two tokens (the span after the first token
//     divided by tokens − 1).
type Snapshot struct {
	Steps    []*StepStats              // one per Steps(), in that order
	Errors   map[results.Kind]int64    // error kind → count, all steps, ours (Kind.Ours) included
	Details  map[results.Kind][]string // error kind → its first MaxDetails distinct Result.Detail texts (redacted by the client)
	Sessions Sessions                  //
	Lag      Histogram                 // schedule lag (Result.Lag) of every step
	Wait     Histogram                 // global rate-limiter wait of every step
	First    time.Time                 // earliest intended or actual start or session event; zero when empty
	Last     time.Time                 // latest step end or session event
	Series   Series                    // per-interval time series
	Unknown  int64                     // results whose Step is not one of Steps() (not counted elsewhere)
	// Conversations holds each conversation's stats by name (at most
	// MaxConversations, then OtherConversation); nil until the first.
	Conversations map[string]*ConversationStats
}

// Sessions counts virtual-user sessions by outcome (results.End). The
// summary document holds it as is (its "sessions" object).
type Sessions struct {
	Started   int64 `json:"started"`
	Completed int64 `json:"completed"`
	Failed    int64 `json:"failed"`
	Canceled  int64 `json:"canceled"`
}

// Active returns the sessions started and not yet ended.
func (s Sessions) Active() int64 { return s.Started - s.Completed - s.Failed - s.Canceled }

// StepStats aggregates the results of one step.
type StepStats struct {
	Step         results.Step
	Count        int64                  // results
	Errors       int64                  // results that failed for the target's reasons (Kind.Target)
	Ours         int64                  // results that failed for loadgen's own (Kind.Ours: canceled, local_resource): not errors
	Kinds        map[results.Kind]int64 // error kind → count, ours included
	Codes        map[int]int64          // HTTP status → count; 0 means no response arrived
	Latency      Histogram              // from the actual start
	FromIntended Histogram              // from the intended start
	Lag          Histogram              // schedule lag
	BytesIn      int64                  //
	BytesOut     int64                  //

	// Steps the run's stop canceled (results.KindCanceled): how long each
	// had run when it was cut, a lower bound of its latency; of message
	// steps cut before their first byte or token, also a lower bound of
	// their TTFB or TTFT. Thresholds count them at that bound (report).
	Cut     Histogram
	CutTTFB Histogram
	CutTTFT Histogram

	// Message steps.
	TTFB   Histogram               // time to first byte
	TTFT   Histogram               // time to first token
	Gap    Histogram               // inter-token gaps
	TPOT   Histogram               // time per output token after the first
	Tokens int64                   //
	Parts  int64                   // text parts
	Chars  int64                   // reply characters
	Shapes map[results.Shape]int64 // reply shape → count (successful replies)
	Good   int64                   // results with Good set (met the SLO): message and ack steps

	// Poll steps.
	Polls int64 // GET requests made

	// Replayed turns with a recorded reply (message or poll steps, the one
	// that carries the reply), counted when the reply arrived.
	Referenced    int64 // such replies
	RefReplyChars int64 // their characters
	RefChars      int64 // the recorded replies' characters
}

// Judged returns the results that say something about the target: Count
// without Ours.
func (st *StepStats) Judged() int64 { return st.Count - st.Ours }

// ErrorRate returns Errors / Judged(): steps loadgen itself failed (Ours)
// are neither errors nor counted; 0 when nothing was judged.
func (st *StepStats) ErrorRate() float64 {
	if st.Judged() <= 0 {
		return 0
	}
	return float64(st.Errors) / float64(st.Judged())
}

func newStepStats(s results.Step) *StepStats {
	return &StepStats{Step: s, Kinds: map[results.Kind]int64{}, Codes: map[int]int64{}, Shapes: map[results.Shape]int64{}}
}

// MaxDetails is how many distinct error texts a Snapshot keeps per kind.
const MaxDetails = 3

// addDetail keeps text among kind's first MaxDetails distinct details.
func (d *Snapshot) addDetail(kind results.Kind, text string) {
	have := d.Details[kind]
	if text == "" || len(have) >= MaxDetails || slices.Contains(have, text) {
		return
	}
	d.Details[kind] = append(have, text)
}

func newSnapshot(maxIntervals int) *Snapshot {
	d := &Snapshot{Errors: map[results.Kind]int64{}, Details: map[results.Kind][]string{}, Series: newSeries(maxIntervals)}
	for _, s := range results.Steps() {
		d.Steps = append(d.Steps, newStepStats(s))
	}
	return d
}

// Step returns the stats of step s, nil for an unknown step.
func (d *Snapshot) Step(s results.Step) *StepStats {
	if i := s.Index(); i >= 0 {
		return d.Steps[i]
	}
	return nil
}

// Requests returns the number of results of every step.
func (d *Snapshot) Requests() int64 {
	var n int64
	for _, st := range d.Steps {
		n += st.Count
	}
	return n
}

// ErrorCount returns the number of results of every step that failed for
// the target's reasons.
func (d *Snapshot) ErrorCount() int64 {
	var n int64
	for _, st := range d.Steps {
		n += st.Errors
	}
	return n
}

// OursCount returns the number of results of every step that failed for
// loadgen's own reasons (Kind.Ours).
func (d *Snapshot) OursCount() int64 {
	var n int64
	for _, st := range d.Steps {
		n += st.Ours
	}
	return n
}

// Elapsed returns Last − First, 0 when nothing was recorded.
func (d *Snapshot) Elapsed() time.Duration {
	if d.First.IsZero() {
		return 0
	}
	return d.Last.Sub(d.First)
}

// tpot is the time per output token after the first (helperapi.Reply.TPOT).
func tpot(r *results.Result) (time.Duration, bool) {
	if r.Tokens < 2 || len(r.Gaps) == 0 {
		return 0, false
	}
	var span time.Duration
	for _, g := range r.Gaps {
		span += g
	}
	return span / time.Duration(r.Tokens-1), true
}

func (d *Snapshot) seen(t time.Time) {
	if t.IsZero() {
		return
	}
	if d.First.IsZero() || t.Before(d.First) {
		d.First = t
	}
	if t.After(d.Last) {
		d.Last = t
	}
}

func (d *Snapshot) sessionStarted(conversation string, t time.Time) {
	d.seen(t)
	d.Series.advance(t)
	d.Sessions.Started++
	d.conversation(conversation).Sessions.Started++
	d.Series.active++
}

func (d *Snapshot) sessionEnded(conversation string, end results.End, t time.Time) {
	d.seen(t)
	d.Series.advance(t)
	d.Sessions.count(end)
	d.conversation(conversation).Sessions.count(end)
	d.Series.active--
	if end != results.EndCanceled && !t.IsZero() {
		d.Series.at(t.UnixNano()).Finished++
	}
}

func (d *Snapshot) record(r *results.Result) {
	i := r.Step.Index()
	if i < 0 {
		d.Unknown++
		return
	}
	st := d.Steps[i]
	d.conversation(r.Conversation).record(r)
	st.Count++
	st.Codes[r.Code]++
	st.BytesIn += r.BytesIn
	st.BytesOut += r.BytesOut
	countFailed(r.Error, &st.Ours, &st.Errors)
	if r.Error != "" {
		st.Kinds[r.Error]++
		d.Errors[r.Error]++
		d.addDetail(r.Error, r.Detail)
	}
	lag := r.Lag()
	st.Lag.Record(lag)
	d.Lag.Record(lag)
	d.Wait.Record(r.Wait)
	timed := r.Error.Timed()
	if timed {
		st.Latency.Record(r.Latency)
		st.FromIntended.Record(r.LatencyFromIntended())
	}
	if r.Error == results.KindCanceled {
		st.recordCut(r)
	}
	switch r.Step {
	case results.StepMessage:
		d.recordMessage(st, r)
	case results.StepPoll:
		st.Polls += int64(r.Polls)
	}
	if r.Good && r.Step.Sends() {
		st.Good++
	}
	if r.RefChars > 0 && (r.Error == "" || r.Error == results.KindExpectation) {
		st.Referenced++
		st.RefReplyChars += int64(r.Chars)
		st.RefChars += int64(r.RefChars)
	}

	if !r.Intended.IsZero() {
		d.seen(r.Intended)
	}
	end := r.Start.Add(r.Latency)
	d.seen(r.Start)
	d.seen(end)
	if r.Start.IsZero() {
		return
	}
	iv := d.Series.at(r.Start.UnixNano())
	is := &iv.Steps[i]
	is.Count++
	countFailed(r.Error, &is.Ours, &is.Errors)
	if timed {
		is.Latency.Record(r.Latency)
	}
	if r.Step == results.StepMessage && r.TTFT > 0 {
		iv.TTFT.Record(r.TTFT)
	}
	if r.Step.Sends() && r.Good {
		iv.Good++
	}
	if r.Step == results.StepSession && r.Turn == 0 { // a session's first page view, not a later one
		iv.Started++
		at := r.Intended
		if at.IsZero() {
			at = r.Start
		}
		d.Series.at(at.UnixNano()).Arrivals++
	}
	d.Series.advance(end)
}

// recordCut notes how long a step the run's stop canceled had run.
func (st *StepStats) recordCut(r *results.Result) {
	st.Cut.Record(r.Latency)
	if r.Step != results.StepMessage {
		return
	}
	if r.TTFB == 0 {
		st.CutTTFB.Record(r.Latency)
	}
	if r.TTFT == 0 {
		st.CutTTFT.Record(r.Latency)
	}
}

func (d *Snapshot) recordMessage(st *StepStats, r *results.Result) {
	if r.TTFB > 0 {
		st.TTFB.Record(r.TTFB)
	}
	if r.TTFT > 0 {
		st.TTFT.Record(r.TTFT)
	}
	for _, g := range r.Gaps {
		st.Gap.Record(g)
	}
	if v, ok := tpot(r); ok {
		st.TPOT.Record(v)
	}
	st.Tokens += int64(r.Tokens)
	st.Parts += int64(r.Parts)
	st.Chars += int64(r.Chars)
	if r.Shape != "" {
		st.Shapes[r.Shape]++
	}
}

// Clone returns an independent deep copy of d.
func (d *Snapshot) Clone() *Snapshot {
	c := *d
	c.Steps = make([]*StepStats, len(d.Steps))
	for i, st := range d.Steps {
		c.Steps[i] = st.clone()
	}
	c.Errors = maps.Clone(d.Errors)
	c.Details = make(map[results.Kind][]string, len(d.Details))
	for k, v := range d.Details {
		c.Details[k] = slices.Clone(v)
	}
	c.Lag = d.Lag.clone()
	c.Wait = d.Wait.clone()
	c.Series = d.Series.clone()
	if d.Conversations != nil {
		c.Conversations = make(map[string]*ConversationStats, len(d.Conversations))
		for name, cs := range d.Conversations {
			c.Conversations[name] = cs.clone()
		}
	}
	return &c
}

func (st *StepStats) clone() *StepStats {
	c := *st
	c.Kinds = maps.Clone(st.Kinds)
	c.Codes = maps.Clone(st.Codes)
	c.Shapes = maps.Clone(st.Shapes)
	for _, h := range []struct{ dst, src *Histogram }{
		{&c.Latency, &st.Latency}, {&c.FromIntended, &st.FromIntended}, {&c.Lag, &st.Lag},
		{&c.TTFB, &st.TTFB}, {&c.TTFT, &st.TTFT}, {&c.Gap, &st.Gap}, {&c.TPOT, &st.TPOT},
		{&c.Cut, &st.Cut}, {&c.CutTTFB, &st.CutTTFB}, {&c.CutTTFT, &st.CutTTFT},
	} {
		*h.dst = h.src.clone()
	}
	return &c
}

func (h *Histogram) clone() Histogram { return *h.Clone() }

// Merge adds o into d: counts add and histograms merge, so merging the
// snapshots of shards gives exactly the snapshot of the whole run.
func (d *Snapshot) Merge(o *Snapshot) {
	for i, st := range d.Steps {
		st.merge(o.Steps[i])
	}
	addCounts(d.Errors, o.Errors)
	for _, k := range slices.Sorted(maps.Keys(o.Details)) {
		for _, text := range o.Details[k] {
			d.addDetail(k, text)
		}
	}
	d.Sessions.add(o.Sessions)
	for name, cs := range o.Conversations {
		d.conversation(name).merge(cs)
	}
	d.Lag.Merge(&o.Lag)
	d.Wait.Merge(&o.Wait)
	d.seen(o.First)
	d.seen(o.Last)
	d.Series.merge(&o.Series)
	d.Unknown += o.Unknown
}

func (st *StepStats) merge(o *StepStats) {
	st.Count += o.Count
	st.Errors += o.Errors
	st.Ours += o.Ours
	addCounts(st.Kinds, o.Kinds)
	addCounts(st.Codes, o.Codes)
	addCounts(st.Shapes, o.Shapes)
	st.Latency.Merge(&o.Latency)
	st.FromIntended.Merge(&o.FromIntended)
	st.Lag.Merge(&o.Lag)
	st.BytesIn += o.BytesIn
	st.BytesOut += o.BytesOut
	st.TTFB.Merge(&o.TTFB)
	st.TTFT.Merge(&o.TTFT)
	st.Gap.Merge(&o.Gap)
	st.TPOT.Merge(&o.TPOT)
	st.Cut.Merge(&o.Cut)
	st.CutTTFB.Merge(&o.CutTTFB)
	st.CutTTFT.Merge(&o.CutTTFT)
	st.Tokens += o.Tokens
	st.Parts += o.Parts
	st.Chars += o.Chars
	st.Good += o.Good
	st.Polls += o.Polls
	st.Referenced += o.Referenced
	st.RefReplyChars += o.RefReplyChars
	st.RefChars += o.RefChars
}

func addCounts[K comparable](dst, src map[K]int64) {
	for k, v := range src {
		dst[k] += v
	}
}

// countFailed adds a failed step to ours when loadgen itself failed it
// (Kind.Ours) and to errs when the target did; a step with no error adds
// to neither.
func countFailed(k results.Kind, ours, errs *int64) {
	switch {
	case k.Ours():
		*ours++
	case k != "":
		*errs++
	}
}

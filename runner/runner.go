package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
)

// Runner runs one scenario. Create it with New, run it once with Run. Its
// counters (Active, Started) may be read concurrently while it runs.
type Runner struct {
	sc      *scenarios.Scenario
	client  *helperapi.Client
	sink    results.Sink // set by Run
	opts    options
	log     *slog.Logger
	clock   Clock
	start   time.Time       // set by StartAt; zero: when Run is called
	pacer   arrivalSchedule // open model
	limiter *rate.Limiter   // global request cap; nil = none
	slots   chan struct{}   // max_sessions in flight; nil = no cap
	conns   chan struct{}   // requests in flight the file limit allows (limits.go); nil = no cap
	// maxSessions is the cap on this shard's sessions in flight, its share
	// of max_sessions (0: none); maxConns the cap on its requests in flight,
	// what the file limit allows (0: none); limitWarning says when the load
	// may need more connections at once than that.
	maxSessions    int
	maxConns       int
	templateWarned atomic.Int64 // failed templates logged so far (maxTemplateWarnings)
	limitWarning   string
	workers        *workers   // run the requests (see workers)
	fast           *failFast  // the early stop
	sat            saturation // the generator's own limits (saturation.go)
	debug          debugLog   // --log-level debug: the first failures of each kind

	sessions atomic.Uint64 // session numbers handed out
	active   atomic.Int64  // sessions in flight
	phase    phaseTimes    // for Progress

	files    widgetFiles                                               // attachments, by spec
	tools    map[*scenarios.ConversationSpec]map[string]helperapi.Tool // an SDK integration's tools
	replays  map[*scenarios.ConversationSpec]*replaySource             // transcripts being replayed
	original *scenarios.ConversationSpec                               // replay model: the conversation replayed at its original times
}

// Outcome describes a finished run.
type Outcome struct {
	Start       time.Time     // when the schedule began (the StartAt instant when set): intended times count from it
	Began       time.Time     // when Run actually began scheduling, after waiting for the StartAt instant
	Stop        time.Time     // when arrivals stopped (duration reached or canceled)
	End         time.Time     // when the last session ended
	Sessions    uint64        // sessions started
	TargetRate  float64       // open model: mean scheduled arrivals per second for this shard; 0 for closed
	Interrupted bool          // the context was canceled before the duration ended
	Exhausted   bool          // sessions stopped starting early: a unique feeder or a transcript ran out, or a replay's transcript ended
	Duration    time.Duration // Stop − Start
	Saturation  Saturation    // the generator's own limits, from Start to Stop
}

// New checks the options and prepares a Runner for sc, which comes from
// scenarios.LoadFile or Parse: its load was checked there (and by
// Load.Override for command-line changes), so New does not check it again.
func New(sc *scenarios.Scenario, client *helperapi.Client, opt ...Option) (*Runner, error) {
	opts := newOptions(opt)
	if sc == nil || client == nil {
		return nil, errors.New("runner: New needs a scenario and a client")
	}
	if len(sc.Conversations) == 0 {
		return nil, errors.New("runner: scenario has no conversations")
	}
	if opts.Shards <= 0 || opts.Shard < 0 || opts.Shard >= opts.Shards {
		return nil, fmt.Errorf("runner: shard %d of %d: want 0 ≤ shard < shards", opts.Shard, opts.Shards)
	}
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Uint64()
	}
	sc, err := sc.Shard(opts.Shard, opts.Shards) // unique feeders: disjoint rows per shard
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	r := &Runner{sc: sc, client: client, opts: opts, log: opts.Logger, clock: opts.Clock, fast: &failFast{limit: opts.EarlyStop}}
	r.sat.maxLate = lateCap(sc.SLO)
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.clock == nil {
		r.clock = wallClock{}
	}
	l := sc.Load
	if l.Model == scenarios.Open {
		p, err := pacerFor(l, opts.Seed)
		if err != nil {
			return nil, err
		}
		r.pacer = p
	}
	if rps := l.RequestRate.PerSecond(); rps > 0 {
		burst := max(l.Burst, 1)
		r.limiter = rate.NewLimiter(rate.Limit(rps/float64(opts.Shards)), burst)
	}
	// Sessions in flight, per shard: the scenario's max_sessions. Requests
	// in flight: what the file limit allows (limits.go).
	if l.MaxSessions > 0 {
		r.maxSessions = max(l.MaxSessions/opts.Shards, 1)
		r.slots = make(chan struct{}, r.maxSessions)
	}
	sessions := r.maxSessions
	if l.Model == scenarios.Closed {
		users := (l.Users + opts.Shards - 1) / opts.Shards
		if sessions == 0 || users < sessions {
			sessions = users
		}
	}
	fds := opts.FDLimit
	if fds == 0 {
		fds = fdLimit()
	}
	r.maxConns, r.limitWarning = connCap(sessions, fds, idleConns(l))
	if r.maxConns > 0 {
		r.conns = make(chan struct{}, r.maxConns)
	}
	if err := r.newReplays(); err != nil {
		return nil, err
	}
	if err := r.newWidget(); err != nil {
		return nil, err
	}
	return r, nil
}

// arrivalSchedule is the open model's schedule: StagesPacer (evenly
// spaced arrivals) or PoissonPacer.
type arrivalSchedule interface {
	At(n uint64) (time.Duration, bool)
	Duration() time.Duration
	HitsBy(elapsed time.Duration) float64
	Rate(elapsed time.Duration) float64
	Hold() time.Duration
}

// pacerFor builds the open model's arrival schedule: load.arrival_rate (or
// --rate) as one constant ramp, or load.stages as a ramp each from the
// previous stage's target.
func pacerFor(l scenarios.Load, seed uint64) (arrivalSchedule, error) {
	ramps := []Ramp{{Duration: l.Duration, From: l.Rate.PerSecond(), To: l.Rate.PerSecond()}}
	if len(l.Stages) > 0 {
		ramps = make([]Ramp, len(l.Stages))
		from := 0.0
		for i, s := range l.Stages {
			to := s.Target.PerSecond()
			ramps[i] = Ramp{Duration: s.Duration, From: from, To: to}
			from = to
		}
	}
	p, err := NewStagesPacer(ramps...)
	if err != nil || l.Arrivals != scenarios.Poisson {
		return p, err
	}
	// Every shard draws the whole schedule from the same seed and takes its
	// own hits (arrive), so together the shards make one Poisson process.
	return NewPoissonPacer(p, seed), nil
}

// MaxSessions returns the cap on this shard's sessions in flight, its
// share of the scenario's max_sessions (0: none).
func (r *Runner) MaxSessions() int { return r.maxSessions }

// MaxConns returns the cap on this shard's requests in flight, the
// connections its file limit lets it hold at once (0: none; see limits.go).
func (r *Runner) MaxConns() int { return r.maxConns }

// LimitWarning says, for people, when the load may need more connections
// at once than the file limit allows; "" when not.
func (r *Runner) LimitWarning() string { return r.limitWarning }

// Saturation returns the generator's own limits measured so far (see
// Saturation); safe to call while the run goes on.
func (r *Runner) Saturation() Saturation {
	return r.sat.snapshot(r.clock.Now(), r.maxSessions, r.maxConns)
}

// Active returns the number of sessions in flight.
func (r *Runner) Active() int64 { return r.active.Load() }

// Started returns the number of sessions started so far.
func (r *Runner) Started() uint64 { return r.sessions.Load() }

// Duration returns how long the run's schedule lasts: the load's duration,
// or for stages the shorter of the stages' length and the load's duration.
func (r *Runner) Duration() time.Duration {
	if r.pacer != nil && (r.sc.Load.Duration <= 0 || r.pacer.Duration() < r.sc.Load.Duration) {
		return r.pacer.Duration()
	}
	return r.sc.Load.Duration
}

// Hold returns when the run's final constant load begins, from its start:
// the steady state, if the run reaches one, is after it. The closed model
// holds its users from the start (0); an open model's schedule that ends on
// a ramp, and a replay, have no hold (Duration).
func (r *Runner) Hold() time.Duration {
	switch {
	case r.pacer != nil:
		return min(r.pacer.Hold(), r.Duration())
	case r.sc.Load.Model == scenarios.Closed:
		return 0
	}
	return r.Duration()
}

// TargetRate returns the open model's mean scheduled session arrivals per
// second over the run's duration, for this shard (0 for the closed model).
func (r *Runner) TargetRate() float64 {
	d := r.Duration()
	if r.pacer == nil || d <= 0 {
		return 0
	}
	return r.pacer.HitsBy(d) / d.Seconds() / float64(r.opts.Shards)
}

// StartAt makes Run wait until t and schedule from it: every intended time
// counts from t. The shards of a distributed run share one start instant,
// which a shard learns after New (at the collector's barrier). Call it
// before Run; by default the schedule begins when Run is called.
func (r *Runner) StartAt(t time.Time) { r.start = t }

// waitStart waits for the StartAt instant, if set, on the arrival waiter,
// and returns the schedule's start, when the wait ended, and false if ctx
// ended it first.
func (r *Runner) waitStart(ctx context.Context) (start, began time.Time, ok bool) {
	if r.start.IsZero() {
		now := r.clock.Now()
		return now, now, true
	}
	w := newWaiter(r.clock)
	defer w.close()
	ok = w.until(r.start, ctx.Done())
	return r.start, r.clock.Now(), ok
}

// Run runs the scenario, sending every result to sink, until its duration
// ends or ctx is canceled, then drains and returns. Call it once. When the
// duration ends, running sessions may go on for the grace period; when ctx
// is canceled, they start no new step and only requests in flight get the
// grace period (stops has the phases). Every started session is ended on the
// sink before Run returns. When no more sessions can start before the
// duration ends (Outcome.Exhausted), the run ends once the started ones
// have. The error is non-nil only when the run could not proceed at all, or
// a transcript could not be read on, or the target cannot work at all (an
// *EarlyStop): then sessions stopped starting and the started ones drained
// as usual.
func (r *Runner) Run(ctx context.Context, sink results.Sink) (Outcome, error) {
	if sink == nil || r.sink != nil {
		return Outcome{}, errors.New("runner: Run needs a sink and runs once")
	}
	r.sink = sink
	r.workers = newWorkers(r.clock)
	defer r.workers.stop()
	start, began, ok := r.waitStart(ctx)
	r.phase.start.Store(start.UnixNano())
	r.sat.start(start)
	out := Outcome{Start: start, Began: began, TargetRate: r.TargetRate()}
	if !ok { // canceled before the start: nothing ran
		out.Stop, out.End, out.Interrupted = began, began, true
		return out, nil
	}
	st := newStops(ctx, r.clock, start.Add(r.Duration()), r.opts.Grace) // how the run ends: see stops
	defer st.close()

	var sessions sync.WaitGroup // every session started; Added to only by the start loop below
	switch {
	case r.original != nil:
		r.replayArrivals(st, start, &sessions)
	case r.pacer != nil:
		r.arrive(st, start, &sessions)
	default:
		r.loopUsers(st, start, &sessions)
	}
	st.waitSchedule(&sessions)
	out.Stop = r.clock.Now()
	out.Saturation = r.sat.snapshot(out.Stop, r.maxSessions, r.maxConns)
	out.Interrupted = ctx.Err() != nil
	r.phase.interrupted.Store(out.Interrupted)
	r.phase.stop.Store(out.Stop.UnixNano())
	out.Exhausted = st.halted.Load()
	sessions.Wait() // they drain: see stops for how long they may take
	st.close()
	r.closeReplays()
	out.End = r.clock.Now()
	r.phase.end.Store(out.End.UnixNano())
	out.Sessions = r.sessions.Load()
	out.Duration = out.Stop.Sub(out.Start)
	return out, st.haltErr
}

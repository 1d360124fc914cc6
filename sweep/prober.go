package sweep

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/loadgen/loadgen/capacity"
	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/stats"
	"github.com/loadgen/loadgen/steady"
)

// SampleEvery is how often a probe samples the sessions in flight.
const SampleEvery = 250 * time.Millisecond

// Prober runs probes of a scenario against its target with loadgen's
// runner: each probe is a run of the scenario whose load is replaced by
// the probe's (an open model at the probe's rate, Poisson arrivals unless
// the scenario says otherwise, or a closed model of that many users), with
// its own results file. Create it with NewProber.
type Prober struct {
	sc         *scenarios.Scenario
	client     *helperapi.Client
	objectives Objectives
	opts       ProberOptions
}

// ProberOptions configure a Prober.
type ProberOptions struct {
	// Run is the sweep's run facts; each probe's results file gets a copy
	// with its own id (RUN-pNN) and load.
	Run results.Run
	// Dir is where each probe's results file goes ("": none kept).
	Dir string
	// Requires are run-level constraints evaluated on each probe's summary.
	Requires []*report.Threshold
	// Seed seeds each probe's runner (with the probe's number).
	Seed uint64
	// Grace is how long sessions may finish after a probe's load stops
	// (its drain); 0 means runner.DefaultGrace.
	Grace time.Duration
	// Sinks also receive every probe's results (live /metrics).
	Sinks []results.Sink
	// Clock is the runner's clock (nil: the wall clock); the prober's own
	// sampling and looks use Go's time, which a testing/synctest bubble
	// makes virtual together with runner.GoClock.
	Clock  runner.Clock
	Logger *slog.Logger
}

// NewProber returns a prober of sc (whose load section the probes replace)
// through client, judging messages by objectives.
func NewProber(sc *scenarios.Scenario, client *helperapi.Client, objectives Objectives, o ProberOptions) *Prober {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Grace == 0 {
		o.Grace = runner.DefaultGrace
	}
	return &Prober{sc: sc, client: client, objectives: objectives, opts: o}
}

// Probe implements capacity.Prober.
func (p *Prober) Probe(ctx context.Context, spec capacity.Spec, stop func(*capacity.Measurement) bool) (*capacity.Measurement, error) {
	sc, err := p.scenarioFor(spec)
	if err != nil {
		return nil, err
	}
	opts := []runner.Option{runner.WithSeed(p.opts.Seed + uint64(spec.Seq)), runner.WithGrace(p.opts.Grace), runner.WithLogger(p.opts.Logger)}
	if p.opts.Clock != nil {
		opts = append(opts, runner.WithClock(p.opts.Clock))
	}
	rn, err := runner.New(sc, p.client, opts...)
	if err != nil {
		return nil, err
	}
	run := p.opts.Run
	run.ID = fmt.Sprintf("%s-p%02d", run.ID, spec.Seq)
	run.Start, run.Duration, run.TargetRate, run.Hold = time.Now(), rn.Duration(), rn.TargetRate(), rn.Hold()

	rec := newRecorder(p.objectives, run.Start)
	agg := stats.New()
	sinks := append([]results.Sink{rec, agg}, p.opts.Sinks...)
	var file *resultfile.Writer
	path := ""
	if p.opts.Dir != "" {
		path = filepath.Join(p.opts.Dir, fmt.Sprintf("probe-%02d-%s-%s.jsonl", spec.Seq, spec.Kind, loadName(spec)))
		if file, err = resultfile.Create(path, run); err != nil {
			return nil, err
		}
		sinks = append(sinks, file)
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.watch(runCtx, rn, rec, spec, stop, cancel)
	}()
	out, runErr := rn.Run(runCtx, results.Tee(sinks...))
	cancel()
	wg.Wait()
	if file != nil {
		if err := file.Close(); err != nil && runErr == nil {
			runErr = err
		}
	}

	o := rec.outcome(out)
	ran := run
	ran.Start, ran.Duration = out.Start, out.Duration
	sum := report.Build(ran, agg.Snapshot())
	for _, t := range p.opts.Requires {
		v := t.Eval(sum)
		o.Constraints = append(o.Constraints, capacity.Constraint{Expr: t.Expr, Value: v.Value, Pass: v.Pass})
	}
	// The runner's own account of its limits (late arrivals, slot waits,
	// its CPU, its file descriptors): a probe in which loadgen fell behind
	// measured loadgen, and the search aborts it.
	o.GeneratorSaturated = out.Saturation.Reason()
	o.Figures = figures(sum, path)
	if err := ctx.Err(); err != nil {
		return o, err
	}
	return o, runErr
}

// scenarioFor returns a copy of the scenario with the probe's load.
func (p *Prober) scenarioFor(spec capacity.Spec) (*scenarios.Scenario, error) {
	sc := *p.sc
	flags := map[string]string{"duration": spec.Duration.String()}
	switch spec.Control {
	case capacity.Users:
		flags["users"] = strconv.Itoa(int(spec.Load))
	default:
		flags["rate"] = strconv.FormatFloat(spec.Load, 'g', 6, 64) + "/s"
		if sc.Load.Arrivals == "" {
			flags["arrivals"] = string(scenarios.Poisson)
		}
	}
	if err := sc.Load.Override(flags); err != nil {
		return nil, fmt.Errorf("sweep: probe %d: %w", spec.Seq, err)
	}
	return &sc, nil
}

// watch samples the sessions in flight and, from spec.MinDuration on every
// spec.Look, asks stop whether the probe can end; a yes cancels the run.
func (p *Prober) watch(ctx context.Context, rn *runner.Runner, rec *recorder, spec capacity.Spec, stop func(*capacity.Measurement) bool, cancel context.CancelFunc) {
	sample := time.NewTicker(SampleEvery)
	defer sample.Stop()
	nextLook := rec.start.Add(spec.MinDuration)
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-sample.C:
			rec.sampleInFlight(now, rn.Active())
			if spec.Look > 0 && !now.Before(nextLook) && now.Sub(rec.start) < spec.Duration {
				nextLook = nextLook.Add(spec.Look)
				if stop(rec.sofar(now)) {
					p.opts.Logger.Debug("probe stopped early", "probe", spec.Seq, "after", now.Sub(rec.start))
					cancel()
					return
				}
			}
		}
	}
}

// figures are the probe's display numbers from its summary.
func figures(sum *report.Summary, path string) capacity.Figures {
	f := capacity.Figures{LagP99: seconds(sum.Schedule.LagP99), ResultFile: path}
	for _, st := range sum.Steps {
		f.Requests += int(st.Count)
		f.Errors += int(st.Errors)
	}
	if m := sum.Steps.Get(results.StepMessage); m != nil && m.MessageSummary != nil {
		f.ITLp95 = seconds(m.InterToken.P95)
	}
	return f
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// loadName is a probe's load for a file name: "241.5rps" or "16users".
func loadName(spec capacity.Spec) string {
	if spec.Control == capacity.Users {
		return fmt.Sprintf("%dusers", int(spec.Load))
	}
	return strconv.FormatFloat(spec.Load, 'f', 1, 64) + "rps"
}

// recorder turns a probe's results into capacity records. Safe for
// concurrent use.
type recorder struct {
	obj   Objectives
	start time.Time

	mu       sync.Mutex // guards the fields below; held to append
	msgs     []capacity.Record
	sessions map[uint64]*capacity.Record
	ends     []time.Duration // session end times, for the looks
	inFlight steady.Samples
}

var _ results.TimedSink = (*recorder)(nil)

func newRecorder(obj Objectives, start time.Time) *recorder {
	return &recorder{obj: obj, start: start, sessions: map[uint64]*capacity.Record{},
		inFlight: steady.Samples{Step: SampleEvery}}
}

func (r *recorder) SessionStarted(string)                {}
func (r *recorder) SessionStartedAt(string, time.Time)   {}
func (r *recorder) SessionEnded(c string, e results.End) { r.SessionEndedAt(c, e, time.Now()) }
func (r *recorder) SessionEndedAt(_ string, _ results.End, t time.Time) {
	r.mu.Lock()
	r.ends = append(r.ends, t.Sub(r.start))
	r.mu.Unlock()
}

// Record implements results.Sink.
func (r *recorder) Record(res *results.Result) {
	intended := res.Intended
	if intended.IsZero() {
		intended = res.Start
	}
	lag := res.Lag()
	end := res.Start.Add(res.Latency).Sub(r.start)
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sessions[res.Session]
	if s == nil {
		s = &capacity.Record{Intended: intended.Sub(r.start), End: end}
		r.sessions[res.Session] = s
	}
	s.Intended, s.End = min(s.Intended, intended.Sub(r.start)), max(s.End, end)
	s.Failed = s.Failed || !res.OK()
	if res.Step != results.StepMessage {
		return
	}
	m := capacity.Record{Intended: intended.Sub(r.start), End: end, Failed: !res.OK()}
	if res.TTFT > 0 {
		m.TTFT = lag + res.TTFT
	}
	m.Missed = r.obj.missed(res, lag)
	m.Good = m.Missed == 0
	r.msgs = append(r.msgs, m)
}

// sampleInFlight adds a sample of the sessions in flight.
func (r *recorder) sampleInFlight(now time.Time, active int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := int(now.Sub(r.start) / SampleEvery)
	for len(r.inFlight.Values) < i {
		r.inFlight.Values = append(r.inFlight.Values, float64(active))
	}
}

// sofar is what the probe knows at now: the messages that ended, the
// session ends (as records that end where they start: the looks only count
// them) and the sessions in flight.
func (r *recorder) sofar(now time.Time) *capacity.Measurement {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := &capacity.Measurement{Stopped: now.Sub(r.start), Messages: append([]capacity.Record(nil), r.msgs...),
		InFlight: r.inFlight}
	o.InFlight.Values = append([]float64(nil), r.inFlight.Values...)
	for _, e := range r.ends {
		o.Sessions = append(o.Sessions, capacity.Record{Intended: e, End: e})
	}
	return o
}

// outcome is the whole probe's, after its drain.
func (r *recorder) outcome(out runner.Outcome) *capacity.Measurement {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := &capacity.Measurement{Stopped: out.Stop.Sub(r.start), Elapsed: out.End.Sub(r.start), Messages: r.msgs, InFlight: r.inFlight}
	if out.Stop.IsZero() {
		o.Stopped = out.End.Sub(r.start)
	}
	for _, s := range r.sessions {
		o.Sessions = append(o.Sessions, *s)
	}
	return o
}

package report

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

// A metric is a value of a Summary named by a dotted path, the vocabulary
// that thresholds and compare rules share:
//
//	STEP.count  STEP.per_second  STEP.errors  STEP.errors.rate
//	STEP.errors.KIND  STEP.errors.KIND.rate
//	STEP.TIMING.STAT      TIMING: latency, latency_from_intended, lag, and for
//	                      message also ttfb, ttft, inter_token, tpot;
//	                      STAT: p50, p90, p95, p99, max, mean, min
//	message.tokens  message.tokens_per_s  message.goodput  message.goodput.per_second
//	message.stream_tokens_per_s.p50|p5  (a stream's speed after its first token:
//	                      the median, and the one the slowest 5 % fell below)
//	tokens  tokens.per_second  (output tokens of every reply, and per second)
//	message.shapes.SHAPE  message.shapes.SHAPE.rate
//	requests  requests.per_second  errors  errors.rate  errors.KIND  errors.KIND.rate
//	sessions.started|completed|failed|canceled  sessions.completed.rate (…)
//	schedule.lag.STAT  schedule.rate_limit_wait.STAT
//	schedule.target_rate  schedule.achieved_rate  schedule.achieved_ratio
//	schedule.steady       (== true or == false: the steady-state check)
//	goodput  goodput.per_second (same as message.goodput…)
//
// STEP is one of results.Steps(). Rates named ".rate" are
// fractions of a count (write them as percentages); ".per_second" are per
// second of the run.
type metric struct {
	path     string
	unit     string // UnitSeconds, UnitRatio, UnitPerSecond, UnitCount
	monotone bool   // a count that only grows during a run
	get      func(s *Summary) (value float64, samples int64)
	// atLeast, for a step's latency, TTFB and TTFT, is the statistic
	// counting the requests the run's stop cut short at how long they had
	// run (StepSummary.AtLeast): a lower bound thresholds hold it to.
	// ok is false when the stop cut none short.
	atLeast func(s *Summary) (value float64, ok bool)
}

// metricError says which segment of a metric path is wrong.
type metricError struct {
	offset int // byte offset of the bad segment in the path
	msg    string
}

var (
	identRe    = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	pctRe      = regexp.MustCompile(`^p[0-9]+$`)
	digitsRe   = regexp.MustCompile(`^[0-9]+$`)
	timingsAll = []string{"latency", "latency_from_intended", "lag"}
	timingsMsg = []string{"ttfb", "ttft", "inter_token", "tpot"}
	statNames  = []string{"p50", "p90", "p95", "p99", "max", "mean", "min"}
)

const statList = "p50, p90, p95, p99, max, mean or min"

// parseMetric resolves a metric path.
func parseMetric(path string) (*metric, *metricError) {
	segs := strings.Split(path, ".")
	offs := make([]int, len(segs))
	for i, o := 1, 0; i < len(segs); i++ {
		o += len(segs[i-1]) + 1
		offs[i] = o
	}
	for i, s := range segs {
		if !identRe.MatchString(s) {
			if i > 0 && isPercentileTail(segs[i-1], s) {
				return nil, &metricError{offs[i-1], fmt.Sprintf("%s.%s is not kept in the summary; want %s", segs[i-1], s, statList)}
			}
			return nil, &metricError{offs[i], fmt.Sprintf("bad name %q in the metric: want lower-case words joined by dots, such as message.ttft.p95", s)}
		}
	}
	m := &metric{path: path}
	bad := func(i int, format string, a ...any) (*metric, *metricError) {
		return nil, &metricError{offs[min(i, len(offs)-1)], fmt.Sprintf(format, a...)}
	}
	var err *metricError
	switch head := segs[0]; {
	case stepOf(head) != "":
		err = m.step(segs, offs)
	case head == "requests" || head == "errors":
		err = m.global(segs, offs)
	case head == "goodput":
		return parseMetric("message." + path)
	case head == "tokens":
		err = m.tokens(segs, offs)
	case head == "sessions":
		err = m.sessions(segs, offs)
	case head == "schedule":
		err = m.schedule(segs, offs)
	default:
		return bad(0, "unknown metric %q: want a step (%s), requests, errors, sessions, schedule, goodput or tokens", head, stepList())
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func isPercentileTail(prev, s string) bool {
	return pctRe.MatchString(prev) && digitsRe.MatchString(s)
}

func stepOf(name string) results.Step {
	for _, s := range results.Steps() {
		if string(s) == name {
			return s
		}
	}
	return ""
}

func (m *metric) set(unit string, monotone bool, get func(s *Summary) (float64, int64)) {
	m.unit, m.monotone, m.get = unit, monotone, get
}

func (m *metric) step(segs []string, offs []int) *metricError {
	step := stepOf(segs[0])
	st := func(s *Summary) *StepSummary { return s.Steps.Get(step) }
	isMsg := step == results.StepMessage
	wrongLen := func() *metricError {
		return &metricError{offs[len(offs)-1], fmt.Sprintf("unknown metric %q", strings.Join(segs, "."))}
	}
	if len(segs) < 2 {
		return &metricError{0, fmt.Sprintf("%s needs a measure, e.g. %s.latency.p95, %s.errors.rate or %s.count", segs[0], segs[0], segs[0], segs[0])}
	}
	switch name := segs[1]; {
	case len(segs) == 2 && name == "count":
		m.set(UnitCount, true, func(s *Summary) (float64, int64) { return float64(st(s).Count), st(s).Count })
	case len(segs) == 2 && name == "per_second":
		m.set(UnitPerSecond, false, func(s *Summary) (float64, int64) {
			return perSecondF(st(s).Count, s.DurationS), st(s).Count
		})
	case name == "errors":
		return m.errors(segs[2:], offs[2:], func(s *Summary) (map[results.Kind]int64, int64, int64, int64) {
			return st(s).Kinds, st(s).Errors, st(s).Count - st(s).Ours, st(s).Count
		})
	case slices.Contains(timingsAll, name) || (isMsg && slices.Contains(timingsMsg, name)):
		if len(segs) != 3 {
			return &metricError{offs[1], fmt.Sprintf("%s.%s needs a statistic: %s", segs[0], name, statList)}
		}
		if err := m.dist(segs[2], offs[2], func(s *Summary) Percentiles { return stepDist(st(s), name) }); err != nil {
			return err
		}
		if stat := segs[2]; stat != "min" && (name == "latency" || name == "ttfb" || name == "ttft") {
			m.atLeast = func(s *Summary) (float64, bool) {
				b := st(s).AtLeast
				if b == nil {
					return 0, false
				}
				d := b.Latency
				switch {
				case name == "ttfb" && b.TTFB != nil:
					d = *b.TTFB
				case name == "ttft" && b.TTFT != nil:
					d = *b.TTFT
				case name != "latency":
					return 0, false
				}
				return distStat(d, stat), true
			}
		}
		return nil
	case slices.Contains(timingsMsg, name):
		return &metricError{offs[1], fmt.Sprintf("%s is measured on message steps only", name)}
	case isMsg && len(segs) == 2 && name == "tokens":
		m.set(UnitCount, true, func(s *Summary) (float64, int64) { return float64(st(s).Tokens), st(s).Count })
	case isMsg && len(segs) == 2 && name == "tokens_per_s":
		m.set(UnitPerSecond, false, func(s *Summary) (float64, int64) {
			return perSecondF(st(s).Tokens, s.DurationS), st(s).Count
		})
	case isMsg && name == "stream_tokens_per_s" && len(segs) == 3 && (segs[2] == "p50" || segs[2] == "p5"):
		slow := segs[2] == "p5"
		m.set(UnitPerSecond, false, func(s *Summary) (float64, int64) {
			if slow {
				return s.Throughput.SlowStreamTokensPerS, s.Throughput.Streams
			}
			return s.Throughput.StreamOutputTokensPerS, s.Throughput.Streams
		})
	case isMsg && name == "stream_tokens_per_s":
		return &metricError{offs[1], "message.stream_tokens_per_s needs p50 (the median stream) or p5 (the slowest 5 %)"}
	case isMsg && name == "goodput" && len(segs) == 2:
		m.set(UnitRatio, false, func(s *Summary) (float64, int64) { return s.Goodput.Share, s.Goodput.Messages })
	case isMsg && name == "goodput" && len(segs) == 3 && segs[2] == "per_second":
		m.set(UnitPerSecond, false, func(s *Summary) (float64, int64) { return s.Goodput.PerSecond, s.Goodput.Messages })
	case isMsg && name == "shapes" && (len(segs) == 3 || len(segs) == 4 && segs[3] == "rate"):
		shape := results.Shape(segs[2])
		if len(segs) == 3 {
			m.set(UnitCount, true, func(s *Summary) (float64, int64) { return float64(st(s).Shapes[shape]), st(s).Count })
			return nil
		}
		m.set(UnitRatio, false, func(s *Summary) (float64, int64) {
			var total int64
			for _, n := range st(s).Shapes {
				total += n
			}
			return ratio(st(s).Shapes[shape], total), total
		})
	case !slices.Contains([]string{"count", "per_second", "tokens", "tokens_per_s", "goodput", "shapes"}, name):
		return &metricError{offs[1], fmt.Sprintf("unknown measure %q of %s: want count, per_second, errors, errors.rate or a timing (%s)",
			name, segs[0], strings.Join(timingsOf(isMsg), ", "))}
	default:
		return wrongLen()
	}
	return nil
}

func timingsOf(isMsg bool) []string {
	if isMsg {
		return append(append([]string{}, timingsAll...), timingsMsg...)
	}
	return timingsAll
}

// errors resolves ERRORS[.rate|.KIND|.KIND.rate] after an "errors" segment.
// get returns the counts by kind (loadgen's own included), the target's
// errors, the results judged (without loadgen's own failures) and all
// results. Error rates are over the judged results; a kind's rate is over
// all of them, so that canceled.rate says what share the run's stop cut.
func (m *metric) errors(rest []string, offs []int, get func(*Summary) (kinds map[results.Kind]int64, errs, judged, total int64)) *metricError {
	switch {
	case len(rest) == 0:
		m.set(UnitCount, true, func(s *Summary) (float64, int64) { _, e, j, _ := get(s); return float64(e), j })
	case len(rest) == 1 && rest[0] == "rate":
		m.set(UnitRatio, false, func(s *Summary) (float64, int64) { _, e, j, _ := get(s); return ratio(e, j), j })
	case len(rest) == 1:
		kind := results.Kind(rest[0])
		m.set(UnitCount, true, func(s *Summary) (float64, int64) { k, _, _, n := get(s); return float64(k[kind]), n })
	case len(rest) == 2 && rest[1] == "rate":
		kind := results.Kind(rest[0])
		m.set(UnitRatio, false, func(s *Summary) (float64, int64) { k, _, _, n := get(s); return ratio(k[kind], n), n })
	default:
		return &metricError{offs[len(offs)-1], "after errors, want rate, a kind (e.g. timeout) or KIND.rate"}
	}
	return nil
}

func (m *metric) dist(stat string, off int, get func(*Summary) Percentiles) *metricError {
	if !slices.Contains(statNames, stat) {
		return &metricError{off, fmt.Sprintf("unknown statistic %q: want %s", stat, statList)}
	}
	m.set(UnitSeconds, false, func(s *Summary) (float64, int64) {
		d := get(s)
		return distStat(d, stat), d.Count
	})
	return nil
}

func (m *metric) global(segs []string, offs []int) *metricError {
	if segs[0] == "requests" {
		switch {
		case len(segs) == 1:
			m.set(UnitCount, true, func(s *Summary) (float64, int64) { n, _ := totals(s); return float64(n), n })
		case len(segs) == 2 && segs[1] == "per_second":
			m.set(UnitPerSecond, false, func(s *Summary) (float64, int64) { n, _ := totals(s); return perSecondF(n, s.DurationS), n })
		default:
			return &metricError{offs[1], "after requests, want per_second or nothing"}
		}
		return nil
	}
	return m.errors(segs[1:], offs[1:], func(s *Summary) (map[results.Kind]int64, int64, int64, int64) {
		n, e := totals(s)
		return s.Errors, e, n - s.ours(), n
	})
}

func (m *metric) sessions(segs []string, offs []int) *metricError {
	get := map[string]func(stats.Sessions) int64{
		"started":                    func(x stats.Sessions) int64 { return x.Started },
		string(results.EndCompleted): func(x stats.Sessions) int64 { return x.Completed },
		string(results.EndFailed):    func(x stats.Sessions) int64 { return x.Failed },
		string(results.EndCanceled):  func(x stats.Sessions) int64 { return x.Canceled },
	}
	if len(segs) < 2 || get[segs[1]] == nil || len(segs) > 3 || len(segs) == 3 && (segs[2] != "rate" || segs[1] == "started") {
		return &metricError{offs[min(1, len(offs)-1)], "want sessions.started, completed, failed or canceled, or completed.rate, failed.rate, canceled.rate"}
	}
	f := get[segs[1]]
	if len(segs) == 2 {
		m.set(UnitCount, true, func(s *Summary) (float64, int64) { return float64(f(s.Sessions)), s.Sessions.Started })
		return nil
	}
	m.set(UnitRatio, false, func(s *Summary) (float64, int64) {
		return ratio(f(s.Sessions), s.Sessions.Started), s.Sessions.Started
	})
	return nil
}

func (m *metric) schedule(segs []string, offs []int) *metricError {
	sessions := func(s *Summary) int64 { return s.Steps.Get(results.StepSession).Count }
	switch {
	case len(segs) == 3 && segs[1] == "lag":
		return m.dist(segs[2], offs[2], func(s *Summary) Percentiles { return s.Schedule.Lag })
	case len(segs) == 3 && segs[1] == "rate_limit_wait":
		return m.dist(segs[2], offs[2], func(s *Summary) Percentiles { return s.Schedule.Wait })
	case len(segs) == 2 && segs[1] == "target_rate":
		m.set(UnitPerSecond, false, func(s *Summary) (float64, int64) { return s.Schedule.TargetRate, sessions(s) })
	case len(segs) == 2 && segs[1] == "achieved_rate":
		m.set(UnitPerSecond, false, func(s *Summary) (float64, int64) { return s.Schedule.AchievedRate, sessions(s) })
	case len(segs) == 2 && segs[1] == "steady":
		// 1 when the steady-state check passed; 0 when it failed or could
		// not be made (no samples): a gate cannot pass on no evidence.
		m.set(UnitBool, false, func(s *Summary) (float64, int64) {
			if s.Schedule.Steady == nil {
				return 0, 0
			}
			n, _ := totals(s) // the check rests on every step, not only sign-ins
			if *s.Schedule.Steady {
				return 1, n
			}
			return 0, n
		})
	case len(segs) == 2 && segs[1] == "achieved_ratio":
		m.set(UnitRatio, false, func(s *Summary) (float64, int64) {
			if s.Schedule.TargetRate == 0 {
				return 0, sessions(s)
			}
			return s.Schedule.AchievedRate / s.Schedule.TargetRate, sessions(s)
		})
	default:
		return &metricError{offs[min(1, len(offs)-1)], "want schedule.lag.STAT, schedule.rate_limit_wait.STAT, schedule.target_rate, achieved_rate, achieved_ratio or steady"}
	}
	return nil
}

func stepDist(st *StepSummary, timing string) Percentiles {
	switch timing {
	case "latency":
		return st.Latency
	case "latency_from_intended":
		return st.FromIntended
	case "lag":
		return st.Lag
	}
	if st.MessageSummary == nil {
		return Percentiles{}
	}
	switch timing {
	case "ttfb":
		return st.TTFB
	case "ttft":
		return st.TTFT
	case "inter_token":
		return st.InterToken
	}
	return st.TPOT
}

func distStat(d Percentiles, stat string) float64 {
	switch stat {
	case "p50":
		return d.P50
	case "p90":
		return d.P90
	case "p95":
		return d.P95
	case "p99":
		return d.P99
	case "max":
		return d.Max
	case "mean":
		return d.Mean
	}
	return d.Min
}

// ours returns the results of every step that loadgen itself failed.
func (s *Summary) ours() int64 {
	var n int64
	for _, st := range s.Steps {
		n += st.Ours
	}
	return n
}

// totals returns the requests and errors of every step.
func totals(s *Summary) (requests, errs int64) {
	for _, st := range s.Steps {
		requests += st.Count
		errs += st.Errors
	}
	return requests, errs
}

func perSecondF(n int64, sec float64) float64 {
	if sec <= 0 {
		return 0
	}
	return float64(n) / sec
}

// tokens resolves tokens and tokens.per_second: the output tokens of every
// reply.
func (m *metric) tokens(segs []string, offs []int) *metricError {
	total := func(s *Summary) int64 {
		var n int64
		for _, st := range s.Steps {
			if st.MessageSummary != nil {
				n += st.Tokens
			}
		}
		return n
	}
	switch {
	case len(segs) == 1:
		m.set(UnitCount, true, func(s *Summary) (float64, int64) { n := total(s); return float64(n), n })
	case len(segs) == 2 && segs[1] == "per_second":
		m.set(UnitPerSecond, false, func(s *Summary) (float64, int64) { n := total(s); return perSecondF(n, s.DurationS), n })
	default:
		return &metricError{offs[len(offs)-1], "after tokens, want nothing (the count) or per_second"}
	}
	return nil
}

// stepList names the steps, for messages.
func stepList() string {
	var names []string
	for _, s := range results.Steps() {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

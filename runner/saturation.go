package runner

import (
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
)

// A generator is saturated when it did not deliver the load the scenario
// asked for, so that the run measured loadgen rather than the target: the
// connections its file limit allows held requests back, its cap on
// sessions in flight (max_sessions) held sessions back, its scheduler
// started arrivals late, it ran out of its own resources, or it used up its
// CPUs. The figures come from the runner itself, not from the target's
// answers, so a slow target does not make the generator "saturated"
// (requests and sessions it slows down do fill the connections and slots,
// though: then they, not the target, bound what was offered, and the run
// says so).
//
// Saturation's Reason is the one test of it, for the run's summary and for
// the capacity search (which discards a probe whose generator saturated).

// Saturation thresholds (see Saturation.Reason).
const (
	LateArrival        = 10 * time.Millisecond // an arrival started this late (before any slot wait) fell behind…
	LateShareOfGap     = 0.5                   // …when that is also over this share of the arrivals' mean spacing…
	LateShareOfSLO     = 0.05                  // …or over this share of the SLO's tightest latency bound
	SaturatedShare     = 0.01                  // late arrivals, slot waits or connection waits over this share of sessions or requests
	SaturatedCPUShare  = 0.90                  // CPU use over this share of the available CPUs
	minSaturationCheck = 20                    // sessions (arrivals, requests) before shares count
)

// Saturation is what the generator measured of its own limits during a
// run (Runner.Saturation, Outcome.Saturation).
type Saturation struct {
	Sessions    int64         // sessions that got a slot and started
	SlotWaits   int64         // of them, those that waited for a slot (max_sessions)
	SlotWait    time.Duration // the total of those waits
	MaxSessions int           // the cap on sessions in flight, the scenario's max_sessions (0: none)
	// Requests is the requests that started, or that waited for a
	// connection until the stop canceled them or the snapshot was taken,
	// counted when the cap on requests in flight is set (MaxConns > 0);
	// ConnWaits those of them that waited for one of the MaxConns
	// connections the file limit allows (limits.go), ConnWait the total of
	// those waits.
	Requests     int64
	ConnWaits    int64
	ConnWait     time.Duration
	MaxConns     int   // the cap on requests in flight, the file limit's (0: none)
	Arrivals     int64 // open model: scheduled arrivals judged for lateness (those not held up by a slot wait before them)
	LateArrivals int64 // of them, those taken up late (lateBound)
	// MaxLate is the most an arrival could start late whatever its spacing:
	// LateShareOfSLO of the scenario's slo (0: no slo).
	MaxLate     time.Duration
	LocalErrors int64   // requests that failed on loadgen's own resources (kind local_resource)
	CPU         float64 // loadgen's CPU use over the run so far, in CPUs (0: unknown)
	CPUs        int     // the CPUs it may use (GOMAXPROCS)
}

// Reason says why the generator was saturated, for people, or "" when it
// was not: any request failed on loadgen's own resources; more than
// SaturatedShare of requests waited for a connection the file limit
// allows, of sessions for a slot, or of arrivals started late (lateBound;
// once at least 20 of them ran); or loadgen's CPU use passed
// SaturatedCPUShare of its CPUs.
func (s Saturation) Reason() string {
	why := s.undelivered()
	if s.Sessions >= minSaturationCheck && float64(s.SlotWaits) > SaturatedShare*float64(s.Sessions) {
		why = append(why, fmt.Sprintf("%d of %d sessions (%.0f%%) waited for one of the %d session slots, %v on average",
			s.SlotWaits, s.Sessions, 100*float64(s.SlotWaits)/float64(s.Sessions), s.MaxSessions, (s.SlotWait/time.Duration(s.SlotWaits)).Round(time.Millisecond)))
	}
	if s.Arrivals >= minSaturationCheck && float64(s.LateArrivals) > SaturatedShare*float64(s.Arrivals) {
		bound := "half their spacing"
		if s.MaxLate > LateArrival {
			bound += fmt.Sprintf(" or %v (%.0f%% of the slo)", s.MaxLate, 100*LateShareOfSLO)
		}
		why = append(why, fmt.Sprintf("%d of %d arrivals (%.0f%%) started late, by over %v and %s: the scheduler fell behind",
			s.LateArrivals, s.Arrivals, 100*float64(s.LateArrivals)/float64(s.Arrivals), LateArrival, bound))
	}
	if s.CPUs > 0 && s.CPU > SaturatedCPUShare*float64(s.CPUs) {
		why = append(why, fmt.Sprintf("loadgen used %.0f%% of its %d CPUs", 100*s.CPU/float64(s.CPUs), s.CPUs))
	}
	return strings.Join(why, "; ")
}

// Undelivered says, for people, how loadgen's own limits held back the load
// the scenario asked for, or "" when they did not: a request failed on its
// own resources, or more than SaturatedShare of requests waited for one of
// the connections its file limit allows (once at least 20 ran). Unlike the
// rest of Reason, these are certain and the target cannot cause them: a run
// they held back measured a lower load than asked, so its verdict is not a
// pass (a max_sessions is the scenario's own choice; late arrivals and CPU
// are as often a busy machine's jitter, and stay in Reason only).
func (s Saturation) Undelivered() string { return strings.Join(s.undelivered(), "; ") }

func (s Saturation) undelivered() []string {
	var why []string
	if s.LocalErrors > 0 {
		why = append(why, fmt.Sprintf("%d requests failed on loadgen's own limits (local_resource: file descriptors or ports)", s.LocalErrors))
	}
	if s.Requests >= minSaturationCheck && float64(s.ConnWaits) > SaturatedShare*float64(s.Requests) {
		why = append(why, fmt.Sprintf("%d of %d requests (%.0f%%) waited for one of the %d connections its file limit allows, %v on average",
			s.ConnWaits, s.Requests, 100*float64(s.ConnWaits)/float64(s.Requests), s.MaxConns, (s.ConnWait/time.Duration(s.ConnWaits)).Round(time.Millisecond)))
	}
	return why
}

// saturation counts what Saturation reports while a run goes on. Safe for
// concurrent use.
type saturation struct {
	sessions, slotWaits, slotWaitNs atomic.Int64
	requests, connWaits, connWaitNs atomic.Int64
	arrivals, lateArrivals          atomic.Int64
	maxLate                         time.Duration // the most an arrival may start late whatever its spacing (lateCap; 0: none)
	localErrors                     atomic.Int64
	cpuStart                        time.Duration // process CPU time at the run's start
	wallStart                       time.Time
	// connWaiting is the requests waiting for a connection now, and
	// connWaitingSince the sum of the UnixNano instants their waits began:
	// a snapshot counts them as requests that waited (waitingConn).
	connWaiting, connWaitingSince atomic.Int64
}

func (s *saturation) start(now time.Time) {
	s.cpuStart, s.wallStart = cpuTime(), now
}

// slot notes a session that got a slot after waiting wait.
func (s *saturation) slot(wait time.Duration) {
	s.sessions.Add(1)
	if wait > 0 {
		s.slotWaits.Add(1)
		s.slotWaitNs.Add(int64(wait))
	}
}

// request notes a request that got a connection after waiting wait.
func (s *saturation) request(wait time.Duration) {
	s.requests.Add(1)
	if wait > 0 {
		s.connWaits.Add(1)
		s.connWaitNs.Add(int64(wait))
	}
}

// waitingConn notes a request that begins to wait for a connection at
// now, and waitedConn the end of that wait. A snapshot counts the requests
// still waiting as requests that waited until then (the stop cancels them
// after the schedule's end, when Outcome's snapshot is taken).
func (s *saturation) waitingConn(now time.Time) {
	s.connWaiting.Add(1)
	s.connWaitingSince.Add(now.UnixNano())
}

// waitedConn notes the end of a wait that began at since.
func (s *saturation) waitedConn(since time.Time) {
	s.connWaitingSince.Add(-since.UnixNano())
	s.connWaiting.Add(-1)
}

// arrival notes an arrival taken up late after its time, when arrivals
// come gap apart on average (0: unknown).
func (s *saturation) arrival(late, gap time.Duration) {
	s.arrivals.Add(1)
	if late > lateBound(gap, s.maxLate) {
		s.lateArrivals.Add(1)
	}
}

// lateBound is how late an arrival may start, when arrivals come gap apart
// on average, before it counts as the scheduler falling behind: LateArrival,
// or LateShareOfGap of the gap when that is longer, but no more than
// maxLate when set (lateCap). Within half its spacing a late start changes
// neither the load offered nor the target's answers: arrivals keep their
// order and every window's count to within one (and a Poisson process
// whose points are each moved by an independent delay is still a Poisson
// process of the same rate). What it does change is the latency counted
// from the intended start — the sweep's objectives, the coordinated-
// omission table — so it must stay small beside the SLO those are held
// to. On a shared machine, a scheduler woken 20 ms late at 5 sessions a
// second is its jitter, not a generator falling behind — which makes every
// arrival later than the last until they crowd together, and so past any
// bound.
func lateBound(gap, maxLate time.Duration) time.Duration {
	b := time.Duration(LateShareOfGap * float64(gap))
	if maxLate > 0 {
		b = min(b, maxLate)
	}
	return max(LateArrival, b)
}

// lateCap is the most an arrival may start late with the scenario's slo:
// LateShareOfSLO of its tightest bound on TTFT or latency (0: no bound),
// as a late start adds to both counted from the intended start.
func lateCap(slo scenarios.SLO) time.Duration {
	var tightest time.Duration
	for _, d := range []time.Duration{slo.MaxTTFT, slo.MaxLatency} {
		if d > 0 && (tightest == 0 || d < tightest) {
			tightest = d
		}
	}
	return time.Duration(LateShareOfSLO * float64(tightest))
}

// spacing keeps the last arrivals' intended times, for their mean gap.
type spacing struct {
	at [20]time.Time
	n  int // times seen
}

// gap notes an arrival due at t and returns the mean gap between the last
// arrivals up to it (0 for the first).
func (s *spacing) gap(t time.Time) time.Duration {
	k := min(s.n, len(s.at))
	oldest := s.at[(s.n-k+len(s.at))%len(s.at)]
	s.at[s.n%len(s.at)] = t
	s.n++
	if k == 0 {
		return 0
	}
	return t.Sub(oldest) / time.Duration(k)
}

func (s *saturation) result(res *results.Result) {
	if res.Error == results.KindLocal {
		s.localErrors.Add(1)
	}
}

// snapshot returns the figures so far, at now, with the caps on sessions
// and on requests in flight.
func (s *saturation) snapshot(now time.Time, maxSessions, maxConns int) Saturation {
	out := Saturation{
		Sessions: s.sessions.Load(), SlotWaits: s.slotWaits.Load(), SlotWait: time.Duration(s.slotWaitNs.Load()),
		MaxSessions: maxSessions, Requests: s.requests.Load(), ConnWaits: s.connWaits.Load(), ConnWait: time.Duration(s.connWaitNs.Load()),
		MaxConns: maxConns, Arrivals: s.arrivals.Load(), LateArrivals: s.lateArrivals.Load(), MaxLate: s.maxLate,
		LocalErrors: s.localErrors.Load(), CPUs: runtime.GOMAXPROCS(0),
	}
	if n := s.connWaiting.Load(); n > 0 {
		out.Requests += n
		out.ConnWaits += n
		out.ConnWait += max(time.Duration(n*now.UnixNano()-s.connWaitingSince.Load()), 0)
	}
	if wall := now.Sub(s.wallStart); wall > 0 && !s.wallStart.IsZero() {
		if cpu := cpuTime(); cpu > 0 {
			out.CPU = float64(cpu-s.cpuStart) / float64(wall)
		}
	}
	return out
}

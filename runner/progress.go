package runner

import (
	"sync/atomic"
	"time"

	"github.com/loadgen/loadgen/scenarios"
)

// Phase says where a run is, for progress displays.
type Phase string

// The phases of a run, in order. An open model's schedule is ramping up,
// steady or ramping down by the slope of its arrival rate at the moment; a
// closed or replayed one is running. After the schedule, a run drains: when
// its duration ended, running sessions may finish for the grace period;
// when it was interrupted (Ctrl-C), only requests in flight may.
const (
	PhaseStarting    Phase = "starting"
	PhaseRampingUp   Phase = "ramping up"
	PhaseSteady      Phase = "steady"
	PhaseRampingDown Phase = "ramping down"
	PhaseRunning     Phase = "running"
	PhaseDraining    Phase = "draining"
	PhaseInterrupted Phase = "interrupted"
	PhaseDone        Phase = "done"
)

// Progress is a run's state at a moment (Runner.Progress).
type Progress struct {
	Phase    Phase
	Elapsed  time.Duration // since the run started; the schedule's length at most while it runs
	Duration time.Duration // the schedule's length
	// Drain is, once the schedule has ended, the time since it did; GraceLeft
	// the time until requests still in flight are canceled.
	Drain, GraceLeft time.Duration
	Active           int64  // sessions in flight
	Started          uint64 // sessions started
}

// phaseTimes are the moments Run passes, in Unix nanoseconds (0: not yet).
type phaseTimes struct {
	start, stop, end atomic.Int64
	interrupted      atomic.Bool
}

// Progress returns the run's phase, times and sessions now. It is safe to
// call from any goroutine, before, during and after Run.
func (r *Runner) Progress() Progress {
	now := r.clock.Now()
	p := Progress{Phase: PhaseStarting, Duration: r.Duration(), Active: r.Active(), Started: r.Started()}
	start := r.phase.start.Load()
	if start == 0 {
		return p
	}
	p.Elapsed = now.Sub(time.Unix(0, start))
	switch stop := r.phase.stop.Load(); {
	case r.phase.end.Load() != 0:
		p.Phase = PhaseDone
	case stop != 0:
		p.Phase = PhaseDraining
		if r.phase.interrupted.Load() {
			p.Phase = PhaseInterrupted
		}
		p.Drain = now.Sub(time.Unix(0, stop))
		if g := r.opts.Grace; g > 0 {
			p.GraceLeft = max(time.Unix(0, stop).Add(g).Sub(now), 0)
		}
	case r.pacer != nil && r.sc.Load.Model == scenarios.Open:
		p.Phase = slope(r.pacer, p.Elapsed)
	default:
		p.Phase = PhaseRunning
	}
	return p
}

// slope tells a ramp from a plateau at elapsed.
func slope(p arrivalSchedule, elapsed time.Duration) Phase {
	now, soon := p.Rate(elapsed), p.Rate(elapsed+time.Millisecond)
	switch {
	case soon > now:
		return PhaseRampingUp
	case soon < now:
		return PhaseRampingDown
	}
	return PhaseSteady
}

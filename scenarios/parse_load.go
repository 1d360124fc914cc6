package scenarios

import (
	"time"

	"gopkg.in/yaml.v3"
)

// Bounds on load numbers, far above what one machine can drive, that catch typos.
const (
	maxUsers    = 1_000_000
	maxDuration = 30 * 24 * time.Hour
)

// load decodes the load section: the model (open: arrival_rate or stages;
// closed: users), the duration and the global caps.
func (d *decoder) load(lf field, root *yaml.Node) Load {
	l := Load{Burst: 1}
	if !d.required(lf, root, " (arrival_rate or stages for an open model, or users for a closed one, and a duration)") {
		return l
	}
	f := d.mapping(lf.val, lf.path, "arrival_rate", "stages", "users", "duration",
		"max_sessions", "request_rate", "burst")
	if f == nil {
		return l
	}
	rate, stages, users := f["arrival_rate"], f["stages"], f["users"]
	switch {
	case rate.key != nil && stages.key != nil:
		d.errorf(stages.key, stages.path, "stages and arrival_rate are mutually exclusive (stages ramp the arrival rate; give one)")
	case users.key != nil && (rate.key != nil || stages.key != nil):
		d.errorf(users.key, users.path, "users (closed model) and arrival_rate/stages (open model) are mutually exclusive")
	case rate.key == nil && stages.key == nil && users.key == nil && replaysOriginal(root):
		l.Model = Replay // the transcript's start times are the arrivals
	case rate.key == nil && stages.key == nil && users.key == nil:
		d.errorf(lf.val, lf.path, "missing the load model: arrival_rate or stages (open model: sessions arrive at a rate) or users (closed model: that many users loop)")
	}
	switch {
	case l.Model == Replay:
	case users.key != nil && rate.key == nil && stages.key == nil:
		l.Model = Closed
	default:
		l.Model = Open
	}
	if rate.key != nil {
		d.required(rate, lf.val, "")
		l.Rate = d.rate(rate, false)
	}
	if users.key != nil {
		d.required(users, lf.val, "")
		l.Users = d.integer(users, 0, 1, maxUsers)
	}
	dur := f["duration"]
	if stages.key != nil {
		l.Stages = d.stages(stages)
		for _, s := range l.Stages {
			l.Duration += s.Duration
		}
		if dur.key != nil {
			d.errorf(dur.key, dur.path, "duration and stages are mutually exclusive (the stages' durations add up to %s)", l.Duration)
		}
	} else if d.required(dur, lf.val, " (how long the run lasts, e.g. 5m)") {
		l.Duration = d.duration(dur, 0, time.Millisecond)
		if l.Duration > maxDuration {
			d.fieldErrorf(dur, "duration %s is out of range (want at most %s)", l.Duration, maxDuration)
		}
	}
	l.MaxSessions = d.integer(f["max_sessions"], 0, 0, maxUsers)
	l.RequestRate = d.rate(f["request_rate"], false)
	if burst := f["burst"]; burst.ok() {
		l.Burst = d.integer(burst, 1, 1, maxUsers)
		if !f["request_rate"].ok() {
			d.errorf(burst.key, burst.path, "burst needs request_rate (it is the burst of that cap)")
		}
	}
	return l
}

// stages decodes load.stages: a non-empty list of {duration, target}.
func (d *decoder) stages(sf field) []Stage {
	if !d.required(sf, nil, "") {
		return nil
	}
	items := d.sequence(sf)
	if sf.val.Kind == yaml.SequenceNode && len(items) == 0 {
		d.fieldErrorf(sf, "want at least one stage, e.g. [{duration: 1m, target: 10/s}]")
	}
	var out []Stage
	for i, n := range items {
		p := indexPath(sf.path, i)
		f := d.mapping(n, p, "duration", "target")
		if f == nil {
			continue
		}
		var s Stage
		if d.required(f["duration"], n, "") {
			s.Duration = d.duration(f["duration"], 0, time.Millisecond)
			if s.Duration > maxDuration {
				d.fieldErrorf(f["duration"], "duration %s is out of range (want at most %s)", s.Duration, maxDuration)
			}
		}
		if d.required(f["target"], n, " (the arrival rate at the end of the stage, e.g. 10/s)") {
			s.Target = d.rate(f["target"], true)
		}
		out = append(out, s)
	}
	return out
}

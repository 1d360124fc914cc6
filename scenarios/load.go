package scenarios

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// This file owns the load model: the Load type, its settings and their
// rules, which a scenario file (LoadFile) and the command line
// (Load.Override) go through alike.
//
// To add a load option: add its field to Load and its row to loadSettings
// (YAML key, flag name and usage if `loadgen run` may override it, kind and
// bounds). The row decodes and checks the YAML key, registers the flag
// (LoadFlags) and applies it (Override); then make the runner use the field.

// Model is the load model.
type Model string

// Load models.
const (
	Open   Model = "open"   // sessions arrive at a rate, independent of the system's speed
	Closed Model = "closed" // a fixed number of users loop: start a session, finish it, start another
	// Replay is the model of a scenario whose only conversation replays a
	// transcript with start: original: the transcript's start times are
	// the arrivals, and load gives the duration and caps only.
	Replay Model = "replay"
)

// Arrivals is how an open model's sessions are spaced.
type Arrivals string

// Arrival processes.
const (
	// Constant spaces arrivals evenly at the rate (the default, "").
	Constant Arrivals = "constant"
	// Poisson makes arrivals independent and random at the rate, as real
	// users' are: the gaps are exponential, bursts happen, and queueing
	// shows before the knee instead of at it.
	Poisson Arrivals = "poisson"
)

// Load is the shape of the load.
type Load struct {
	Model       Model         // open (rate or stages given), closed (users given) or replay
	Duration    time.Duration // total run time; with stages, the sum of their durations
	Rate        Rate          // open: constant session arrival rate
	Stages      []Stage       // open: piecewise-linear ramps (k6 style), instead of Rate
	Arrivals    Arrivals      // open: how arrivals are spaced ("" = Constant)
	Users       int           // closed: number of concurrent users
	MaxSessions int           // cap on sessions in flight (0 = no cap)
	RequestRate Rate          // global cap on requests per second across users (zero = none)
	Burst       int           // burst of the global cap (default 1)
}

// Stage ramps the arrival rate linearly from the previous stage's target (0
// for the first) to Target over Duration.
type Stage struct {
	Duration time.Duration
	Target   Rate
}

// Bounds on load numbers, far above what one machine can drive, that catch typos.
const (
	maxUsers    = 1_000_000
	maxDuration = 30 * 24 * time.Hour
)

// settingKind is how a load setting's text is read.
type settingKind int

const (
	intSetting      settingKind = iota // an integer in [lo, hi]
	durationSetting                    // a duration in [1ms, maxDuration]
	rateSetting                        // a rate above zero
	arrivalsSetting                    // constant or poisson
)

// loadSetting is one scalar setting of the load section.
type loadSetting struct {
	key    string      // YAML key under load:
	flag   string      // the `loadgen run` flag that overrides it ("" for none)
	usage  string      // the flag's usage (flag package style: `NAME` in backquotes)
	model  Model       // the model the setting chooses, "" for none
	kind   settingKind //
	lo, hi int         // bounds of an intSetting
	def    int         // default of an intSetting
	field  func(l *Load) any
}

// loadSettings lists every scalar setting of the load section (stages, a
// list, is decoded on its own): the one place a setting is declared.
var loadSettings = []loadSetting{
	{key: "duration", flag: "duration", kind: durationSetting,
		usage: "run for `D` (overrides load.duration; with stages it can only shorten the run)",
		field: func(l *Load) any { return &l.Duration }},
	{key: "arrival_rate", flag: "rate", model: Open, kind: rateSetting,
		usage: "open model at a constant session arrival `RATE`, e.g. 50/s (overrides the scenario's load)",
		field: func(l *Load) any { return &l.Rate }},
	{key: "arrivals", flag: "arrivals", kind: arrivalsSetting,
		usage: "space the open model's arrivals `KIND`: constant (evenly) or poisson (random, as real users; seeded by --seed)",
		field: func(l *Load) any { return &l.Arrivals }},
	{key: "users", flag: "users", model: Closed, kind: intSetting, lo: 1, hi: maxUsers,
		usage: "closed model with `N` looping users (overrides the scenario's load)",
		field: func(l *Load) any { return &l.Users }},
	{key: "max_sessions", kind: intSetting, lo: 0, hi: maxUsers,
		field: func(l *Load) any { return &l.MaxSessions }},
	{key: "request_rate", kind: rateSetting,
		field: func(l *Load) any { return &l.RequestRate }},
	{key: "burst", kind: intSetting, lo: 1, hi: maxUsers, def: 1,
		field: func(l *Load) any { return &l.Burst }},
}

// parse reads a setting's text and stores it in l, with the checks a file
// and a flag share.
func (s *loadSetting) parse(l *Load, text string) error {
	switch p := s.field(l).(type) {
	case *int:
		n, err := parseInt(text, s.lo, s.hi)
		*p = n
		return err
	case *time.Duration:
		d, err := parseDuration(text, time.Millisecond, maxDuration)
		*p = d
		return err
	case *Rate:
		r, err := parseRate(text, false)
		*p = r
		return err
	case *Arrivals:
		switch a := Arrivals(strings.ToLower(text)); a {
		case Constant, Poisson:
			*p = a
			return nil
		}
		return fmt.Errorf("want constant or poisson, got %q", text)
	}
	panic("scenarios: load setting " + s.key + " has a field of no known kind")
}

// decode reads the setting's YAML field into l, reporting problems at the
// field; the node's own type (an integer, not a quoted string) is checked
// first.
func (s *loadSetting) decode(d *decoder, f field, l *Load) {
	switch s.kind {
	case intSetting:
		*s.field(l).(*int) = d.integer(f, s.def, s.lo, s.hi)
		return
	case durationSetting:
		if !f.ok() {
			return
		}
		if f.val.Kind != yaml.ScalarNode {
			d.fieldErrorf(f, "want a duration such as 2s or 500ms, got %s", describe(f.val))
			return
		}
	case rateSetting:
		if !f.ok() {
			return
		}
		if f.val.Kind != yaml.ScalarNode {
			d.fieldErrorf(f, "want a rate such as 5/s, got %s", describe(f.val))
			return
		}
	case arrivalsSetting:
		if !f.ok() {
			return
		}
		if f.val.Kind != yaml.ScalarNode {
			d.fieldErrorf(f, "want constant or poisson, got %s", describe(f.val))
			return
		}
	}
	if err := s.parse(l, f.val.Value); err != nil {
		d.fieldErrorf(f, "%s", err)
	}
}

// LoadFlag is a load setting that `loadgen run` overrides with a flag.
type LoadFlag struct {
	Name  string // the flag's name, without dashes
	Usage string // its usage, for the flag package
}

// LoadFlags lists the load settings that have a flag, in order. Register
// each (e.g. with flag.Func) and pass what was given to Load.Override.
func LoadFlags() []LoadFlag {
	var out []LoadFlag
	for _, s := range loadSettings {
		if s.flag != "" {
			out = append(out, LoadFlag{Name: s.flag, Usage: s.usage})
		}
	}
	return out
}

// Override applies flag values to the load: flags maps a LoadFlags name to
// the text given. Each value is read and checked as the same setting in a
// scenario file is (the same code), and the error names the flag. A flag
// that chooses a model (--rate: open, --users: closed) replaces the
// scenario's model and its settings; two such flags exclude each other. An
// empty map changes nothing.
func (l *Load) Override(flags map[string]string) error {
	var chosen []*loadSetting
	for i := range loadSettings {
		if s := &loadSettings[i]; s.model != "" && hasFlag(flags, s.flag) {
			chosen = append(chosen, s)
		}
	}
	if len(chosen) > 1 {
		var names []string
		for _, s := range chosen {
			names = append(names, fmt.Sprintf("--%s (%s model)", s.flag, s.model))
		}
		return fmt.Errorf("%s exclude each other", strings.Join(names, " and "))
	}
	next := *l
	if len(chosen) == 1 {
		next.Model, next.Rate, next.Stages, next.Users = chosen[0].model, Rate{}, nil, 0
		if next.Model != Open && !hasFlag(flags, "arrivals") {
			next.Arrivals = "" // the scenario's arrivals were its open model's
		}
	}
	for name := range flags {
		if !isLoadFlag(name) {
			return fmt.Errorf("scenarios: Override: %q is not a load flag", name)
		}
	}
	for i := range loadSettings {
		s := &loadSettings[i]
		if !hasFlag(flags, s.flag) {
			continue
		}
		if err := s.parse(&next, strings.TrimSpace(flags[s.flag])); err != nil {
			return fmt.Errorf("--%s: %w", s.flag, err)
		}
	}
	if next.Arrivals == Poisson && next.Model != Open {
		return fmt.Errorf("--arrivals poisson: Poisson arrivals need the open model (--rate, or arrival_rate or stages in the scenario), not the %s one", next.Model)
	}
	*l = next
	return nil
}

func hasFlag(flags map[string]string, name string) bool {
	_, ok := flags[name]
	return name != "" && ok
}

func isLoadFlag(name string) bool {
	for _, s := range loadSettings {
		if s.flag != "" && s.flag == name {
			return true
		}
	}
	return false
}

// load decodes the load section: the model (open: arrival_rate or stages;
// closed: users), the duration and the global caps.
func (d *decoder) load(lf field, root *yaml.Node) Load {
	l := Load{Burst: 1}
	if !d.required(lf, root, " (arrival_rate or stages for an open model, or users for a closed one, and a duration)") {
		return l
	}
	keys := []string{"stages"}
	for _, s := range loadSettings {
		keys = append(keys, s.key)
	}
	f := d.mapping(lf.val, lf.path, keys...)
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
	for _, name := range []string{"arrival_rate", "users"} {
		if f[name].key != nil {
			d.required(f[name], lf.val, "")
		}
	}
	dur := f["duration"]
	for i := range loadSettings {
		if s := &loadSettings[i]; s.key != "duration" || stages.key == nil { // with stages, duration is theirs
			s.decode(d, f[s.key], &l)
		}
	}
	if stages.key != nil {
		l.Stages = d.stages(stages)
		for _, s := range l.Stages {
			l.Duration += s.Duration
		}
		if dur.key != nil {
			d.errorf(dur.key, dur.path, "duration and stages are mutually exclusive (the stages' durations add up to %s)", l.Duration)
		}
	} else {
		d.required(dur, lf.val, " (how long the run lasts, e.g. 5m)")
	}
	if burst := f["burst"]; burst.ok() && !f["request_rate"].ok() {
		d.errorf(burst.key, burst.path, "burst needs request_rate (it is the burst of that cap)")
	}
	if a := f["arrivals"]; a.ok() && l.Arrivals == Poisson && l.Model != Open {
		d.errorf(a.key, a.path, "poisson arrivals need the open model (arrival_rate or stages); the %s model has none", l.Model)
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

package results

import (
	"net/url"
	"time"
)

// Run holds the facts of a run that its results do not carry: what ran,
// against what, when, and at what planned rate. cmd/loadgen makes one per
// run; the results file's header holds it (resultfile) and the reports show
// it (report.Build), so both read the same values.
type Run struct {
	ID           string        // run id, shared by the shards of one run
	Scenario     string        // scenario name
	ScenarioHash string        // hash of the scenario file, e.g. "sha256:…"; "" when unknown
	Version      string        // loadgen version that made the run
	Target       string        // target base URL; files and reports keep it only through RedactURL
	Start        time.Time     // run start; zero in a report means the first thing recorded
	Duration     time.Duration // the planned length in a file header; in a report, what ran (0: first to last thing recorded)
	TargetRate   float64       // planned session arrivals per second (a file: its shard's); 0 for a closed model
	Hold         time.Duration // when the final constant load begins, from Start: the steady-state check looks after it (Duration: no hold)
	Shard        int           // this shard of a distributed run (0 for one process)
	Shards       int           // shards in the run (0 or 1: not distributed)
	Config       *Config       // what the run was asked to do, secret-free; nil when unknown
}

// RedactURL returns u without user info, query or fragment, which may hold
// credentials. A string that does not parse as a URL is replaced by
// "(unparsable URL)" so that nothing of it leaks.
func RedactURL(u string) string {
	if u == "" {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	p.User, p.RawQuery, p.ForceQuery, p.Fragment, p.RawFragment = nil, "", false, "", ""
	return p.String()
}

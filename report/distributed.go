package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/loadgen/loadgen/results"
)

// Distributed describes a run that `loadgen collect` merged from its
// shards: what arrived and how together the shards started.
type Distributed struct {
	Shards      int       `json:"shards"`
	Received    int       `json:"received"`              // shards whose results were merged
	Missing     []int     `json:"missing,omitempty"`     // shards whose results did not arrive
	Interrupted []int     `json:"interrupted,omitempty"` // shards that sent results of less than the planned run
	LateJoins   []int     `json:"late_joins,omitempty"`  // shards refused for reporting in after the start
	StartAt     time.Time `json:"start_at"`              // the start instant every shard was given
	StartSkewS  float64   `json:"start_skew_s"`          // latest minus earliest actual start of the shards
	Complete    bool      `json:"complete"`              // every shard's results arrived, complete
}

// Problem says in one line what makes the run incomplete, "" if nothing.
func (d *Distributed) Problem() string {
	var parts []string
	if len(d.Missing) > 0 {
		parts = append(parts, results.ShardList(d.Missing, d.Shards)+" missing")
	}
	if len(d.Interrupted) > 0 {
		parts = append(parts, results.ShardList(d.Interrupted, d.Shards)+" interrupted")
	}
	if len(d.LateJoins) > 0 {
		parts = append(parts, results.ShardList(d.LateJoins, d.Shards)+" reported in after the start (replaced?)")
	}
	if len(parts) == 0 {
		return ""
	}
	return "incomplete: " + strings.Join(parts, "; ")
}

// textDistributed writes the shards line of the run facts.
func textDistributed(b *strings.Builder, s *Summary) {
	d := s.Distributed
	if d == nil {
		return
	}
	fmt.Fprintf(b, "  %-9s %d of %d merged; started together within %s\n", "shards", d.Received, d.Shards, fmtSec(d.StartSkewS))
	if p := d.Problem(); p != "" {
		fmt.Fprintf(b, "  %-9s %s: the numbers cover only what arrived\n", "INCOMPLETE", strings.TrimPrefix(p, "incomplete: "))
	}
}

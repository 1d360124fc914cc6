package scenarios

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync/atomic"
)

// FeederOrder is how a feeder hands out its rows.
type FeederOrder string

// Feeder orders.
const (
	Sequential FeederOrder = "sequential" // rows in file order, starting over after the last (default)
	Random     FeederOrder = "random"     // a row at random each time
	Unique     FeederOrder = "unique"     // each row once, in file order; then OnExhausted applies
)

// Exhausted is what a Unique feeder does once every row was handed out.
type Exhausted string

// What happens when a unique feeder runs out.
const (
	ExhaustedStop Exhausted = "stop" // Next reports false: the run stops starting users (default)
	ExhaustedWrap Exhausted = "wrap" // start over from the first row
)

// Feeder hands the rows of a CSV or JSONL file to virtual users; a row's
// columns are the templates' .Vars. Next is safe for concurrent use and
// does not allocate; rows are shared and must not be modified.
type Feeder struct {
	File        string      // as written in the scenario, relative to its directory
	Format      string      // "csv" or "jsonl"
	Order       FeederOrder //
	OnExhausted Exhausted   // Unique only

	columns []string            // in file order (CSV) or sorted (JSONL)
	rows    []map[string]string // at least one
	next    atomic.Uint64       // rows handed out (Sequential, Unique)
}

// NewFeeder returns a feeder over rows, which must all have the same keys;
// loadgen's own feeders come from scenario files, this is for programs and
// tests that build a Scenario in code.
func NewFeeder(order FeederOrder, onExhausted Exhausted, rows []map[string]string) (*Feeder, error) {
	switch order {
	case Sequential, Random, Unique:
	default:
		return nil, fmt.Errorf("scenarios: feeder: unknown order %q", order)
	}
	switch onExhausted {
	case ExhaustedStop, ExhaustedWrap:
	default:
		return nil, fmt.Errorf("scenarios: feeder: unknown on_exhausted %q", onExhausted)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("scenarios: feeder: no rows")
	}
	cols := slices.Sorted(maps.Keys(rows[0]))
	for i, r := range rows {
		if len(r) != len(cols) || !hasKeys(r, cols) {
			return nil, fmt.Errorf("scenarios: feeder: row %d: columns differ from row 0 (%v)", i, cols)
		}
	}
	return &Feeder{Order: order, OnExhausted: onExhausted, columns: cols, rows: rows}, nil
}

func hasKeys(m map[string]string, keys []string) bool {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// Columns returns the column names; the caller must not modify them.
func (f *Feeder) Columns() []string { return f.columns }

// Len returns the number of rows this feeder hands out.
func (f *Feeder) Len() int { return len(f.rows) }

// Next returns the next row for a new virtual user: the next in file order
// (Sequential, Unique) or one drawn with r (Random; nil r means the global
// source). It reports false only for a Unique feeder with ExhaustedStop
// whose rows were all handed out. The row is shared: do not modify it.
func (f *Feeder) Next(r *rand.Rand) (map[string]string, bool) {
	n := uint64(len(f.rows))
	if n == 0 {
		return nil, false
	}
	if f.Order == Random {
		if r == nil {
			return f.rows[rand.Uint64N(n)], true
		}
		return f.rows[r.Uint64N(n)], true
	}
	i := f.next.Add(1) - 1
	if i >= n && f.Order == Unique && f.OnExhausted != ExhaustedWrap {
		return nil, false
	}
	return f.rows[i%n], true
}

// Shard returns the feeder that shard i of n (0 ≤ i < n) uses in a
// distributed run, starting from the first row. A Unique feeder is split:
// shard i gets rows i, i+n, i+2n, … so that no row is used by two shards;
// Sequential and Random feeders keep every row.
func (f *Feeder) Shard(i, n int) (*Feeder, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("scenarios: feeder %s: shard %d of %d: want 0 ≤ shard < shards", f.File, i, n)
	}
	g := &Feeder{File: f.File, Format: f.Format, Order: f.Order, OnExhausted: f.OnExhausted, columns: f.columns, rows: f.rows}
	if f.Order != Unique || n == 1 {
		return g, nil
	}
	g.rows = make([]map[string]string, 0, len(f.rows)/n+1)
	for j := i; j < len(f.rows); j += n {
		g.rows = append(g.rows, f.rows[j])
	}
	if len(g.rows) == 0 {
		return nil, fmt.Errorf("scenarios: feeder %s: %d rows are too few for %d shards (a unique feeder's rows are split between shards)", f.File, len(f.rows), n)
	}
	return g, nil
}

// NextVars draws one row from every feeder for a new virtual user and
// returns their columns together, for TemplateData.Vars (nil when the
// scenario has no feeders). It reports false when a Unique feeder with
// ExhaustedStop ran out: the run should start no more users. With one
// feeder the row itself is returned, shared: do not modify it.
func (s *Scenario) NextVars(r *rand.Rand) (map[string]string, bool) {
	switch len(s.Feeders) {
	case 0:
		return nil, true
	case 1:
		return s.Feeders[0].Next(r)
	}
	vars := make(map[string]string)
	for _, f := range s.Feeders {
		row, ok := f.Next(r)
		if !ok {
			return nil, false
		}
		maps.Copy(vars, row)
	}
	return vars, true
}

// Shard returns the scenario that shard i of n runs: the same scenario with
// its feeders sharded (see Feeder.Shard). The runner splits the load itself.
func (s *Scenario) Shard(i, n int) (*Scenario, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("scenarios: shard %d of %d: want 0 ≤ shard < shards", i, n)
	}
	t := *s
	t.Feeders = make([]*Feeder, len(s.Feeders))
	for j, f := range s.Feeders {
		g, err := f.Shard(i, n)
		if err != nil {
			return nil, err
		}
		t.Feeders[j] = g
	}
	return &t, nil
}

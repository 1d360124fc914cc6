package main

import (
	"fmt"
	"log/slog"

	"github.com/loadgen/loadgen/collect"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

// merge reads every shard's file into its own aggregate and merges them
// exactly, checks that the merged counts are the sums of the shards' and
// that every record the intake counted was read, and writes --out. A
// failure to write --out is outErr (logged; the summary is still made), any
// other failure err.
func (o *collectOptions) merge(scenario string, out *collect.Collected, log *slog.Logger) (_ *report.Summary, outErr, err error) {
	merged := stats.New()
	var shardCounts [results.NumSteps]int64
	var infos []resultfile.FileInfo
	for _, r := range out.Received {
		one := stats.New()
		got, err := resultfile.ReadFiles(one, r.Path)
		if err != nil {
			return nil, nil, err
		}
		if got[0].Records != r.Records {
			return nil, nil, fmt.Errorf("merge check: shard %d's file has %d records now, %d when it arrived", r.Shard, got[0].Records, r.Records)
		}
		snap := one.Snapshot()
		for _, s := range results.Steps() {
			shardCounts[s.Index()] += snap.Step(s).Count
		}
		merged.Merge(one)
		infos = append(infos, got...)
	}
	snap := merged.Snapshot()
	for _, s := range results.Steps() {
		if got, want := snap.Step(s).Count, shardCounts[s.Index()]; got != want {
			return nil, nil, fmt.Errorf("merge check: %s: %d merged, but the shards hold %d", s, got, want)
		}
	}
	sum := report.Build(report.RunFromFiles(infos, snap), snap)
	sum.Files = len(infos)
	if sum.Scenario == "" {
		sum.Scenario = scenario
	}
	d := &report.Distributed{Shards: out.Shards, Received: len(out.Received), Missing: out.Missing, Interrupted: out.Interrupted(),
		StartAt: out.StartAt, StartSkewS: out.StartSkew().Seconds()}
	for _, l := range out.Late {
		d.LateJoins = append(d.LateJoins, l.Shard)
	}
	d.Complete = d.Problem() == ""
	sum.Distributed = d
	if o.out != "" {
		if err := writeMerged(o.out, out, infos); err != nil {
			log.Error("cannot write the merged results; the reports are still written", "flag", "--out", "file", o.out, "err", err)
			return sum, fmt.Errorf("--out %s: %w", o.out, err), nil
		}
		log.Info("wrote the merged results", "file", o.out)
	}
	return sum, nil, nil
}

// writeMerged writes every shard's records in time order to one results
// file, whose header is the whole run's.
func writeMerged(path string, out *collect.Collected, infos []resultfile.FileInfo) error {
	run := report.RunFromFiles(infos, &stats.Snapshot{})
	run.Start, run.Shard, run.Shards = out.StartAt, 0, 1
	if len(infos) > 0 {
		run.Duration = infos[0].Run.Duration
	}
	w, err := resultfile.Create(path, run)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if _, err := resultfile.Merge(w, out.Paths()...); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

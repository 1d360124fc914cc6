// Package stats is a run's live aggregate: the results of every step,
// counted and summarised in memory as they arrive. An Aggregate (New) is a
// results.TimedSink holding, per step of results.Steps(), the counts by
// status code, error kind and reply shape and HDR latency histograms
// (Histogram: actual and intended-start latency, lag, TTFB, TTFT,
// inter-token gaps, TPOT); the session outcomes (Sessions); and a time
// series of fixed intervals (Series). Snapshot returns a plain copy, which
// report.Build turns into the summary document; snapshots of shards merge
// exactly (Snapshot.Merge), so a run split over machines is summarised as
// if it ran in one.
//
// Steps, kinds and shapes come from results' vocabulary: a new one is
// counted without a change here. A new measure of a step goes in StepStats
// (snapshot.go: record, merge and clone), and its rendering in report.
package stats

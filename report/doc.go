// Package report turns a run's results into what people and CI read: the
// summary document (Build) rendered as text, JSON and a self-contained HTML
// page, threshold checks with JUnit output, and comparisons of two runs.
//
// The data flows one way: a stats.Aggregate (live, or replayed from results
// files) gives a stats.Snapshot; Build adds the run's facts (results.Run) and makes a
// Summary; the writers render it. A Summary read back from JSON renders
// the same way, so every report can be made later from a saved summary.
package report

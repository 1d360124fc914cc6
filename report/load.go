package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/loadgen/loadgen/internal/bounded"
	"github.com/loadgen/loadgen/resultfile"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

// Load reads a run's summary from paths: either results files (the shards of
// a run, or several runs, merged exactly) or a single summary JSON. It
// returns the summary and the warnings met reading results files (a last
// record cut short, a run that did not finish cleanly).
func Load(paths ...string) (*Summary, []string, error) {
	if len(paths) == 0 {
		return nil, nil, errors.New("report: no input files")
	}
	var files []string
	for _, p := range paths {
		isJSON, err := isSummaryJSON(p)
		if err != nil {
			return nil, nil, err
		}
		if isJSON {
			if len(paths) > 1 {
				return nil, nil, fmt.Errorf("report: %s is a summary JSON; summaries cannot be merged, only results files can", p)
			}
			b, err := bounded.ReadFile(nil, p, "a summary JSON", maxSummary)
			if err != nil {
				return nil, nil, fmt.Errorf("report: %w", err)
			}
			s, err := ParseJSON(b)
			if err != nil {
				return nil, nil, fmt.Errorf("report: %s: %w", p, err)
			}
			return s, nil, nil
		}
		files = append(files, p)
	}
	sum := stats.New()
	infos, err := resultfile.ReadFiles(sum, files...)
	if err != nil {
		return nil, nil, err
	}
	var warnings []string
	for _, in := range infos {
		warnings = append(warnings, in.Warnings...)
	}
	snap := sum.Snapshot()
	s := Build(RunFromFiles(infos, snap), snap)
	s.Files = len(infos)
	return s, warnings, nil
}

// isSummaryJSON reports whether the file at p holds a JSON object that is
// not a results file (whose first line starts with {"k":"header").
func isSummaryJSON(p string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, fmt.Errorf("report: %w", err)
	}
	defer f.Close()
	head := make([]byte, 64)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return false, fmt.Errorf("report: %s: %w", p, err)
	}
	head = bytes.TrimLeft(head[:n], " \t\r\n")
	return bytes.HasPrefix(head, []byte("{")) && !bytes.HasPrefix(head, []byte(`{"k":"header"`)), nil
}

// RunFromFiles makes the run facts of results files read into snap: shards
// of one run share its id, scenario and target, and their target rates add
// up; several runs are named together and have no target rate.
func RunFromFiles(infos []resultfile.FileInfo, snap *stats.Snapshot) results.Run {
	var run results.Run
	var ids, scenarios, hashes, targets, versions []string
	sameRun := true
	var end time.Time
	var planned time.Duration // the longest planned run length, when every file has one
	for i, in := range infos {
		h := in.Run
		if i == 0 || (planned > 0 && h.Duration > 0) {
			planned = max(planned, h.Duration)
		} else {
			planned = 0
		}
		ids = appendNew(ids, h.ID)
		scenarios = appendNew(scenarios, h.Scenario)
		hashes = appendNew(hashes, h.ScenarioHash)
		targets = appendNew(targets, h.Target)
		versions = appendNew(versions, h.Version)
		if i > 0 && h.ID != infos[0].Run.ID {
			sameRun = false
		}
		if !h.Start.IsZero() && (run.Start.IsZero() || h.Start.Before(run.Start)) {
			run.Start = h.Start
		}
		if in.ClosedAt.After(end) {
			end = in.ClosedAt
		}
		run.TargetRate += h.TargetRate
	}
	if !sameRun {
		run.TargetRate = 0
	} else if len(infos) > 0 {
		run.Config = infos[0].Run.Config // a run's shards share its configuration
		run.Hold = infos[0].Run.Hold     // and its schedule: the steady-state check starts there
	}
	run.ID = strings.Join(ids, "+")
	run.Scenario = strings.Join(scenarios, "+")
	run.ScenarioHash = strings.Join(hashes, "+")
	run.Target = strings.Join(targets, " ")
	run.Version = strings.Join(versions, "+")
	if run.Start.IsZero() {
		run.Start = snap.First
	}
	if snap.Last.After(end) {
		end = snap.Last
	}
	if !run.Start.IsZero() && end.After(run.Start) {
		run.Duration = end.Sub(run.Start)
		// A run's live summary covers its planned length, not the drain
		// after it; so does this one, unless the run stopped early.
		if planned > 0 && planned < run.Duration {
			run.Duration = planned
		}
	}
	// Files that say what their run's schedule covered (Writer.Ran) give
	// exactly the live summary's span, an interrupted run's included.
	if from, to, ok := ranSpan(infos); ok {
		run.Start, run.Duration = from, to.Sub(from)
	}
	return run
}

// ranSpan returns the span every file's run covered, from the earliest
// start to the latest stop; false unless every file says.
func ranSpan(infos []resultfile.FileInfo) (from, to time.Time, ok bool) {
	for _, in := range infos {
		if in.RanFrom.IsZero() || in.RanTo.IsZero() {
			return time.Time{}, time.Time{}, false
		}
		if from.IsZero() || in.RanFrom.Before(from) {
			from = in.RanFrom
		}
		if in.RanTo.After(to) {
			to = in.RanTo
		}
	}
	return from, to, len(infos) > 0
}

func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// LoadRuns reads several runs from paths for a page that overlays them:
// each summary JSON is a run, and results files are grouped by run id (the
// shards of a run merge exactly, as in Load). Runs come in the order of
// their first file; each is labelled by its first file's name without
// directory and extension (or its run id when two names clash). It returns
// the runs, their labels and the warnings met reading results files.
func LoadRuns(paths ...string) ([]*Summary, []string, []string, error) {
	if len(paths) == 0 {
		return nil, nil, nil, errors.New("report: no input files")
	}
	type group struct {
		id    string
		files []string
	}
	var groups []*group
	byID := map[string]*group{}
	for _, p := range paths {
		isJSON, err := isSummaryJSON(p)
		if err != nil {
			return nil, nil, nil, err
		}
		if isJSON {
			groups = append(groups, &group{files: []string{p}})
			continue
		}
		id, err := runIDOf(p)
		if err != nil {
			return nil, nil, nil, err
		}
		if g := byID[id]; g != nil && id != "" {
			g.files = append(g.files, p)
			continue
		}
		g := &group{id: id, files: []string{p}}
		byID[id] = g
		groups = append(groups, g)
	}
	var (
		runs     []*Summary
		labels   []string
		warnings []string
	)
	seen := map[string]bool{}
	for _, g := range groups {
		s, w, err := Load(g.files...)
		warnings = append(warnings, w...)
		if err != nil {
			return nil, nil, warnings, err
		}
		label := strings.TrimSuffix(filepath.Base(g.files[0]), filepath.Ext(g.files[0]))
		if seen[label] && s.RunID != "" {
			label = s.RunID
		}
		for seen[label] {
			label += "'"
		}
		seen[label] = true
		runs = append(runs, s)
		labels = append(labels, label)
	}
	return runs, labels, warnings, nil
}

// runIDOf returns the run id in a results file's header.
func runIDOf(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	defer f.Close()
	r, err := resultfile.NewReader(f, path)
	if err != nil {
		return "", err
	}
	return r.Run().ID, nil
}

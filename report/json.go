package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/loadgen/loadgen/internal/bounded"
	"github.com/loadgen/loadgen/results"
)

// WriteJSON writes s as indented JSON (design.md "Summary JSON"), with
// one line per time-series point so that long runs stay readable.
func WriteJSON(w io.Writer, s *Summary) error {
	head := *s
	head.Series = nil
	b, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		return fmt.Errorf("report: encode summary: %w", err)
	}
	if s.Series != nil {
		b, err = appendSeries(bytes.TrimSuffix(b, []byte("\n}")), s.Series)
		if err != nil {
			return fmt.Errorf("report: encode summary: %w", err)
		}
		b = append(b, "\n}"...)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("report: write summary: %w", err)
	}
	return nil
}

// appendSeries appends `,"series": {...}` to an indented object missing its
// closing brace.
func appendSeries(b []byte, s *Timeline) ([]byte, error) {
	start, err := json.Marshal(s.Start)
	if err != nil {
		return nil, err
	}
	b = fmt.Appendf(b, ",\n  \"series\": {\n    \"interval_s\": %v,\n    \"start\": %s,\n    \"points\": [", s.IntervalS, start)
	for i := range s.Points {
		p, err := json.Marshal(&s.Points[i])
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n      "...)
		b = append(b, p...)
	}
	return append(b, "\n    ]\n  }"...), nil
}

// ErrNotSummary means the input is JSON but not a summary document.
var ErrNotSummary = errors.New("not a loadgen summary")

// ReadJSON reads a summary written by WriteJSON. Fields it does not know are
// ignored (newer versions may add some); a document without steps is
// ErrNotSummary.
func ReadJSON(r io.Reader) (*Summary, error) {
	b, err := bounded.ReadAll(r, "summary", "a summary JSON", maxSummary)
	if err != nil {
		return nil, fmt.Errorf("report: read summary: %w", err)
	}
	return ParseJSON(b)
}

// MaxSummary bounds a summary JSON that ReadJSON and Load read: a day-long
// run's per-second series is a few tens of megabytes.
const MaxSummary = 256 << 20

// maxSummary is MaxSummary, lowered by a test.
var maxSummary int64 = MaxSummary

// ParseJSON parses a summary document from b (see ReadJSON).
func ParseJSON(b []byte) (*Summary, error) {
	var s Summary
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("report: summary JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("report: summary JSON: %w: more than one value", ErrNotSummary)
	}
	if len(s.Steps) == 0 {
		return nil, fmt.Errorf("report: summary JSON: %w: no steps", ErrNotSummary)
	}
	if s.Errors == nil {
		s.Errors = map[results.Kind]int64{}
	}
	if s.Thresholds == nil {
		s.Thresholds = []Verdict{}
	}
	return &s, nil
}

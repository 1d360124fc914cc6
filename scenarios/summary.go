package scenarios

import (
	"fmt"
	"strings"
	"time"
)

// Summary describes the scenario in one line, e.g. "demo: open model, 2
// stages up to 8/s over 20s, 3 conversations with 7 turns, 2 thresholds".
// It never contains secrets or header values.
func (s *Scenario) Summary() string {
	var b strings.Builder
	b.WriteString(s.Name)
	b.WriteString(": ")
	l := s.Load
	switch {
	case l.Model == Closed:
		fmt.Fprintf(&b, "closed model, %d users for %s", l.Users, shortDuration(l.Duration))
	case l.Model == Replay:
		fmt.Fprintf(&b, "replay at the recorded start times for up to %s", shortDuration(l.Duration))
	case len(l.Stages) > 0:
		peak := l.Stages[0].Target
		for _, st := range l.Stages[1:] {
			if st.Target.PerSecond() > peak.PerSecond() {
				peak = st.Target
			}
		}
		fmt.Fprintf(&b, "open model, %s up to %s over %s", plural(len(l.Stages), "stage"), peak, shortDuration(l.Duration))
	default:
		fmt.Fprintf(&b, "open model, %s for %s", l.Rate, shortDuration(l.Duration))
	}
	turns, replayed, visits := 0, 0, 0
	for _, c := range s.Conversations {
		turns += len(c.Turns)
		if c.Transcript != nil {
			replayed++
		}
		if c.Visit != nil {
			visits++
		}
	}
	fmt.Fprintf(&b, ", %s with %s", plural(len(s.Conversations)-visits, "conversation"), plural(turns, "turn"))
	if replayed > 0 {
		fmt.Fprintf(&b, " (%d from transcripts)", replayed)
	}
	if visits > 0 {
		fmt.Fprintf(&b, " and %s without a chat", plural(visits, "visit"))
	}
	if n := len(s.Feeders); n > 0 {
		rows := 0
		for _, f := range s.Feeders {
			rows += f.Len()
		}
		fmt.Fprintf(&b, ", %s (%s)", plural(n, "feeder"), plural(rows, "row"))
	}
	if n := len(s.Thresholds); n > 0 {
		fmt.Fprintf(&b, ", %s", plural(n, "threshold"))
	}
	return b.String()
}

// shortDuration formats d without zero units: 1h, 1h30m, 20s, 1m0.5s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// plural formats "1 turn", "2 turns".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

package accesslog

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// quietRun is the shortest run of hours without page views, chats or
// messages that the text report writes as one line.
const quietRun = 6

// WriteText writes the profile for a person: counts by route, the ratios a
// scenario needs, arrivals per hour, and the bad lines.
func (p *Profile) WriteText(w io.Writer, name string) error {
	ew := &errWriter{w: w}
	ew.printf("loadgen profile: %s\n", name)
	ew.printf("  lines     %d read, %d requests, %d bad (skipped)\n", p.Lines, p.Entries, p.Bad)
	if p.Entries == 0 {
		ew.printf("  no request could be read\n")
		p.writeBad(ew)
		return ew.err
	}
	ew.printf("  span      %s to %s UTC (%s)\n", p.First.UTC().Format("2006-01-02 15:04:05"),
		p.Last.UTC().Format("2006-01-02 15:04:05"), p.Span().Round(time.Second))
	if p.Outliers > 0 {
		ew.printf("            and %d requests at times over 30 days from the rest (a clock that is off), counted\n"+
			"            by route but left out of the span, the hours and the rates:", p.Outliers)
		for i, o := range p.OutlierLines {
			sep := ","
			if i == 0 {
				sep = ""
			}
			ew.printf("%s line %d: %s", sep, o.Line, o.Reason)
		}
		if len(p.OutlierLines) < p.Outliers {
			ew.printf(", …")
		}
		ew.printf("\n")
	}

	ew.printf("\nRequests by route\n")
	ew.printf("  %-16s %8s %6s %6s %6s %6s %6s\n", "route", "requests", "share", "2xx", "3xx", "4xx", "5xx")
	for _, r := range Routes() {
		n := p.Requests[r]
		if n == 0 {
			continue
		}
		c := p.Classes[r]
		ew.printf("  %-16s %8d %6s %6d %6d %6d %6d\n", r, n, pct(n, p.Entries), c[2], c[3], c[4], c[5])
	}
	if len(p.Other) > 0 {
		ew.printf("  other, commonest: %s\n", p.commonestOther(3))
	}

	w2 := p.Workload()
	ew.printf("\nWorkload (per page view V and per chat C)\n")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	row := func(what string, n int, ratio string) { fmt.Fprintf(tw, "  %s\t%d\t%s\n", what, n, ratio) }
	row("page views (V, sessions)", w2.PageViews, "")
	row("chats (C, conversations)", w2.Chats, pct(w2.Chats, w2.PageViews)+" of page views")
	row("messages (M)", w2.Messages, ratio(w2.Messages, w2.Chats)+" per chat"+asyncNote(p))
	row("opened (GET conversation)", p.Count(Open), ratio(p.Count(Open), w2.Chats)+" per chat (the widget loads each new conversation once: 1.00)")
	row("history (GET list)", p.Count(History), fmt.Sprintf("%s per chat, %s pages per list", ratio(p.HistoryFirstPages, w2.Chats), ratio(p.Count(History), p.HistoryFirstPages)))
	row("reactions", p.Count(React), ratio(p.Count(React), w2.Chats)+" per chat, "+pct(p.Count(React), w2.Messages)+" of messages")
	row("mark read (PATCH)", p.Count(MarkRead), ratio(p.Count(MarkRead), w2.Chats)+" per chat")
	row("unread count", p.Count(Unread), ratio(p.Count(Unread), w2.PageViews)+" per page view")
	row("sdk.js", p.Count(SDK), ratio(p.Count(SDK), w2.PageViews)+" per page view")
	row("preflight", p.Count(Preflight), ratio(p.Count(Preflight), w2.PageViews)+" per page view")
	row("polls (markRead=false)", p.Count(Poll), "reads a widget never makes")
	tw.Flush()
	if p.MessagesSized > 0 {
		ew.printf("  attachments  %d of %d sized messages (%s) at least %s, mean %s\n", p.WithAttachments, p.MessagesSized,
			pct(p.WithAttachments, p.MessagesSized), bytesText(p.AttachmentLimit), bytesText(w2.AttachmentSize))
	} else {
		ew.printf("  attachments  unknown: the log has no request sizes (JSON lines with request_length have them)\n")
	}
	if p.CreatesWithBody > 0 {
		ew.printf("  isPrompt     %d of %d logged bodies (%s); %d set a subject\n", p.Prompts, p.CreatesWithBody, pct(p.Prompts, p.CreatesWithBody), p.Subjects)
	} else {
		ew.printf("  isPrompt     unknown: the log has no request bodies\n")
	}

	ew.printf("\nArrivals per hour (UTC)\n")
	ew.printf("  %-16s %10s %6s %8s\n", "hour", "page views", "chats", "messages")
	for i := 0; i < len(p.Hours); i++ {
		h := p.Hours[i]
		quiet := 0
		for i+quiet < len(p.Hours) && p.Hours[i+quiet] == (Hour{Start: p.Hours[i+quiet].Start}) {
			quiet++
		}
		if quiet >= quietRun {
			ew.printf("  %-16s %s\n", h.Start.Format("2006-01-02 15:00"), "… "+strconv.Itoa(quiet)+" hours without requests")
			i += quiet - 1
			continue
		}
		ew.printf("  %-16s %10d %6d %8d\n", h.Start.Format("2006-01-02 15:00"), h.PageViews, h.Chats, h.Messages)
	}
	peak := p.Peak()
	ew.printf("  page views: mean %s, peak %s (hour of %s UTC)\n", rateText(w2.MeanRate), rateText(float64(peak.PageViews)/3600), peak.Start.Format("15:00"))
	p.writeBad(ew)
	return ew.err
}

// inSpanShare is the share of requests inside the span: rates count those
// over the span's time.
func (p *Profile) inSpanShare() float64 {
	if p.Entries == 0 {
		return 0
	}
	return float64(p.InSpan) / float64(p.Entries)
}

func asyncNote(p *Profile) string {
	if n := p.Count(AsyncMessage); n > 0 {
		return fmt.Sprintf(" (%d async, from the headless SDK)", n)
	}
	return ""
}

func (p *Profile) writeBad(ew *errWriter) {
	if p.Bad == 0 {
		return
	}
	ew.printf("\nBad lines (%d, skipped)\n", p.Bad)
	for _, b := range p.BadLines {
		ew.printf("  line %d: %s\n", b.Line, b.Reason)
	}
	if more := p.Bad - len(p.BadLines); more > 0 {
		ew.printf("  … and %d more\n", more)
	}
}

func (p *Profile) commonestOther(n int) string {
	keys := make([]string, 0, len(p.Other))
	for k := range p.Other {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if p.Other[a] != p.Other[b] {
			return p.Other[b] - p.Other[a]
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, k := range keys[:min(n, len(keys))] {
		parts = append(parts, fmt.Sprintf("%s (%d)", k, p.Other[k]))
	}
	return strings.Join(parts, ", ")
}

// Workload is the traffic a scenario should reproduce, derived from a Profile.
type Workload struct {
	PageViews, Chats, Messages int
	MessagesPerChat            float64
	MeanRate                   float64 // page views per second over the span
	AttachmentShare            float64 // of streamed messages (0 when unknown)
	AttachmentSize             int64   // mean request size of those, bytes
	PromptShare                float64 // of chats (0 when unknown)
}

// Workload derives the workload from p.
func (p *Profile) Workload() Workload {
	w := Workload{PageViews: p.Count(Session), Chats: p.Count(Conversation), Messages: p.Count(Message) + p.Count(AsyncMessage)}
	if w.Chats > 0 {
		w.MessagesPerChat = float64(w.Messages) / float64(w.Chats)
	}
	w.MeanRate = float64(w.PageViews) * p.inSpanShare() / p.Span().Seconds()
	if p.MessagesSized > 0 {
		w.AttachmentShare = float64(p.WithAttachments) / float64(p.MessagesSized)
	}
	if p.WithAttachments > 0 {
		w.AttachmentSize = p.AttachmentBytes / int64(p.WithAttachments)
	}
	if p.CreatesWithBody > 0 {
		w.PromptShare = float64(p.Prompts) / float64(p.CreatesWithBody)
	}
	return w
}

func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(n)/float64(of), 'f', 1, 64) + "%"
}

func ratio(n, of int) string {
	if of == 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(n)/float64(of), 'f', 2, 64)
}

// rateText writes a rate per second, or per hour when it is small.
func rateText(perSec float64) string {
	if perSec >= 0.01 {
		return trimFloat(perSec, 3) + "/s"
	}
	return trimFloat(perSec*3600, 3) + "/h"
}

func trimFloat(f float64, prec int) string {
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// bytesText writes a size in KB or MB (powers of 1024), as scenarios read it.
func bytesText(n int64) string {
	switch {
	case n >= 1<<20:
		return trimFloat(float64(n)/(1<<20), 1) + "MiB"
	case n >= 1<<10:
		return strconv.FormatInt(int64(math.Round(float64(n)/(1<<10))), 10) + "KiB"
	}
	return strconv.FormatInt(n, 10) + "B"
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

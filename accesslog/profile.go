package accesslog

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Defaults of ReadOptions.
const (
	DefaultAttachmentBytes = 32 << 10 // a POST /api/chat this large carries files: a text message's body is a few KB
	DefaultMaxBadLines     = 20
	maxLine                = 1 << 20 // longer lines are bad lines, not a reason to stop
	// outlierGap is how far apart two hours with requests may be and still
	// belong to one span: a request further from the rest has a clock that
	// is off (Unix time 0, a year typed wrong), not a quiet month.
	outlierGap = 30 * 24 * time.Hour
)

// ReadOptions tune Read. The zero value uses the defaults.
type ReadOptions struct {
	// AttachmentBytes is the request size from which a POST /api/chat is
	// counted as carrying attachments (0: DefaultAttachmentBytes).
	AttachmentBytes int64
	// MaxBadLines is how many bad lines are kept with their numbers and
	// reasons (0: DefaultMaxBadLines); all are counted.
	MaxBadLines int
}

// BadLine is a line Read skipped.
type BadLine struct {
	Line   int    // 1-based
	Reason string // why, e.g. "not a Common/Combined Log Format line or a JSON object: no [time]"
}

// Hour counts one hour's arrivals.
type Hour struct {
	Start                      time.Time // UTC, on the hour
	PageViews, Chats, Messages int
}

// Profile is what a log says about a deployment's traffic. Read makes it.
type Profile struct {
	Lines    int       // lines read (blank ones included)
	Entries  int       // lines parsed
	Bad      int       // lines skipped
	BadLines []BadLine // the first ReadOptions.MaxBadLines of them
	First    time.Time // the earliest request of the span
	Last     time.Time // the latest request of the span

	// Outliers are requests whose time lies more than 30 days from every
	// other hour of the log's main span (a clock that is off): counted by
	// route, left out of the span, the hours and the rates.
	Outliers     int
	OutlierLines []BadLine // the first line of each outlying hour, the first ReadOptions.MaxBadLines of them

	Requests map[Route]int    // requests by route
	Classes  map[Route][6]int // requests by route and status class (index 2 for 2xx … 5 for 5xx)
	Hours    []Hour           // every hour from First to Last, in order, empty ones included
	InSpan   int              // requests from First to Last (Entries less Outliers)
	Other    map[string]int   // the commonest unknown "METHOD /path" (first 200 kept)

	HistoryFirstPages int // history requests without a cursor: lists opened

	// Request sizes of streamed messages, when the log has them.
	MessagesSized   int   // POST /api/chat lines with a request size
	WithAttachments int   // of those, at least AttachmentBytes
	AttachmentBytes int64 // their total size
	AttachmentLimit int64 // the threshold used

	// Conversation-creation bodies, when the log has them.
	CreatesWithBody int // POST /api/chat/conversation lines with a JSON body
	Prompts         int // of those, isPrompt true
	Subjects        int // of those, a subject set
}

// Read reads a whole log and profiles it. Only reading r can fail; bad
// lines are counted in the Profile.
func Read(r io.Reader, opts ReadOptions) (*Profile, error) {
	if opts.AttachmentBytes <= 0 {
		opts.AttachmentBytes = DefaultAttachmentBytes
	}
	if opts.MaxBadLines <= 0 {
		opts.MaxBadLines = DefaultMaxBadLines
	}
	p := &Profile{Requests: map[Route]int{}, Classes: map[Route][6]int{}, Other: map[string]int{},
		AttachmentLimit: opts.AttachmentBytes}
	hours := map[time.Time]*hourAcc{}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, tooLong, err := readLine(br)
		if len(line) > 0 || tooLong || err == nil {
			p.Lines++
			switch {
			case tooLong:
				p.bad(opts, fmt.Sprintf("longer than %d bytes", maxLine))
			case len(trimSpace(line)) > 0:
				if e, perr := ParseLine(string(line)); perr != nil {
					p.bad(opts, perr.Error())
				} else {
					p.add(e, hours)
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return p, fmt.Errorf("accesslog: read: %w", err)
		}
	}
	p.fillHours(hours, opts.MaxBadLines)
	return p, nil
}

// readLine reads one line without its newline; a line longer than maxLine
// is skipped to its end and reported as tooLong.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, rerr := br.ReadLine()
		if !tooLong {
			if len(line)+len(chunk) > maxLine {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if rerr != nil || !isPrefix {
			return line, tooLong, rerr
		}
	}
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func (p *Profile) bad(opts ReadOptions, reason string) {
	p.Bad++
	if len(p.BadLines) < opts.MaxBadLines {
		p.BadLines = append(p.BadLines, BadLine{Line: p.Lines, Reason: reason})
	}
}

// hourAcc is one hour's arrivals while a log is read, with its first and
// last request and the line of its first.
type hourAcc struct {
	Hour
	first, last time.Time
	line        int
	requests    int
}

func (p *Profile) add(e Entry, hours map[time.Time]*hourAcc) {
	p.Entries++
	r := Classify(e.Method, e.Path, e.Query)
	p.Requests[r]++
	c := p.Classes[r]
	c[e.Status/100]++
	p.Classes[r] = c
	start := e.Time.UTC().Truncate(time.Hour)
	h := hours[start]
	if h == nil {
		h = &hourAcc{Hour: Hour{Start: start}, first: e.Time, last: e.Time, line: p.Lines}
		hours[start] = h
	}
	h.requests++
	if e.Time.Before(h.first) {
		h.first = e.Time
	}
	if e.Time.After(h.last) {
		h.last = e.Time
	}
	switch r {
	case Session:
		h.PageViews++
	case Conversation:
		h.Chats++
		p.conversationBody(e.Body)
	case Message, AsyncMessage:
		h.Messages++
		if r == Message && e.ReqBytes >= 0 {
			p.MessagesSized++
			if e.ReqBytes >= p.AttachmentLimit {
				p.WithAttachments++
				p.AttachmentBytes += e.ReqBytes
			}
		}
	case History:
		if !hasParamKey(e.Query, "cursor") {
			p.HistoryFirstPages++
		}
	case Other:
		key := e.Method + " " + e.Path
		if _, ok := p.Other[key]; ok || len(p.Other) < 200 {
			p.Other[key]++
		}
	}
}

// conversationBody reads a logged POST /api/chat/conversation body.
func (p *Profile) conversationBody(body string) {
	if body == "" {
		return
	}
	var b struct {
		IsPrompt *bool   `json:"isPrompt"`
		Subject  *string `json:"subject"`
	}
	if json.Unmarshal([]byte(body), &b) != nil {
		return
	}
	p.CreatesWithBody++
	if b.IsPrompt != nil && *b.IsPrompt {
		p.Prompts++
	}
	if b.Subject != nil && *b.Subject != "" {
		p.Subjects++
	}
}

func hasParamKey(query, key string) bool {
	for len(query) > 0 {
		var kv string
		kv, query, _ = cut(query, '&')
		if k, _, _ := cut(kv, '='); k == key {
			return true
		}
	}
	return false
}

func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// fillHours finds the log's span, the longest run of hours with requests
// (by requests) in which no two neighbours are more than outlierGap apart,
// and lists every hour of it, empty ones included. Requests outside it are
// Outliers; the first line of each outlying hour is kept, up to maxLines.
func (p *Profile) fillHours(hours map[time.Time]*hourAcc, maxLines int) {
	if p.Entries == 0 {
		return
	}
	sorted := make([]*hourAcc, 0, len(hours))
	for _, h := range hours {
		sorted = append(sorted, h)
	}
	slices.SortFunc(sorted, func(a, b *hourAcc) int { return a.Start.Compare(b.Start) })
	bestFrom, bestTo, bestN := 0, 0, -1
	for from := 0; from < len(sorted); {
		to, n := from, sorted[from].requests
		for to+1 < len(sorted) && sorted[to+1].Start.Sub(sorted[to].Start) <= outlierGap {
			to++
			n += sorted[to].requests
		}
		if n >= bestN { // the later of equals: a log's clock is more often reset than advanced
			bestFrom, bestTo, bestN = from, to, n
		}
		from = to + 1
	}
	p.InSpan = bestN
	p.Outliers = p.Entries - bestN
	var outliers []*hourAcc
	for i, h := range sorted {
		if i < bestFrom || i > bestTo {
			outliers = append(outliers, h)
		}
	}
	slices.SortFunc(outliers, func(a, b *hourAcc) int { return a.line - b.line })
	for _, h := range outliers[:min(len(outliers), maxLines)] {
		p.OutlierLines = append(p.OutlierLines, BadLine{Line: h.line, Reason: h.first.UTC().Format("2006-01-02 15:04:05")})
	}
	p.First, p.Last = sorted[bestFrom].first, sorted[bestFrom].last
	for _, h := range sorted[bestFrom : bestTo+1] {
		if h.first.Before(p.First) {
			p.First = h.first
		}
		if h.last.After(p.Last) {
			p.Last = h.last
		}
	}
	next := 0
	for t := sorted[bestFrom].Start; !t.After(sorted[bestTo].Start); t = t.Add(time.Hour) {
		if h := sorted[bestFrom+next]; h.Start.Equal(t) {
			p.Hours = append(p.Hours, h.Hour)
			next++
		} else {
			p.Hours = append(p.Hours, Hour{Start: t})
		}
	}
}

// Span is the time the log covers: from the first request of its span to
// the last, at least one second.
func (p *Profile) Span() time.Duration {
	return max(time.Second, p.Last.Sub(p.First))
}

// Count returns the requests of route r.
func (p *Profile) Count(r Route) int { return p.Requests[r] }

// Peak returns the hour with the most page views (the first of equals).
func (p *Profile) Peak() Hour {
	var best Hour
	for _, h := range p.Hours {
		if h.PageViews > best.PageViews || best.Start.IsZero() {
			best = h
		}
	}
	return best
}

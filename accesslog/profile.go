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

// Defaults of Options.
const (
	DefaultAttachmentBytes = 32 << 10 // a POST /api/chat this large carries files: a text message's body is a few KB
	DefaultMaxBadLines     = 20
	maxLine                = 1 << 20 // longer lines are bad lines, not a reason to stop
)

// Options tune Read. The zero value uses the defaults.
type Options struct {
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
	BadLines []BadLine // the first Options.MaxBadLines of them
	First    time.Time // the earliest request
	Last     time.Time // the latest request

	Requests map[Route]int    // requests by route
	Classes  map[Route][6]int // requests by route and status class (index 2 for 2xx … 5 for 5xx)
	Hours    []Hour           // every hour from First to Last, in order, empty ones included
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
func Read(r io.Reader, opts Options) (*Profile, error) {
	if opts.AttachmentBytes <= 0 {
		opts.AttachmentBytes = DefaultAttachmentBytes
	}
	if opts.MaxBadLines <= 0 {
		opts.MaxBadLines = DefaultMaxBadLines
	}
	p := &Profile{Requests: map[Route]int{}, Classes: map[Route][6]int{}, Other: map[string]int{},
		AttachmentLimit: opts.AttachmentBytes}
	hours := map[time.Time]*Hour{}
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
	p.fillHours(hours)
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

func (p *Profile) bad(opts Options, reason string) {
	p.Bad++
	if len(p.BadLines) < opts.MaxBadLines {
		p.BadLines = append(p.BadLines, BadLine{Line: p.Lines, Reason: reason})
	}
}

func (p *Profile) add(e Entry, hours map[time.Time]*Hour) {
	p.Entries++
	if p.First.IsZero() || e.Time.Before(p.First) {
		p.First = e.Time
	}
	if e.Time.After(p.Last) {
		p.Last = e.Time
	}
	r := Classify(e.Method, e.Path, e.Query)
	p.Requests[r]++
	c := p.Classes[r]
	c[e.Status/100]++
	p.Classes[r] = c
	h := hours[e.Time.UTC().Truncate(time.Hour)]
	if h == nil {
		h = &Hour{Start: e.Time.UTC().Truncate(time.Hour)}
		hours[h.Start] = h
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

// fillHours lists every hour from First to Last, empty ones included.
func (p *Profile) fillHours(hours map[time.Time]*Hour) {
	if p.Entries == 0 {
		return
	}
	for t := p.First.UTC().Truncate(time.Hour); !t.After(p.Last.UTC()); t = t.Add(time.Hour) {
		if h := hours[t]; h != nil {
			p.Hours = append(p.Hours, *h)
		} else {
			p.Hours = append(p.Hours, Hour{Start: t})
		}
	}
	slices.SortFunc(p.Hours, func(a, b Hour) int { return a.Start.Compare(b.Start) })
}

// Span is the time the log covers: from the first request to the last, at
// least one second.
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

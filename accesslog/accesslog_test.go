package accesslog

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func readFixture(t *testing.T) *Profile {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := Read(f, ReadOptions{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return p
}

// The fixture was written with these counts (see testdata/README.md).
func TestReadFixture(t *testing.T) {
	p := readFixture(t)
	if p.Lines != 216 || p.Entries != 210 || p.Bad != 5 {
		t.Errorf("lines %d, entries %d, bad %d; want 216, 210, 5", p.Lines, p.Entries, p.Bad)
	}
	var badLines []int
	for _, b := range p.BadLines {
		badLines = append(badLines, b.Line)
	}
	if got, want := badLines, []int{11, 41, 78, 121, 151}; !equal(got, want) {
		t.Errorf("bad lines %v, want %v", got, want)
	}
	want := map[Route]int{SDK: 12, Preflight: 60, Session: 60, Conversation: 12, Message: 30, AsyncMessage: 2,
		Open: 6, Poll: 3, MarkRead: 2, React: 5, History: 6, Unread: 9, Other: 3}
	for _, r := range Routes() {
		if p.Requests[r] != want[r] {
			t.Errorf("requests[%s] = %d, want %d", r, p.Requests[r], want[r])
		}
	}
	if c := p.Classes[Session]; c[2] != 59 || c[4] != 1 {
		t.Errorf("session classes %v, want 59 2xx and 1 4xx", c)
	}
	if c := p.Classes[Message]; c[5] != 1 {
		t.Errorf("message classes %v, want one 5xx", c)
	}
	if p.HistoryFirstPages != 4 || p.MessagesSized != 10 || p.WithAttachments != 2 || p.AttachmentBytes != 800000 {
		t.Errorf("history first pages %d, sized %d, with attachments %d (%d bytes); want 4, 10, 2 (800000)",
			p.HistoryFirstPages, p.MessagesSized, p.WithAttachments, p.AttachmentBytes)
	}
	if p.CreatesWithBody != 4 || p.Prompts != 1 || p.Subjects != 1 {
		t.Errorf("bodies %d, prompts %d, subjects %d; want 4, 1, 1", p.CreatesWithBody, p.Prompts, p.Subjects)
	}
	var perHour []int
	for _, h := range p.Hours {
		perHour = append(perHour, h.PageViews)
	}
	if !equal(perHour, []int{0, 15, 30, 15}) || p.Peak().Start.Hour() != 10 {
		t.Errorf("page views per hour %v (peak %s), want [0 15 30 15], peak 10:00", perHour, p.Peak().Start)
	}
	w := p.Workload()
	if w.PageViews != 60 || w.Chats != 12 || w.Messages != 32 || w.PromptShare != 0.25 || w.AttachmentShare != 0.2 {
		t.Errorf("Workload() = %+v", w)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

func TestWriteTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := readFixture(t).WriteText(&b, "testdata/access.log"); err != nil {
		t.Fatal(err)
	}
	golden(t, "access.txt", b.Bytes())
}

func TestWriteSnippetGolden(t *testing.T) {
	var b bytes.Buffer
	if err := readFixture(t).WriteSnippet(&b, "testdata/access.log"); err != nil {
		t.Fatal(err)
	}
	golden(t, "access.yaml", b.Bytes())
}

func TestParseLine(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		line    string
		want    Entry
		wantErr error
	}{
		{"common", `1.2.3.4 - - [02/Mar/2026:09:00:00 +0000] "POST /api/chat HTTP/1.1" 200 88`,
			Entry{Time: at, Method: "POST", Path: "/api/chat", Status: 200, ReqBytes: -1}, nil},
		{"combined with a query", `1.2.3.4 - u [02/Mar/2026:10:00:00 +0100] "GET /api/chat/conversation/x?markRead=false HTTP/2.0" 200 - "-" "curl/8"`,
			Entry{Time: at, Method: "GET", Path: "/api/chat/conversation/x", Query: "markRead=false", Status: 200, ReqBytes: -1}, nil},
		{"absolute target", `1.2.3.4 - - [02/Mar/2026:09:00:00 +0000] "GET https://h.example.com/widget/sdk.js HTTP/1.1" 200 1`,
			Entry{Time: at, Method: "GET", Path: "/widget/sdk.js", Status: 200, ReqBytes: -1}, nil},
		{"json", `{"time":"2026-03-02T09:00:00Z","method":"post","path":"/api/chat","status":"200","request_length":512}`,
			Entry{Time: at, Method: "POST", Path: "/api/chat", Status: 200, ReqBytes: 512}, nil},
		{"json, nginx names", `{"time_iso8601":"2026-03-02T10:00:00+01:00","request":"PATCH /api/chat/conversation/x HTTP/1.1","status":200}`,
			Entry{Time: at, Method: "PATCH", Path: "/api/chat/conversation/x", Status: 200, ReqBytes: -1}, nil},
		{"json, unix ms", `{"ts":1772442000000,"verb":"GET","uri":"/api/chat/conversations?cursor=20","status_code":200}`,
			Entry{Time: at, Method: "GET", Path: "/api/chat/conversations", Query: "cursor=20", Status: 200, ReqBytes: -1}, nil},
		{"json body", `{"time":"2026-03-02 09:00:00","method":"POST","path":"/api/chat/conversation","status":200,"request_body":{"isPrompt":true}}`,
			Entry{Time: at, Method: "POST", Path: "/api/chat/conversation", Status: 200, ReqBytes: -1, Body: `{"isPrompt":true}`}, nil},
		{"json, Caddy", `{"level":"info","ts":1772442000.25,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"10.0.0.1","proto":"HTTP/2.0","method":"POST","host":"h.example.com","uri":"/api/chat","headers":{"Content-Type":["application/json"]}},"bytes_read":45210,"status":200}`,
			Entry{Time: at.Add(250 * time.Millisecond), Method: "POST", Path: "/api/chat", Status: 200, ReqBytes: 45210}, nil},
		{"json, Elastic Common Schema", `{"@timestamp":"2026-03-02T09:00:00Z","http":{"request":{"method":"GET","bytes":120},"response":{"status_code":200}},"url":{"path":"/widget/sdk.js"}}`,
			Entry{Time: at, Method: "GET", Path: "/widget/sdk.js", Status: 200, ReqBytes: 120}, nil},
		{"garbage", `hello`, Entry{}, ErrFormat},
		{"bad time", `1.2.3.4 - - [yesterday] "GET / HTTP/1.1" 200 1`, Entry{}, ErrField},
		{"bad status", `1.2.3.4 - - [02/Mar/2026:09:00:00 +0000] "GET / HTTP/1.1" 99 1`, Entry{}, ErrField},
		{"no request", `1.2.3.4 - - [02/Mar/2026:09:00:00 +0000] "-" 400 0`, Entry{}, ErrField},
		{"json without a status", `{"time":"2026-03-02T09:00:00Z","method":"GET","path":"/"}`, Entry{}, ErrField},
		{"broken json", `{"time":`, Entry{}, ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLine(tt.line)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("ParseLine(%q) error = %v, want %v", tt.line, err, tt.wantErr)
				}
				return
			}
			if err != nil || !got.Time.Equal(tt.want.Time) || got.Method != tt.want.Method || got.Path != tt.want.Path ||
				got.Query != tt.want.Query || got.Status != tt.want.Status || got.ReqBytes != tt.want.ReqBytes || got.Body != tt.want.Body {
				t.Errorf("ParseLine(%q) = %+v, %v; want %+v", tt.line, got, err, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		method, path, query string
		want                Route
	}{
		{"GET", "/widget/sdk.js", "", SDK},
		{"GET", "/widget/sdk-v2.js", "", SDK},
		{"GET", "/widget/embed", "", Other},
		{"OPTIONS", "/api/widget/session", "", Preflight},
		{"POST", "/api/widget/session", "", Session},
		{"POST", "/helper/api/widget/session", "", Session}, // behind a proxy's mount point
		{"POST", "/api/chat", "", Message},
		{"POST", "/api/chat/", "", Message},
		{"GET", "/api/chat", "", Other},
		{"POST", "/api/chat/conversation", "", Conversation},
		{"POST", "/api/chat/conversation/abc/message", "", AsyncMessage},
		{"POST", "/api/chat/conversation/abc/message/42", "", React},
		{"GET", "/api/chat/conversation/abc", "", Open},
		{"GET", "/api/chat/conversation/abc", "markRead=true", Open},
		{"GET", "/api/chat/conversation/abc", "x=1&markRead=false", Poll},
		{"PATCH", "/api/chat/conversation/abc", "", MarkRead},
		{"GET", "/api/chat/conversations", "cursor=20", History},
		{"GET", "/api/chat/conversations/unread", "", Unread},
		{"OPTIONS", "/api/chat/conversation/abc", "", OtherPreflight},
		{"POST", "/api/chat/contact", "", Other},
		{"GET", "/", "", Other},
	}
	for _, tt := range tests {
		if got := Classify(tt.method, tt.path, tt.query); got != tt.want {
			t.Errorf("Classify(%s, %s, %q) = %s, want %s", tt.method, tt.path, tt.query, got, tt.want)
		}
	}
}

func TestReadLongAndEmptyInput(t *testing.T) {
	line := `1.2.3.4 - - [02/Mar/2026:09:00:00 +0000] "POST /api/widget/session HTTP/1.1" 200 1`
	in := line + "\n" + strings.Repeat("x", maxLine+10) + "\n" + line // no final newline
	p, err := Read(strings.NewReader(in), ReadOptions{})
	if err != nil || p.Lines != 3 || p.Entries != 2 || p.Bad != 1 || p.BadLines[0].Line != 2 {
		t.Errorf("Read = %+v, %v; want 3 lines, 2 entries, line 2 bad", p, err)
	}
	p, err = Read(strings.NewReader(""), ReadOptions{})
	var b bytes.Buffer
	p.WriteText(&b, "empty")
	if err != nil || p.Lines != 0 || !strings.Contains(b.String(), "no request could be read") {
		t.Errorf("empty log: %+v, %v, %q", p, err, b.String())
	}
}

func TestBadLinesCapped(t *testing.T) {
	p, err := Read(strings.NewReader(strings.Repeat("junk\n", 30)), ReadOptions{MaxBadLines: 3})
	var b bytes.Buffer
	p.WriteText(&b, "junk")
	if err != nil || p.Bad != 30 || len(p.BadLines) != 3 || !strings.Contains(b.String(), "… and 27 more") {
		t.Errorf("Read(30 bad lines) = %d bad, %d kept, %v:\n%s", p.Bad, len(p.BadLines), err, b.String())
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		`1.2.3.4 - - [02/Mar/2026:09:00:00 +0000] "POST /api/chat HTTP/1.1" 200 88`,
		`{"time":"2026-03-02T09:00:00Z","method":"POST","path":"/api/chat","status":200}`,
		`{"request":"GET /x HTTP/1.1","status":"404","ts":1.5e9}`, `[`, `{`, `"`,
		`{"ts":1.5e9,"request":{"method":"GET","uri":"/x","headers":{"A":["b"]}},"status":200}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		e, err := ParseLine(line)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrField) {
				t.Errorf("ParseLine(%q) error %v is neither ErrFormat nor ErrField", line, err)
			}
			return
		}
		if e.Status < 100 || e.Status > 599 || e.Method == "" || e.Path == "" || e.Time.IsZero() {
			t.Errorf("ParseLine(%q) = %+v without error", line, e)
		}
		Classify(e.Method, e.Path, e.Query)
	})
}

// TestSnippetValidates: the scenario the profile writes is one loadgen runs.
func TestSnippetValidates(t *testing.T) {
	var b bytes.Buffer
	readFixture(t).WriteSnippet(&b, "testdata/access.log")
	sc, err := scenarios.Parse("profiled.yaml", b.Bytes())
	if err != nil {
		t.Fatalf("the snippet does not validate:\n%v\n%s", err, b.String())
	}
	weights := map[string]int{}
	for _, c := range sc.Conversations {
		weights[c.Name] = c.Weight
	}
	// 60 page views, 12 chats: 48 visits; of the chats 3 prompt buttons, 2
	// with attachments, the rest split around 2.67 messages.
	if weights["visit"] != 48 || weights["prompt_button"] != 3 || weights["chat_with_attachment"] != 2 ||
		weights["chat_2"]+weights["chat_3"] != 7 || !sc.Widget.Preflight || sc.Widget.SDK != 0.2 || sc.Widget.Unread != 0.15 {
		t.Errorf("mix %v, widget %+v", weights, sc.Widget)
	}
}

// TestOutlyingTimes: a line whose clock is decades off (a JSON time of 1, a
// year typed wrong) is counted, named, and left out of the span, the hours
// and the rates, instead of stretching them over every hour in between.
func TestOutlyingTimes(t *testing.T) {
	session := func(ts string) string {
		return `1.2.3.4 - - [` + ts + ` +0000] "POST /api/widget/session HTTP/1.1" 200 1`
	}
	in := strings.Join([]string{
		session("02/Mar/2026:09:10:00"),
		`{"time": 1, "method": "POST", "path": "/api/widget/session", "status": 200}`,
		session("02/Mar/2026:09:40:00"),
		session("02/Mar/2026:10:10:00"),
		session("02/Mar/2099:10:10:00"),
		session("02/Mar/2026:11:10:00"),
	}, "\n")
	p, err := Read(strings.NewReader(in), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Entries != 6 || p.Requests[Session] != 6 || p.Outliers != 2 {
		t.Errorf("entries %d, sessions %d, outliers %d; want 6, 6, 2", p.Entries, p.Requests[Session], p.Outliers)
	}
	var lines []int
	for _, o := range p.OutlierLines {
		lines = append(lines, o.Line)
	}
	if !equal(lines, []int{2, 5}) {
		t.Errorf("outlier lines %v, want [2 5]", lines)
	}
	first, last := time.Date(2026, 3, 2, 9, 10, 0, 0, time.UTC), time.Date(2026, 3, 2, 11, 10, 0, 0, time.UTC)
	if !p.First.Equal(first) || !p.Last.Equal(last) || len(p.Hours) != 3 {
		t.Errorf("span %s to %s over %d hours, want %s to %s over 3", p.First, p.Last, len(p.Hours), first, last)
	}
	// 4 page views over the 2 hours of the span, not 6 over 73 years.
	if got, want := p.Workload().MeanRate, 4.0/7200; got != want {
		t.Errorf("MeanRate = %g/s, want %g/s", got, want)
	}
	var b bytes.Buffer
	if err := p.WriteText(&b, "odd.log"); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n > 60 || !strings.Contains(b.String(), "line 2: 1970-01-01 00:00:01") {
		t.Errorf("report of %d lines, want under 60 naming line 2's time:\n%.3000s", n, b.String())
	}
}

// TestQuietHoursOneLine: a span with two quiet weeks lists them as one line.
func TestQuietHoursOneLine(t *testing.T) {
	in := `1.2.3.4 - - [02/Mar/2026:09:10:00 +0000] "POST /api/widget/session HTTP/1.1" 200 1
1.2.3.4 - - [16/Mar/2026:09:10:00 +0000] "POST /api/widget/session HTTP/1.1" 200 1`
	p, err := Read(strings.NewReader(in), ReadOptions{})
	var b bytes.Buffer
	if err == nil {
		err = p.WriteText(&b, "quiet.log")
	}
	if err != nil || len(p.Hours) != 14*24+1 || !strings.Contains(b.String(), "2026-03-02 10:00 … 335 hours without requests\n") {
		t.Errorf("%d hours, %v:\n%s", len(p.Hours), err, b.String())
	}
}

// TestSnippetLeavesTheWidgetsLoadsToIt: every conversation the widget
// creates is loaded at once (a GET the runner sends itself, as
// widget.open_created says), so only the GETs beyond those become open
// steps: the fixture's 6 GETs for 12 chats are all such loads.
func TestSnippetLeavesTheWidgetsLoadsToIt(t *testing.T) {
	var b bytes.Buffer
	readFixture(t).WriteSnippet(&b, "testdata/access.log")
	sc, err := scenarios.Parse("profiled.yaml", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sc.Conversations {
		for _, turn := range c.Turns {
			if turn.Kind == scenarios.StepOpen {
				t.Errorf("%s has an open step at %v; want none (6 GETs, 12 conversations loaded by the widget)", c.Name, turn.Share)
			}
		}
	}
	p := &Profile{Requests: map[Route]int{Conversation: 10, Open: 25}}
	if steps := p.chatSteps(10); len(steps) != 1 || steps[0].line != "open: {}" || steps[0].share != "100%" {
		t.Errorf("chatSteps with 25 GETs for 10 chats = %+v, want open at 100%% (15 beyond the loads, capped)", steps)
	}
}

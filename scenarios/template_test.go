package scenarios

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestTemplateExecute(t *testing.T) {
	data := &TemplateData{Seq: 7, Session: 3, Turn: 2, Conversation: "orders", Email: "ann@example.com",
		Meta: map[string]string{"plan": "pro"}, Vars: map[string]string{"order": "A-1"}}
	tests := []struct {
		name, src string
		want      string         // exact output, or
		match     *regexp.Regexp // a pattern it must match
		constant  bool
	}{
		{name: "plain text", src: "Where is my order?", want: "Where is my order?", constant: true},
		{name: "empty", src: "", want: "", constant: true},
		{name: "comment and trim", src: "a {{- /* note */ -}} b", want: "ab", constant: true},
		{name: "fields", src: "{{.Seq}}/{{.Session}}/{{.Turn}} {{.Conversation}} {{.Email}}", want: "7/3/2 orders ann@example.com"},
		{name: "meta and vars", src: "{{.Meta.plan}} {{.Vars.order}}", want: "pro A-1"},
		{name: "randInt", src: "#{{randInt 1000 9999}}", match: regexp.MustCompile(`^#[1-9]\d{3}$`)},
		{name: "randInt one value", src: "{{randInt 5 5}}", want: "5"},
		{name: "pick", src: `{{pick "x" "x"}}`, want: "x"},
		{name: "uuid", src: "{{uuid}}", match: regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)},
		{name: "now", src: "{{now}}", match: regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)},
		{name: "printf", src: `{{printf "%03d" .Seq}}`, want: "007"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, err := NewTemplate("t", tt.src)
			if err != nil {
				t.Fatalf("NewTemplate(%q): %v", tt.src, err)
			}
			if tm.IsConstant() != tt.constant || tm.String() != tt.src {
				t.Errorf("NewTemplate(%q): IsConstant() = %v, String() = %q; want %v, the source", tt.src, tm.IsConstant(), tm.String(), tt.constant)
			}
			got, err := tm.Execute(data)
			switch {
			case err != nil:
				t.Errorf("Execute() error: %v", err)
			case tt.match != nil && !tt.match.MatchString(got):
				t.Errorf("Execute() = %q, want a match for %v", got, tt.match)
			case tt.match == nil && got != tt.want:
				t.Errorf("Execute() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	if _, err := NewTemplate("subject", "{{nope}}"); err == nil || err.Error() != `scenarios: template subject: function "nope" not defined` {
		t.Errorf("NewTemplate({{nope}}) error = %v", err)
	}
	tm := MustTemplate("m", "{{.Vars.missing}}")
	if _, err := tm.Execute(&TemplateData{}); err == nil || !strings.HasPrefix(err.Error(), "scenarios: template: m:") {
		t.Errorf("Execute with a missing key: error = %v, want one naming the template", err)
	}
	long := MustTemplate("long", `{{range 2000000}}x{{end}}`)
	if _, err := long.Execute(&TemplateData{}); err == nil || !strings.Contains(err.Error(), "output longer than") {
		t.Errorf("Execute of a runaway range: error = %v, want the output limit", err)
	}
	var nilT *Template
	if s, err := nilT.Execute(nil); s != "" || err != nil || nilT.String() != "" || !nilT.IsConstant() {
		t.Errorf("nil Template: Execute = %q, %v; want empty", s, err)
	}
}

func TestRandIntAndPickCoverTheirRange(t *testing.T) {
	seen := map[int]bool{}
	picks := map[string]bool{}
	for range 2000 {
		n, err := randInt(-2, 2)
		if err != nil || n < -2 || n > 2 {
			t.Fatalf("randInt(-2, 2) = %d, %v; want -2..2", n, err)
		}
		seen[n] = true
		p, _ := pick("a", "b", "c")
		picks[p] = true
	}
	if len(seen) != 5 || len(picks) != 3 {
		t.Errorf("2000 draws: randInt(-2, 2) gave %v, pick gave %v; want every value", seen, picks)
	}
	if _, err := pick(); err == nil {
		t.Error("pick() with no arguments: no error")
	}
	if _, err := randInt(-1<<63, 1<<63-1); err != nil {
		t.Errorf("randInt over the whole range: %v", err)
	}
}

func TestTemplateConcurrentUse(t *testing.T) {
	tm := MustTemplate("m", "user {{.Seq}} order {{randInt 1 9}} {{uuid}}")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				seq := uint64(g*1000 + i)
				got, err := tm.Execute(&TemplateData{Seq: seq})
				if err != nil || !strings.HasPrefix(got, "user "+strconv.FormatUint(seq, 10)+" order ") {
					t.Errorf("Execute(Seq=%d) = %q, %v", seq, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestConstantTemplateDoesNotAllocate(t *testing.T) {
	tm := MustTemplate("m", "Where is my order?")
	d := &TemplateData{Seq: 1}
	if n := testing.AllocsPerRun(100, func() { _, _ = tm.Execute(d) }); n != 0 {
		t.Errorf("Execute of a constant template: %v allocations, want 0", n)
	}
}

func BenchmarkTemplateExecute(b *testing.B) {
	for _, bc := range []struct{ name, src string }{
		{"constant", "What are your opening hours?"},
		{"fields", "Hi, I am user {{.Seq}} in session {{.Session}}."},
		{"randInt", "Where is my order #{{randInt 10000 99999}}?"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tm := MustTemplate("m", bc.src)
			d := &TemplateData{Seq: 42, Session: 7, Conversation: "orders", Email: "a@example.com"}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := tm.Execute(d); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

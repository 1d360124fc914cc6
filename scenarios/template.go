package scenarios

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
	"time"
)

// MaxTemplateOutput bounds what one template execution may write, so that a
// runaway {{range}} fails instead of exhausting memory.
const MaxTemplateOutput = 1 << 20

// Template is a compiled text/template with the scenario's functions and
// option missingkey=error. Execute is safe for concurrent use. A template
// without actions is kept as its plain text and executes without
// allocating.
//
// Functions: randInt A B (a random integer in [A, B]), pick "a" "b" ... (one
// of its arguments at random), uuid (a random version 4 UUID, not for
// security), now (the current UTC time in RFC 3339). The data is a
// *TemplateData: .Seq, .Session, .Turn, .Conversation, .Email, .Meta.KEY and
// .Vars.COLUMN.
type Template struct {
	src  string             // as written
	text string             // the output when tmpl is nil
	tmpl *template.Template // nil for a constant template
}

// NewTemplate compiles src. name (a field path such as
// conversations[0].subject) appears in errors.
func NewTemplate(name, src string) (*Template, error) {
	t, err := compileTemplate(name, src)
	if err != nil {
		return nil, fmt.Errorf("scenarios: template %s: %s", name, templateErrText(name, src, err))
	}
	return t, nil
}

func compileTemplate(name, src string) (*Template, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(templateFuncs).Parse(src)
	if err != nil {
		return nil, err
	}
	if text, ok := constantText(t.Tree); ok {
		return &Template{src: src, text: text}, nil
	}
	return &Template{src: src, tmpl: t}, nil
}

// MustTemplate is NewTemplate for setup code; it panics on error.
func MustTemplate(name, src string) *Template {
	t, err := NewTemplate(name, src)
	if err != nil {
		panic(err)
	}
	return t
}

// constantText returns the output of a template made of text alone.
func constantText(tree *parse.Tree) (string, bool) {
	if tree == nil || tree.Root == nil {
		return "", true
	}
	var b strings.Builder
	for _, n := range tree.Root.Nodes {
		tn, ok := n.(*parse.TextNode)
		if !ok {
			return "", false
		}
		b.Write(tn.Text)
	}
	return b.String(), true
}

// IsConstant reports whether the template has no actions, so Execute always
// returns the same text.
func (t *Template) IsConstant() bool { return t == nil || t.tmpl == nil }

// Execute renders the template with d. A nil Template renders "".
func (t *Template) Execute(d *TemplateData) (string, error) {
	if t == nil {
		return "", nil
	}
	if t.tmpl == nil {
		return t.text, nil
	}
	s, err := t.execute(d)
	if err != nil {
		return "", fmt.Errorf("scenarios: %w", err)
	}
	return s, nil
}

// String returns the template's source text.
func (t *Template) String() string {
	if t == nil {
		return ""
	}
	return t.src
}

// templateErrText shortens a text/template error about template name (with
// source src) to what a scenario author needs: "line N: what" for a
// multi-line source, else just "what".
func templateErrText(name, src string, err error) string {
	msg := strings.TrimPrefix(err.Error(), "template: ")
	msg = strings.TrimPrefix(msg, name+":")
	msg = strings.Replace(msg, "executing "+strconv.Quote(name)+" at ", "", 1)
	pos, rest, ok := strings.Cut(msg, ": ")
	if !ok || strings.Trim(pos, "0123456789:") != "" {
		return msg
	}
	if !strings.Contains(src, "\n") {
		return rest
	}
	line, _, _ := strings.Cut(pos, ":")
	return "line " + line + ": " + rest
}

// execute renders t into a pooled buffer.
func (t *Template) execute(d *TemplateData) (string, error) {
	b := bufPool.Get().(*limitedBuffer)
	b.buf = b.buf[:0]
	err := t.tmpl.Execute(b, d)
	s := string(b.buf)
	if cap(b.buf) <= 64<<10 { // keep small buffers only
		bufPool.Put(b)
	}
	return s, err
}

var bufPool = sync.Pool{New: func() any { return new(limitedBuffer) }}

// limitedBuffer is a byte buffer that refuses to grow past MaxTemplateOutput.
type limitedBuffer struct{ buf []byte }

var errTooLong = fmt.Errorf("output longer than %d bytes", MaxTemplateOutput)

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if len(b.buf)+len(p) > MaxTemplateOutput {
		return 0, errTooLong
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// templateFuncs are the functions every scenario template may call. They
// draw from math/rand/v2's global source, which is safe for concurrent use.
var templateFuncs = template.FuncMap{
	"randInt": randInt,
	"pick":    pick,
	"uuid":    newUUID,
	"now":     func() string { return time.Now().UTC().Format(time.RFC3339) },
}

// randInt returns a random integer in [lo, hi].
func randInt(lo, hi int) (int, error) {
	if hi < lo {
		return 0, fmt.Errorf("randInt %d %d: the second bound is below the first", lo, hi)
	}
	span := uint64(hi) - uint64(lo) + 1
	if span == 0 { // the whole int range
		return int(rand.Uint64()), nil
	}
	return lo + int(rand.Uint64N(span)), nil
}

// pick returns one of its arguments at random.
func pick(choices ...string) (string, error) {
	if len(choices) == 0 {
		return "", errors.New("pick needs at least one argument")
	}
	return choices[rand.IntN(len(choices))], nil
}

// newUUID returns a random (version 4, variant 1) UUID.
func newUUID() string {
	var u [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		u[i] = byte(hi >> (56 - 8*i))
		u[8+i] = byte(lo >> (56 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	var s [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hex[c>>4], hex[c&0xf]
		j += 2
	}
	return string(s[:])
}

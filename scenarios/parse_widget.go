package scenarios

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/loadgen/loadgen/internal/attachment"
)

// widget decodes the scenario's widget: block.
func (d *decoder) widget(wf field) WidgetSpec {
	w := WidgetSpec{PageURL: defaultPageURL, OpenCreated: true}
	if !wf.ok() {
		return w
	}
	f := d.mapping(wf.val, wf.path, "sdk", "preflight", "unread", "page_url", "open_created")
	if f == nil {
		return w
	}
	w.SDK = d.share(f["sdk"])
	w.Preflight = d.boolean(f["preflight"])
	w.Unread = d.share(f["unread"])
	w.PageURL = d.template(f["page_url"], defaultPageURL)
	if oc := f["open_created"]; oc.ok() {
		w.OpenCreated = d.boolean(oc)
	}
	return w
}

var defaultPageURL = MustTemplate("widget.page_url", DefaultPageURL)

// visit decodes a visit: {page_views: N, think: DIST}.
func (d *decoder) visit(vf field) *VisitSpec {
	v := &VisitSpec{PageViews: 1}
	if !vf.ok() {
		return v
	}
	if vf.val.Kind == yaml.ScalarNode && vf.val.Value == "true" {
		return v
	}
	f := d.mapping(vf.val, vf.path, "page_views", "think")
	if f == nil {
		return v
	}
	v.PageViews = d.integer(f["page_views"], 1, 1, maxPageViews)
	v.Think = d.think(f["think"])
	return v
}

// stepKeys are the keys that name a step's kind.
var stepKeys = func() []string {
	var out []string
	for _, k := range StepKinds() {
		out = append(out, string(k))
	}
	return out
}()

// stepKind finds the one kind key of a turns item. It reports a missing
// kind or two kinds; an unknown key was reported by the mapping.
func (d *decoder) stepKind(n *yaml.Node, path string, f map[string]field) (StepKind, bool) {
	var given []string
	for _, k := range stepKeys {
		if f[k].key != nil {
			given = append(given, k)
		}
	}
	switch len(given) {
	case 0:
		if n.Kind == yaml.MappingNode && hasUnknownKey(n, turnKeys) {
			return "", false // the unknown key was reported
		}
		d.errorf(n, path, "want a step: one of %s", orList(stepKeys))
		return "", false
	case 1:
		return StepKind(given[0]), true
	}
	d.errorf(f[given[1]].key, path, "%s and %s in one item (one step per item)", given[0], given[1])
	return "", false
}

// turnKeys are the keys a turns item may have.
var turnKeys = append(append([]string(nil), stepKeys...), "think", "share", "expect", "attachments")

// unknownStep words the problem of an unknown key in a turns item.
func unknownStep(name string) string {
	if s := suggest(name, turnKeys); strings.HasPrefix(s, "(did you mean") {
		return "unknown step kind or field " + strconv.Quote(name) + " " + s
	}
	return "unknown step kind " + strconv.Quote(name) + " (want " + orList(stepKeys) + ", with think: and share:)"
}

// stepOptions decodes a non-message step's value: nothing, {}, true, or
// its options.
func (d *decoder) stepOptions(kind StepKind, sf field) StepOptions {
	o := StepOptions{MarkRead: true, Pages: 1, Reopen: true}
	if !sf.ok() || sf.val.Kind == yaml.ScalarNode && sf.val.Value == "true" {
		return o
	}
	var allowed []string
	switch kind {
	case StepOpen:
		allowed = []string{"mark_read"}
	case StepHistory:
		allowed = []string{"pages"}
	case StepPageView:
		allowed = []string{"open"}
	}
	if sf.val.Kind != yaml.MappingNode {
		want := "{}"
		if len(allowed) > 0 {
			want = "{} or {" + allowed[0] + ": …}"
		}
		d.fieldErrorf(sf, "want %s, got %s", want, describe(sf.val))
		return o
	}
	f := d.mapping(sf.val, sf.path, allowed...)
	if f == nil {
		return o
	}
	switch kind {
	case StepOpen:
		if mr := f["mark_read"]; mr.ok() {
			o.MarkRead = d.boolean(mr)
		}
	case StepHistory:
		o.Pages = d.integer(f["pages"], 1, 1, maxHistoryPages)
	case StepPageView:
		if op := f["open"]; op.ok() {
			o.Reopen = d.boolean(op)
		}
	}
	return o
}

// attachments decodes a message's attachments: a list of {type, size,
// count, name}, checked against Helper's limits (5 files and 50 MB a
// message, 25 MB a file), which it refuses with a 400.
func (d *decoder) attachments(af field) []AttachmentSpec {
	if !af.ok() {
		return nil
	}
	items := d.sequence(af)
	var out []AttachmentSpec
	files, total := 0, 0
	for i, n := range items {
		p := indexPath(af.path, i)
		f := d.mapping(n, p, "type", "size", "count", "name")
		if f == nil {
			continue
		}
		a := AttachmentSpec{Count: 1}
		typ := attachment.PNG
		if tf := f["type"]; d.required(tf, n, " (image, png, jpeg or pdf)") {
			if s, ok := d.scalar(tf, "a file type"); ok {
				t, err := attachment.ParseType(s)
				if err != nil {
					d.fieldErrorf(tf, "%s", strings.TrimPrefix(err.Error(), "attachment: "))
				}
				typ = t
			}
		}
		a.Type = string(typ)
		if sf := f["size"]; d.required(sf, n, " (e.g. 200KB)") {
			a.Size = d.size(sf, attachment.MinSize(typ), attachment.MaxSize)
			if est := attachment.HelperSize(a.Size); est > attachment.MaxSize {
				d.fieldErrorf(sf, "%s is refused by Helper: it reckons a file's size from its base64 text, padding included (%d bytes here), and allows %s; at most %d bytes pass",
					sf.val.Value, est, sizeText(attachment.MaxSize), attachment.MaxAccepted)
			}
		}
		a.Count = d.integer(f["count"], 1, 1, attachment.MaxPerTurn)
		a.Name = d.template(f["name"], nil)
		files += a.Count
		total += a.Count * attachment.HelperSize(a.Size)
		out = append(out, a)
	}
	switch {
	case files > attachment.MaxPerTurn:
		d.fieldErrorf(af, "%d files on one message: Helper refuses more than %d", files, attachment.MaxPerTurn)
	case total > attachment.MaxTotal:
		d.fieldErrorf(af, "%s on one message: Helper refuses more than %s in all", sizeText(total), sizeText(attachment.MaxTotal))
	}
	return out
}

// size decodes a size in bytes: a number with B, KB, MB (powers of 1000)
// or KiB, MiB (powers of 1024), from lo to hi.
func (d *decoder) size(f field, lo, hi int) int {
	s, ok := d.scalar(f, "a size such as 200KB")
	if !ok {
		return 0
	}
	n, err := ParseSize(s)
	if err != nil {
		d.fieldErrorf(f, "%s", strings.TrimPrefix(err.Error(), "scenarios: "))
		return 0
	}
	if n < lo || n > hi {
		d.fieldErrorf(f, "%s is out of range (want %s to %s)", s, sizeText(lo), sizeText(hi))
		return 0
	}
	return n
}

// ParseSize parses a size: a non-negative number and a unit, B, KB, MB,
// GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), e.g. "200KB",
// "1.5 MiB"; a bare number is bytes.
func ParseSize(s string) (int, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	mult, ok := map[string]float64{"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}[strings.ToLower(unit)]
	v, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || num == "" {
		return 0, &sizeError{s}
	}
	n := math.Round(v * mult)
	if n > math.MaxInt32 {
		return 0, &sizeError{s}
	}
	return int(n), nil
}

type sizeError struct{ s string }

func (e *sizeError) Error() string {
	return "scenarios: bad size " + strconv.Quote(e.s) + " (want e.g. 200KB, 1.5MiB or 4096)"
}

// sizeText writes n bytes for a message: "25 MiB", "300 KB", "70 B".
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1e6:
		return strconv.FormatFloat(float64(n)/1e6, 'f', -1, 64) + " MB"
	case n >= 1e3:
		return strconv.FormatFloat(float64(n)/1e3, 'f', -1, 64) + " KB"
	}
	return strconv.Itoa(n) + " B"
}

// tools decodes an SDK integration's tools: a mapping of names to
// {description, parameters: {NAME: {type, description, optional}}, server_request_url}.
func (d *decoder) tools(tf field) map[string]ToolSpec {
	if !tf.ok() {
		return nil
	}
	if tf.val.Kind != yaml.MappingNode {
		d.fieldErrorf(tf, "want a mapping of tool names to tools, got %s", describe(tf.val))
		return nil
	}
	out := make(map[string]ToolSpec)
	for i := 0; i+1 < len(tf.val.Content); i += 2 {
		k, v := tf.val.Content[i], d.deref(tf.val.Content[i+1], tf.path)
		p := joinPath(tf.path, k.Value)
		if k.Value == "" {
			d.errorf(k, tf.path, "empty tool name")
			continue
		}
		f := d.mapping(v, p, "description", "parameters", "server_request_url")
		if f == nil {
			continue
		}
		t := ToolSpec{Description: d.str(f["description"], ""), ServerRequestURL: d.expanded(f["server_request_url"], "")}
		t.Parameters = d.toolParams(f["parameters"])
		out[k.Value] = t
	}
	return out
}

func (d *decoder) toolParams(pf field) map[string]ToolParamSpec {
	out := map[string]ToolParamSpec{}
	if !pf.ok() {
		return out
	}
	if pf.val.Kind != yaml.MappingNode {
		d.fieldErrorf(pf, "want a mapping of parameter names to {type, description, optional}, got %s", describe(pf.val))
		return out
	}
	for i := 0; i+1 < len(pf.val.Content); i += 2 {
		k, v := pf.val.Content[i], d.deref(pf.val.Content[i+1], pf.path)
		p := joinPath(pf.path, k.Value)
		f := d.mapping(v, p, "type", "description", "optional")
		if f == nil {
			continue
		}
		param := ToolParamSpec{Type: "string", Description: d.str(f["description"], ""), Optional: d.boolean(f["optional"])}
		if t := d.oneOf(f["type"], "type", "string", "number"); t != "" {
			param.Type = t
		}
		out[k.Value] = param
	}
	return out
}

// float decodes an optional number from lo to hi; absent, it is def.
func (d *decoder) float(f field, def, lo, hi float64) float64 {
	if !f.ok() {
		return def
	}
	s, ok := d.scalar(f, "a number")
	if !ok {
		return def
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) {
		d.fieldErrorf(f, "bad number %q", s)
		return def
	}
	if v < lo || v > hi {
		d.fieldErrorf(f, "%s is out of range (want %g to %g)", s, lo, hi)
		return def
	}
	return v
}

// hasUnknownKey reports whether mapping n has a key not in allowed.
func hasUnknownKey(n *yaml.Node, allowed []string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !contains(allowed, n.Content[i].Value) {
			return true
		}
	}
	return false
}

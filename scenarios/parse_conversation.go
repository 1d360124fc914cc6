package scenarios

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// maxWeight bounds a conversation's weight so that the sum cannot overflow.
const maxWeight = 1_000_000

// Shared defaults; templates are immutable, so every scenario may use them.
var defaultEmail = MustTemplate("users.email", DefaultEmail)

// pendingTemplate is a template to try once the feeders' columns are known.
type pendingTemplate struct {
	t *Template
	f field
}

// template compiles an optional template field; absent, it is def.
func (d *decoder) template(f field, def *Template) *Template {
	if !f.ok() {
		return def
	}
	src, ok := d.scalar(f, "a string")
	if !ok {
		return def
	}
	t, err := compileTemplate(f.path, src)
	if err != nil {
		d.fieldErrorf(f, "bad template: %s", templateErrText(f.path, src, err))
		return def
	}
	if !t.IsConstant() {
		d.templates = append(d.templates, pendingTemplate{t: t, f: f})
	}
	return t
}

// checkTemplates renders every template once with sample data holding the
// scenario's metadata and the feeders' first rows, so that a misspelt
// field, a missing column or a bad function argument shows up now, with
// its position, instead of failing every message of a run.
func (d *decoder) checkTemplates(s *Scenario) {
	if len(d.templates) == 0 {
		return
	}
	var vars map[string]string
	for _, f := range s.Feeders {
		for k, v := range f.rows[0] {
			if vars == nil {
				vars = make(map[string]string)
			}
			vars[k] = v
		}
	}
	data := &TemplateData{Seq: 1, Session: 1, Turn: 1, Conversation: "sample",
		Email: "loadgen-1@example.com", Meta: s.Users.Metadata, Vars: vars}
	for _, p := range d.templates {
		if _, err := p.t.execute(data); err != nil {
			d.fieldErrorf(p.f, "bad template: %s%s", templateErrText(p.f.path, p.t.src, err), templateHint(err.Error(), data))
		}
	}
}

// templateHint says what a failed template could have used instead.
func templateHint(msg string, data *TemplateData) string {
	keys := func(m map[string]string) string {
		if len(m) == 0 {
			return "none"
		}
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names)
		return strings.Join(names, ", ")
	}
	switch {
	case strings.Contains(msg, "<.Vars.") && len(data.Vars) == 0:
		return " (.Vars holds the columns of feeders, and the scenario has none)"
	case strings.Contains(msg, "<.Vars."):
		return " (feeder columns: " + keys(data.Vars) + ")"
	case strings.Contains(msg, "<.Meta."):
		return " (users.metadata keys: " + keys(data.Meta) + ")"
	case strings.Contains(msg, "can't evaluate field"):
		return " (want .Seq, .Session, .Turn, .Conversation, .Email, .Meta.KEY or .Vars.COLUMN)"
	}
	return ""
}

// conversations decodes the conversation mix.
func (d *decoder) conversations(cf field, root *yaml.Node) []ConversationSpec {
	if !d.required(cf, root, " (a list of conversations, each with a name and turns)") {
		return nil
	}
	items := d.sequence(cf)
	if cf.val.Kind == yaml.SequenceNode && len(items) == 0 {
		d.fieldErrorf(cf, "want at least one conversation")
	}
	seen := make(map[string]*yaml.Node)
	out := make([]ConversationSpec, 0, len(items))
	for i, n := range items {
		if c, ok := d.conversation(n, indexPath(cf.path, i), seen); ok {
			out = append(out, c)
		}
	}
	return out
}

// conversationKeys are a conversation's fields; visitKeys those a visit may have.
var (
	conversationKeys = []string{"name", "weight", "subject", "is_prompt", "mode", "poll", "page_views",
		"guide_enabled", "tools", "customer_specific_tools", "visit", "turns", "transcript"}
	visitKeys = []string{"name", "weight", "visit"}
)

// conversation decodes one conversation; seen holds the names so far.
func (d *decoder) conversation(n *yaml.Node, path string, seen map[string]*yaml.Node) (ConversationSpec, bool) {
	f := d.mapping(n, path, conversationKeys...)
	if f == nil {
		return ConversationSpec{}, false
	}
	c := ConversationSpec{Weight: 1, Mode: Stream, PageViews: 1}
	if name := f["name"]; d.required(name, n, "") {
		c.Name = d.name(name)
		if first, dup := seen[c.Name]; dup && c.Name != "" {
			d.fieldErrorf(name, "duplicate conversation name %q (first at %d:%d)", c.Name, first.Line, first.Column)
		} else {
			seen[c.Name] = name.val
		}
	}
	c.Weight = d.integer(f["weight"], 1, 1, maxWeight)
	if vf := f["visit"]; vf.key != nil {
		for _, k := range conversationKeys {
			if kf := f[k]; kf.key != nil && !contains(visitKeys, k) {
				d.errorf(kf.key, kf.path, "%s is for chats: a visit sends page views only (name, weight and visit)", k)
			}
		}
		c.Visit = d.visit(vf)
		return c, true
	}
	c.Subject = d.template(f["subject"], nil)
	c.IsPrompt = d.boolean(f["is_prompt"])
	if m := d.oneOf(f["mode"], "mode", string(Stream), string(Async)); m != "" {
		c.Mode = Mode(m)
	}
	if c.Mode == Async {
		c.Poll = PollSpec{Interval: DefaultPollInterval, Timeout: DefaultPollTimeout, Backoff: DefaultPollBackoff}
	}
	if poll := f["poll"]; poll.key != nil {
		d.poll(poll, &c)
	}
	c.PageViews = d.integer(f["page_views"], 1, 1, maxPageViews)
	c.GuideEnabled = d.boolean(f["guide_enabled"])
	c.Tools = d.tools(f["tools"])
	c.CustomerSpecificTools = d.boolean(f["customer_specific_tools"])
	if cst := f["customer_specific_tools"]; cst.key != nil && len(c.Tools) == 0 {
		d.errorf(cst.key, cst.path, "customer_specific_tools without tools")
	}
	if len(c.Tools) > 0 && c.GuideEnabled {
		d.errorf(f["guide_enabled"].key, f["guide_enabled"].path, "guide_enabled and tools: tools come from SDK integrations (@helperai/client), whose body has no guideEnabled")
	}
	turns, tr := f["turns"], f["transcript"]
	switch {
	case tr.key != nil && turns.key != nil:
		d.errorf(tr.key, tr.path, "turns and transcript are mutually exclusive (a conversation is written or replayed)")
	case tr.key != nil:
		if d.required(tr, n, " (file: and how to replay it)") {
			c.Transcript = d.transcript(tr, c.Mode)
		}
	case d.required(turns, n, " (the user's messages and steps, or visit: for page views without a chat)"):
		c.Turns = d.turns(turns, c.Mode)
	}
	return c, true
}

// poll decodes an async conversation's poll settings.
func (d *decoder) poll(pf field, c *ConversationSpec) {
	if c.Mode != Async {
		d.errorf(pf.key, pf.path, "poll is only for mode: async")
		return
	}
	f := d.mapping(pf.val, pf.path, "interval", "timeout", "backoff", "max_interval")
	if f == nil {
		return
	}
	c.Poll.Interval = d.duration(f["interval"], DefaultPollInterval, time.Millisecond)
	c.Poll.Timeout = d.duration(f["timeout"], DefaultPollTimeout, time.Millisecond)
	if c.Poll.Interval > c.Poll.Timeout {
		d.fieldErrorf(f["interval"], "interval %s is longer than the timeout %s", c.Poll.Interval, c.Poll.Timeout)
	}
	c.Poll.Backoff = d.float(f["backoff"], DefaultPollBackoff, 1, maxPollBackoff)
	c.Poll.MaxInterval = d.duration(f["max_interval"], 0, time.Millisecond)
	if mi := f["max_interval"]; mi.ok() && c.Poll.MaxInterval < c.Poll.Interval {
		d.fieldErrorf(mi, "max_interval %s is shorter than the interval %s", c.Poll.MaxInterval, c.Poll.Interval)
	}
}

// turns decodes a conversation's steps. Each item is one step: a message
// (with think, share, expect and attachments) or one of the widget's other
// steps (open, history, react, mark_read, unread, page_view; with think and
// share). An explicit empty list (turns: []) is allowed: such a session
// creates its conversation and ends, which is how a benchmark measures
// conversation creation alone.
func (d *decoder) turns(tf field, mode Mode) []TurnSpec {
	items := d.sequence(tf)
	out := make([]TurnSpec, 0, len(items))
	for i, n := range items {
		p := indexPath(tf.path, i)
		f := d.mappingWith(n, p, unknownStep, turnKeys...)
		if f == nil {
			continue
		}
		kind, ok := d.stepKind(n, p, f)
		if !ok {
			continue
		}
		t := TurnSpec{Kind: kind, Share: 1}
		t.Think = d.think(f["think"])
		if sf := f["share"]; sf.ok() {
			t.Share = d.share(sf)
		}
		if kind != StepMessage {
			for _, k := range []string{"expect", "attachments"} {
				if kf := f[k]; kf.key != nil {
					d.errorf(kf.key, kf.path, "%s is only for message steps", k)
				}
			}
			t.Options = d.stepOptions(kind, f[string(kind)])
			out = append(out, t)
			continue
		}
		if msg := f["message"]; d.required(msg, n, " (the user's message, a template)") {
			t.Message = d.template(msg, nil)
			if t.Message.IsConstant() && msg.val.Kind == yaml.ScalarNode && strings.TrimSpace(msg.val.Value) == "" {
				d.fieldErrorf(msg, "empty message")
			}
		}
		t.Expect = d.expect(f["expect"], mode)
		t.Attachments = d.attachments(f["attachments"])
		if len(t.Attachments) > 0 && mode == Async {
			d.errorf(f["attachments"].key, f["attachments"].path, "attachments are sent on streamed messages (mode: stream), as the widget sends them")
		}
		out = append(out, t)
	}
	return out
}

// distributions are the think-time distributions' names in YAML.
var distributions = []string{string(ThinkFixed), string(ThinkUniform), string(ThinkExponential)}

// think decodes a think time: a duration (fixed), or one of
// {fixed: D}, {uniform: [MIN, MAX]}, {exponential: MEAN, max: CAP}.
func (d *decoder) think(tf field) Think {
	if !tf.ok() {
		return Think{}
	}
	if tf.val.Kind == yaml.ScalarNode {
		v, ok := d.durationNode(tf.val, tf.path, 0)
		if !ok || v == 0 {
			return Think{}
		}
		return Think{Kind: ThinkFixed, Mean: v}
	}
	unknown := func(name string) string {
		return "unknown distribution " + strconv.Quote(name) + " (want " + orList(distributions) + ")"
	}
	f := d.mappingWith(tf.val, tf.path, unknown, "fixed", "uniform", "exponential", "max")
	if f == nil {
		return Think{}
	}
	var given []string
	for _, k := range distributions {
		if f[k].key != nil {
			given = append(given, k)
		}
	}
	switch {
	case len(given) == 0:
		if f["max"].key != nil || len(tf.val.Content) == 0 { // else an unknown distribution was reported
			d.fieldErrorf(tf, "want a duration, or one of {fixed: 2s}, {uniform: [1s, 3s]}, {exponential: 2s, max: 10s}")
		}
		return Think{}
	case len(given) > 1:
		d.errorf(f[given[1]].key, tf.path, "%s and %s are mutually exclusive (give one distribution)", given[0], given[1])
		return Think{}
	}
	capf := f["max"]
	if capf.key != nil && given[0] != string(ThinkExponential) {
		d.errorf(capf.key, capf.path, "max is only for exponential")
	}
	val := f[given[0]]
	if !d.required(val, tf.val, "") {
		return Think{}
	}
	switch ThinkKind(given[0]) {
	case ThinkFixed:
		v, _ := d.durationNode(val.val, val.path, 0)
		return Think{Kind: ThinkFixed, Mean: v}
	case ThinkUniform:
		return d.uniform(val)
	}
	mean, ok := d.durationNode(val.val, val.path, time.Millisecond)
	if !ok {
		return Think{}
	}
	t := Think{Kind: ThinkExponential, Mean: mean, Max: d.duration(capf, 0, time.Millisecond)}
	if t.Max > 0 && t.Max < t.Mean {
		d.fieldErrorf(capf, "max %s is below the mean %s", t.Max, t.Mean)
	}
	return t
}

// uniform decodes [MIN, MAX].
func (d *decoder) uniform(f field) Think {
	if f.val.Kind != yaml.SequenceNode || len(f.val.Content) != 2 {
		d.fieldErrorf(f, "want [MIN, MAX], e.g. [1s, 3s], got %s", describe(f.val))
		return Think{}
	}
	lo, ok1 := d.durationNode(d.deref(f.val.Content[0], f.path), indexPath(f.path, 0), 0)
	hi, ok2 := d.durationNode(d.deref(f.val.Content[1], f.path), indexPath(f.path, 1), 0)
	if !ok1 || !ok2 {
		return Think{}
	}
	if hi < lo {
		d.fieldErrorf(f, "the maximum %s is below the minimum %s", hi, lo)
		return Think{}
	}
	return Think{Kind: ThinkUniform, Min: lo, Max: hi}
}

// expect decodes a turn's checks on its reply.
func (d *decoder) expect(ef field, mode Mode) Expect {
	f := d.mapping(ef.val, ef.path, "status", "contains", "max_ttft")
	if f == nil {
		return Expect{}
	}
	e := Expect{
		Status:   d.integer(f["status"], 0, 100, 599),
		Contains: d.stringList(f["contains"]),
	}
	if ttft := f["max_ttft"]; ttft.key != nil {
		if mode == Async {
			d.errorf(ttft.key, ttft.path, "max_ttft is only for mode: stream (async replies are not streamed)")
		} else {
			e.MaxTTFT = d.duration(ttft, 0, time.Millisecond)
		}
	}
	return e
}

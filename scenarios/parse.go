package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/loadgen/loadgen/internal/bounded"
)

// Defaults that apply when a scenario leaves a field out.
const (
	DefaultRequestTimeout = 120 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultPollInterval   = 500 * time.Millisecond
	DefaultPollTimeout    = 60 * time.Second
	DefaultEmail          = "loadgen-{{.Seq}}@example.com"
)

// Option configures LoadFile and Parse.
type Option func(*options)

type options struct {
	lookupEnv      func(string) (string, bool)
	fsys           fs.FS                   // nil: the operating system's files
	checkThreshold func(expr string) error // nil: thresholds are kept as written
}

// WithLookupEnv sets how ${NAME} references are resolved (default
// os.LookupEnv). Tests use it to inject variables.
func WithLookupEnv(lookup func(name string) (string, bool)) Option {
	return func(o *options) { o.lookupEnv = lookup }
}

// WithFS makes LoadFile read the scenario, and LoadFile and Parse read
// feeder files, from fsys (slash-separated paths) instead of the operating
// system's file system; loadgen uses it for the embedded examples.
func WithFS(fsys fs.FS) Option {
	return func(o *options) { o.fsys = fsys }
}

// WithThresholdCheck makes LoadFile and Parse check each threshold
// expression with check, so that a bad one is reported at its position with
// the file's other problems (the expression language lives in package
// report, which loadgen passes in as report.CheckThreshold).
func WithThresholdCheck(check func(expr string) error) Option {
	return func(o *options) { o.checkThreshold = check }
}

func newOptions(opts []Option) *options {
	o := &options{lookupEnv: os.LookupEnv}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// Caps on the files a scenario reads when it is loaded, so that a wrong
// path (/dev/zero, a log) is a clear error, not a process out of memory.
// (Variables so that a test can lower them.)
var (
	maxScenarioFile int64 = 8 << 20   // the scenario itself
	maxFeederFile   int64 = 256 << 20 // a feeder, read whole into memory
)

// readFile reads name from the options' file system, or fails once it is
// larger than limit; what names the file's role in that error.
func (o *options) readFile(name, what string, limit int64) ([]byte, error) {
	if o.fsys != nil {
		return bounded.ReadFile(o.fsys, path.Clean(name), what, limit)
	}
	return bounded.ReadFile(nil, name, what, limit)
}

// resolve returns the path of rel, a path written in the scenario file.
func (o *options) resolve(file, rel string) string {
	if o.fsys != nil {
		return path.Join(path.Dir(file), rel)
	}
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(filepath.Dir(file), rel)
}

// LoadFile reads and parses the scenario file at path. Problems with its
// content come back together as an *Error; feeder files are read relative
// to the scenario's directory. (It is not named Load because the type Load
// is the scenario's load section.)
func LoadFile(path string, opts ...Option) (*Scenario, error) {
	o := newOptions(opts)
	data, err := o.readFile(path, "a scenario file", maxScenarioFile)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	return parseScenario(path, data, o)
}

// Parse parses a scenario from data. file names it in problems ("" is fine)
// and locates its feeder files. Every problem found comes back together as
// an *Error, sorted by position.
func Parse(file string, data []byte, opts ...Option) (*Scenario, error) {
	return parseScenario(file, data, newOptions(opts))
}

func parseScenario(file string, data []byte, o *options) (*Scenario, error) {
	d := &decoder{
		problems:  problems{file: file},
		lookup:    o.lookupEnv,
		secretEnv: DefaultSecretEnv,
		resolve:   func(rel string) string { return o.resolve(file, rel) },
		readFile:  func(name string) ([]byte, error) { return o.readFile(name, "a feeder file", maxFeederFile) },
		open:      o.open,
		checkExpr: o.checkThreshold,
	}
	root := d.document(data)
	if root == nil {
		return nil, d.err()
	}
	s := d.scenario(root)
	if err := d.err(); err != nil {
		return nil, err
	}
	s.File = file
	return s, nil
}

// document returns the root node of data's single YAML document, or nil
// (with a problem recorded) when there is none.
func (d *decoder) document(data []byte) *yaml.Node {
	docs, err := decodeDocuments(data)
	if err != nil {
		d.syntaxError(data, err)
		return nil
	}
	if len(docs) > 1 {
		d.errorf(docs[1], "", "a second YAML document (after ---): a scenario file holds one")
		return nil
	}
	if len(docs) == 0 || len(docs[0].Content) == 0 || isNull(docs[0].Content[0]) {
		d.add(1, 1, "", "empty scenario (start with version: 1)")
		return nil
	}
	root := d.deref(docs[0].Content[0], "")
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "", "want a mapping (version: 1, name: ..., and so on), got %s", describe(root))
		return nil
	}
	return root
}

// decodeDocuments returns data's YAML documents, stopping after the second.
func decodeDocuments(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for len(docs) < 2 {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, &n)
	}
	return docs, nil
}

// yamlLine matches the line number yaml.v3 puts in some of its errors.
var yamlLine = regexp.MustCompile(`^yaml: line \d+: `)

// syntaxError records a YAML syntax error. yaml.v3 names a line in some of
// its errors only, and then often the line where the enclosing construct
// began, counted from 0; so the line reported is the first one at which a
// prefix of the file fails with the same message.
func (d *decoder) syntaxError(data []byte, err error) {
	msg := yamlMessage(err)
	line := firstFailingLine(data, msg)
	// A tab in the indentation is the most common cause, and yaml.v3's
	// message does not always say so: point at it.
	for _, l := range []int{line, line - 1} {
		if col := indentTab(data, l); col > 0 {
			d.add(l, col, "", "YAML syntax error: %s: a tab in the indentation (YAML indents with spaces only; replace the tab with spaces)", msg)
			return
		}
	}
	d.add(line, 0, "", "YAML syntax error: %s", msg)
}

// indentTab returns the column of the first tab in the indentation of
// line n (from 1) of data, or 0 when there is none.
func indentTab(data []byte, n int) int {
	if n < 1 {
		return 0
	}
	lines := bytes.Split(data, []byte("\n"))
	if n > len(lines) {
		return 0
	}
	for i, c := range lines[n-1] {
		switch c {
		case '\t':
			return i + 1
		case ' ', '-':
			continue
		}
		return 0
	}
	return 0
}

// yamlMessage is a yaml.v3 error's text without "yaml: line N: ".
func yamlMessage(err error) string {
	msg := err.Error()
	if m := yamlLine.FindString(msg); m != "" {
		return msg[len(m):]
	}
	return strings.TrimPrefix(msg, "yaml: ")
}

// firstFailingLine returns the smallest n such that data's first n lines
// fail to decode with the message msg, by bisection (data as a whole fails
// that way).
func firstFailingLine(data []byte, msg string) int {
	var ends []int // ends[i]: the end of line i+1
	for i, c := range data {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	lo, hi := 1, len(ends)
	for lo < hi {
		mid := lo + (hi-lo)/2
		if _, err := decodeDocuments(data[:ends[mid-1]]); err != nil && yamlMessage(err) == msg {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return hi
}

// scenario decodes the root mapping.
func (d *decoder) scenario(root *yaml.Node) *Scenario {
	f := d.mapping(root, "", "version", "name", "description", "target", "users", "widget", "load",
		"feeders", "conversations", "thresholds", "slo", "metrics")
	if !d.version(f["version"], root) {
		return nil
	}
	s := &Scenario{Version: 1}
	if d.required(f["name"], root, "") {
		s.Name = d.name(f["name"])
	}
	s.Description = d.str(f["description"], "")
	s.Target = d.target(f["target"], root)
	s.Users = d.users(f["users"])
	s.Load = d.load(f["load"], root)
	s.Feeders = d.feeders(f["feeders"])
	s.Widget = d.widget(f["widget"])
	s.Conversations = d.conversations(f["conversations"], root)
	s.Thresholds = d.thresholds(f["thresholds"])
	s.SLO = d.slo(f["slo"])
	s.Metrics = d.metrics(f["metrics"])
	d.checkReplay(s)
	d.checkTemplates(s)
	s.cumWeights = cumulativeWeights(s.Conversations)
	return s
}

// version checks the format version; false means the rest cannot be read.
func (d *decoder) version(f field, root *yaml.Node) bool {
	if !f.ok() {
		d.required(f, root, " (add version: 1 at the top)")
		return true
	}
	if f.val.Kind == yaml.ScalarNode && f.val.ShortTag() == "!!int" && f.val.Value != "1" {
		d.fieldErrorf(f, "unknown version %s (this loadgen reads version 1)", f.val.Value)
		return false
	}
	d.integer(f, 1, 1, 1)
	return true
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// name decodes a name that becomes a metric label value.
func (d *decoder) name(f field) string {
	s, ok := d.scalar(f, "a name")
	if ok && !namePattern.MatchString(s) {
		d.fieldErrorf(f, "bad name %q (want up to 64 letters, digits, '_', '-' or '.', starting with a letter or digit)", s)
	}
	return s
}

// target decodes the target section.
func (d *decoder) target(tf field, root *yaml.Node) Target {
	t := Target{SecretEnv: DefaultSecretEnv, Timeout: DefaultRequestTimeout, ConnectTimeout: DefaultConnectTimeout}
	if !d.required(tf, root, " (the deployment under test, with base_url at least)") {
		return t
	}
	f := d.mapping(tf.val, tf.path, "base_url", "hmac_secret_env", "request_timeout", "connect_timeout", "headers")
	if f == nil {
		return t
	}
	if env := f["hmac_secret_env"]; env.ok() {
		if name := d.str(env, ""); isEnvName(name) {
			t.SecretEnv = name
		} else {
			d.fieldErrorf(env, "bad environment variable name %q (want letters, digits and '_'; the name, not the secret)", name)
		}
	}
	d.secretEnv = t.SecretEnv
	if d.required(f["base_url"], tf.val, "") {
		t.BaseURL = d.baseURL(f["base_url"])
	}
	t.Timeout = d.duration(f["request_timeout"], DefaultRequestTimeout, time.Millisecond)
	t.ConnectTimeout = d.duration(f["connect_timeout"], DefaultConnectTimeout, time.Millisecond)
	t.Headers = d.stringMap(f["headers"], true, checkHeaderName)
	for name, v := range t.Headers {
		if strings.ContainsAny(v, "\r\n\x00") {
			d.fieldErrorf(f["headers"], "header %s: value holds a line break or NUL", name)
		}
	}
	return t
}

// baseURL decodes and checks target.base_url.
func (d *decoder) baseURL(f field) string {
	raw, ok := d.scalar(f, "a URL")
	if !ok {
		return ""
	}
	s, err := expandEnv(raw, d.lookup, d.secretEnv)
	switch {
	case err != nil:
		d.fieldErrorf(f, "%v", err)
		return ""
	case raw == "":
		d.fieldErrorf(f, "empty URL (want http://HOST[:PORT] or https://...)")
		return ""
	case s == "":
		d.fieldErrorf(f, "%q expands to an empty URL", raw)
		return ""
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		d.fieldErrorf(f, "bad URL %q (want http://HOST[:PORT] or https://...)", s)
	case u.User != nil:
		d.fieldErrorf(f, "credentials in base_url are not allowed (they would be printed); loadgen signs sessions with the secret from hmac_secret_env")
	case u.RawQuery != "" || u.Fragment != "":
		d.fieldErrorf(f, "bad URL %q: no query or fragment (paths /api/... are appended to it)", s)
	default:
		return strings.TrimRight(s, "/")
	}
	return ""
}

// checkHeaderName validates an extra header's name.
func checkHeaderName(name string) string {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return fmt.Sprintf("bad header name %q", name)
		}
	}
	switch strings.ToLower(name) {
	case "authorization", "content-type", "content-length", "transfer-encoding":
		return fmt.Sprintf("header %s is set by loadgen and cannot be overridden", name)
	}
	return ""
}

// users decodes the users section.
func (d *decoder) users(uf field) Users {
	f := d.mapping(uf.val, uf.path, "email", "anonymous", "metadata", "reuse_session", "returning")
	if f == nil {
		return Users{Email: defaultEmail}
	}
	return Users{
		Email:          d.template(f["email"], defaultEmail),
		AnonymousShare: d.share(f["anonymous"]),
		Metadata:       d.stringMap(f["metadata"], true, nil),
		ReuseSession:   d.boolean(f["reuse_session"]),
		Returning:      d.share(f["returning"]),
	}
}

// thresholds decodes the thresholds list, keeping each expression as written.
func (d *decoder) thresholds(tf field) []ThresholdExpr {
	var out []ThresholdExpr
	for i, n := range d.sequence(tf) {
		p := indexPath(tf.path, i)
		n = d.deref(n, p)
		if n.Kind != yaml.ScalarNode || isNull(n) || strings.TrimSpace(n.Value) == "" {
			d.errorf(n, p, "want an expression such as \"message.ttft.p95 < 1.5s\", got %s", describe(n))
			continue
		}
		expr := strings.TrimSpace(n.Value)
		if d.checkExpr != nil {
			if err := d.checkExpr(expr); err != nil {
				d.exprProblem(n, p, expr, err)
				continue
			}
		}
		out = append(out, ThresholdExpr{Expr: expr, Pos: Pos{File: d.file, Line: n.Line, Column: n.Column}})
	}
	return out
}

// exprProblem records a bad threshold expression written at n. An error
// that knows its column in the expression (report.ThresholdError) is
// placed there, exactly for a plain scalar.
func (d *decoder) exprProblem(n *yaml.Node, path, expr string, err error) {
	var at interface {
		ExprColumn() int
		Reason() string
	}
	if !errors.As(err, &at) {
		d.errorf(n, path, "%v", err)
		return
	}
	col := n.Column
	if n.Style == 0 {
		col += strings.Index(n.Value, expr) + at.ExprColumn() - 1
	}
	d.add(n.Line, col, path, "threshold %q: %s", expr, at.Reason())
}

// metrics decodes the metrics section: classic bucket edges per histogram.
func (d *decoder) metrics(mf field) MetricsSpec {
	f := d.mapping(mf.val, mf.path, "buckets")
	if f == nil {
		return MetricsSpec{}
	}
	bf := d.mapping(f["buckets"].val, f["buckets"].path, BucketHistograms()...)
	if bf == nil {
		return MetricsSpec{}
	}
	var m MetricsSpec
	for _, name := range BucketHistograms() {
		e := bf[name]
		if !e.ok() {
			continue
		}
		var edges []time.Duration
		for i, n := range d.sequence(e) {
			p := indexPath(e.path, i)
			v, ok := d.durationNode(d.deref(n, p), p, time.Microsecond)
			if !ok {
				continue
			}
			if len(edges) > 0 && v <= edges[len(edges)-1] {
				d.errorf(n, p, "bucket edges must rise: %s after %s", v, edges[len(edges)-1])
				continue
			}
			edges = append(edges, v)
		}
		if len(edges) > maxBucketEdges {
			d.errorf(e.val, e.path, "%d bucket edges: at most %d (each is a series per conversation and step)", len(edges), maxBucketEdges)
			continue
		}
		if len(edges) > 0 {
			if m.Buckets == nil {
				m.Buckets = map[string][]time.Duration{}
			}
			m.Buckets[name] = edges
		}
	}
	return m
}

// slo decodes the slo section.
func (d *decoder) slo(sf field) SLO {
	f := d.mapping(sf.val, sf.path, "ttft", "latency", "inter_token")
	if f == nil {
		return SLO{}
	}
	return SLO{
		MaxTTFT:    d.duration(f["ttft"], 0, time.Millisecond),
		MaxLatency: d.duration(f["latency"], 0, time.Millisecond),
		MaxGap:     d.duration(f["inter_token"], 0, time.Millisecond),
	}
}

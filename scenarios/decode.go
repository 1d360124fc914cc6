package scenarios

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// maxAliases bounds alias expansions per file, so that a small file of
// nested aliases cannot expand into an enormous scenario.
const maxAliases = 1000

// decoder walks a scenario's yaml.Node tree, collecting every problem.
type decoder struct {
	problems
	lookup    func(string) (string, bool)         // environment variables
	resolve   func(string) string                 // a path written in the scenario → a path to read
	readFile  func(string) ([]byte, error)        // reads a resolved path
	open      func(string) (io.ReadCloser, error) // opens a resolved path to stream it (transcripts)
	secretEnv string                              // never expanded
	checkExpr func(string) error                  // checks a threshold expression (nil: none)
	aliases   int
	templates []pendingTemplate // checked once feeders are known
}

// field is one "key: value" entry of a mapping, or an absent one (nil nodes).
type field struct {
	key, val *yaml.Node
	path     string
}

// ok reports whether the field is present with a non-null value.
func (f field) ok() bool { return f.val != nil && !isNull(f.val) }

// at returns the line and column for a problem with the field's value.
func (f field) at() (int, int) {
	if f.val != nil && f.val.Line > 0 {
		return f.val.Line, f.val.Column
	}
	if f.key != nil {
		return f.key.Line, f.key.Column
	}
	return 1, 1
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// errorf records a problem at n (nil n: start of file).
func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	d.add(line, col, path, format, args...)
}

// fieldErrorf records a problem with f's value.
func (d *decoder) fieldErrorf(f field, format string, args ...any) {
	line, col := f.at()
	d.add(line, col, f.path, format, args...)
}

// deref follows aliases. Once too many were followed it returns a null
// node instead.
func (d *decoder) deref(n *yaml.Node, path string) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.aliases++
		if d.aliases == maxAliases+1 {
			d.errorf(n, path, "more than %d alias expansions", maxAliases)
		}
		if d.aliases > maxAliases {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
		}
		n = n.Alias
	}
	return n
}

// joinPath appends a field name to a path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// indexPath appends a list index to a path.
func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// describe says what a node is, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			return "the quoted string " + strconv.Quote(n.Value)
		}
		return strconv.Quote(n.Value)
	}
	return "a YAML document"
}

// mapping returns n's fields by name, recording problems for a node that is
// not a mapping, non-string keys, duplicate keys, merge keys and names not
// in allowed. Every allowed name is in the result, absent ones with nil
// nodes; a null n is an empty mapping. It returns nil when n is not a
// mapping.
func (d *decoder) mapping(n *yaml.Node, path string, allowed ...string) map[string]field {
	return d.mappingWith(n, path, nil, allowed...)
}

// mappingWith is mapping with a custom message for unknown names, given the
// path of the mapping and the name (nil: the usual one).
func (d *decoder) mappingWith(n *yaml.Node, path string, unknown func(name string) string, allowed ...string) map[string]field {
	n = d.deref(n, path)
	fields := make(map[string]field, len(allowed))
	switch {
	case n == nil || isNull(n):
		n = &yaml.Node{Kind: yaml.MappingNode}
	case n.Kind != yaml.MappingNode:
		d.errorf(n, path, "want a mapping (field: value lines), got %s", describe(n))
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.errorf(k, path, "want a field name, got %s", describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			d.errorf(k, path, "merge keys (<<) are not supported; use an alias (*name) for a whole value instead")
			continue
		}
		p := joinPath(path, k.Value)
		if first, dup := fields[k.Value]; dup {
			d.errorf(k, p, "duplicate field (first at %d:%d)", first.key.Line, first.key.Column)
			continue
		}
		if !contains(allowed, k.Value) {
			if unknown != nil {
				d.errorf(k, path, "%s", unknown(k.Value))
			} else {
				d.errorf(k, p, "unknown field %q %s", k.Value, suggest(k.Value, allowed))
			}
			continue
		}
		fields[k.Value] = field{key: k, val: d.deref(v, p), path: p}
	}
	for _, name := range allowed {
		if _, ok := fields[name]; !ok {
			fields[name] = field{path: joinPath(path, name)}
		}
	}
	return fields
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns "(did you mean "x"?)" for a near miss, else the allowed names.
func suggest(name string, allowed []string) string {
	best, bestDist := "", math.MaxInt
	for _, a := range allowed {
		if dist := editDistance(strings.ToLower(name), a); dist < bestDist {
			best, bestDist = a, dist
		}
	}
	if best != "" && bestDist <= 2 && bestDist < len(name) {
		return fmt.Sprintf("(did you mean %q?)", best)
	}
	if len(allowed) == 0 {
		return "(it takes none)"
	}
	return "(want one of " + strings.Join(allowed, ", ") + ")"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// required records a problem when f is absent or null; parent is the
// mapping that should hold it.
func (d *decoder) required(f field, parent *yaml.Node, hint string) bool {
	if f.ok() {
		return true
	}
	if f.key != nil {
		d.errorf(f.key, f.path, "missing value%s", hint)
	} else {
		d.errorf(parent, f.path, "missing required field%s", hint)
	}
	return false
}

// scalar returns f's value as text; ok is false (with a problem recorded)
// when f holds a mapping or list. Callers check f.ok() first.
func (d *decoder) scalar(f field, want string) (string, bool) {
	if f.val.Kind != yaml.ScalarNode {
		d.fieldErrorf(f, "want %s, got %s", want, describe(f.val))
		return "", false
	}
	return f.val.Value, true
}

// str decodes an optional string field.
func (d *decoder) str(f field, def string) string {
	if !f.ok() {
		return def
	}
	s, _ := d.scalar(f, "a string")
	return s
}

// expanded decodes an optional string field with ${VAR} expansion.
func (d *decoder) expanded(f field, def string) string {
	if !f.ok() {
		return def
	}
	s, ok := d.scalar(f, "a string")
	if !ok {
		return def
	}
	v, err := expandEnv(s, d.lookup, d.secretEnv)
	if err != nil {
		d.fieldErrorf(f, "%v", err)
		return def
	}
	return v
}

// integer decodes an optional integer field in [lo, hi].
func (d *decoder) integer(f field, def, lo, hi int) int {
	if !f.ok() {
		return def
	}
	s, ok := d.scalar(f, "an integer")
	if !ok {
		return def
	}
	if f.val.ShortTag() != "!!int" {
		d.fieldErrorf(f, "want an integer, got %s", describe(f.val))
		return def
	}
	n, err := parseInt(s, lo, hi)
	if err != nil {
		d.fieldErrorf(f, "%s", err)
		return def
	}
	return n
}

// parseInt parses an integer in [lo, hi] (underscores allowed, as YAML
// allows them): the one check of an integer setting, in a file or a flag.
func parseInt(s string, lo, hi int) (int, error) {
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
	if err != nil {
		return 0, fmt.Errorf("want an integer, got %q", s)
	}
	if n < int64(lo) || n > int64(hi) {
		return 0, fmt.Errorf("%d is out of range (want %d to %d)", n, lo, hi)
	}
	return int(n), nil
}

// boolean decodes an optional true/false field.
func (d *decoder) boolean(f field) bool {
	if !f.ok() {
		return false
	}
	if f.val.Kind != yaml.ScalarNode || f.val.ShortTag() != "!!bool" {
		d.fieldErrorf(f, "want true or false, got %s", describe(f.val))
		return false
	}
	b, _ := strconv.ParseBool(strings.ToLower(f.val.Value))
	return b
}

// duration decodes an optional duration field that must be at least lo.
func (d *decoder) duration(f field, def, lo time.Duration) time.Duration {
	if !f.ok() {
		return def
	}
	v, ok := d.durationNode(f.val, f.path, lo)
	if !ok {
		return def
	}
	return v
}

// durationNode decodes a duration such as 1.5s, 500ms or 1h30m.
func (d *decoder) durationNode(n *yaml.Node, path string, lo time.Duration) (time.Duration, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, path, "want a duration such as 2s or 500ms, got %s", describe(n))
		return 0, false
	}
	v, err := parseDuration(n.Value, lo, 0)
	if err != nil {
		d.errorf(n, path, "%s", err)
		return 0, false
	}
	return v, true
}

// parseDuration parses a duration of at least lo and, when hi > 0, at most
// hi: the one check of a duration setting, in a file or a flag.
func parseDuration(s string, lo, hi time.Duration) (time.Duration, error) {
	v, err := time.ParseDuration(s)
	if err != nil {
		hint := ""
		if _, nerr := strconv.ParseFloat(s, 64); nerr == nil && s != "0" {
			hint = fmt.Sprintf(": add a unit, e.g. %ss or %sms", s, s)
		}
		return 0, fmt.Errorf("bad duration %q (want e.g. 2s, 500ms or 1h30m)%s", s, hint)
	}
	if v < lo {
		return 0, fmt.Errorf("duration %s is out of range (want at least %s)", s, lo)
	}
	if hi > 0 && v > hi {
		return 0, fmt.Errorf("duration %s is out of range (want at most %s)", v, hi)
	}
	return v, nil
}

// rate decodes an optional rate field; zero is allowed only when allowZero.
func (d *decoder) rate(f field, allowZero bool) Rate {
	if !f.ok() {
		return Rate{}
	}
	s, ok := d.scalar(f, "a rate such as 5/s")
	if !ok {
		return Rate{}
	}
	r, err := parseRate(s, allowZero)
	if err != nil {
		d.fieldErrorf(f, "%s", err)
		return Rate{}
	}
	return r
}

// parseRate parses a rate (ParseRate), above zero unless allowZero: the one
// check of a rate setting, in a file or a flag.
func parseRate(s string, allowZero bool) (Rate, error) {
	r, err := ParseRate(s)
	if err != nil {
		return Rate{}, errors.New(strings.TrimPrefix(err.Error(), "scenarios: "))
	}
	if r.Freq == 0 && !allowZero {
		return Rate{}, fmt.Errorf("rate %s is out of range (want more than 0)", s)
	}
	return r, nil
}

// share decodes a share: "25%" or a number from 0 to 1.
func (d *decoder) share(f field) float64 {
	if !f.ok() {
		return 0
	}
	s, ok := d.scalar(f, "a share such as 25% or 0.25")
	if !ok {
		return 0
	}
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		d.fieldErrorf(f, "bad percentage %q (want e.g. 25%% or 0.25)", s)
		return 0
	}
	if pct {
		v /= 100
	}
	if v < 0 || v > 1 {
		d.fieldErrorf(f, "%s is out of range (want 0%% to 100%%, or 0 to 1)", s)
		return 0
	}
	return v
}

// stringList decodes a list of non-empty strings; a single string is a list of one.
func (d *decoder) stringList(f field) []string {
	if !f.ok() {
		return nil
	}
	if f.val.Kind == yaml.ScalarNode {
		if f.val.Value == "" {
			d.fieldErrorf(f, "empty string")
			return nil
		}
		return []string{f.val.Value}
	}
	if f.val.Kind != yaml.SequenceNode {
		d.fieldErrorf(f, "want a list of strings, got %s", describe(f.val))
		return nil
	}
	var out []string
	for i, n := range f.val.Content {
		p := indexPath(f.path, i)
		n = d.deref(n, p)
		switch {
		case n.Kind != yaml.ScalarNode || isNull(n):
			d.errorf(n, p, "want a string, got %s", describe(n))
		case n.Value == "":
			d.errorf(n, p, "empty string")
		default:
			out = append(out, n.Value)
		}
	}
	return out
}

// stringMap decodes a mapping of names to strings, expanding ${VAR} in the
// values when expand is set. check, when not nil, validates each name
// ("" when fine).
func (d *decoder) stringMap(f field, expand bool, check func(string) string) map[string]string {
	if !f.ok() {
		return nil
	}
	if f.val.Kind != yaml.MappingNode {
		d.fieldErrorf(f, "want a mapping of names to strings, got %s", describe(f.val))
		return nil
	}
	out := make(map[string]string, len(f.val.Content)/2)
	seen := make(map[string]*yaml.Node, len(f.val.Content)/2)
	for i := 0; i+1 < len(f.val.Content); i += 2 {
		k, v := f.val.Content[i], f.val.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) || k.Value == "" {
			d.errorf(k, f.path, "want a name, got %s", describe(k))
			continue
		}
		p := joinPath(f.path, k.Value)
		e := field{key: k, val: d.deref(v, p), path: p}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k, e.path, "duplicate field (first at %d:%d)", first.Line, first.Column)
			continue
		}
		seen[k.Value] = k
		if check != nil {
			if msg := check(k.Value); msg != "" {
				d.errorf(k, e.path, "%s", msg)
				continue
			}
		}
		if isNull(e.val) {
			out[k.Value] = ""
			continue
		}
		if expand {
			out[k.Value] = d.expanded(e, "")
		} else {
			out[k.Value] = d.str(e, "")
		}
	}
	return out
}

// sequence returns f's items, recording a problem when f is not a list.
func (d *decoder) sequence(f field) []*yaml.Node {
	if !f.ok() {
		return nil
	}
	if f.val.Kind != yaml.SequenceNode {
		d.fieldErrorf(f, "want a list, got %s", describe(f.val))
		return nil
	}
	return f.val.Content
}

// oneOf decodes an optional string field whose value must be in choices.
func (d *decoder) oneOf(f field, what string, choices ...string) string {
	if !f.ok() {
		return ""
	}
	s, ok := d.scalar(f, "a string")
	if !ok {
		return ""
	}
	if !contains(choices, s) {
		d.fieldErrorf(f, "unknown %s %q (want %s)", what, s, orList(choices))
		return ""
	}
	return s
}

// orList formats choices as "a, b or c".
func orList(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

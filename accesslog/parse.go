// Package accesslog turns a Helper deployment's access log into the
// workload a scenario needs: how many requests of each route, their ratios
// per page view and per chat, arrival rates per hour (mean and peak), and a
// ready load and conversation-mix snippet for a loadgen scenario.
//
// It reads the Common and Combined Log Formats (Apache, nginx's default)
// and JSON lines with a method, a path, a status and a time under their
// usual names (see ParseLine). A line it cannot read is counted and
// reported with its number, never fatal: a log is evidence to summarise,
// not input to trust.
package accesslog

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Entry is one request of an access log.
type Entry struct {
	Time     time.Time
	Method   string // upper case
	Path     string // without the query
	Query    string // after '?', "" when none
	Status   int
	ReqBytes int64  // the request's size, body included; -1 when the log does not say
	Body     string // the request body, when a JSON log carries it
}

// Errors of ParseLine; each wraps one of these kinds.
var (
	ErrFormat = errors.New("not a Common/Combined Log Format line or a JSON object")
	ErrField  = errors.New("a field is missing or malformed")
)

// ParseLine reads one line. A line starting with '{' is JSON: the method
// is "method", "request_method" or "verb"; the path "path", "uri",
// "request_uri" or "url" (or all three from "request": "GET /p HTTP/1.1");
// the status "status", "status_code" or "response_code" (number or
// string); the time "time", "timestamp", "ts", "@timestamp",
// "time_iso8601", "time_local" or "start_time" (RFC 3339, the Common Log
// time, or Unix seconds or milliseconds as a number); the request size
// "request_length", "request_size", "bytes_in" or "req_bytes"; the body
// "request_body" or "body". Fields of nested objects are read under their
// path, as Caddy's JSON access log (request.method, request.uri, status,
// ts, bytes_read) and the Elastic Common Schema (http.request.method,
// url.original or url.path, http.response.status_code, @timestamp,
// http.request.bytes) write them. Any other line is read as the Common Log
// Format (host ident user [time] "request" status bytes), which the
// Combined Log Format extends.
func ParseLine(line string) (Entry, error) {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "{") {
		return parseJSON(line)
	}
	return parseCommon(line)
}

// parseCommon reads host ident user [time] "METHOD target PROTO" status bytes ….
func parseCommon(line string) (Entry, error) {
	e := Entry{ReqBytes: -1}
	open := strings.IndexByte(line, '[')
	closeAt := strings.IndexByte(line, ']')
	if open < 0 || closeAt < open {
		return e, fmt.Errorf("%w: no [time]", ErrFormat)
	}
	t, err := time.Parse("02/Jan/2006:15:04:05 -0700", line[open+1:closeAt])
	if err != nil {
		return e, fmt.Errorf("%w: time %q", ErrField, line[open+1:closeAt])
	}
	e.Time = t
	rest := strings.TrimSpace(line[closeAt+1:])
	if !strings.HasPrefix(rest, `"`) {
		return e, fmt.Errorf("%w: no quoted request after the time", ErrFormat)
	}
	end := strings.IndexByte(rest[1:], '"')
	if end < 0 {
		return e, fmt.Errorf("%w: unterminated request", ErrFormat)
	}
	if err := e.setRequest(rest[1 : end+1]); err != nil {
		return e, err
	}
	fields := strings.Fields(rest[end+2:])
	if len(fields) < 1 {
		return e, fmt.Errorf("%w: no status", ErrField)
	}
	if e.Status, err = strconv.Atoi(fields[0]); err != nil || e.Status < 100 || e.Status > 599 {
		return e, fmt.Errorf("%w: status %q", ErrField, fields[0])
	}
	return e, nil
}

// setRequest reads "METHOD target PROTO" (the protocol may be absent).
func (e *Entry) setRequest(req string) error {
	parts := strings.Fields(req)
	if len(parts) < 2 || len(parts) > 3 {
		return fmt.Errorf("%w: request %q", ErrField, req)
	}
	e.Method = strings.ToUpper(parts[0])
	e.setTarget(parts[1])
	if e.Path == "" || e.Path[0] != '/' && !strings.Contains(e.Path, "://") {
		return fmt.Errorf("%w: request target %q", ErrField, parts[1])
	}
	return nil
}

// setTarget splits a request target (a path, or an absolute URL) into path and query.
func (e *Entry) setTarget(target string) {
	if i := strings.Index(target, "://"); i >= 0 {
		if j := strings.IndexByte(target[i+3:], '/'); j >= 0 {
			target = target[i+3+j:]
		} else {
			target = "/"
		}
	}
	e.Path, e.Query, _ = strings.Cut(target, "?")
}

// jsonNames lists each field's accepted names, most common first.
// A nested object's fields are named by their path ("request.method"), as
// Caddy (request.method, request.uri, bytes_read) and the Elastic Common
// Schema (http.request.method, url.original, http.response.status_code)
// log them.
var jsonNames = struct{ method, path, status, time, size, body []string }{
	method: []string{"method", "request_method", "verb", "request.method", "http.request.method"},
	path:   []string{"path", "uri", "request_uri", "url", "request.uri", "url.original", "url.path"},
	status: []string{"status", "status_code", "response_code", "http.response.status_code"},
	time:   []string{"time", "timestamp", "ts", "@timestamp", "time_iso8601", "time_local", "start_time"},
	size:   []string{"request_length", "request_size", "bytes_in", "req_bytes", "bytes_read", "http.request.bytes"},
	body:   []string{"request_body", "body"},
}

// maxNesting is how deep flatten looks into nested objects.
const maxNesting = 3

// flatten returns m with each nested object replaced by its fields, named
// by their path ("request.method"), up to maxNesting deep; a logged body
// stays as it is, and headers, which name nothing ParseLine reads, are
// dropped.
func flatten(m map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m))
	var walk func(prefix string, m map[string]json.RawMessage, depth int)
	walk = func(prefix string, m map[string]json.RawMessage, depth int) {
		for k, v := range m {
			name := prefix + k
			if len(v) == 0 || v[0] != '{' || depth == 0 && slices.Contains(jsonNames.body, k) {
				out[name] = v
				continue
			}
			var inner map[string]json.RawMessage
			if depth < maxNesting && k != "headers" && json.Unmarshal(v, &inner) == nil {
				walk(name+".", inner, depth+1)
			}
		}
	}
	walk("", m, 0)
	return out
}

func first(m map[string]json.RawMessage, names []string) (json.RawMessage, string) {
	for _, n := range names {
		if v, ok := m[n]; ok && string(v) != "null" {
			return v, n
		}
	}
	return nil, ""
}

func parseJSON(line string) (Entry, error) {
	e := Entry{ReqBytes: -1}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		return e, fmt.Errorf("%w: bad JSON", ErrFormat)
	}
	m = flatten(m)
	if raw, _ := first(m, []string{"request"}); raw != nil {
		var req string
		if json.Unmarshal(raw, &req) != nil {
			return e, fmt.Errorf("%w: request is not a string", ErrField)
		}
		if err := e.setRequest(req); err != nil {
			return e, err
		}
	}
	if raw, name := first(m, jsonNames.method); raw != nil {
		if json.Unmarshal(raw, &e.Method) != nil || e.Method == "" {
			return e, fmt.Errorf("%w: %s", ErrField, name)
		}
		e.Method = strings.ToUpper(e.Method)
	}
	if raw, name := first(m, jsonNames.path); raw != nil {
		var target string
		if json.Unmarshal(raw, &target) != nil || target == "" {
			return e, fmt.Errorf("%w: %s", ErrField, name)
		}
		e.setTarget(target)
	}
	if e.Method == "" || e.Path == "" {
		return e, fmt.Errorf("%w: no method or path (want method and path, or request)", ErrField)
	}
	raw, name := first(m, jsonNames.status)
	status, ok := jsonInt(raw)
	if !ok || status < 100 || status > 599 {
		return e, fmt.Errorf("%w: status (want %s)", ErrField, orName(name, "status"))
	}
	e.Status = int(status)
	raw, name = first(m, jsonNames.time)
	t, ok := jsonTime(raw)
	if !ok {
		return e, fmt.Errorf("%w: time (want %s)", ErrField, orName(name, "time"))
	}
	e.Time = t
	if raw, _ := first(m, jsonNames.size); raw != nil {
		if n, ok := jsonInt(raw); ok && n >= 0 {
			e.ReqBytes = n
		}
	}
	if raw, _ := first(m, jsonNames.body); raw != nil {
		if json.Unmarshal(raw, &e.Body) != nil { // a body logged as JSON rather than as a string
			e.Body = string(raw)
		}
	}
	return e, nil
}

func orName(name, def string) string {
	if name == "" {
		return def
	}
	return name
}

// jsonInt reads a JSON number or a string holding one.
func jsonInt(raw json.RawMessage) (int64, bool) {
	if raw == nil {
		return 0, false
	}
	s := string(raw)
	if unq, err := strconv.Unquote(s); err == nil {
		s = unq
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// jsonTime reads RFC 3339, "2006-01-02 15:04:05[.frac]", the Common Log
// time, or Unix seconds (or milliseconds, beyond 1e11) as a number or string.
func jsonTime(raw json.RawMessage) (time.Time, bool) {
	if raw == nil {
		return time.Time{}, false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "02/Jan/2006:15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) {
		return time.Time{}, false
	}
	if f > 1e11 {
		f /= 1000
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

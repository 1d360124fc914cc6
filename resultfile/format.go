package resultfile

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/loadgen/loadgen/internal/jsontext"
	"github.com/loadgen/loadgen/results"
)

// FormatVersion is the version of the results file format that Writer
// writes and Reader reads.
//
// A results file is JSON lines: one object per line, each with a "k" (kind)
// field first. Times are Unix nanoseconds and durations nanoseconds, both
// integers, so that a file replays exactly; zero fields are left out.
//
//	{"k":"header","format":1,"version":"v1.0.0","run_id":"…","scenario":"demo","scenario_hash":"sha256:…","started_at":"2026-03-01T12:00:00Z","shard":0,"shards":1,"target":"http://127.0.0.1:8080","target_rate":20,"duration":20000000000,"hold":5000000000}
//	{"k":"start","at":1772366400000000000,"conv":"faq"}
//	{"k":"result","user":1,"session":1,"conv":"faq","turn":1,"step":"message","intended":…,"start":…,"code":200,"bytes_in":812,"bytes_out":90,"latency":…,"ttfb":…,"ttft":…,"gaps":[…],"tokens":12,"parts":12,"chars":48,"shape":"model","good":true}
//	{"k":"end","at":…,"conv":"faq","end":"completed"}
//	{"k":"close","at":…,"ran_from":…,"ran_to":…}
//
// The header comes first; "start" and "end" are session events; "close" is
// written by Writer.Close, so a file without it comes from a run that did not
// finish cleanly. Its ran_from and ran_to (Writer.Ran) are the span the
// run's schedule covered, up to the stop of arrivals: the span its summary's
// rates are over. Each line reaches the file with a single write, so a
// process killed at any moment leaves at most its last line cut short, and
// Reader reads everything before it.
const FormatVersion = 1

// appendHeader appends the header line of run h.
func appendHeader(b []byte, h *results.Run) []byte {
	b = append(b, `{"k":"header","format":`...)
	b = strconv.AppendInt(b, FormatVersion, 10)
	b = appendStr(b, "version", h.Version)
	b = appendStr(b, "run_id", h.ID)
	b = appendStr(b, "scenario", h.Scenario)
	b = appendStr(b, "scenario_hash", h.ScenarioHash)
	if !h.Start.IsZero() {
		b = appendStr(b, "started_at", h.Start.UTC().Format(time.RFC3339Nano))
	}
	b = appendInt(b, "shard", int64(h.Shard))
	b = appendInt(b, "shards", int64(h.Shards))
	b = appendStr(b, "target", h.Target)
	if h.TargetRate != 0 {
		b = append(b, `,"target_rate":`...)
		b = strconv.AppendFloat(b, h.TargetRate, 'g', -1, 64)
	}
	b = appendInt(b, "duration", int64(h.Duration))
	if h.Hold != 0 {
		b = appendInt(b, "hold", int64(h.Hold))
	}
	if h.Config != nil {
		if c, err := json.Marshal(h.Config); err == nil { // plain strings and numbers: it cannot fail
			b = append(b, `,"config":`...)
			b = append(b, c...)
		}
	}
	return append(b, "}\n"...)
}

// appendSession appends a session start ("start") or end ("end") line.
func appendSession(b []byte, kind, conv string, end results.End, at time.Time) []byte {
	b = append(b, `{"k":"`...)
	b = append(b, kind...)
	b = append(b, '"')
	b = appendTime(b, "at", at)
	b = appendStr(b, "conv", conv)
	b = appendStr(b, "end", string(end))
	return append(b, "}\n"...)
}

// appendClose appends the closing line; start and stop (the span the run's
// schedule covered, see Writer.Ran) are left out when zero.
func appendClose(b []byte, at, start, stop time.Time) []byte {
	b = append(b, `{"k":"close"`...)
	b = appendTime(b, "at", at)
	if !start.IsZero() && !stop.IsZero() {
		b = appendTime(b, "ran_from", start)
		b = appendTime(b, "ran_to", stop)
	}
	return append(b, "}\n"...)
}

// appendResult appends r as a result line.
func appendResult(b []byte, r *results.Result) []byte {
	b = append(b, `{"k":"result"`...)
	b = appendInt(b, "shard", int64(r.Shard))
	b = appendInt(b, "user", int64(r.User))
	b = appendInt(b, "session", int64(r.Session))
	b = appendStr(b, "conv", r.Conversation)
	b = appendInt(b, "turn", int64(r.Turn))
	b = appendStr(b, "step", string(r.Step))
	b = appendTime(b, "intended", r.Intended)
	b = appendTime(b, "start", r.Start)
	b = appendInt(b, "wait", int64(r.Wait))
	b = appendInt(b, "code", int64(r.Code))
	b = appendStr(b, "error", string(r.Error))
	b = appendStr(b, "detail", r.Detail)
	b = appendInt(b, "bytes_in", r.BytesIn)
	b = appendInt(b, "bytes_out", r.BytesOut)
	b = appendInt(b, "latency", int64(r.Latency))
	b = appendInt(b, "ttfb", int64(r.TTFB))
	b = appendInt(b, "ttft", int64(r.TTFT))
	if len(r.Gaps) > 0 {
		b = append(b, `,"gaps":[`...)
		for i, g := range r.Gaps {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(g), 10)
		}
		b = append(b, ']')
	}
	b = appendInt(b, "tokens", int64(r.Tokens))
	b = appendInt(b, "parts", int64(r.Parts))
	b = appendInt(b, "chars", int64(r.Chars))
	b = appendInt(b, "ref_chars", int64(r.RefChars))
	b = appendStr(b, "shape", string(r.Shape))
	b = appendInt(b, "polls", int64(r.Polls))
	if r.Good {
		b = append(b, `,"good":true`...)
	}
	return append(b, "}\n"...)
}

func appendInt(b []byte, key string, v int64) []byte {
	if v == 0 {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":`...)
	return strconv.AppendInt(b, v, 10)
}

func appendTime(b []byte, key string, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	return appendInt(b, key, t.UnixNano())
}

func appendStr(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":`...)
	return jsontext.AppendString(b, s)
}

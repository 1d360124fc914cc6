package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// head is a valid start for scenarios whose later lines hold the problem:
// lines 1-4, so the line after it is line 5.
const head = `version: 1
name: p
target: {base_url: "http://127.0.0.1:8080"}
load: {arrival_rate: 1/s, duration: 1s}
`

// conv is a valid conversations section (lines 5-8 after head).
const conv = `conversations:
  - name: c
    turns:
      - message: hi
`

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // each is a whole line of the error, or its start
	}{
		// YAML syntax.
		{"syntax error with a line from yaml", head + "conversations: [a\n",
			[]string{"t.yaml:5: YAML syntax error: did not find expected ',' or ']'"}},
		{"syntax error found by bisection", head + "description: a: b\n" + conv,
			[]string{"t.yaml:5: YAML syntax error: mapping values are not allowed in this context"}},
		{"tab indentation", head + "\tname: x\n",
			[]string{"t.yaml:5:1: YAML syntax error: found character that cannot start any token: a tab in the indentation (YAML indents with spaces only; replace the tab with spaces)"}},
		{"tab after spaces", head + "slo:\n  ttft: 1s\n  \tlatency: 2s\n" + conv,
			[]string{"t.yaml:7:3: YAML syntax error: found a tab character that violates indentation: a tab in the indentation"}},
		{"unclosed quote", head + "description: \"abc\n" + conv,
			[]string{"t.yaml:5: YAML syntax error: found unexpected end of stream"}},
		{"empty file", "", []string{"t.yaml:1:1: empty scenario (start with version: 1)"}},
		{"only comments", "# nothing\n", []string{"t.yaml:1:1: empty scenario"}},
		{"not a mapping", "- a\n- b\n", []string{"t.yaml:1:1: want a mapping (version: 1, name: ..., and so on), got a list"}},
		{"two documents", head + conv + "---\nname: q\n", []string{"t.yaml:9:1: a second YAML document (after ---)"}},

		// metrics.buckets.
		{"bucket edges not rising", head + conv + "metrics: {buckets: {ttft: [1s, 500ms]}}\n",
			[]string{"t.yaml:9:32: metrics.buckets.ttft[1]: bucket edges must rise: 500ms after 1s"}},
		{"unknown histogram", head + conv + "metrics: {buckets: {tft: [1s]}}\n",
			[]string{`t.yaml:9:21: metrics.buckets.tft: unknown field "tft" (did you mean "ttft"?)`}},
		{"bucket edge not a duration", head + conv + "metrics: {buckets: {latency: [fast]}}\n",
			[]string{"t.yaml:9:31: metrics.buckets.latency[0]: "}},

		// Fields.
		{"unknown field, near miss", strings.Replace(head, "arrival_rate", "arival_rate", 1) + conv,
			[]string{`t.yaml:4:8: load.arival_rate: unknown field "arival_rate" (did you mean "arrival_rate"?)`}},
		{"unknown field, far off", head + "colour: blue\n" + conv,
			[]string{`t.yaml:5:1: colour: unknown field "colour" (want one of version, name, description, target, users, widget, load, feeders, conversations, thresholds, slo, metrics)`}},
		{"duplicate field", head + "name: q\n" + conv, []string{"t.yaml:5:1: name: duplicate field (first at 2:1)"}},
		{"merge key", head + "users: {<<: {anonymous: 1}}\n" + conv, []string{"t.yaml:5:9: users: merge keys (<<) are not supported"}},

		// Types and values.
		{"wrong type, integer", strings.Replace(head, "arrival_rate: 1/s", "users: ten", 1) + conv,
			[]string{`t.yaml:4:15: load.users: want an integer, got "ten"`}},
		{"wrong type, quoted integer", strings.Replace(head, "arrival_rate: 1/s", `users: "10"`, 1) + conv,
			[]string{`t.yaml:4:15: load.users: want an integer, got the quoted string "10"`}},
		{"wrong type, list", head + "conversations: {name: c}\n", []string{"t.yaml:5:16: conversations: want a list, got a mapping"}},
		{"wrong type, mapping", head + "target: http://x\n" + conv, []string{"t.yaml:5:1: target: duplicate field (first at 3:1)"}},
		{"wrong type, section", strings.Replace(head, `target: {base_url: "http://127.0.0.1:8080"}`, "target: http://x", 1) + conv,
			[]string{`t.yaml:3:9: target: want a mapping (field: value lines), got "http://x"`}},
		{"wrong type, bool", head + conv + "    is_prompt: maybe\n",
			[]string{`t.yaml:9:16: conversations[0].is_prompt: want true or false, got "maybe"`}},
		{"bad duration without unit", head + conv + "        think: 2\n",
			[]string{`t.yaml:9:16: conversations[0].turns[0].think: bad duration "2" (want e.g. 2s, 500ms or 1h30m): add a unit, e.g. 2s or 2ms`}},
		{"bad duration", strings.Replace(head, "duration: 1s", "duration: soon", 1) + conv,
			[]string{`t.yaml:4:37: load.duration: bad duration "soon"`}},
		{"negative duration", head + "slo: {ttft: -1s}\n" + conv,
			[]string{"t.yaml:5:13: slo.ttft: duration -1s is out of range (want at least 1ms)"}},
		{"bad rate", strings.Replace(head, "1/s", "5/fortnight", 1) + conv,
			[]string{`t.yaml:4:22: load.arrival_rate: bad rate "5/fortnight": bad period "1fortnight" (want s, m, h or a duration such as 100ms)`}},
		{"zero rate", strings.Replace(head, "1/s", "0/s", 1) + conv,
			[]string{"t.yaml:4:22: load.arrival_rate: rate 0/s is out of range (want more than 0)"}},
		{"bad percentage", head + "users: {anonymous: lots}\n" + conv,
			[]string{`t.yaml:5:20: users.anonymous: bad percentage "lots" (want e.g. 25% or 0.25)`}},
		{"percentage out of range", head + "users: {anonymous: 120%}\n" + conv,
			[]string{"t.yaml:5:20: users.anonymous: 120% is out of range (want 0% to 100%, or 0 to 1)"}},
		{"share out of range", head + "users: {anonymous: 2}\n" + conv,
			[]string{"t.yaml:5:20: users.anonymous: 2 is out of range"}},
		{"weight out of range", head + conv + "    weight: 0\n",
			[]string{"t.yaml:9:13: conversations[0].weight: 0 is out of range (want 1 to 1000000)"}},
		{"status out of range", head + conv + "        expect: {status: 700}\n",
			[]string{"t.yaml:9:26: conversations[0].turns[0].expect.status: 700 is out of range (want 100 to 599)"}},
		{"users out of range", strings.Replace(head, "arrival_rate: 1/s", "users: 0", 1) + conv,
			[]string{"t.yaml:4:15: load.users: 0 is out of range (want 1 to 1000000)"}},
		{"bad name", strings.Replace(head, "name: p", "name: my test", 1) + conv,
			[]string{`t.yaml:2:7: name: bad name "my test"`}},
		{"bad base_url", strings.Replace(head, "http://127.0.0.1:8080", "127.0.0.1:8080", 1) + conv,
			[]string{`t.yaml:3:20: target.base_url: bad URL "127.0.0.1:8080" (want http://HOST[:PORT] or https://...)`}},
		{"credentials in base_url", strings.Replace(head, "http://", "http://u:pw@", 1) + conv,
			[]string{"t.yaml:3:20: target.base_url: credentials in base_url are not allowed"}},
		{"reserved header", strings.Replace(head, `target: {base_url: "http://127.0.0.1:8080"}`,
			`target: {base_url: "http://127.0.0.1:8080", headers: {Authorization: x}}`, 1) + conv,
			[]string{"t.yaml:3:55: target.headers.Authorization: header Authorization is set by loadgen and cannot be overridden"}},
		{"unknown mode", head + conv + "    mode: batch\n",
			[]string{`t.yaml:9:11: conversations[0].mode: unknown mode "batch" (want stream or async)`}},
		{"unknown distribution", head + conv + "        think: {gauss: 2s}\n",
			[]string{`t.yaml:9:17: conversations[0].turns[0].think: unknown distribution "gauss" (want fixed, uniform or exponential)`}},
		{"two distributions", head + conv + "        think: {fixed: 1s, uniform: [1s, 2s]}\n",
			[]string{"t.yaml:9:28: conversations[0].turns[0].think: fixed and uniform are mutually exclusive"}},
		{"uniform bounds reversed", head + conv + "        think: {uniform: [3s, 1s]}\n",
			[]string{"t.yaml:9:26: conversations[0].turns[0].think.uniform: the maximum 1s is below the minimum 3s"}},
		{"uniform not a pair", head + conv + "        think: {uniform: 1s}\n",
			[]string{`t.yaml:9:26: conversations[0].turns[0].think.uniform: want [MIN, MAX], e.g. [1s, 3s], got "1s"`}},
		{"max below mean", head + conv + "        think: {exponential: 2s, max: 1s}\n",
			[]string{"t.yaml:9:39: conversations[0].turns[0].think.max: max 1s is below the mean 2s"}},
		{"max without exponential", head + conv + "        think: {fixed: 2s, max: 1s}\n",
			[]string{"t.yaml:9:28: conversations[0].turns[0].think.max: max is only for exponential"}},

		// Required fields.
		{"missing required fields", "version: 1\n",
			[]string{
				"t.yaml:1:1: name: missing required field",
				"t.yaml:1:1: target: missing required field",
				"t.yaml:1:1: load: missing required field",
				"t.yaml:1:1: conversations: missing required field",
			}},
		{"missing version", strings.Replace(head, "version: 1\n", "", 1) + conv,
			[]string{"t.yaml:1:1: version: missing required field (add version: 1 at the top)"}},
		{"missing value", strings.Replace(head, "name: p", "name:", 1) + conv, []string{"t.yaml:2:1: name: missing value"}},
		{"missing base_url", strings.Replace(head, `{base_url: "http://127.0.0.1:8080"}`, "{request_timeout: 1s}", 1) + conv,
			[]string{"t.yaml:3:9: target.base_url: missing required field"}},
		{"missing duration", strings.Replace(head, ", duration: 1s", "", 1) + conv,
			[]string{"t.yaml:4:7: load.duration: missing required field (how long the run lasts, e.g. 5m)"}},
		{"missing load model", strings.Replace(head, "arrival_rate: 1/s, ", "", 1) + conv,
			[]string{"t.yaml:4:7: load: missing the load model: arrival_rate or stages"}},
		{"missing turns", head + "conversations:\n  - name: c\n", []string{"t.yaml:6:5: conversations[0].turns: missing required field (the user's messages and steps, or visit: for page views without a chat)"}},
		{"missing message", head + "conversations:\n  - name: c\n    turns: [{think: 1s}]\n",
			[]string{"t.yaml:7:13: conversations[0].turns[0]: want a step: one of message, open, history, react, mark_read, unread or page_view"}},
		{"message step without text", head + "conversations:\n  - name: c\n    turns: [{message: }]\n",
			[]string{"t.yaml:7:14: conversations[0].turns[0].message: missing value (the user's message, a template)"}},

		// The widget's vocabulary.
		{"unknown step kind", head + "conversations:\n  - name: c\n    turns:\n      - message: hi\n      - reopen: {}\n",
			[]string{`t.yaml:9:9: conversations[0].turns[1]: unknown step kind or field "reopen" (did you mean "open"?)`}},
		{"unknown step kind, far off", head + "conversations:\n  - name: c\n    turns:\n      - navigate: {}\n",
			[]string{`t.yaml:8:9: conversations[0].turns[0]: unknown step kind "navigate" (want message, open, history, react, mark_read, unread or page_view, with think: and share:)`}},
		{"misspelt step kind", head + "conversations:\n  - name: c\n    turns:\n      - mark_raed: {}\n",
			[]string{`t.yaml:8:9: conversations[0].turns[0]: unknown step kind or field "mark_raed" (did you mean "mark_read"?)`}},
		{"two steps in one item", head + "conversations:\n  - name: c\n    turns:\n      - {message: hi, react: {}}\n",
			[]string{"t.yaml:8:23: conversations[0].turns[0]: message and react in one item (one step per item)"}},
		{"negative share", head + "conversations:\n  - name: c\n    turns:\n      - message: hi\n      - react: {}\n        share: -10%\n",
			[]string{"t.yaml:10:16: conversations[0].turns[1].share: -10% is out of range (want 0% to 100%, or 0 to 1)"}},
		{"negative widget share", head + "widget: {sdk: -5%}\n" + conv,
			[]string{"t.yaml:5:15: widget.sdk: -5% is out of range (want 0% to 100%, or 0 to 1)"}},
		{"missing attachment size", head + "conversations:\n  - name: c\n    turns:\n      - message: hi\n        attachments:\n          - {type: image}\n",
			[]string{"t.yaml:10:13: conversations[0].turns[0].attachments[0].size: missing required field (e.g. 200KB)"}},
		{"bad attachment type and size", head + "conversations:\n  - name: c\n    turns:\n      - message: hi\n        attachments:\n          - {type: txt, size: lots}\n",
			[]string{`t.yaml:10:20: conversations[0].turns[0].attachments[0].type: unknown type "txt" (want image, png, jpeg or pdf)`,
				`t.yaml:10:31: conversations[0].turns[0].attachments[0].size: bad size "lots" (want e.g. 200KB, 1.5MiB or 4096)`}},
		{"attachment over Helper's limit", head + "conversations:\n  - name: c\n    turns:\n      - message: hi\n        attachments:\n          - {type: pdf, size: 30MB}\n",
			[]string{"t.yaml:10:31: conversations[0].turns[0].attachments[0].size: 30MB is out of range (want 437 B to 25 MiB)"}},
		{"attachment of exactly 25 MiB", head + "conversations:\n  - name: c\n    turns:\n      - message: hi\n        attachments:\n          - {type: png, size: 25MiB}\n",
			[]string{"t.yaml:10:31: conversations[0].turns[0].attachments[0].size: 25MiB is refused by Helper: it reckons a file's size from its base64 text, padding included (26214402 bytes here), and allows 25 MiB; at most 26214399 bytes pass"}},
		{"an option on a step that takes none", head + "conversations:\n  - name: c\n    turns:\n      - react: {foo: 1}\n",
			[]string{`t.yaml:8:17: conversations[0].turns[0].react.foo: unknown field "foo" (it takes none)`}},
		{"too many files", head + "conversations:\n  - name: c\n    turns:\n      - message: hi\n        attachments:\n          - {type: image, size: 1KB, count: 4}\n          - {type: pdf, size: 1KB, count: 2}\n",
			[]string{"t.yaml:10:11: conversations[0].turns[0].attachments: 6 files on one message: Helper refuses more than 5"}},
		{"attachments on a step", head + "conversations:\n  - name: c\n    turns:\n      - open: {}\n        attachments: []\n",
			[]string{"t.yaml:9:9: conversations[0].turns[0].attachments: attachments is only for message steps"}},
		{"bad step option", head + "conversations:\n  - name: c\n    turns:\n      - history: {pages: 0}\n",
			[]string{"t.yaml:8:26: conversations[0].turns[0].history.pages: 0 is out of range (want 1 to 100)"}},
		{"visit with turns", head + "conversations:\n  - name: c\n    visit: {page_views: 2}\n    turns: []\n",
			[]string{"t.yaml:8:5: conversations[0].turns: turns is for chats: a visit sends page views only (name, weight and visit)"}},
		{"tools with guide", head + "conversations:\n  - name: c\n    guide_enabled: true\n    tools: {t: {parameters: {id: {type: string}}}}\n    turns: [{message: hi}]\n",
			[]string{"t.yaml:7:5: conversations[0].guide_enabled: guide_enabled and tools: tools come from SDK integrations (@helperai/client), whose body has no guideEnabled"}},
		{"bad tool parameter type", head + "conversations:\n  - name: c\n    tools: {t: {parameters: {id: {type: bool}}}}\n    turns: [{message: hi}]\n",
			[]string{`t.yaml:7:41: conversations[0].tools.t.parameters.id.type: unknown type "bool" (want string or number)`}},
		{"sparse poll", head + "conversations:\n  - name: c\n    mode: async\n    poll: {interval: 1s, backoff: 0.5, max_interval: 500ms}\n    turns: [{message: hi}]\n",
			[]string{"t.yaml:8:35: conversations[0].poll.backoff: 0.5 is out of range (want 1 to 10)",
				"t.yaml:8:54: conversations[0].poll.max_interval: max_interval 500ms is shorter than the interval 1s"}},
		{"no conversations", head + "conversations: []\n", []string{"t.yaml:5:16: conversations: want at least one conversation"}},
		{"stage without target", strings.Replace(head, "arrival_rate: 1/s, duration: 1s", "stages: [{duration: 1s}]", 1) + conv,
			[]string{"t.yaml:4:17: load.stages[0].target: missing required field"}},

		// Duplicates, versions, exclusions.
		{"duplicate conversation name", head + conv + "  - name: c\n    turns: [{message: x}]\n",
			[]string{`t.yaml:9:11: conversations[1].name: duplicate conversation name "c" (first at 6:11)`}},
		{"unknown version", strings.Replace(head, "version: 1", "version: 2", 1) + "colour: blue\n",
			[]string{"t.yaml:1:10: version: unknown version 2 (this loadgen reads version 1)"}},
		{"rate and users", strings.Replace(head, "arrival_rate: 1/s", "arrival_rate: 1/s, users: 3", 1) + conv,
			[]string{"t.yaml:4:27: load.users: users (closed model) and arrival_rate/stages (open model) are mutually exclusive"}},
		{"rate and stages", strings.Replace(head, "duration: 1s", "stages: [{duration: 1s, target: 1/s}]", 1) + conv,
			[]string{"t.yaml:4:27: load.stages: stages and arrival_rate are mutually exclusive"}},
		{"stages and duration", strings.Replace(head, "arrival_rate: 1/s", "stages: [{duration: 1s, target: 1/s}]", 1) + conv,
			[]string{"t.yaml:4:47: load.duration: duration and stages are mutually exclusive (the stages' durations add up to 1s)"}},
		{"burst without request_rate", strings.Replace(head, "duration: 1s", "duration: 1s, burst: 5", 1) + conv,
			[]string{"t.yaml:4:41: load.burst: burst needs request_rate"}},
		{"poll with stream", head + conv + "    poll: {interval: 1s}\n",
			[]string{"t.yaml:9:5: conversations[0].poll: poll is only for mode: async"}},
		{"max_ttft with async", head + conv + "        expect: {max_ttft: 1s}\n    mode: async\n",
			[]string{"t.yaml:9:18: conversations[0].turns[0].expect.max_ttft: max_ttft is only for mode: stream"}},
		{"poll interval above timeout", head + conv + "    mode: async\n    poll: {interval: 2s, timeout: 1s}\n",
			[]string{"t.yaml:10:22: conversations[0].poll.interval: interval 2s is longer than the timeout 1s"}},

		// Templates.
		{"template parse error", head + "conversations:\n  - name: c\n    turns: [{message: \"{{.Seq\"}]\n",
			[]string{"t.yaml:7:23: conversations[0].turns[0].message: bad template: unclosed action"}},
		{"template unknown function", head + "conversations:\n  - name: c\n    subject: \"{{gauss 1}}\"\n" + "    turns: [{message: hi}]\n",
			[]string{`t.yaml:7:14: conversations[0].subject: bad template: function "gauss" not defined`}},
		{"template multi-line", head + "conversations:\n  - name: c\n    turns:\n      - message: |\n          hello\n          {{end}}\n",
			[]string{"t.yaml:8:18: conversations[0].turns[0].message: bad template: line 2: unexpected {{end}}"}},
		{"template unknown field", head + "users: {email: \"{{.Sequence}}@x\"}\n" + conv,
			[]string{"t.yaml:5:16: users.email: bad template: <.Sequence>: can't evaluate field Sequence in type *scenarios.TemplateData (want .Seq, .Session"}},
		{"template without feeder", head + "conversations:\n  - name: c\n    turns: [{message: \"{{.Vars.order}}\"}]\n",
			[]string{`t.yaml:7:23: conversations[0].turns[0].message: bad template: <.Vars.order>: map has no entry for key "order" (.Vars holds the columns of feeders, and the scenario has none)`}},
		{"template unknown metadata", head + "users: {metadata: {plan: pro}}\n" + conv + "    subject: \"{{.Meta.tier}}\"\n",
			[]string{`t.yaml:10:14: conversations[0].subject: bad template: <.Meta.tier>: map has no entry for key "tier" (users.metadata keys: plan)`}},
		{"template bad arguments", head + conv + "    subject: \"{{randInt 9 1}}\"\n",
			[]string{"t.yaml:9:14: conversations[0].subject: bad template: <randInt 9 1>: error calling randInt: randInt 9 1: the second bound is below the first"}},

		// Environment.
		{"unset variable", strings.Replace(head, `"http://127.0.0.1:8080"`, `"${NOPE}"`, 1) + conv,
			[]string{"t.yaml:3:20: target.base_url: environment variable NOPE is not set (write ${NOPE:-default} to give a default)"}},
		{"bad variable name", strings.Replace(head, `"http://127.0.0.1:8080"`, `"${1X}"`, 1) + conv,
			[]string{`t.yaml:3:20: target.base_url: bad environment reference "${1X}"`}},
		{"unclosed reference", strings.Replace(head, `"http://127.0.0.1:8080"`, `"${HELPER_URL"`, 1) + conv,
			[]string{`t.yaml:3:20: target.base_url: unclosed "${HELPER_URL"`}},
		{"secret variable", head + "users: {metadata: {k: \"${HELPER_HMAC_SECRET}\"}}\n" + conv,
			[]string{"t.yaml:5:23: users.metadata.k: ${HELPER_HMAC_SECRET} names the HMAC secret's variable, which is never expanded"}},
		{"bad secret variable name", strings.Replace(head, `}`, `, hmac_secret_env: "my secret"}`, 1) + conv,
			[]string{`t.yaml:3:62: target.hmac_secret_env: bad environment variable name "my secret"`}},

		// Aliases.
		{"alias bomb", head + conv + aliasBomb, []string{"t.yaml:9:4026: thresholds[1001]: more than 1000 alias expansions"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseTest(t, tt.src)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, nil; want problems %q", tt.src, s.Summary(), tt.want)
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse error %T %v, want an *Error", err, err)
			}
			lines := strings.Split(err.Error(), "\n")
			for _, want := range tt.want {
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(l, want)
				}
				if !found {
					t.Errorf("Parse(%q) error:\n%v\nwant a line starting %q", tt.src, err, want)
				}
			}
			for _, p := range perr.Problems {
				if p.Pos.File != "t.yaml" || p.Pos.Line < 1 {
					t.Errorf("problem %q has position %+v, want t.yaml and a line", p.Msg, p.Pos)
				}
				if strings.Contains(p.String(), "s3cr3t-marker") {
					t.Errorf("problem %q holds a secret", p)
				}
			}
		})
	}
}

// aliasBomb refers to one threshold 1001 times.
var aliasBomb = "thresholds: [&t \"a < 1\"" + strings.Repeat(", *t", 1001) + "]\n"

func TestProblemsAllAtOnceSorted(t *testing.T) {
	src := `version: 1
name: all
target: {base_url: "ftp://x"}
load: {users: 0, duration: 1}
conversations:
  - name: a
    weight: -1
    turns: [{message: "{{"}]
  - name: a
    turns: [{message: hi, think: {gauss: 1s}}]
`
	_, err := parseTest(t, src)
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("Parse error = %v, want an *Error", err)
	}
	want := []string{
		"t.yaml:3:20: target.base_url: bad URL",
		"t.yaml:4:15: load.users: 0 is out of range",
		"t.yaml:4:28: load.duration: bad duration \"1\"",
		"t.yaml:7:13: conversations[0].weight: -1 is out of range",
		"t.yaml:8:23: conversations[0].turns[0].message: bad template",
		"t.yaml:9:11: conversations[1].name: duplicate conversation name",
		"t.yaml:10:35: conversations[1].turns[0].think: unknown distribution \"gauss\"",
	}
	if len(perr.Problems) != len(want) {
		t.Fatalf("Parse found %d problems:\n%v\nwant %d", len(perr.Problems), err, len(want))
	}
	for i, p := range perr.Problems {
		if !strings.HasPrefix(p.String(), want[i]) {
			t.Errorf("problem %d = %q, want it to start %q", i, p, want[i])
		}
	}
}

func TestThresholdCheckReportsWithTheRest(t *testing.T) {
	check := func(expr string) error {
		if strings.HasPrefix(expr, "bad") {
			return thresholdErr{col: 5, msg: "no such metric"}
		}
		return nil
	}
	src := head + conv + "thresholds:\n  - bad.metric < 1s\n  - \"bad < 2\"\n  - fine < 1\ncolour: x\n"
	_, err := Parse("t.yaml", []byte(src), WithThresholdCheck(check))
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("Parse: %v, want an *Error", err)
	}
	want := []string{
		`t.yaml:10:9: thresholds[0]: threshold "bad.metric < 1s": no such metric`,
		`t.yaml:11:5: thresholds[1]: threshold "bad < 2": no such metric`, // quoted: the scalar's start
		`t.yaml:13:1: colour: unknown field "colour"`,
	}
	if len(perr.Problems) != len(want) {
		t.Fatalf("problems:\n%v\nwant %d", perr, len(want))
	}
	for i, w := range want {
		if got := perr.Problems[i].String(); !strings.HasPrefix(got, w) {
			t.Errorf("problem %d = %q, want %q…", i, got, w)
		}
	}
}

type thresholdErr struct {
	col int
	msg string
}

func (e thresholdErr) Error() string   { return e.msg }
func (e thresholdErr) ExprColumn() int { return e.col }
func (e thresholdErr) Reason() string  { return e.msg }

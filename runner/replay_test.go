package runner_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"testing/synctest"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/runner"
	"github.com/loadgen/loadgen/scenarios"
)

// t0 is when the test transcripts' conversations begin.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// line is one JSONL transcript line, s seconds after t0.
func line(conv, role, content string, s float64) string {
	at := t0.Add(time.Duration(s * float64(time.Second))).Format(time.RFC3339Nano)
	return fmt.Sprintf(`{"conversation":%q,"role":%q,"content":%q,"at":%q,"subject":"subject of %s"}`, conv, role, content, at, conv) + "\n"
}

// threeConversations is a transcript whose conversations start at 0, 10 s
// and 30 s, with one bad line that is skipped.
var threeConversations = line("a", "user", "a1: where is my order?", 0) +
	line("a", "assistant", "It shipped yesterday.", 1) +
	line("a", "user", "a2: thanks", 3) +
	line("a", "assistant", "You're welcome!", 4) +
	`{"conversation":"a","role":"robot","content":"?","at":"2026-03-01T12:00:05Z"}` + "\n" +
	line("a", "user", "a3: one more thing", 10) +
	line("b", "user", "b1: refund please", 10) +
	line("b", "staff", "A human will look.", 12) +
	line("b", "user", "b2: ok", 13) +
	line("c", "assistant", "Welcome!", 30) +
	line("c", "user", "c1: hello", 30.5)

// userMessages is what the transcript's conversations send, by subject.
var userMessages = map[string][]string{
	"subject of a": {"a1: where is my order?", "a2: thanks", "a3: one more thing"},
	"subject of b": {"b1: refund please", "b2: ok"},
	"subject of c": {"c1: hello"},
}

// loadReplay parses a scenario whose data/t.jsonl holds transcript.
func loadReplay(t *testing.T, yaml, transcript string) *scenarios.Scenario {
	t.Helper()
	fsys := fstest.MapFS{"s.yaml": {Data: []byte(yaml)}, "data/t.jsonl": {Data: []byte(transcript)}}
	sc, err := scenarios.LoadFile("s.yaml", scenarios.WithFS(fsys))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// sentByEmail reads back, on the mock, the user messages of every
// conversation of each email, keyed by subject.
func sentByEmail(t *testing.T, srv target, emails []string) map[string][]string {
	t.Helper()
	client, tr := newClient(t, srv)
	defer tr.CloseIdleConnections()
	ctx := context.Background()
	got := map[string][]string{}
	for _, email := range emails {
		sess, _, err := client.CreateSession(ctx, helperapi.SessionRequest{Email: email})
		if err != nil {
			t.Fatal(err)
		}
		page, _, err := sess.ListConversations(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, cs := range page.Conversations {
			conv, _, err := sess.GetConversation(ctx, cs.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if _, dup := got[conv.Subject]; dup {
				t.Errorf("conversation %q replayed twice", conv.Subject)
			}
			got[conv.Subject] = nil
			for _, m := range conv.Messages {
				if m.Role == "user" {
					got[conv.Subject] = append(got[conv.Subject], m.Content)
				}
			}
		}
	}
	return got
}

// emails returns the emails of the users in rec's results.
func emails(rec *recorder, format string) []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []string
	for _, r := range rec.results {
		if r.Step == results.StepSession {
			out = append(out, fmt.Sprintf(format, r.User))
		}
	}
	return out
}

const replaySchedule = `
version: 1
name: replay
target: {base_url: "http://unused"}
users: {email: "r-{{.Seq}}@example.com"}
load: {arrival_rate: 50/s, duration: 5s}
conversations:
  - name: support
    transcript: {file: data/t.jsonl, speed: 100, on_exhausted: stop}
`

func TestReplaySendsTheTranscriptsUserMessagesInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := loadReplay(t, replaySchedule, threeConversations)
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(1))

		if out.Sessions != 3 || !out.Exhausted {
			t.Fatalf("Outcome: %d sessions, Exhausted %v; want 3 (one per recorded conversation), true", out.Sessions, out.Exhausted)
		}
		if out.Stop.Sub(out.Start) > 4*time.Second {
			t.Errorf("run went on for %v after the transcript ran out; want it to end when its sessions did", out.Stop.Sub(out.Start))
		}
		if n, errs, kinds := rec.count(results.StepMessage); n != 6 || errs != 0 {
			t.Errorf("message steps: %d (%d errors %v), want 6 without errors", n, errs, kinds)
		}
		if got := sentByEmail(t, srv, emails(rec, "r-%d@example.com")); !reflect.DeepEqual(got, userMessages) {
			t.Errorf("the mock holds\n%q\nwant\n%q", got, userMessages)
		}
		// Recorded replies are references: a1's is "It shipped yesterday.", a3 has none.
		rec.mu.Lock()
		defer rec.mu.Unlock()
		refs := map[int]int{}
		for _, r := range rec.results {
			if r.Step == results.StepMessage && r.Conversation == "support" && r.Chars > 0 {
				refs[r.RefChars]++
			}
		}
		// a1 and a2 have recorded replies; a3, b1 (staff only), b2 and c1 (the
		// greeting comes before it) have none.
		if want := map[int]int{len("It shipped yesterday."): 1, len("You're welcome!"): 1, 0: 4}; !reflect.DeepEqual(refs, want) {
			t.Errorf("RefChars of the message steps (value: count) = %v, want %v", refs, want)
		}
	})
}

func TestReplayTiming(t *testing.T) {
	// One conversation: user at 0 s, reply at 1 s, user at 3 s, reply at 4 s,
	// user at 10 s. After the reply: 2 s and 6 s; from the previous message:
	// 3 s and 7 s. At speed 20 with max_gap 320ms: 100 ms and 300 ms after the
	// reply, or 150 ms and 320 ms (350 ms capped) after the previous one was due.
	one := line("a", "user", "1", 0) + line("a", "assistant", "r1", 1) + line("a", "user", "2", 3) +
		line("a", "assistant", "r2", 4) + line("a", "user", "3", 10)
	tests := []struct {
		timing string
		want   []time.Duration
	}{
		{"reply", []time.Duration{0, 100 * time.Millisecond, 300 * time.Millisecond}},
		{"original", []time.Duration{0, 150 * time.Millisecond, 320 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.timing, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, srv := startMock(t, nil)
				sc := loadReplay(t, `
version: 1
name: timing
target: {base_url: "http://unused"}
users: {anonymous: 100%}
load: {arrival_rate: 20/s, duration: 5s}
conversations:
  - name: c
    transcript: {file: data/t.jsonl, speed: 3, max_gap: 320ms, on_exhausted: stop, timing: `+tc.timing+`}
`, one)
				sc.Conversations[0].Transcript.Speed = 20 // as --speed does
				rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(2))
				rec.mu.Lock()
				defer rec.mu.Unlock()
				steps := rec.results
				if len(steps) != 5 {
					t.Fatalf("%d results, want 5 (session, conversation, 3 messages)", len(steps))
				}
				for i, want := range tc.want {
					msg, prev := steps[2+i], steps[1+i]
					from := prev.Start.Add(prev.Latency) // the end of the previous reply
					if tc.timing == "original" && i > 0 {
						from = prev.Intended // when the previous message was due
					}
					if got := msg.Intended.Sub(from); got != want {
						t.Errorf("message %d is due %v after its reference point, want exactly %v", i+1, got, want)
					}
					if lag := msg.Start.Sub(msg.Intended); lag != 0 {
						t.Errorf("message %d started %v after it was due, want at once (the bubble's clock)", i+1, lag)
					}
				}
			})
		})
	}
}

const replayOriginal = `
version: 1
name: window
target: {base_url: "http://unused"}
users: {email: "w-{{.Seq}}@example.com"}
load: {duration: 5s}
conversations:
  - name: window
    transcript: {file: data/t.jsonl, start: original, speed: 100}
`

func TestReplayOriginalStartsAcrossShards(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		// Conversations a, b, c start at 0, 10 s and 30 s: at speed 100, 0, 100 ms
		// and 300 ms into the run. Shard 0 of 2 replays a and c, shard 1 b.
		wantStart := map[string]time.Duration{"subject of a": 0, "subject of b": 100 * time.Millisecond, "subject of c": 300 * time.Millisecond}
		var all []string
		for shard, want := range [][]string{{"subject of a", "subject of c"}, {"subject of b"}} {
			sc := loadReplay(t, replayOriginal, threeConversations)
			if sc.Load.Model != scenarios.Replay {
				t.Fatalf("load model %q, want replay", sc.Load.Model)
			}
			rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(3), runner.WithShard(shard, 2))
			if !out.Exhausted || out.Stop.Sub(out.Start) > 4*time.Second {
				t.Errorf("shard %d: Exhausted %v after %v; want the replay to end with its transcript", shard, out.Exhausted, out.Stop.Sub(out.Start))
			}
			em := emails(rec, "w-%d@example.com")
			sent := sentByEmail(t, srv, em)
			got := slices.Sorted(func(yield func(string) bool) {
				for k := range sent {
					if !yield(k) {
						return
					}
				}
			})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("shard %d replayed %q, want %q", shard, got, want)
			}
			for subject, msgs := range sent {
				if !reflect.DeepEqual(msgs, userMessages[subject]) {
					t.Errorf("shard %d: %s sent %q, want %q", shard, subject, msgs, userMessages[subject])
				}
			}
			all = append(all, got...)
			// Each session is due at its conversation's scaled original start;
			// user w-N replayed conversation N-1 (a is 1).
			rec.mu.Lock()
			for _, r := range rec.results {
				if r.Step != results.StepSession {
					continue
				}
				subject := "subject of " + string(rune('a'+r.User-1))
				if got := r.Intended.Sub(out.Start); got != wantStart[subject] {
					t.Errorf("shard %d: the session of %s is due %v into the run, want exactly %v", shard, subject, got, wantStart[subject])
				}
			}
			rec.mu.Unlock()
		}
		if len(all) != 3 {
			t.Errorf("the shards replayed %q together, want each conversation once", all)
		}
	})
}

func TestReplaySimilarityCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := loadReplay(t, strings.Replace(replaySchedule, "on_exhausted: stop}", "on_exhausted: stop, similarity: 0.99}", 1), threeConversations)
		rec, _ := run(t, context.Background(), sc, srv, runner.WithSeed(4))
		rec.mu.Lock()
		defer rec.mu.Unlock()
		var failed int
		for _, r := range rec.results {
			if r.Step != results.StepMessage {
				continue
			}
			switch {
			case r.RefChars > 0 && (r.Error != results.KindExpectation || !strings.HasPrefix(r.Detail, "reply similarity ")):
				t.Errorf("turn with a recorded reply: error %q %q, want an expectation error on similarity (the mock's replies are unrelated text)", r.Error, r.Detail)
			case r.RefChars > 0:
				failed++
			case r.Error != "":
				t.Errorf("turn without a recorded reply: error %q %q, want none (nothing to compare)", r.Error, r.Detail)
			}
		}
		if failed != 2 {
			t.Errorf("%d similarity failures, want 2 (a1 and a2 have recorded replies)", failed)
		}
	})
}

func TestReplayStrictStopsTheRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		strict := line("a", "user", "1", 0) + line("b", "user", "2", 1) + `{"conversation":"b","role":"robot"}` + "\n" + line("c", "user", "3", 2)
		sc := loadReplay(t, strings.Replace(replaySchedule, "on_exhausted: stop}", "strict: true}", 1), strict)
		client, tr := newClient(t, srv)
		defer tr.CloseIdleConnections()
		rn, err := runner.New(sc, client, runner.WithSeed(5), runner.WithClock(runner.GoClock{}))
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		out, err := rn.Run(context.Background(), rec)
		if err == nil || !strings.Contains(err.Error(), `t.jsonl:3: role: unknown role "robot"`) {
			t.Errorf("Run error = %v, want the bad record at data/t.jsonl:3", err)
		}
		if !out.Exhausted || rec.started != 1 || rec.started != rec.ends[results.EndCompleted]+rec.ends[results.EndFailed]+rec.ends[results.EndCanceled] {
			t.Errorf("Exhausted %v; %d sessions started, ends %v; want the run halted after conversation a, its session ended", out.Exhausted, rec.started, rec.ends)
		}
	})
}

func TestReplayWrapsAround(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, nil)
		sc := loadReplay(t, strings.Replace(replaySchedule, "arrival_rate: 50/s, duration: 5s", "arrival_rate: 40/s, duration: 250ms", 1), threeConversations)
		sc.Conversations[0].Transcript.OnExhausted = scenarios.ExhaustedWrap
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(6))
		if out.Sessions != 10 || out.Exhausted {
			t.Errorf("Outcome: %d sessions, Exhausted %v; want 10 (40/s for 250ms), false: the transcript starts over", out.Sessions, out.Exhausted)
		}
		if n, errs, _ := rec.count(results.StepMessage); n < 15 || errs != 0 {
			t.Errorf("message steps: %d (%d errors), want at least 15: the 3 conversations' 6 messages again and again", n, errs)
		}
	})
}

func TestReplayNeedsAConversationForTheShard(t *testing.T) {
	sc := loadReplay(t, replaySchedule, line("a", "user", "only one", 0))
	client, _ := newClient(t, target{url: "http://127.0.0.1:1"})
	_, err := runner.New(sc, client, runner.WithShard(1, 2))
	if err == nil || !strings.Contains(err.Error(), "no conversation for shard 1 of 2") {
		t.Errorf("New(shard 1 of 2 of a one-conversation transcript) error = %v, want no conversation for the shard", err)
	}
}

func TestReplayAsync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, srv := startMock(t, func(c *mockserver.Config) { c.AsyncDelay = mockserver.Fixed(5 * time.Millisecond) })
		sc := loadReplay(t, strings.Replace(replaySchedule, "  - name: support\n", "  - name: support\n    mode: async\n    poll: {interval: 5ms}\n", 1), threeConversations)
		rec, out := run(t, context.Background(), sc, srv, runner.WithSeed(12))
		if out.Sessions != 3 {
			t.Fatalf("%d sessions, want 3", out.Sessions)
		}
		polls, errs, kinds := rec.count(results.StepPoll)
		if polls != 6 || errs != 0 {
			t.Errorf("poll steps: %d (%d errors %v), want 6 without errors", polls, errs, kinds)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		var withRef int
		for _, r := range rec.results {
			if r.RefChars > 0 {
				withRef++
				if r.Step != results.StepPoll || r.Chars == 0 {
					t.Errorf("RefChars on a %s step with %d reply characters; want it on the poll step that carries the reply", r.Step, r.Chars)
				}
			}
		}
		if withRef != 2 {
			t.Errorf("%d results carry RefChars, want 2 (a1 and a2)", withRef)
		}
	})
}

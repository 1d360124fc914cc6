package accesslog

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// typedMessages are the snippet's user messages: templates that differ per
// user, so Helper's reply cache never answers them.
var typedMessages = []string{
	"Where is my order #{{randInt 10000 99999}}? It was due yesterday.",
	"Thanks. Can I still change the delivery address for order {{randInt 10000 99999}}?",
	"And how long does a refund take to reach my card?",
	"OK, one more question about invoice INV-{{randInt 1000 9999}}.",
}

// WriteSnippet writes a complete scenario (it validates as it is) whose
// load, widget settings and conversation mix reproduce the profile's
// traffic: arrivals at the mean rate of page views; a visit entry for the
// page views that start no chat; chat entries with the mean number of
// messages (two entries around it when it is not whole); a prompt-button
// entry and an attachment entry when the log shows them; and per-chat
// steps (reopen, history, reactions, mark read) at their shares. The log
// cannot link requests to users, so each chat is assumed to span one page
// view; comments say where a value is an assumption.
func (p *Profile) WriteSnippet(w io.Writer, source string) error {
	ew := &errWriter{w: w}
	wl := p.Workload()
	pv := max(1, wl.PageViews)
	ew.printf("# Profiled by `loadgen profile` from %s: %d requests, %s to %s UTC.\n", source, p.Entries,
		p.First.UTC().Format("2006-01-02 15:04"), p.Last.UTC().Format("2006-01-02 15:04"))
	ew.printf("# Run it as it is, or paste its widget:, load: and conversations: into your scenario.\n")
	ew.printf("version: 1\nname: profiled\n")
	ew.printf("target:\n  base_url: ${HELPER_URL:-http://127.0.0.1:8080}\n")
	ew.printf("users:\n  email: \"visitor-{{.Seq}}@example.com\"\n")
	ew.printf("  anonymous: 50%%                   # the log cannot tell email from anonymous visitors: set yours\n")
	ew.printf("widget:                            # what each page view sends before its session\n")
	ew.printf("  sdk: %s%s# GET /widget/sdk.js per page view (the rest hit browser or CDN caches)\n", share(p.Count(SDK), pv), pad(share(p.Count(SDK), pv), 28))
	preflight := p.Count(Preflight)*2 >= pv
	ew.printf("  preflight: %v%s# OPTIONS before the session on %s of page views\n", preflight, pad(strconv.FormatBool(preflight), 22), pct(p.Count(Preflight), pv))
	ew.printf("  unread: %s%s# GET /api/chat/conversations/unread per page view (SDK badges)\n", share(p.Count(Unread), pv), pad(share(p.Count(Unread), pv), 25))

	visits := max(0, wl.PageViews-wl.Chats)
	journeys := visits + wl.Chats
	rate := float64(journeys) * p.inSpanShare() / p.Span().Seconds()
	peak := float64(p.Peak().PageViews) / 3600
	ew.printf("load:\n  arrival_rate: %s%s# journeys: page views without a chat plus chats (mean; peak hour %s page views)\n",
		scenarioRate(rate), pad(scenarioRate(rate), 19), rateText(peak))
	ew.printf("  duration: 10m\n")
	ew.printf("conversations:\n")
	if visits > 0 {
		ew.printf("  - name: visit                    # a page view that opens no chat\n")
		ew.printf("    weight: %d\n    visit: {page_views: 1}\n", visits)
	}
	if wl.Chats == 0 {
		if visits == 0 {
			ew.printf("  - name: visit\n    weight: 1\n    visit: {page_views: 1}\n")
		}
		return ew.err
	}
	p.writeChats(ew, wl)
	return ew.err
}

// writeChats writes the chat entries: prompt buttons, attachments, then
// typed chats split around the mean message count.
func (p *Profile) writeChats(ew *errWriter, wl Workload) {
	steps := p.chatSteps(wl.Chats)
	chats := wl.Chats
	perChat := wl.MessagesPerChat
	if prompts := int(math.Round(wl.PromptShare * float64(chats))); prompts > 0 {
		ew.printf("  - name: prompt_button            # %s of logged conversation bodies had isPrompt\n", pct(p.Prompts, p.CreatesWithBody))
		ew.printf("    weight: %d\n    is_prompt: true\n    turns:\n", prompts)
		ew.printf("      - message: How do I reset my password?   # your prompt button's text: a constant hits the reply cache\n")
		chats -= prompts
	}
	whole := max(1, int(math.Round(perChat)))
	if n := int(math.Round(wl.AttachmentShare * float64(p.Count(Message)) / float64(whole))); n > 0 && chats > 0 {
		n = min(n, chats)
		ew.printf("  - name: chat_with_attachment     # %s of sized messages were at least %s\n", pct(p.WithAttachments, p.MessagesSized), bytesText(p.AttachmentLimit))
		ew.printf("    weight: %d\n    turns:\n", n)
		size := max(4<<10, (wl.AttachmentSize-2<<10)*3/4) // base64 and the JSON around it
		for i := range whole {
			ew.printf("      - message: %q\n", typedMessages[i%len(typedMessages)])
			if i == 0 {
				ew.printf("        attachments:\n          - {type: image, size: %s}\n", bytesText(size))
			}
		}
		writeSteps(ew, steps)
		chats -= n
	}
	lo := int(math.Floor(perChat))
	frac := perChat - float64(lo)
	loN := int(math.Round(float64(chats) * (1 - frac)))
	for _, c := range []struct{ messages, weight int }{{lo, loN}, {lo + 1, chats - loN}} {
		if c.weight <= 0 {
			continue
		}
		ew.printf("  - name: chat_%d%s# chats of %d message(s); the mean is %s\n", c.messages, pad(strconv.Itoa(c.messages), 20), c.messages, trimFloat(perChat, 2))
		ew.printf("    weight: %d\n", c.weight)
		if c.messages == 0 {
			ew.printf("    turns: []\n")
			continue
		}
		ew.printf("    turns:\n")
		for i := range c.messages {
			ew.printf("      - message: %q\n", typedMessages[i%len(typedMessages)])
		}
		writeSteps(ew, steps)
	}
}

// step is a per-chat step of the snippet.
type step struct{ line, share, why string }

// chatSteps returns the steps after a chat's messages, at their shares
// per chat (capped at 100%).
func (p *Profile) chatSteps(chats int) []step {
	var out []step
	add := func(line string, n int, why string) {
		if n > 0 {
			out = append(out, step{line, share(min(n, chats), chats), why})
		}
	}
	add("react: {}", p.Count(React), fmt.Sprintf("thumbs-up on the reply (%s per chat)", ratio(p.Count(React), chats)))
	pages := 1
	if p.HistoryFirstPages > 0 {
		pages = max(1, int(math.Round(float64(p.Count(History))/float64(p.HistoryFirstPages))))
	}
	add(fmt.Sprintf("history: {pages: %d}", pages), p.HistoryFirstPages, fmt.Sprintf("the History list (%s per chat)", ratio(p.HistoryFirstPages, chats)))
	// The widget loads every conversation it creates (a GET the runner sends
	// itself: widget.open_created); only the GETs beyond those are reopens.
	reopens := max(0, p.Count(Open)-p.Count(Conversation))
	add("open: {}", reopens, fmt.Sprintf("reopen the conversation (%s per chat beyond the widget's load of each new one)", ratio(reopens, chats)))
	add("mark_read: {}", p.Count(MarkRead), fmt.Sprintf("mark a staff reply read (%s per chat)", ratio(p.Count(MarkRead), chats)))
	return out
}

func writeSteps(ew *errWriter, steps []step) {
	for _, s := range steps {
		ew.printf("      - %s\n        share: %s%s# %s\n", s.line, s.share, pad(s.share, 20), s.why)
	}
}

// share writes n/of as a percentage a scenario reads, capped at 100%.
func share(n, of int) string {
	if of == 0 || n == 0 {
		return "0%"
	}
	return trimFloat(math.Min(100, 100*float64(n)/float64(of)), 2) + "%"
}

// scenarioRate writes a rate as scenarios.ParseRate reads it, with three
// decimals per second, per minute or per hour, whichever keeps them meaningful.
func scenarioRate(perSec float64) string {
	switch {
	case perSec >= 1:
		return trimFloat(perSec, 3) + "/s"
	case perSec*60 >= 1:
		return trimFloat(perSec*60, 3) + "/m"
	}
	return trimFloat(math.Max(perSec*3600, 0.001), 3) + "/h"
}

// pad returns spaces aligning a value of len(s) to a comment column.
func pad(s string, width int) string {
	return strings.Repeat(" ", max(1, width-len(s)))
}

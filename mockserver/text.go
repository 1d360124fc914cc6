package mockserver

import (
	"math/rand/v2"
	"strings"

	"github.com/loadgen/loadgen/internal/jsontext"
)

// The reply text generator. Replies are built from a fixed corpus of
// support-style sentences, split into word tokens ("Thanks ", "for ", …) the
// way a model streams them. Every token's complete `0:` line is encoded once
// at start-up, so streaming a token costs one Write and no allocation. Some
// sentences hold quotes, newlines and non-ASCII text, so clients see
// JSON-escaped and multi-byte text regularly.

// corpus is the sentence pool. Each sentence ends with the separator that
// follows it (a space or a newline), so concatenated tokens read naturally.
var corpus = []string{
	"Thanks for reaching out! ",
	"I checked your order and it shipped yesterday from our warehouse. ",
	"You can follow the parcel under \"My orders\" in your account. ",
	"Delivery usually takes 3–5 business days. ",
	"If the tracking page hasn't updated, give it another day — carriers often scan late. ",
	"Your refund of €42.50 was issued this morning. ",
	"Refunds reach most banks within 5 to 10 days.\n\n",
	"Here is what I found:\n",
	"1. Open Settings → Billing.\n",
	"2. Choose \"Update payment method\".\n",
	"3. Save, and we'll retry the charge automatically.\n\n",
	"I've reset the link for you ✓. ",
	"Le colis est en route, livraison prévue demain. ",
	"Die Rücksendung ist kostenlos. ",
	"ご不便をおかけして申し訳ありません。 ",
	"Could you share the email address on the account? ",
	"That helps me find the right invoice. ",
	"Our team is happy to help with anything else 🙂. ",
	"The discount code SPRING-15 applies to orders over $50. ",
	"Unfortunately, that item is out of stock until next month. ",
	"I can add you to the waitlist if you'd like. ",
	"Your subscription renews on the 1st; you can cancel any time before that. ",
	"The app supports exports as CSV and JSON (see Reports > Export). ",
	"A backslash in a path like C:\\Users\\ann is fine to paste here. ",
	"Let me know if that works for you!\n",
}

// textToken is one streamed token: its text and its pre-encoded `0:` line.
type textToken struct {
	text string
	line []byte // 0:"<json-escaped text>"\n
}

// sentences holds the corpus split into tokens.
var sentences = splitCorpus(corpus)

func splitCorpus(src []string) [][]textToken {
	out := make([][]textToken, len(src))
	for i, s := range src {
		for len(s) > 0 {
			// A token is a word plus the separator after it.
			j := strings.IndexAny(s, " \n")
			if j < 0 {
				j = len(s) - 1
			}
			for j+1 < len(s) && (s[j+1] == '\n') {
				j++
			}
			tok := s[:j+1]
			s = s[j+1:]
			line := append([]byte("0:"), jsontext.AppendString(nil, tok)...)
			out[i] = append(out[i], textToken{text: tok, line: append(line, '\n')})
		}
	}
	return out
}

// replyPlan is one reply: its tokens (sharing the pre-encoded corpus) and
// its whole text.
type replyPlan struct {
	tokens []textToken
	text   string
}

// planReply returns a reply of n tokens taken from random sentences, in
// order within each sentence. The tokens are appended to buf[:0] (callers
// pass a pooled slice to avoid allocation).
func planReply(buf []textToken, n int) replyPlan {
	tokens := buf[:0]
	size := 0
	for len(tokens) < n {
		s := sentences[rand.IntN(len(sentences))]
		for _, t := range s {
			if len(tokens) == n {
				break
			}
			tokens = append(tokens, t)
			size += len(t.text)
		}
	}
	var b strings.Builder
	b.Grow(size)
	for _, t := range tokens {
		b.WriteString(t.text)
	}
	return replyPlan{tokens: tokens, text: b.String()}
}

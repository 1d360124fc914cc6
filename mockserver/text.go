package mockserver

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"
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
			line := append([]byte("0:"), appendJSONString(nil, tok)...)
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

// appendJSONString appends s as a JSON string the way JavaScript's
// JSON.stringify writes it (the AI SDK's writer): quotes, backslashes and
// control characters escaped, everything else (including non-ASCII and
// <, >, &) as is. Invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

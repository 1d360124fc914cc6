package transcripts

import (
	"strings"
	"time"
)

// Turn is one user message of a conversation with what a replay needs to
// send it at its original pace and to judge the reply.
type Turn struct {
	Message // the user's message

	// Reference is the recorded AI reply to it: the assistant messages
	// after it and before the next user message, joined by blank lines;
	// "" when there are none. Staff replies are not references.
	Reference string

	// SincePrevious is the original gap from the previous user message (for
	// the first turn, from the conversation's first message); 0 without
	// times, and never negative.
	SincePrevious time.Duration

	// SinceReply is the original gap from the end of the previous reply (the
	// last assistant or staff message before it; without one, as
	// SincePrevious): how long the user took to answer. 0 without times,
	// never negative.
	SinceReply time.Duration
}

// Turns returns the conversation's user messages in order, with their gaps
// and references.
func (c *Conversation) Turns() []Turn {
	var turns []Turn
	prevUser := c.Start()
	var lastReply time.Time // of the current gap; zero: none since the previous user message
	var ref []string
	flush := func() {
		if len(turns) > 0 {
			turns[len(turns)-1].Reference = strings.Join(ref, "\n\n")
		}
		ref = ref[:0]
	}
	for _, m := range c.Messages {
		switch m.Role {
		case User:
			flush()
			from := prevUser
			if !lastReply.IsZero() {
				from = lastReply
			}
			turns = append(turns, Turn{Message: m, SincePrevious: gap(prevUser, m.At), SinceReply: gap(from, m.At)})
			prevUser, lastReply = m.At, time.Time{}
		case Assistant:
			ref = append(ref, m.Content)
			lastReply = m.At
		case Staff:
			lastReply = m.At
		}
	}
	flush()
	return turns
}

// gap is to − from, or 0 when either is unknown or to is earlier.
func gap(from, to time.Time) time.Duration {
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return 0
	}
	return to.Sub(from)
}

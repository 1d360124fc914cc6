package transcripts

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// Role is who wrote a message.
type Role string

// Message roles, as in Helper's API.
const (
	User      Role = "user"      // the customer
	Assistant Role = "assistant" // the AI reply
	Staff     Role = "staff"     // a human agent's reply
)

// Message is one message of a recorded conversation.
type Message struct {
	Role    Role
	Content string
	At      time.Time // when it was written; zero when the format has no times (ShareGPT)
	Line    int       // the line of the file it was read from, from 1
}

// Conversation is one recorded conversation, its messages in file order.
type Conversation struct {
	ID       string    // the JSONL conversation key, the Helper slug or the ShareGPT id ("" when absent)
	Index    int       // its position among the conversations Reader returned, from 0
	Subject  string    // "" when not recorded
	Email    string    // the customer's email, "" when not recorded (JSONL only)
	Line     int       // the line where it begins, from 1
	Messages []Message // at least one with Role User
}

// Start returns the time of the conversation's first message (zero without times).
func (c *Conversation) Start() time.Time {
	if len(c.Messages) == 0 {
		return time.Time{}
	}
	return c.Messages[0].At
}

// Format is a transcript file format.
type Format string

// Transcript formats (see the package documentation).
const (
	FormatJSONL    Format = "jsonl"
	FormatHelper   Format = "helper"
	FormatShareGPT Format = "sharegpt"
)

// Formats lists the formats Reader reads.
func Formats() []Format { return []Format{FormatJSONL, FormatHelper, FormatShareGPT} }

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("transcripts: unknown format %q (want jsonl, helper or sharegpt)", s)
}

// FormatFor guesses a file's format from its name: .jsonl and .ndjson are
// FormatJSONL; the JSON formats cannot be told apart by name, so it reports
// false for everything else.
func FormatFor(name string) (Format, bool) {
	switch strings.ToLower(path.Ext(name)) {
	case ".jsonl", ".ndjson":
		return FormatJSONL, true
	}
	return "", false
}

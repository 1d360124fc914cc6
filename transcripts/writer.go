package transcripts

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Writer writes conversations as FormatJSONL, one message per line, with
// the conversation's subject and email on its first line. It is not safe
// for concurrent use.
type Writer struct {
	w *bufio.Writer
}

// NewWriter returns a Writer to w. Call Flush when done.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriter(w)} }

// jsonlLine is one line of FormatJSONL as written.
type jsonlLine struct {
	Conversation string `json:"conversation"`
	Role         Role   `json:"role"`
	Content      string `json:"content"`
	At           string `json:"at"`
	Subject      string `json:"subject,omitempty"`
	Email        string `json:"email,omitempty"`
}

// Write writes c's messages. c.ID must be set, and every message needs a
// time: FormatJSONL requires both.
func (w *Writer) Write(c *Conversation) error {
	if c.ID == "" {
		return fmt.Errorf("transcripts: write: conversation without an ID")
	}
	enc := json.NewEncoder(w.w)
	enc.SetEscapeHTML(false)
	for i, m := range c.Messages {
		if m.At.IsZero() {
			return fmt.Errorf("transcripts: write: conversation %q: message %d has no time", c.ID, i)
		}
		l := jsonlLine{Conversation: c.ID, Role: m.Role, Content: m.Content, At: m.At.UTC().Format(time.RFC3339Nano)}
		if i == 0 {
			l.Subject, l.Email = c.Subject, c.Email
		}
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("transcripts: write: %w", err)
		}
	}
	return nil
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() error { return w.w.Flush() }

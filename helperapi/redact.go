package helperapi

import (
	"errors"
	"strings"
)

// redactedText replaces a secret or token wherever it would be shown.
const redactedText = "[REDACTED]"

// hidden holds a secret string (the HMAC secret, a session token) where fmt
// cannot reach it: fmt shows a func value as its address, whatever the verb
// and however deep in a struct it sits. Call it to get the string.
type hidden func() string

func hide(s string) hidden { return func() string { return s } }

// redactor hides secret strings (the HMAC secret, session tokens) in texts
// that leave the package. Empty entries are ignored.
type redactor []string

// string returns s with every occurrence of a secret replaced.
func (r redactor) string(s string) string {
	for _, x := range r {
		if x != "" && strings.Contains(s, x) {
			s = strings.ReplaceAll(s, x, redactedText)
		}
	}
	return s
}

// err returns err unchanged when its text holds no secret, else an error with
// the redacted text that still matches errors.Is against the original chain.
func (r redactor) err(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.string(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

// redactedError carries a redacted text. It deliberately has no Unwrap, so
// walking the chain cannot reach the unredacted text; Is still answers for
// the original chain (context.Canceled, io.ErrUnexpectedEOF, ...).
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

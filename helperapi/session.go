package helperapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"log/slog"
	"net/http"
	"slices"
	"strconv"

	"github.com/loadgen/loadgen/helperapi/internal/jsonscan"
)

// SessionRequest says who the session is for. The body is the widget's
// (packages/sdk/src/index.ts createSession): email sessions send
// {currentURL, email, emailHash, timestamp, customerMetadata}, anonymous
// ones {currentURL, currentToken}.
type SessionRequest struct {
	Email    string            // "" for an anonymous session
	Previous *Session          // an anonymous session's currentToken, so the visitor keeps its identity
	PageURL  string            // the host page, sent as currentURL ("": not sent)
	Metadata map[string]string // an email session's customerMetadata (nil: not sent)
}

// Session is an authenticated visitor. Its token is never printed: String,
// GoString and LogValue redact it. Safe for concurrent use.
type Session struct {
	c      *Client
	token  hidden // never a plain string field: see hidden
	email  string // "" for an anonymous session
	creds  creds  // made once, as every request needs them
	chatID string // useChat's id: one per widget load
	// sdkChatID is the chat id of an SDK integration's body (the AI SDK's
	// default id form).
	sdkChatID string
}

// creds returns a session's Authorization header value and its redactor.
// Like hidden, it keeps the token out of fmt's reach.
type creds func() (auth []string, red redactor)

// newSession returns the Session for token.
func (c *Client) newSession(token, email string) *Session {
	var auth []string
	if token != "" {
		bearer := "Bearer " + token
		token = bearer[len("Bearer "):] // one copy of the token per session, not two
		auth = []string{bearer}         // shared by the session's requests: never appended to
	}
	red := slices.Clip(c.redactor(token))
	return &Session{c: c, token: hide(token), email: email, creds: func() ([]string, redactor) { return auth, red },
		chatID: c.ids.widgetID(), sdkChatID: c.ids.sdkID()}
}

// The JSON of POST /api/widget/session as the widget sends it. Helper reads
// email, emailHash, timestamp and currentToken; currentURL and
// customerMetadata are the widget's too.
type emailSessionBody struct {
	CurrentURL       string            `json:"currentURL,omitempty"`
	Email            string            `json:"email"`
	EmailHash        string            `json:"emailHash"`
	Timestamp        int64             `json:"timestamp"` // Unix milliseconds, a JSON number
	CustomerMetadata map[string]string `json:"customerMetadata,omitempty"`
}

type anonymousSessionBody struct {
	CurrentURL   string  `json:"currentURL,omitempty"`
	CurrentToken *string `json:"currentToken"` // null for a first visit
}

// CreateSession calls POST /api/widget/session. An email session is signed
// with the client's secret: emailHash is the lowercase hex HMAC-SHA256 of
// email + ":" + the timestamp in Unix milliseconds; without a secret it fails
// with KindAuth before sending anything.
func (c *Client) CreateSession(ctx context.Context, req SessionRequest) (*Session, Timing, error) {
	var body any
	red := c.redactor()
	if req.Previous != nil && req.Previous.token() != "" {
		red = append(red, req.Previous.token()) // a server may echo it whether or not it was sent
	}
	if req.Email != "" {
		if c.secret == nil {
			return nil, Timing{}, &Error{Op: opSession, Kind: KindAuth, Msg: "no HMAC secret for an email session"}
		}
		ts := c.now().UnixMilli()
		body = emailSessionBody{CurrentURL: req.PageURL, Email: req.Email, EmailHash: c.emailHash(req.Email, ts),
			Timestamp: ts, CustomerMetadata: req.Metadata}
	} else {
		anon := anonymousSessionBody{CurrentURL: req.PageURL}
		if req.Previous != nil && req.Previous.token() != "" {
			prev := req.Previous.token()
			anon.CurrentToken = &prev
		}
		body = anon
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, Timing{}, &Error{Op: opSession, Kind: KindProtocol, Msg: "cannot encode request", Err: red.err(err)}
	}
	ex, xerr := c.send(ctx, opSession, http.MethodPost, "/api/widget/session", b, nil, red)
	if xerr != nil {
		return nil, ex.t, xerr
	}
	var resp sessionReply
	bp, derr := ex.readBody()
	if derr == nil {
		if !resp.plain(*bp) {
			derr = ex.unmarshal(*bp, &resp)
		}
		putBody(bp)
	}
	ex.red = append(ex.red, resp.Token)
	switch {
	case derr != nil:
		derr.Msg, derr.Err = ex.red.string(derr.Msg), ex.red.err(derr.Err)
		return nil, ex.t, derr
	case resp.Valid != nil && !*resp.Valid:
		return nil, ex.t, ex.newError(KindAuth, resp.Error, nil)
	case resp.Token == "":
		return nil, ex.t, ex.newError(KindProtocol, "no token in session response", nil)
	}
	return c.newSession(resp.Token, req.Email), ex.t, nil
}

// ResumeSession returns a Session that sends token as it is, without asking
// the server: a token saved earlier, or a deliberately bad one in tests.
// email is recorded for display only ("" for anonymous).
func (c *Client) ResumeSession(token, email string) *Session {
	return c.newSession(token, email)
}

// sessionReply is what a client reads of POST /api/widget/session's answer.
type sessionReply struct {
	Valid *bool  `json:"valid"`
	Token string `json:"token"`
	Error string `json:"error"`
}

// sessionKeys are the members of a session reply, in sessionReply's order.
var sessionKeys = []string{"valid", "token", "error"}

// plain decodes a session reply as encoding/json would (Valid is a pointer:
// null resets it; the strings keep their value on null), without
// allocating but for the strings; false when that takes encoding/json
// (FuzzSessionFastPath holds it to encoding/json).
func (r *sessionReply) plain(v []byte) bool {
	if !jsonscan.Object(v) {
		return false
	}
	var valid, hasValid bool
	ok := jsonscan.Members(v, sessionKeys, func(k int, val []byte) bool {
		switch k {
		case 1:
			return jsonscan.String(&r.Token, val)
		case 2:
			return jsonscan.String(&r.Error, val)
		}
		switch string(val) {
		case "null":
			hasValid = false
		case "true", "false":
			hasValid, valid = true, val[0] == 't'
		default:
			return false
		}
		return true
	})
	if !ok {
		return false
	}
	if hasValid {
		r.Valid = &valid
	}
	return true
}

// emailHash is emailHash with the client's secret, on a pooled HMAC whose
// key schedule is done once.
func (c *Client) emailHash(email string, ts int64) string {
	m := c.macs.Get().(hash.Hash)
	m.Reset()
	msg := make([]byte, 0, len(email)+24)
	msg = strconv.AppendInt(append(append(msg, email...), ':'), ts, 10)
	m.Write(msg)
	var sum [sha256.Size]byte
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], m.Sum(sum[:0]))
	c.macs.Put(m)
	return string(out[:])
}

// emailHash is the lowercase hex HMAC-SHA256(secret, email + ":" + ts).
func emailHash(secret, email string, ts int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(email))
	m.Write([]byte{':'})
	m.Write(strconv.AppendInt(nil, ts, 10))
	return hex.EncodeToString(m.Sum(nil))
}

// Email returns the session's email, "" for an anonymous session.
func (s *Session) Email() string { return s.email }

// Anonymous reports whether the session has no email.
func (s *Session) Anonymous() bool { return s.email == "" }

// String describes the session without its token.
func (s *Session) String() string {
	if s.Anonymous() {
		return "helperapi.Session{anonymous, token: " + redactedText + "}"
	}
	return fmt.Sprintf("helperapi.Session{email: %s, token: %s}", s.c.redactor().string(s.email), redactedText)
}

// GoString is String, so %#v shows no token either.
func (s *Session) GoString() string { return s.String() }

// LogValue implements slog.LogValuer without the token.
func (s *Session) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("email", s.c.redactor().string(s.email)),
		slog.Bool("anonymous", s.Anonymous()),
		slog.String("token", redactedText),
	)
}

// send starts an authenticated request for this session.
func (s *Session) send(ctx context.Context, op, method, path string, body []byte) (*exchange, *Error) {
	auth, red := s.creds()
	return s.c.send(ctx, op, method, path, body, auth, red)
}

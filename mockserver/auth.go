package mockserver

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Session token lifetimes, as Helper sets them.
const (
	EmailTokenLifetime     = 12 * time.Hour
	AnonymousTokenLifetime = 7 * 24 * time.Hour
)

// MaxClockSkew is how far a session timestamp may be from the server's
// clock, past or future.
const MaxClockSkew = time.Hour

// The values the session response carries for the widget's realtime client.
const (
	mockSupabaseURL     = "https://supabase.mock.invalid"
	mockSupabaseAnonKey = "mock-supabase-anon-key"
)

// TokenClaims are the claims of a session token (an HS256 JWT signed with
// the secret), as Helper writes them. Email is set for email sessions,
// AnonymousSessionID for anonymous ones.
type TokenClaims struct {
	Email              string `json:"email,omitempty"`
	ShowWidget         bool   `json:"showWidget"`
	IsWhitelabel       bool   `json:"isWhitelabel"`
	Title              string `json:"title"`
	IsAnonymous        bool   `json:"isAnonymous"`
	AnonymousSessionID string `json:"anonymousSessionId,omitempty"`
	jwt.RegisteredClaims
}

// visitor is who an authenticated request comes from.
type visitor struct {
	owner string // "email:<email>" or "anon:<anonymousSessionId>"
}

// sessionRequest is POST /api/widget/session's body; fields are checked by type by hand.
type sessionRequest struct {
	Email        json.RawMessage `json:"email"`
	EmailHash    json.RawMessage `json:"emailHash"`
	Timestamp    json.RawMessage `json:"timestamp"`
	CurrentToken json.RawMessage `json:"currentToken"`
}

type sessionResponse struct {
	Valid           bool            `json:"valid"`
	Token           string          `json:"token"`
	SupabaseURL     string          `json:"supabaseUrl"`
	SupabaseAnonKey string          `json:"supabaseAnonKey"`
	ShowWidget      bool            `json:"showWidget"`
	Notifications   json.RawMessage `json:"notifications,omitempty"`
}

type invalidBody struct {
	Valid bool   `json:"valid"`
	Error string `json:"error"`
}

// handleSession serves POST /api/widget/session.
func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	buf, err := s.readBody(w, r)
	if err != nil {
		return
	}
	req, valid, schemaOK := parseSessionRequest(buf.Bytes())
	s.putBuf(buf)
	if !valid {
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		unhandled(w)
		return
	}
	if !schemaOK {
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		corsError(w, http.StatusBadRequest, "Invalid request parameters")
		return
	}
	claims := TokenClaims{ShowWidget: true, Title: s.cfg.Title}
	if req.email != "" {
		if req.emailHash == "" || req.timestamp == 0 {
			s.reject(r, &s.counts.missingFields, "missing_fields")
			corsError(w, http.StatusBadRequest, "Email authentication fields missing")
			return
		}
		skew := req.timestamp - s.cfg.Now().UnixMilli() // ms; |timestamp| ≤ 2^53, no overflow
		if skew > MaxClockSkew.Milliseconds() || skew < -MaxClockSkew.Milliseconds() {
			s.reject(r, &s.counts.staleTimestamp, "stale_timestamp")
			setCORS(w.Header())
			writeJSON(w, http.StatusUnauthorized, invalidBody{Error: "Timestamp is too far in the past"})
			return
		}
		if !s.validHMAC(req.email, req.timestamp, req.emailHash) {
			s.reject(r, &s.counts.badHMAC, "bad_hmac")
			setCORS(w.Header())
			writeJSON(w, http.StatusUnauthorized, invalidBody{Error: "Invalid HMAC signature"})
			return
		}
		claims.Email = req.email
	} else {
		claims.IsAnonymous = true
		if prev, err := s.verifyToken(req.currentToken); err == nil && prev.IsAnonymous {
			claims.AnonymousSessionID = prev.AnonymousSessionID
		}
		if claims.AnonymousSessionID == "" {
			claims.AnonymousSessionID = newUUID()
		}
	}
	token, err := s.mint(claims)
	if err != nil {
		s.cfg.Logger.Error("mockserver: session: sign token", "err", err)
		unhandled(w)
		return
	}
	resp := sessionResponse{Valid: true, Token: token, SupabaseURL: mockSupabaseURL,
		SupabaseAnonKey: mockSupabaseAnonKey, ShowWidget: claims.ShowWidget}
	if claims.IsAnonymous {
		s.counts.sessAnon.Add(1)
	} else {
		resp.Notifications = json.RawMessage("[]")
		s.counts.sessEmail.Add(1)
	}
	ok(w, resp)
}

// parsedSession is a session request that passed the schema.
type parsedSession struct {
	email, emailHash, currentToken string
	timestamp                      int64 // 0 when absent
}

// parseSessionRequest parses body. valid is false for a body that is not
// JSON; schemaOK is false for JSON that fails the schema (a non-object, or
// a field of the wrong type: timestamp must be an integer JSON number).
func parseSessionRequest(body []byte) (p parsedSession, valid, schemaOK bool) {
	if !json.Valid(body) {
		return p, false, false
	}
	var req sessionRequest
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) || json.Unmarshal(body, &req) != nil {
		return p, true, false
	}
	var ok1, ok2, ok3, ok4 bool
	p.email, ok1 = optString(req.Email)
	p.emailHash, ok2 = optString(req.EmailHash)
	p.currentToken, ok3 = optString(req.CurrentToken)
	p.timestamp, ok4 = optInteger(req.Timestamp)
	return p, true, ok1 && ok2 && ok3 && ok4
}

// optString decodes an optional JSON string: absent or null is "".
func optString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	if raw[0] != '"' {
		return "", false
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

// optInteger decodes an optional JSON number that must be a safe integer:
// absent or null is 0.
func optInteger(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, true
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// validHMAC reports whether hash is the lowercase hex HMAC-SHA256 of
// "email:timestamp", compared in constant time.
func (s *Server) validHMAC(email string, timestamp int64, hash string) bool {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(email))
	mac.Write([]byte{':'})
	mac.Write(strconv.AppendInt(nil, timestamp, 10))
	var sum [sha256.Size]byte
	var want [2 * sha256.Size]byte
	hex.Encode(want[:], mac.Sum(sum[:0]))
	return subtle.ConstantTimeCompare(want[:], []byte(hash)) == 1
}

// mint signs claims as a session token, setting iat and exp from the clock.
func (s *Server) mint(c TokenClaims) (string, error) {
	now := s.cfg.Now()
	life := EmailTokenLifetime
	if c.IsAnonymous {
		life = AnonymousTokenLifetime
	}
	c.IssuedAt = jwt.NewNumericDate(now)
	c.ExpiresAt = jwt.NewNumericDate(now.Add(life))
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
}

// errBadClaims reports a token whose claims name no visitor.
var errBadClaims = errors.New("mockserver: token: claims name no visitor")

// verifyToken checks a session token's signature, algorithm and expiry.
func (s *Server) verifyToken(token string) (*TokenClaims, error) {
	if token == "" {
		return nil, errBadClaims
	}
	var c TokenClaims
	if _, err := s.parser.ParseWithClaims(token, &c, s.keyFunc); err != nil {
		return nil, fmt.Errorf("mockserver: token: %w", err)
	}
	if (c.IsAnonymous && c.AnonymousSessionID == "") || (!c.IsAnonymous && c.Email == "") {
		return nil, errBadClaims
	}
	return &c, nil
}

func (s *Server) keyFunc(*jwt.Token) (any, error) { return s.key, nil }

// maxCachedTokens bounds the verified-token cache; when full it starts over.
const maxCachedTokens = 1 << 16

// verified is a token whose signature was checked: who it names and until when.
type verified struct {
	owner string
	exp   time.Time
}

// tokenCache remembers verified tokens so a visitor's later requests skip
// the JWT parse and HMAC (the signature of a given token string cannot
// change; expiry is still checked on every use). Safe for concurrent use.
type tokenCache struct {
	m sync.Map // token → *verified
	n atomic.Int64
}

func (c *tokenCache) get(token string, now time.Time) (string, bool) {
	v, ok := c.m.Load(token)
	if !ok {
		return "", false
	}
	e := v.(*verified)
	return e.owner, now.Before(e.exp)
}

func (c *tokenCache) put(token string, e *verified) {
	if c.n.Add(1) > maxCachedTokens {
		c.m.Clear()
		c.n.Store(1)
	}
	c.m.Store(token, e)
}

// authed wraps h with Helper's bearer-token check.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, visitor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !found {
			s.reject(r, &s.counts.missingToken, "missing_token")
			authError(w, "Missing authorization header")
			return
		}
		owner, ok := s.tokens.get(token, s.cfg.Now())
		if !ok {
			c, err := s.verifyToken(token)
			if err != nil {
				s.reject(r, &s.counts.badToken, "bad_token")
				authError(w, "Invalid session token")
				return
			}
			owner = "email:" + c.Email
			if c.IsAnonymous {
				owner = "anon:" + c.AnonymousSessionID
			}
			s.tokens.put(token, &verified{owner: owner, exp: c.ExpiresAt.Time})
		}
		h(w, r, visitor{owner: owner})
	}
}

// authError writes withWidgetAuth's 401: {"error": msg} with the CORS
// origin and headers but no methods.
func authError(w http.ResponseWriter, msg string) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	writeJSON(w, http.StatusUnauthorized, errorBody{Error: msg})
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		u := rand.Uint64()
		for j := range 8 {
			b[i+j] = byte(u >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

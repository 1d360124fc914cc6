package mockserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestSessionResponses(t *testing.T) {
	m := startMock(t, Config{})
	now := m.clock.Now().UnixMilli()
	const email = "ann@example.com"
	signed := func(email string, ts int64) string {
		return fmt.Sprintf(`{"email":%q,"emailHash":%q,"timestamp":%d}`, email, emailHash(testSecret, email, ts), ts)
	}
	hour := time.Hour.Milliseconds()
	tests := []struct {
		name     string
		body     string
		wantCode int
		wantBody string // exact, or "" to check only valid:true
	}{
		{"email", signed(email, now), 200, ""},
		{"email with ignored fields", strings.TrimSuffix(signed(email, now), "}") + `,"mailboxSlug":"x","currentURL":"y","customerMetadata":{}}`, 200, ""},
		{"email one hour behind", signed(email, now-hour), 200, ""},
		{"email one hour ahead", signed(email, now+hour), 200, ""},
		{"anonymous empty object", `{}`, 200, ""},
		{"anonymous null email", `{"email":null}`, 200, ""},
		{"anonymous empty email", `{"email":"","emailHash":"x"}`, 200, ""},
		{"stale past", signed(email, now-hour-1), 401, `{"valid":false,"error":"Timestamp is too far in the past"}`},
		{"stale future", signed(email, now+hour+1), 401, `{"valid":false,"error":"Timestamp is too far in the past"}`},
		{"wrong hash", fmt.Sprintf(`{"email":%q,"emailHash":%q,"timestamp":%d}`, email, emailHash("other", email, now), now), 401, `{"valid":false,"error":"Invalid HMAC signature"}`},
		{"uppercase hex", fmt.Sprintf(`{"email":%q,"emailHash":%q,"timestamp":%d}`, email, strings.ToUpper(emailHash(testSecret, email, now)), now), 401, `{"valid":false,"error":"Invalid HMAC signature"}`},
		{"hash of another email", fmt.Sprintf(`{"email":"bob@example.com","emailHash":%q,"timestamp":%d}`, emailHash(testSecret, email, now), now), 401, `{"valid":false,"error":"Invalid HMAC signature"}`},
		{"hash without timestamp", fmt.Sprintf(`{"email":%q,"emailHash":"abc"}`, email), 400, `{"error":"Email authentication fields missing"}`},
		{"timestamp zero", fmt.Sprintf(`{"email":%q,"emailHash":%q,"timestamp":0}`, email, emailHash(testSecret, email, 0)), 400, `{"error":"Email authentication fields missing"}`},
		{"hash missing", fmt.Sprintf(`{"email":%q,"timestamp":%d}`, email, now), 400, `{"error":"Email authentication fields missing"}`},
		{"hash empty", fmt.Sprintf(`{"email":%q,"emailHash":"","timestamp":%d}`, email, now), 400, `{"error":"Email authentication fields missing"}`},
		{"timestamp as string", fmt.Sprintf(`{"email":%q,"emailHash":%q,"timestamp":"%d"}`, email, emailHash(testSecret, email, now), now), 400, `{"error":"Invalid request parameters"}`},
		{"timestamp fraction", fmt.Sprintf(`{"email":%q,"emailHash":"x","timestamp":%d.5}`, email, now), 400, `{"error":"Invalid request parameters"}`},
		{"email a number", `{"email":5}`, 400, `{"error":"Invalid request parameters"}`},
		{"currentToken a number", `{"currentToken":5}`, 400, `{"error":"Invalid request parameters"}`},
		{"array", `[]`, 400, `{"error":"Invalid request parameters"}`},
		{"null", `null`, 400, `{"error":"Invalid request parameters"}`},
		{"not JSON", `email=ann`, 500, ``},
		{"empty body", ``, 500, ``},
		{"truncated JSON", `{"email":`, 500, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, body := m.do("POST", "/api/widget/session", "", tt.body)
			if code != tt.wantCode {
				t.Fatalf("POST session %s: status %d, want %d (body %s)", tt.body, code, tt.wantCode, body)
			}
			switch {
			case code == 500:
				if body != "" || strings.Contains(h.Get("Content-Type"), "json") {
					t.Errorf("500 body %q with Content-Type %q, want an empty body and no JSON", body, h.Get("Content-Type"))
				}
			case tt.wantBody != "":
				if body != tt.wantBody {
					t.Errorf("body = %s, want %s", body, tt.wantBody)
				}
				// The session route answers errors with corsResponse.
				if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Methods") != "POST, OPTIONS" {
					t.Errorf("error response CORS headers %v, want corsResponse's", h)
				}
			default:
				var r map[string]any
				if err := json.Unmarshal([]byte(body), &r); err != nil {
					t.Fatalf("body %s: %v", body, err)
				}
				if r["valid"] != true || r["token"] == "" || r["showWidget"] != true || r["supabaseUrl"] == nil || r["supabaseAnonKey"] == nil {
					t.Errorf("body = %s, want valid, token, showWidget, supabaseUrl, supabaseAnonKey", body)
				}
				if h.Get("Access-Control-Allow-Origin") != "*" {
					t.Errorf("Access-Control-Allow-Origin = %q, want *", h.Get("Access-Control-Allow-Origin"))
				}
			}
		})
	}
	st := m.srv.Stats()
	want := RejectionStats{BadHMAC: 3, StaleTimestamp: 2, MissingFields: 4, InvalidRequest: 9}
	if st.Rejections != want {
		t.Errorf("Stats().Rejections = %+v, want %+v", st.Rejections, want)
	}
	if want := (SessionStats{Email: 4, Anonymous: 3}); st.Sessions != want {
		t.Errorf("Stats().Sessions = %+v, want %+v", st.Sessions, want)
	}
}

// decodeToken verifies a token with the test secret and returns its claims.
func decodeToken(t *testing.T, token string, now time.Time) TokenClaims {
	t.Helper()
	var c TokenClaims
	tok, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
		jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	if tok.Method.Alg() != "HS256" {
		t.Errorf("alg = %s, want HS256", tok.Method.Alg())
	}
	return c
}

func TestTokenClaimsAndLifetimes(t *testing.T) {
	m := startMock(t, Config{Title: "Acme Support"})
	now := m.clock.Now()
	tests := []struct {
		name     string
		email    string
		lifetime time.Duration
	}{
		{"email", "ann@example.com", 12 * time.Hour},
		{"anonymous", "", 7 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := m.session(tt.email)
			c := decodeToken(t, token, now)
			if c.Email != tt.email || c.IsAnonymous != (tt.email == "") || !c.ShowWidget || c.IsWhitelabel || c.Title != "Acme Support" {
				t.Errorf("claims = %+v, want email %q, isAnonymous %v, showWidget, title", c, tt.email, tt.email == "")
			}
			if (c.AnonymousSessionID != "") != (tt.email == "") {
				t.Errorf("anonymousSessionId = %q for email %q", c.AnonymousSessionID, tt.email)
			}
			if !c.IssuedAt.Time.Equal(now) || !c.ExpiresAt.Time.Equal(now.Add(tt.lifetime)) {
				t.Errorf("iat, exp = %v, %v; want %v, %v", c.IssuedAt, c.ExpiresAt, now, now.Add(tt.lifetime))
			}
			// The token works until it expires, and not after.
			if code, _, body := m.do("GET", "/api/chat/conversations", token, ""); code != 200 {
				t.Fatalf("list with fresh token: %d %s", code, body)
			}
			m.clock.Advance(tt.lifetime - time.Second)
			if code, _, body := m.do("GET", "/api/chat/conversations", token, ""); code != 200 {
				t.Fatalf("list 1 s before expiry: %d %s", code, body)
			}
			m.clock.Advance(2 * time.Second)
			code, _, body := m.do("GET", "/api/chat/conversations", token, "")
			if code != 401 || body != `{"error":"Invalid session token"}` {
				t.Errorf("list after expiry: %d %s, want 401 Invalid session token", code, body)
			}
			m.clock.Advance(-tt.lifetime - time.Second)
		})
	}
}

func TestCurrentToken(t *testing.T) {
	m := startMock(t, Config{})
	anon := m.session("")
	anonID := decodeToken(t, anon, m.clock.Now()).AnonymousSessionID
	slug := m.conversation(anon, `{}`)

	sessionWith := func(current string) string {
		body, _ := json.Marshal(map[string]any{"currentToken": current})
		code, _, resp := m.do("POST", "/api/widget/session", "", string(body))
		if code != 200 {
			t.Fatalf("session with currentToken: %d %s", code, resp)
		}
		var r struct{ Token string }
		json.Unmarshal([]byte(resp), &r)
		return r.Token
	}
	m.clock.Advance(time.Second)
	again := sessionWith(anon)
	if again == anon {
		t.Errorf("session with currentToken returned the old token, want a new one")
	}
	if got := decodeToken(t, again, m.clock.Now()).AnonymousSessionID; got != anonID {
		t.Errorf("anonymousSessionId = %q, want %q carried over", got, anonID)
	}
	if code, _, body := m.do("GET", "/api/chat/conversation/"+slug+"?markRead=false", again, ""); code != 200 {
		t.Errorf("GET own conversation with the new token: %d %s", code, body)
	}

	tests := []struct{ name, current string }{
		{"invalid token", "not-a-token"},
		{"email token", m.session("ann@example.com")},
		{"other secret", signWith(t, "other-secret", TokenClaims{IsAnonymous: true, AnonymousSessionID: anonID}, m.clock.Now())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeToken(t, sessionWith(tt.current), m.clock.Now()).AnonymousSessionID
			if got == "" || got == anonID {
				t.Errorf("anonymousSessionId = %q, want a fresh one", got)
			}
		})
	}
}

// signWith signs claims with secret, valid for an hour from now.
func signWith(t *testing.T, secret string, c TokenClaims, now time.Time) string {
	t.Helper()
	c.IssuedAt = jwt.NewNumericDate(now)
	c.ExpiresAt = jwt.NewNumericDate(now.Add(time.Hour))
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBearerAuth(t *testing.T) {
	m := startMock(t, Config{})
	now := m.clock.Now()
	good := m.session("ann@example.com")
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, TokenClaims{Email: "ann@example.com",
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}}).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, TokenClaims{Email: "ann@example.com",
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}}).
		SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	const missing, invalid = `{"error":"Missing authorization header"}`, `{"error":"Invalid session token"}`
	tests := []struct {
		name     string
		header   string // the whole Authorization header; "" sends none
		wantCode int
		wantBody string
	}{
		{"valid", "Bearer " + good, 200, ""},
		{"no header", "", 401, missing},
		{"lowercase bearer", "bearer " + good, 401, missing},
		{"no scheme", good, 401, missing},
		{"Basic", "Basic YTpi", 401, missing},
		{"empty token", "Bearer ", 401, missing}, // header values arrive trimmed: "Bearer"
		{"garbage", "Bearer garbage", 401, invalid},
		{"other secret", "Bearer " + signWith(t, "other-secret", TokenClaims{Email: "ann@example.com"}, now), 401, invalid},
		{"alg none", "Bearer " + none, 401, invalid},
		{"HS512", "Bearer " + hs512, 401, invalid},
		{"no visitor", "Bearer " + signWith(t, testSecret, TokenClaims{}, now), 401, invalid},
		{"no expiry", "Bearer " + mustSign(t, TokenClaims{Email: "ann@example.com"}), 401, invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", m.ts.URL+"/api/chat/conversations", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := m.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if resp.StatusCode != tt.wantCode || (tt.wantBody != "" && body != tt.wantBody) {
				t.Errorf("GET with Authorization %q: %d %s, want %d %s", tt.name, resp.StatusCode, body, tt.wantCode, tt.wantBody)
			}
		})
	}
	if got, want := m.srv.Stats().Rejections, (RejectionStats{MissingToken: 5, BadToken: 6}); got != want {
		t.Errorf("Stats().Rejections = %+v, want %+v", got, want)
	}
}

func mustSign(t *testing.T, c TokenClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func FuzzParseSessionRequest(f *testing.F) {
	for _, s := range []string{`{}`, `{"email":"a@b.c","emailHash":"ab","timestamp":1764115200000}`, `null`, `[]`,
		`{"timestamp":"1"}`, `{"timestamp":1e3}`, `{"timestamp":-0}`, `{"currentToken":null}`, `x`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, valid, schemaOK := parseSessionRequest(body)
		if valid != json.Valid(body) {
			t.Fatalf("parseSessionRequest(%q): valid = %v, want %v", body, valid, !valid)
		}
		if !schemaOK {
			return
		}
		var obj map[string]any
		if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
			t.Fatalf("parseSessionRequest(%q): schemaOK for a non-object (%v)", body, err)
		}
		if e, ok := obj["email"].(string); ok && e != p.email {
			t.Errorf("parseSessionRequest(%q): email = %q, want %q", body, p.email, e)
		}
		if ts, ok := obj["timestamp"].(float64); ok && float64(p.timestamp) != ts {
			t.Errorf("parseSessionRequest(%q): timestamp = %d, want %v", body, p.timestamp, ts)
		}
	})
}

package helperapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestEmailHash(t *testing.T) {
	tests := []struct {
		name, secret, email string
		ts                  int64
		want                string // from: printf '%s' "$email:$ts" | openssl dgst -sha256 -hmac "$secret"
	}{
		{"sample secret", testSecret, "ann@example.com", 1764115200000,
			"836c9a21a09c2e4cafb91bd4850820a0d6b0c3a20f653dbdadea250a788b683f"},
		{"plus address", "secret", "bob+load@example.org", 1700000000123,
			"e070b060971ad15f9010c45327f40c3b4d615edcf7915503b4625ee630bee235"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := emailHash(tt.secret, tt.email, tt.ts); got != tt.want {
				t.Errorf("emailHash(secret, %q, %d) = %s, want %s", tt.email, tt.ts, got, tt.want)
			}
		})
	}
}

// sessionServer checks session requests the way Helper does and records them.
type sessionServer struct {
	t      *testing.T
	bodies []map[string]json.RawMessage
}

func (s *sessionServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/widget/session" {
		s.t.Errorf("request %s %s, want POST /api/widget/session", r.Method, r.URL.Path)
	}
	if r.Header.Get("Authorization") != "" {
		s.t.Errorf("session request carries Authorization %q, want none", r.Header.Get("Authorization"))
	}
	b, _ := io.ReadAll(r.Body)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		s.t.Errorf("session body %q: %v", b, err)
	}
	s.bodies = append(s.bodies, m)
	w.Header().Set("Content-Type", "application/json")
	var email, hash string
	json.Unmarshal(m["email"], &email)
	json.Unmarshal(m["emailHash"], &hash)
	if email != "" {
		// The timestamp must be a JSON number, and the HMAC covers exactly its digits.
		d := json.NewDecoder(bytes.NewReader(m["timestamp"]))
		d.UseNumber()
		var ts any
		if err := d.Decode(&ts); err != nil {
			s.t.Errorf("timestamp %s: %v", m["timestamp"], err)
		}
		num, ok := ts.(json.Number)
		if !ok {
			s.t.Errorf("timestamp = %s (%T), want a JSON number", m["timestamp"], ts)
		}
		mac := hmac.New(sha256.New, []byte(testSecret))
		io.WriteString(mac, email+":"+string(num))
		if hash != hex.EncodeToString(mac.Sum(nil)) {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"valid":false,"error":"Invalid HMAC signature"}`)
			return
		}
	}
	io.WriteString(w, `{"valid":true,"token":"`+testToken+strconv.Itoa(len(s.bodies))+`","showWidget":true}`)
}

func TestCreateSession(t *testing.T) {
	now := time.UnixMilli(1764115200123)
	srv := &sessionServer{t: t}
	c, _ := newTestSession(t, srv, WithClock(func() time.Time { return now }))
	ctx := context.Background()

	s, tm, err := c.CreateSession(ctx, SessionRequest{Email: "ann@example.com", PageURL: "https://shop.example.com/orders",
		Metadata: map[string]string{"plan": "pro"}})
	if err != nil {
		t.Fatalf("CreateSession(email) = %v", err)
	}
	if s.Email() != "ann@example.com" || s.Anonymous() || s.token() != testToken+"1" {
		t.Errorf("session = email %q, anonymous %v; want ann@example.com with the server's token", s.Email(), s.Anonymous())
	}
	if tm.Status != 200 || tm.BytesOut == 0 || tm.BytesIn == 0 || tm.Total < tm.Headers {
		t.Errorf("Timing = %+v, want status 200, bytes both ways", tm)
	}
	if got, want := string(srv.bodies[0]["timestamp"]), "1764115200123"; got != want {
		t.Errorf("timestamp = %s, want %s (Unix milliseconds from the clock)", got, want)
	}
	// The widget's email body (packages/sdk/src/index.ts): no currentToken.
	if got, want := keysRaw(srv.bodies[0]), []string{"currentURL", "customerMetadata", "email", "emailHash", "timestamp"}; !slices.Equal(got, want) {
		t.Errorf("email body keys = %v, want %v", got, want)
	}
	if got := string(srv.bodies[0]["currentURL"]); got != `"https://shop.example.com/orders"` {
		t.Errorf("currentURL = %s", got)
	}

	anon, _, err := c.CreateSession(ctx, SessionRequest{})
	if err != nil {
		t.Fatalf("CreateSession(anonymous) = %v", err)
	}
	if !anon.Anonymous() {
		t.Errorf("Anonymous() = false for a session without email")
	}
	if got := keysRaw(srv.bodies[1]); len(got) != 1 || got[0] != "currentToken" || string(srv.bodies[1]["currentToken"]) != "null" {
		t.Errorf("anonymous body keys = %v, want only currentToken, null on a first visit", got)
	}

	again, _, err := c.CreateSession(ctx, SessionRequest{Previous: anon})
	if err != nil {
		t.Fatalf("CreateSession(previous) = %v", err)
	}
	var cur string
	json.Unmarshal(srv.bodies[2]["currentToken"], &cur)
	if cur != anon.token() || again.token() == anon.token() {
		t.Errorf("currentToken = %q, want the previous token, and a new token back", cur)
	}
}

func keysRaw(m map[string]json.RawMessage) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestCreateSessionFailures(t *testing.T) {
	srv := &sessionServer{t: t}
	t.Run("wrong secret", func(t *testing.T) {
		c, _ := newTestSession(t, srv, WithSecret("not-the-secret"))
		s, tm, err := c.CreateSession(context.Background(), SessionRequest{Email: "ann@example.com"})
		var e *Error
		if s != nil || !errors.As(err, &e) || e.Kind != KindAuth || e.Status != 401 || e.Msg != "Invalid HMAC signature" {
			t.Fatalf("CreateSession() = %v, %v; want nil and auth 401 Invalid HMAC signature", s, err)
		}
		if tm.Status != 401 {
			t.Errorf("Timing.Status = %d, want 401", tm.Status)
		}
	})
	t.Run("no secret", func(t *testing.T) {
		c, _ := newTestSession(t, srv, WithSecret(""))
		n := len(srv.bodies)
		_, _, err := c.CreateSession(context.Background(), SessionRequest{Email: "ann@example.com"})
		if KindOf(err) != KindAuth || len(srv.bodies) != n {
			t.Errorf("CreateSession() without secret = %v and %d requests, want auth and none sent", err, len(srv.bodies)-n)
		}
	})
	t.Run("200 without token", func(t *testing.T) {
		c, _ := newTestSession(t, streamHandler(http.Header{"Content-Type": {"application/json"}}, 200, `{"valid":true}`))
		_, _, err := c.CreateSession(context.Background(), SessionRequest{})
		if KindOf(err) != KindProtocol {
			t.Errorf("CreateSession() = %v, want kind %q", err, KindProtocol)
		}
	})
}

func TestPooledEmailHash(t *testing.T) {
	c, err := New("http://127.0.0.1:1", WithSecret("s3cr3t"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 { // the pooled HMAC is reset between uses
		email := fmt.Sprintf("user-%d@example.com", i)
		if got, want := c.emailHash(email, 1764115200000+int64(i)), emailHash("s3cr3t", email, 1764115200000+int64(i)); got != want {
			t.Errorf("c.emailHash(%q) = %s, want %s", email, got, want)
		}
	}
}

var sessionSeeds = []string{
	`{"valid":true,"token":"eyJ.a.b","supabaseUrl":"https://x","showWidget":true,"notifications":[{"id":1}]}`,
	`{"valid":false,"error":"Invalid HMAC signature"}`, `{"valid":true,"valid":null}`, `{"VALID":false,"Token":"t"}`,
	`{"token":"a","token":null}`, `{"valid":1}`, `{"token":7}`, `{"error":"caf\u00e9"}`, `{"error":"café"}`,
	`{"valid":"true"}`, `{}`, `[]`, `{"valid":tru`,
}

func checkSession(t *testing.T, v []byte) {
	t.Helper()
	var want sessionReply
	err := json.Unmarshal(v, &want)
	var got sessionReply
	if got.plain(v) && (err != nil || !reflect.DeepEqual(got, want)) {
		t.Errorf("sessionReply.plain(%q) = %+v; encoding/json gives %+v, %v", v, got, want, err)
	}
}

func TestSessionFastPath(t *testing.T) {
	for _, s := range sessionSeeds {
		checkSession(t, []byte(s))
	}
	var r sessionReply
	if !r.plain([]byte(sessionSeeds[0])) || r.Token != "eyJ.a.b" || r.Valid == nil || !*r.Valid {
		t.Errorf("plain(a usual reply) = %+v, want the token and valid=true", r)
	}
}

func FuzzSessionFastPath(f *testing.F) {
	for _, s := range sessionSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) { checkSession(t, v) })
}

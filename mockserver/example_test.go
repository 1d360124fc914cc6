package mockserver_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/loadgen/loadgen/mockserver"
)

// A mock on a loopback test server: an anonymous session, a conversation,
// and one streamed reply of three tokens with the data part first.
func Example() {
	srv, err := mockserver.New(mockserver.Config{
		Secret:   "example-secret",
		Tokens:   mockserver.Range{Min: 3, Max: 3},
		DataPart: 1,
	})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()

	post := func(path, token, body string) string {
		req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	field := func(body, name string) string {
		_, rest, _ := strings.Cut(body, `"`+name+`":"`)
		v, _, _ := strings.Cut(rest, `"`)
		return v
	}

	token := field(post("/api/widget/session", "", `{}`), "token")
	slug := field(post("/api/chat/conversation", token, `{}`), "conversationSlug")
	reply := post("/api/chat", token, `{"conversationSlug":"`+slug+`","message":{"role":"user","content":"Hi"}}`)
	var prefixes []string
	for _, line := range strings.Split(strings.TrimSpace(reply), "\n") {
		prefixes = append(prefixes, line[:2])
	}
	fmt.Println(strings.Join(prefixes, " "))
	fmt.Println(srv.Stats().Messages.StreamCompleted, "reply completed")
	// Output:
	// 2: f: 0: 0: 0: e: d: 8:
	// 1 reply completed
}

// The text forms of the latency model's flags.
func ExampleParseDist() {
	for _, s := range []string{"800ms", "uniform:100ms,50ms", "lognormal:800ms,300ms"} {
		d, err := mockserver.ParseDist(s)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-22s kind=%s mean=%v jitter=%v\n", s, d.Kind, d.Mean, d.Jitter)
	}
	// Output:
	// 800ms                  kind=fixed mean=800ms jitter=0s
	// uniform:100ms,50ms     kind=uniform mean=100ms jitter=50ms
	// lognormal:800ms,300ms  kind=lognormal mean=800ms jitter=300ms
}

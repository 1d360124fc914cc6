package testutil

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

// TestPipeListenerInABubble: an HTTP server and client talk over a
// PipeListener in a synctest bubble, and the server's hour-long delay takes
// exactly an hour of the bubble's virtual time.
func TestPipeListenerInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ln := NewPipeListener()
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(time.Hour)
			io.WriteString(w, "late")
		})}
		go srv.Serve(ln)
		defer srv.Close()
		tr := &http.Transport{DialContext: ln.Dial}
		defer tr.CloseIdleConnections()
		c := &http.Client{Transport: tr}

		start := time.Now()
		resp, err := c.Get("http://pipe.test/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "late" || time.Since(start) != time.Hour {
			t.Errorf("GET = %q after %v; want \"late\" after exactly 1h of virtual time", body, time.Since(start))
		}

		ln.Close()
		if _, err := ln.Dial(context.Background(), "tcp", "pipe.test:80"); !errors.Is(err, errRefused) {
			t.Errorf("Dial after Close = %v, want connection refused", err)
		}
	})
}

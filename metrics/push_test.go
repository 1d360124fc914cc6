package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// pushRequest is what a fake Pushgateway received.
type pushRequest struct {
	method, path, auth string
	families           map[string]*dto.MetricFamily
}

// fakeGateway records requests and answers with status.
type fakeGateway struct {
	status int
	reqs   chan pushRequest
}

func newFakeGateway(t *testing.T, status int) (*fakeGateway, *httptest.Server) {
	g := &fakeGateway{status: status, reqs: make(chan pushRequest, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr := pushRequest{method: r.Method, path: r.URL.EscapedPath(), auth: r.Header.Get("Authorization"),
			families: map[string]*dto.MetricFamily{}}
		dec := expfmt.NewDecoder(r.Body, expfmt.ResponseFormat(r.Header))
		for {
			var mf dto.MetricFamily
			if err := dec.Decode(&mf); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("fake gateway: decoding %s body: %v", r.Method, err)
				}
				break
			}
			pr.families[mf.GetName()] = &mf
		}
		select {
		case g.reqs <- pr:
		default:
		}
		w.WriteHeader(g.status)
	}))
	t.Cleanup(srv.Close)
	return g, srv
}

// next returns the next request, failing the test after a generous wait.
func (g *fakeGateway) next(t *testing.T) pushRequest {
	t.Helper()
	select {
	case r := <-g.reqs:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no request reached the fake Pushgateway within 10s")
	}
	return pushRequest{}
}

// grouping returns the grouping key of a push path
// (/metrics/job/J/name/value...) as sorted name=value pairs; the order of
// the pairs in the path is not fixed.
func grouping(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/metrics/"), "/")
	var pairs []string
	for i := 0; i+1 < len(parts); i += 2 {
		pairs = append(pairs, parts[i]+"="+parts[i+1])
	}
	slices.Sort(pairs)
	return strings.Join(pairs, " ")
}

// runPusher runs p until stop is called; stop returns Run's error.
func runPusher(p *Pusher) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() error { cancel(); return <-done }
}

func TestPusherPushesPeriodicallyAndAtTheEnd(t *testing.T) {
	g, srv := newFakeGateway(t, http.StatusAccepted)
	m := New("demo", WithRunID("run-7"), WithVersion("dev"))
	p, err := NewPusher(m, srv.URL, WithPushInstance("shard-0"), WithPushInterval(10*time.Millisecond), WithPushKeep(true))
	if err != nil {
		t.Fatalf("NewPusher() error = %v", err)
	}
	stop := runPusher(p)
	for range 2 { // the first push, then at least one periodic one
		if r := g.next(t); r.method != http.MethodPut {
			t.Errorf("push method = %s, want PUT", r.method)
		}
	}
	sample(m)
	if err := stop(); err != nil {
		t.Errorf("Run() = %v, want nil", err)
	}
	var last pushRequest
	for len(g.reqs) > 0 {
		last = <-g.reqs
	}
	if got, want := grouping(last.path), "instance=shard-0 job=loadgen"; got != want {
		t.Errorf("push path %q: grouping %q, want %q", last.path, got, want)
	}
	got := last.families["loadgen_sessions_started_total"].GetMetric()[0].GetCounter().GetValue()
	if got != 2 {
		t.Errorf("final push: loadgen_sessions_started_total = %g, want 2 (the end state)", got)
	}
	// The run id is on loadgen_run_info, and on no other series.
	for name, mf := range last.families {
		if !strings.HasPrefix(name, "loadgen_") {
			t.Errorf("pushed %s; only loadgen_ series are pushed", name)
		}
		for _, m := range mf.GetMetric() {
			hasRunID := slices.ContainsFunc(m.GetLabel(), func(lp *dto.LabelPair) bool { return lp.GetName() == "run_id" })
			if hasRunID != (name == "loadgen_run_info") {
				t.Errorf("pushed %s: run_id label %v; want it on loadgen_run_info only", name, hasRunID)
			}
		}
	}
	if h := last.families["loadgen_time_to_first_token_seconds"].GetMetric()[0].GetHistogram(); len(h.GetPositiveSpan()) == 0 {
		t.Error("pushed TTFT histogram has no native buckets (push must use protobuf)")
	}
}

// TestPusherDelete: by default the group is deleted after the final push
// has lingered; WithPushKeep keeps it.
func TestPusherDelete(t *testing.T) {
	tests := []struct {
		name    string
		keep    bool
		methods []string
	}{
		{"keep", true, []string{http.MethodPut, http.MethodPut}},
		{"delete (default)", false, []string{http.MethodPut, http.MethodPut, http.MethodDelete}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, srv := newFakeGateway(t, http.StatusAccepted)
			const linger = 50 * time.Millisecond
			p, err := NewPusher(New("demo"), srv.URL, WithPushInterval(time.Hour), WithPushKeep(tt.keep), WithPushLinger(linger))
			if err != nil {
				t.Fatalf("NewPusher() error = %v", err)
			}
			stop := runPusher(p)
			g.next(t) // the first push
			start := time.Now()
			if err := stop(); err != nil {
				t.Errorf("Run() = %v, want nil", err)
			}
			if took := time.Since(start); !tt.keep && took < linger {
				t.Errorf("Run returned %v after the end; want the final push to linger %v before the delete", took, linger)
			}
			got := []string{http.MethodPut}
			for len(g.reqs) > 0 {
				got = append(got, (<-g.reqs).method)
			}
			if strings.Join(got, " ") != strings.Join(tt.methods, " ") {
				t.Errorf("requests = %v, want %v", got, tt.methods)
			}
		})
	}
}

func TestPusherFailuresLoggedNotFatal(t *testing.T) {
	const password = "hunter2-very-secret"
	g, srv := newFakeGateway(t, http.StatusInternalServerError)
	var logs testutil.SyncBuffer
	u := strings.Replace(srv.URL, "http://", "http://ci:"+password+"@", 1)
	p, err := NewPusher(New("demo"), u, WithPushInterval(10*time.Millisecond), WithPushLinger(0),
		WithPushLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatalf("NewPusher() error = %v", err)
	}
	stop := runPusher(p)
	r := g.next(t)
	if !strings.HasPrefix(r.auth, "Basic ") {
		t.Errorf("Authorization = %q, want basic auth from the URL's credentials", r.auth)
	}
	g.next(t) // a second push after the first failed: Run goes on
	err = stop()
	if err == nil {
		t.Error("Run() = nil, want the final push's error")
	}
	if !strings.Contains(logs.String(), "push to pushgateway failed") {
		t.Errorf("logs = %q, want the failed pushes logged", logs.String())
	}
	for what, s := range map[string]string{"logs": logs.String(), "Run error": err.Error()} {
		if strings.Contains(s, password) {
			t.Errorf("%s contain the password from the URL", what)
		}
	}
}

func TestPusherDeadGateway(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // a port nothing listens on
	var logs testutil.SyncBuffer
	p, err := NewPusher(New("demo"), srv.URL, WithPushTimeout(2*time.Second), WithPushKeep(true),
		WithPushLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatalf("NewPusher() error = %v", err)
	}
	if err := runPusher(p)(); err == nil {
		t.Error("Run() = nil against a dead gateway, want the final push's error")
	}
	if !strings.Contains(logs.String(), "final push to pushgateway failed") {
		t.Errorf("logs = %q, want the final push failure logged", logs.String())
	}
}

func TestNewPusherErrors(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		wantErr string
	}{
		{"no URL", "", "empty URL"},
		{"bad scheme", "ftp://h:1", "http(s)://host"},
		{"no host", "http://", "http(s)://host"},
		{"unparsable, with a password", "http://u:pw-secret@h:1/%zz", "unparsable URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPusher(New("demo"), tt.url)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewPusher(%q) error = %v, want one containing %q", tt.url, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "pw-secret") {
				t.Errorf("error %q contains the URL's password", err)
			}
		})
	}
}

func TestPushURL(t *testing.T) {
	tests := []struct {
		raw, want, user string
	}{
		{"127.0.0.1:9091", "http://127.0.0.1:9091", ""},
		{"https://pg.example:443/", "https://pg.example:443", ""},
		{"http://ci:pw@pg:9091/prefix/?x=1", "http://pg:9091/prefix", "ci"},
	}
	for _, tt := range tests {
		got, user, err := pushURL(tt.raw)
		if err != nil || got != tt.want || user.Username() != tt.user {
			t.Errorf("pushURL(%q) = %q, %v, %v; want %q, user %q, nil", tt.raw, got, user, err, tt.want, tt.user)
		}
	}
}

package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/loadgen/loadgen/internal/precise"
)

// Request body caps; larger bodies get 413. The routes that take
// attachments (base64 data URLs) allow enough for Helper's own limits (25 MB
// a file, 50 MB in all, decoded) to be reached and answered as Helper does.
const (
	maxBody           = 1 << 20
	maxAttachmentBody = 72 << 20
)

// maxIdleTimers bounds the precise timers (timerfds) kept between pauses.
const maxIdleTimers = 256

// errClosed reports that the Server was closed while a request waited.
var errClosed = errors.New("mockserver: server closed")

// Server is a fake Helper deployment: an http.Handler serving the Helper
// API under /api/, its counts at GET /stats (JSON) and GET /metrics
// (Prometheus, helpermock_* metrics from the server's own registry). Create
// it with New; it is safe for concurrent use. Call Close when done.
type Server struct {
	cfg         Config
	key         []byte // the secret's bytes: HMAC and JWT key
	parser      *jwt.Parser
	tokens      tokenCache
	mux         *http.ServeMux
	store       *store
	capacity    *capacity
	async       *scheduler
	metrics     *metrics
	counts      counters
	routeCounts [len(allRoutes)]routeCounter
	sdk         []byte    // GET /widget/sdk.js
	bufs        sync.Pool // *bytes.Buffer for request bodies
	streams     sync.Pool // *streamWriter scratch
	fine        *precise.Pool
	rand        *randSource // the model's draws (Config.Seed); nil: the global source

	done      chan struct{} // closed by Close
	closeOnce sync.Once
}

// New returns a Server for cfg, or an error naming the first bad field.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg,
		key: []byte(cfg.Secret),
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithTimeFunc(cfg.Now),
			jwt.WithExpirationRequired(),
		),
		mux:      http.NewServeMux(),
		store:    newStore(cfg.MaxConversations, cfg.MaxMessages, cfg.ReplyCacheSize),
		capacity: newCapacity(cfg.Capacity, cfg.QueueLimit),
		async:    newScheduler(),
		fine:     precise.NewPool(maxIdleTimers),
		rand:     newRandSource(cfg.Seed),
		done:     make(chan struct{}),
		sdk:      sdkScript(cfg.SDKSize),
	}
	s.metrics = newMetrics(s)
	s.routes()
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops background work: pending async replies are dropped, running
// ones finish, and streams waiting on a delay or for capacity end at once.
// It does not close listeners. Close is idempotent and safe for concurrent use.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		s.async.close()
		s.fine.Close()
	})
	return nil
}

// Serve serves s on ln until ctx is done, then closes s, shuts the HTTP
// server down (waiting up to 5 s for requests to end) and returns nil. It
// returns an error if serving fails for another reason.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return fmt.Errorf("mockserver: serve: %w", err)
	case <-ctx.Done():
	}
	s.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		hs.Close()
	}
	<-errc
	return nil
}

// readBody reads the request body into a pooled buffer; the caller returns
// it with putBuf. A body over maxBody gets 413 and an error.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (*bytes.Buffer, error) {
	return s.readBodyMax(w, r, maxBody)
}

// readBodyMax is readBody with the cap limit.
func (s *Server) readBodyMax(w http.ResponseWriter, r *http.Request, limit int64) (*bytes.Buffer, error) {
	buf, _ := s.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		s.putBuf(buf)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.reject(r, &s.counts.invalidRequest, "invalid_request")
			writeError(w, http.StatusRequestEntityTooLarge, "Request body too large")
		}
		return nil, fmt.Errorf("mockserver: read body: %w", err)
	}
	return buf, nil
}

func (s *Server) putBuf(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		s.bufs.Put(b)
	}
}

// writeJSON writes v as a JSON response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own response types are marshaled; this cannot happen.
		panic(fmt.Sprintf("mockserver: marshal response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// ok writes a successful JSON response with Helper's CORS headers
// (corsResponse in app/api/widget/utils.ts).
func ok(w http.ResponseWriter, v any) {
	setCORS(w.Header())
	writeJSON(w, http.StatusOK, v)
}

// errorBody is Helper's JSON error body.
type errorBody struct {
	Error string `json:"error"`
}

// writeError writes Helper's {"error": msg} body with status and no CORS
// headers, as the routes that answer with a bare Response.json do.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// corsError writes {"error": msg} with Helper's CORS headers, as the
// routes that answer errors with corsResponse do.
func corsError(w http.ResponseWriter, status int, msg string) {
	setCORS(w.Header())
	writeJSON(w, status, errorBody{Error: msg})
}

// unhandled writes what Helper sends when a route throws: a bare 500 with
// an empty body.
func unhandled(w http.ResponseWriter) {
	w.WriteHeader(http.StatusInternalServerError)
}

// pause waits d, or until ctx is done or the server closes. It returns nil
// after a full wait and never waits when d ≤ 0. With PreciseDelays, the last
// precise.Window of the wait is on a precise timer, not interrupted: a Go timer alone fires up
// to a millisecond late, which a benchmark of TTFT accuracy would otherwise
// measure as the client's error. The precise timer (a file descriptor) is
// held only for that last part.
func (s *Server) pause(ctx context.Context, t *time.Timer, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if !s.cfg.PreciseDelays {
		return s.wait(ctx, t, d)
	}
	deadline := time.Now().Add(d)
	if err := s.wait(ctx, t, d-precise.Window); err != nil {
		return err
	}
	fine := s.fine.Get()
	if fine == nil { // no precise timer here (or no file descriptor left)
		return s.wait(ctx, t, time.Until(deadline))
	}
	fine.Sleep(time.Until(deadline))
	s.fine.Put(fine)
	return nil
}

// wait waits d on t (nothing when d ≤ 0), or until ctx is done or the
// server closes.
func (s *Server) wait(ctx context.Context, t *time.Timer, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t.Reset(d)
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	case <-s.done:
		t.Stop()
		return errClosed
	}
}

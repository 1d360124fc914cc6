package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsPath is where Serve exposes the registry.
const MetricsPath = "/metrics"

// shutdownTimeout bounds how long Serve waits for in-flight scrapes when its
// context ends.
const shutdownTimeout = 5 * time.Second

// Handler returns the /metrics handler for reg: OpenMetrics and the
// protobuf format (which carries native histograms) are negotiated from the
// scraper's Accept header, and scrapes are counted on reg.
func Handler(reg *prometheus.Registry) http.Handler {
	return promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		Registry:          reg,
		ErrorHandling:     promhttp.ContinueOnError,
		ErrorLog:          slogLogger{slog.Default()},
	}))
}

// slogLogger adapts slog to promhttp's Logger.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Println(v ...any) { s.l.Warn("metrics: serving /metrics", "err", fmt.Sprint(v...)) }

// Server is a running /metrics endpoint started by Serve.
type Server struct {
	addr    net.Addr
	done    chan struct{}
	err     error // set before done is closed
	scrapes scrapeWatch
}

// Serve listens on addr (host:port; port 0 picks a free one) and serves reg
// at MetricsPath until ctx ends, then shuts down gracefully. It returns once
// the listener is bound, so a scraper can connect to Addr at once; a listen
// error is returned directly.
func Serve(ctx context.Context, addr string, reg *prometheus.Registry) (*Server, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen: %w", err)
	}
	mux := http.NewServeMux()
	s := &Server{addr: ln.Addr(), done: make(chan struct{})}
	mux.Handle("GET "+MetricsPath, s.scrapes.wrap(Handler(reg)))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	go func() {
		defer close(s.done)
		select {
		case err := <-served: // the listener failed on its own
			s.err = fmt.Errorf("metrics: serve %s: %w", s.addr, err)
			return
		case <-ctx.Done():
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			hs.Close()
		}
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = fmt.Errorf("metrics: serve %s: %w", s.addr, err)
		}
	}()
	return s, nil
}

// Addr returns the address the server listens on, e.g. "127.0.0.1:41234".
func (s *Server) Addr() string { return s.addr.String() }

// URL returns the full URL of the metrics endpoint.
func (s *Server) URL() string { return "http://" + s.Addr() + MetricsPath }

// Done is closed when the server has shut down after its context ended.
func (s *Server) Done() <-chan struct{} { return s.done }

// Err returns why the server stopped, nil after a clean shutdown. Call it
// after Done is closed.
func (s *Server) Err() error { return s.err }

// AwaitScrape blocks until a scrape that began after the call has been
// answered, or ctx ends (returning its error). A run calls it after its last
// result, before ending Serve's context, so that Prometheus collects the
// final values; bound it with a timeout, since nobody may be scraping.
func (s *Server) AwaitScrape(ctx context.Context) error {
	ch := s.scrapes.await()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// scrapeWatch tells waiters when a scrape that began after they started
// waiting has been answered.
type scrapeWatch struct {
	mu      sync.Mutex // guards started and waiters
	started uint64     // scrapes begun so far
	waiters []scrapeWaiter
}

type scrapeWaiter struct {
	after uint64 // a scrape numbered after this many satisfies the waiter
	ch    chan struct{}
}

func (w *scrapeWatch) await() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	w.waiters = append(w.waiters, scrapeWaiter{after: w.started, ch: ch})
	return ch
}

func (w *scrapeWatch) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.started++
		n := w.started
		w.mu.Unlock()
		h.ServeHTTP(rw, r)
		w.mu.Lock()
		defer w.mu.Unlock()
		keep := w.waiters[:0]
		for _, x := range w.waiters {
			if n > x.after {
				close(x.ch)
			} else {
				keep = append(keep, x)
			}
		}
		w.waiters = keep
	})
}

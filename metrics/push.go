package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
)

// Pusher defaults.
const (
	DefaultPushJob      = "loadgen"
	DefaultPushInterval = 10 * time.Second
	DefaultPushTimeout  = 10 * time.Second
)

// PushOptions configure a Pusher.
type PushOptions struct {
	// URL is the Pushgateway's base URL, e.g. http://127.0.0.1:9091 (a bare
	// host:port gets http://). Credentials in it (user:password@) are sent as
	// basic auth and never logged or returned in errors.
	URL string
	// Job is the job grouping label (default DefaultPushJob).
	Job string
	// RunID is the run_id grouping label; required.
	RunID string
	// Instance is the instance grouping label, e.g. a shard name, so shards
	// of one run keep separate groups; "" leaves it out.
	Instance string
	// Interval is the time between pushes (default DefaultPushInterval).
	Interval time.Duration
	// Timeout bounds each push and delete (default DefaultPushTimeout).
	Timeout time.Duration
	// Delete removes the group from the Pushgateway after the final push;
	// by default the group is kept so Prometheus can scrape the end state.
	Delete bool
	// Client sends the requests (default: an http.Client with Timeout).
	Client *http.Client
	// Logger receives push failures (default slog.Default()).
	Logger *slog.Logger
}

// Pusher pushes a run's metrics to a Pushgateway at an interval and at the
// end. Failures are logged, never fatal. Only loadgen's own series are
// pushed (not the Go and process collectors), grouped by job, run_id and
// optionally instance; loadgen_run_info is pushed without its run_id label,
// which the group supplies.
type Pusher struct {
	p        *push.Pusher
	url      string // without credentials
	interval time.Duration
	timeout  time.Duration
	delete   bool
	log      *slog.Logger
}

// NewPusher returns a Pusher for m. It checks the options; it sends nothing
// until Run.
func NewPusher(m *Metrics, o PushOptions) (*Pusher, error) {
	base, user, err := pushURL(o.URL)
	if err != nil {
		return nil, err
	}
	if o.RunID == "" {
		return nil, errors.New("metrics: pushgateway: empty run id")
	}
	if o.Job == "" {
		o.Job = DefaultPushJob
	}
	if o.Interval <= 0 {
		o.Interval = DefaultPushInterval
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultPushTimeout
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	p := push.New(base, o.Job).
		Collector(pushCollector{m.c}).
		Grouping(labelRunID, o.RunID).
		Client(o.Client)
	if o.Instance != "" {
		p = p.Grouping("instance", o.Instance)
	}
	if user != nil {
		pw, _ := user.Password()
		p = p.BasicAuth(user.Username(), pw)
	}
	return &Pusher{p: p, url: base, interval: o.Interval, timeout: o.Timeout, delete: o.Delete, log: o.Logger}, nil
}

// pushURL returns the Pushgateway base URL without credentials, and the
// credentials.
func pushURL(raw string) (string, *url.Userinfo, error) {
	if raw == "" {
		return "", nil, errors.New("metrics: pushgateway: empty URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error holds the whole URL, credentials included: drop it.
		return "", nil, errors.New("metrics: pushgateway: unparsable URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		u.User = nil
		return "", nil, fmt.Errorf("metrics: pushgateway: URL needs http(s)://host: %q", u.String())
	}
	user := u.User
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimSuffix(u.String(), "/"), user, nil
}

// Run pushes at once, then every interval until ctx ends, then a final time
// (and deletes the group when PushOptions.Delete is set). Call it in its own
// goroutine and end ctx after the last result was recorded; Run returns when
// the final push is done. Every failure is logged; Run returns the final
// push's (and delete's) error so callers may report it, but a run must not
// fail because of it.
func (p *Pusher) Run(ctx context.Context) error {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		p.pushLogged(ctx)
		select {
		case <-ctx.Done():
			return p.finish(context.WithoutCancel(ctx))
		case <-t.C:
		}
	}
}

func (p *Pusher) pushLogged(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	err := p.p.PushContext(ctx)
	if err != nil && ctx.Err() == nil {
		p.log.Warn("metrics: push to pushgateway failed", "url", p.url, "err", err)
	}
}

func (p *Pusher) finish(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var errs []error
	if err := p.p.PushContext(ctx); err != nil {
		err = fmt.Errorf("metrics: final push: %w", err)
		p.log.Warn("metrics: final push to pushgateway failed", "url", p.url, "err", err)
		errs = append(errs, err)
	}
	if p.delete {
		if err := p.p.Delete(); err != nil { // bounded by the client's timeout
			err = fmt.Errorf("metrics: delete pushed group: %w", err)
			p.log.Warn("metrics: deleting the pushgateway group failed", "url", p.url, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pushCollector collects a Metrics' series for a push: everything but
// loadgen_run_info's run_id label, which the push grouping provides (the
// Pushgateway rejects a pushed label that repeats a grouping label).
type pushCollector struct{ c *vecs }

func (pc pushCollector) Describe(ch chan<- *prometheus.Desc) {
	pc.c.eachSeries(func(c prometheus.Collector) { c.Describe(ch) })
	pc.c.pushInfo.Describe(ch)
}

func (pc pushCollector) Collect(ch chan<- prometheus.Metric) {
	pc.c.eachSeries(func(c prometheus.Collector) { c.Collect(ch) })
	pc.c.pushInfo.Collect(ch)
}

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

// PushOption configures NewPusher.
type PushOption func(*pushConfig)

type pushConfig struct {
	job, instance     string
	interval, timeout time.Duration
	delete            bool
	client            *http.Client
	log               *slog.Logger
}

// WithPushJob sets the job grouping label (default DefaultPushJob).
func WithPushJob(job string) PushOption { return func(c *pushConfig) { c.job = job } }

// WithPushInstance sets the instance grouping label, e.g. a shard name, so
// shards of one run keep separate groups (default: none).
func WithPushInstance(instance string) PushOption {
	return func(c *pushConfig) { c.instance = instance }
}

// WithPushInterval sets the time between pushes (default
// DefaultPushInterval; d ≤ 0 keeps it).
func WithPushInterval(d time.Duration) PushOption { return func(c *pushConfig) { c.interval = d } }

// WithPushTimeout bounds each push and delete (default DefaultPushTimeout;
// d ≤ 0 keeps it).
func WithPushTimeout(d time.Duration) PushOption { return func(c *pushConfig) { c.timeout = d } }

// WithPushDelete removes the group from the Pushgateway after the final
// push; by default the group is kept so Prometheus can scrape the end state.
func WithPushDelete(del bool) PushOption { return func(c *pushConfig) { c.delete = del } }

// WithPushClient sets the client that sends the requests (default: an
// http.Client with the push timeout).
func WithPushClient(h *http.Client) PushOption { return func(c *pushConfig) { c.client = h } }

// WithPushLogger sets where push failures are logged (default
// slog.Default()).
func WithPushLogger(l *slog.Logger) PushOption { return func(c *pushConfig) { c.log = l } }

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

// NewPusher returns a Pusher of m's series to the Pushgateway at gateway, e.g.
// http://127.0.0.1:9091 (a bare host:port gets http://), grouped under the
// run_id runID. Credentials in the URL (user:password@) are sent as basic
// auth and never logged or returned in errors. It checks its arguments; it
// sends nothing until Run.
func NewPusher(m *Metrics, gateway, runID string, opts ...PushOption) (*Pusher, error) {
	base, user, err := pushURL(gateway)
	if err != nil {
		return nil, err
	}
	if runID == "" {
		return nil, errors.New("metrics: pushgateway: empty run id")
	}
	o := pushConfig{job: DefaultPushJob, interval: DefaultPushInterval, timeout: DefaultPushTimeout, log: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	if o.interval <= 0 {
		o.interval = DefaultPushInterval
	}
	if o.timeout <= 0 {
		o.timeout = DefaultPushTimeout
	}
	if o.client == nil {
		o.client = &http.Client{Timeout: o.timeout}
	}
	p := push.New(base, o.job).
		Collector(pushCollector{m.c}).
		Grouping(labelRunID, runID).
		Client(o.client)
	if o.instance != "" {
		p = p.Grouping("instance", o.instance)
	}
	if user != nil {
		pw, _ := user.Password()
		p = p.BasicAuth(user.Username(), pw)
	}
	return &Pusher{p: p, url: base, interval: o.interval, timeout: o.timeout, delete: o.delete, log: o.log}, nil
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
// (and deletes the group when WithPushDelete is set). Call it in its own
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

package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
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
	// DefaultPushLinger is how long the final values stay on the
	// Pushgateway before the group is deleted: two scrapes at the shipped
	// prometheus.yml's 5 s, so that Prometheus has them.
	DefaultPushLinger = 10 * time.Second
)

// PushOption configures NewPusher.
type PushOption func(*pushConfig)

type pushConfig struct {
	job, instance     string
	interval, timeout time.Duration
	keep              bool
	linger            time.Duration
	client            *http.Client
	log               *slog.Logger
}

// WithPushJob sets the job grouping label (default DefaultPushJob).
func WithPushJob(job string) PushOption { return func(c *pushConfig) { c.job = job } }

// WithPushInstance sets the instance grouping label (default: the host name
// and process id, as a scrape target's address would be, so that shards and
// concurrent runs keep separate groups).
func WithPushInstance(instance string) PushOption {
	return func(c *pushConfig) { c.instance = instance }
}

// WithPushInterval sets the time between pushes (default
// DefaultPushInterval; d ≤ 0 keeps it).
func WithPushInterval(d time.Duration) PushOption { return func(c *pushConfig) { c.interval = d } }

// WithPushTimeout bounds each push and delete (default DefaultPushTimeout;
// d ≤ 0 keeps it).
func WithPushTimeout(d time.Duration) PushOption { return func(c *pushConfig) { c.timeout = d } }

// WithPushKeep keeps the group on the Pushgateway after the run; by default
// it is deleted once the final values had time to be scraped, so a finished
// run does not look live forever.
func WithPushKeep(keep bool) PushOption { return func(c *pushConfig) { c.keep = keep } }

// WithPushLinger sets how long the final push stays before the group is
// deleted (default DefaultPushLinger; 0 deletes at once, d < 0 keeps the
// default).
func WithPushLinger(d time.Duration) PushOption {
	return func(c *pushConfig) {
		if d >= 0 {
			c.linger = d
		}
	}
}

// WithPushClient sets the client that sends the requests (default: an
// http.Client with the push timeout).
func WithPushClient(h *http.Client) PushOption { return func(c *pushConfig) { c.client = h } }

// WithPushLogger sets where push failures are logged (default
// slog.Default()).
func WithPushLogger(l *slog.Logger) PushOption { return func(c *pushConfig) { c.log = l } }

// Pusher pushes a run's metrics to a Pushgateway at an interval and at the
// end, then deletes the group once the final values had time to be scraped
// (unless kept). Failures are logged, never fatal. Only loadgen's own
// series are pushed (not the Go and process collectors), grouped by job and
// instance, as a scrape target's would be: the run id is on
// loadgen_run_info only, never a label of every series.
type Pusher struct {
	p        *push.Pusher
	url      string // without credentials
	interval time.Duration
	timeout  time.Duration
	keep     bool
	linger   time.Duration
	log      *slog.Logger
}

// NewPusher returns a Pusher of m's series to the Pushgateway at gateway, e.g.
// http://127.0.0.1:9091 (a bare host:port gets http://). Credentials in the
// URL (user:password@) are sent as basic auth and never logged or returned
// in errors. It checks its arguments; it sends nothing until Run.
func NewPusher(m *Metrics, gateway string, opts ...PushOption) (*Pusher, error) {
	base, user, err := pushURL(gateway)
	if err != nil {
		return nil, err
	}
	o := pushConfig{job: DefaultPushJob, interval: DefaultPushInterval, timeout: DefaultPushTimeout,
		linger: DefaultPushLinger, instance: defaultInstance(), log: slog.Default()}
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
		Client(o.client)
	if o.instance != "" {
		p = p.Grouping("instance", o.instance)
	}
	if user != nil {
		pw, _ := user.Password()
		p = p.BasicAuth(user.Username(), pw)
	}
	return &Pusher{p: p, url: base, interval: o.interval, timeout: o.timeout, keep: o.keep, linger: o.linger, log: o.log}, nil
}

// defaultInstance is host:pid, unique among processes pushing at once.
func defaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
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

// Run pushes at once, then every interval until ctx ends, then a final time;
// then, unless kept, it waits the linger time and deletes the group. Call it
// in its own goroutine and end ctx after the last result was recorded; Run
// returns when the final push and the delete are done. Every failure is
// logged; Run returns the final push's (and delete's) error so callers may
// report it, but a run must not fail because of it.
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
	if !p.keep {
		time.Sleep(p.linger)                 // Prometheus scrapes the final values meanwhile
		if err := p.p.Delete(); err != nil { // bounded by the client's timeout
			err = fmt.Errorf("metrics: delete pushed group: %w", err)
			p.log.Warn("metrics: deleting the pushgateway group failed", "url", p.url, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pushCollector collects what a push sends: every loadgen series and
// loadgen_run_info (the Go and process collectors stay out).
type pushCollector struct{ c *vecs }

func (pc pushCollector) Describe(ch chan<- *prometheus.Desc) {
	pc.c.each(func(c prometheus.Collector) { c.Describe(ch) })
}

func (pc pushCollector) Collect(ch chan<- prometheus.Metric) {
	pc.c.each(func(c prometheus.Collector) { c.Collect(ch) })
}

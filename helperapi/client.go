package helperapi

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults for the client's knobs.
const (
	DefaultTimeout      = 120 * time.Second // per request, including the whole streamed body
	DefaultPollInterval = 500 * time.Millisecond
	DefaultPollTimeout  = 60 * time.Second

	// DefaultMaxConnsPerHost sizes the idle pool of the transport New builds
	// when no WithHTTPClient is given.
	DefaultMaxConnsPerHost = 100
)

// userAgent identifies loadgen to the target.
const userAgent = "loadgen-helperapi/1"

// Client talks to one Helper deployment. It is safe for concurrent use; one
// Client serves every virtual user of a run, sharing its connection pool.
// Build it with New; the zero value is not usable.
type Client struct {
	base    string // scheme://host[:port][/prefix], no trailing slash
	hc      *http.Client
	direct  bool       // requests go to hc's transport directly (see do)
	secret  hidden     // nil without a secret
	macs    *sync.Pool // HMAC-SHA256 keyed with the secret (hash.Hash), when there is one
	timeout time.Duration
	header  http.Header
	now     func() time.Time
	ids     *idGen
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: one on NewTransport). A nil
// hc keeps the default. The client's own Timeout, if any, applies on top of
// the per-request timeout. A load test measures what it asked for, so when
// hc.CheckRedirect is nil the Client uses a copy of hc that reports a
// redirect (KindProtocol) instead of following it (a followed POST would
// turn into a GET); set CheckRedirect to choose otherwise.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// WithSecret sets the HMAC secret used to sign email sessions. Without it,
// only anonymous sessions can be created.
func WithSecret(s string) Option {
	return func(c *Client) {
		c.secret = nil
		if s != "" {
			c.secret = hide(s)
		}
	}
}

// WithTimeout sets the per-request timeout (default DefaultTimeout). It covers
// the whole exchange, streamed body included; d <= 0 disables it, leaving
// only the caller's context.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithHeader adds a header to every request.
func WithHeader(key, value string) Option { return func(c *Client) { c.header.Add(key, value) } }

// WithClock sets the clock used for HMAC timestamps and for reading a
// Retry-After date (tests). Durations are always measured with time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
	}
}

// New returns a Client for the deployment at baseURL (e.g. "http://127.0.0.1:8080";
// paths /api/... are appended).
func New(baseURL string, opts ...Option) (*Client, error) {
	// The errors show the URL without what may be a credential (user info,
	// query, fragment): people pass tokens in URLs.
	u, err := url.Parse(baseURL)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err // url.Error's text holds the whole URL
		}
		return nil, fmt.Errorf("helperapi: base URL: not a URL: %w", err)
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("helperapi: base URL: %q: scheme must be http or https", shown)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("helperapi: base URL: %q: no host", shown)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("helperapi: base URL: %q: must not hold user info, query or fragment (they are left out here)", shown)
	}
	c := &Client{
		base:    strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"),
		timeout: DefaultTimeout,
		header:  make(http.Header),
		now:     time.Now,
		ids:     newIDGen(),
	}
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: NewTransport(DefaultMaxConnsPerHost)}
	}
	if secret := c.secret; secret != nil {
		c.macs = &sync.Pool{New: func() any { return hmac.New(sha256.New, []byte(secret())) }}
	}
	if c.hc.CheckRedirect == nil {
		hc := *c.hc
		hc.CheckRedirect = noRedirect
		c.hc = &hc
		c.direct = hc.Jar == nil && hc.Timeout == 0
	}
	return c, nil
}

// do sends req. When the http.Client would add nothing — no cookie jar, no
// client timeout, redirects returned as they are, which New set up itself —
// it calls the transport directly: http.Client.Do would only copy the
// headers and URL for the redirects it never follows (5 allocations a
// request). Errors read as http.Client.Do's.
func (c *Client) do(req *http.Request) (*http.Response, error) {
	if !c.direct {
		return c.hc.Do(req)
	}
	resp, err := cmp.Or[http.RoundTripper](c.hc.Transport, http.DefaultTransport).RoundTrip(req)
	if err != nil {
		return nil, &url.Error{Op: req.Method[:1] + strings.ToLower(req.Method[1:]), URL: req.URL.String(), Err: err}
	}
	return resp, nil
}

// noRedirect makes an http.Client return a redirect response as it is.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// BaseURL returns the deployment's base URL as New normalised it.
func (c *Client) BaseURL() string { return c.base }

// String describes the client without its secret.
func (c *Client) String() string {
	return fmt.Sprintf("helperapi.Client{base: %s, secret: %s}", c.base, c.secretState())
}

// GoString is String, so %#v shows no secret either.
func (c *Client) GoString() string { return c.String() }

// LogValue implements slog.LogValuer without the secret.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base", c.base), slog.String("secret", c.secretState()))
}

func (c *Client) secretState() string {
	if c.secret == nil {
		return "none"
	}
	return redactedText
}

// redactor returns the strings this client must never show, plus extra ones
// (session tokens).
func (c *Client) redactor(extra ...string) redactor {
	r := make(redactor, 0, 1+len(extra))
	if c.secret != nil {
		r = append(r, c.secret())
	}
	return append(r, extra...)
}

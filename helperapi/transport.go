package helperapi

import (
	"net"
	"net/http"
	"time"
)

// Transport tuning. The dial and TLS timeouts bound connection set-up only;
// the per-request timeout (WithTimeout) bounds the whole exchange.
const (
	dialTimeout         = 10 * time.Second
	tcpKeepAlive        = 30 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
	idleConnTimeout     = 90 * time.Second
)

// NewTransport returns an http.Transport tuned for a load test: keep-alive,
// an idle pool sized for maxConnsPerHost users, HTTP/2 when offered over TLS.
//
// Proxies come from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY; never
// for loopback targets). Compression is off, so byte counts are the bytes the
// server wrote and a streamed reply is never held back by a decompressor. The
// number of connections per host is not capped: a cap would queue requests
// inside the transport and hide that wait from the measured latency.
// maxConnsPerHost <= 0 means DefaultMaxConnsPerHost.
func NewTransport(maxConnsPerHost int) *http.Transport {
	if maxConnsPerHost <= 0 {
		maxConnsPerHost = DefaultMaxConnsPerHost
	}
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: tcpKeepAlive}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxConnsPerHost,
		MaxIdleConnsPerHost:   maxConnsPerHost,
		IdleConnTimeout:       idleConnTimeout,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
}

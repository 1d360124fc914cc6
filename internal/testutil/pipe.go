package testutil

import (
	"context"
	"errors"
	"net"
	"sync"
)

// PipeListener is a net.Listener in memory: each Dial hands the server one
// end of a net.Pipe. A goroutine blocked on such a connection is durably
// blocked in a testing/synctest bubble (one blocked on a socket is not), so a
// real HTTP server and client can run in a bubble, on its virtual time. Safe
// for concurrent use; create it with NewPipeListener.
type PipeListener struct {
	conns     chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
}

// NewPipeListener returns a listening PipeListener.
func NewPipeListener() *PipeListener {
	return &PipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// errRefused is what Dial returns once the listener is closed.
var errRefused = errors.New("connection refused")

// Dial connects to the listener, waiting until the server accepts; it fails
// as a refused connection once the listener is closed. Its signature is
// http.Transport's DialContext.
func (l *PipeListener) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	client, server := net.Pipe()
	var err error
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		err = errRefused
	case <-ctx.Done():
		err = ctx.Err()
	}
	client.Close()
	server.Close()
	return nil, &net.OpError{Op: "dial", Net: network, Addr: pipeAddr{}, Err: err}
}

// Accept waits for the next Dial.
func (l *PipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting; later Dials are refused. Connections already made
// stay open.
func (l *PipeListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return nil
}

// Addr returns the listener's address, "pipe".
func (l *PipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

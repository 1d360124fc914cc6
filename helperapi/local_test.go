package helperapi

import (
	"context"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
)

// A request that fails because this process is out of file descriptors or
// ephemeral ports is the client's own failure (KindLocal), never the
// target's connect error: loadgen once blamed 43 252 of its own EMFILEs on
// the target.
func TestLocalResourceErrors(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.EADDRNOTAVAIL} {
		t.Run(errno.Error(), func(t *testing.T) {
			tr := NewTransport(0)
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("socket", errno)}
			}
			c, err := New("http://127.0.0.1:9", WithHTTPClient(&http.Client{Transport: tr}))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = c.ResumeSession(testToken, "").CreateConversation(context.Background(), "", false)
			if got := KindOf(err); got != KindLocal {
				t.Errorf("CreateConversation() with dial error %v: kind %q, want %q (%v)", errno, got, KindLocal, err)
			}
		})
	}
}

// A bad base URL's error never repeats what may be a credential in it
// (--target http://user:PASSWORD@… once echoed the password).
func TestBaseURLErrorsRedact(t *testing.T) {
	for _, u := range []string{
		"http://bob:hunter2@127.0.0.1:1",
		"http://bob:hunter2@127.0.0.1:1/%zz",
		"ftp://bob:hunter2@x",
		"http://127.0.0.1:1/?token=hunter2",
		"http://127.0.0.1:1/#hunter2",
	} {
		_, err := New(u)
		if err == nil {
			t.Errorf("New(%q): no error", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("New(%q) error shows the credential: %v", u, err)
		}
	}
}

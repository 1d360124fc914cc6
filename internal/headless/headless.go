// Package headless drives a headless Chromium over the DevTools protocol on
// a pipe (--remote-debugging-pipe), for tests of loadgen's HTML pages: load
// a page with the network cut off, record every request it makes and every
// script error, evaluate JavaScript, move the mouse and take screenshots.
// It needs nothing beyond the standard library and a Chromium binary.
package headless

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"sync"
	"time"
)

// ErrNotFound means no Chromium binary was found.
var ErrNotFound = errors.New("headless: no chromium binary (set LOADGEN_CHROMIUM or install chromium)")

// Find returns the Chromium binary: $LOADGEN_CHROMIUM, else the first of
// chromium, chromium-browser, google-chrome on $PATH.
func Find() (string, error) {
	if p := os.Getenv("LOADGEN_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Browser is a running headless Chromium. Its methods are safe for
// concurrent use.
type Browser struct {
	cmd  *exec.Cmd
	dir  string
	w    io.WriteCloser
	done chan struct{} // closed when the reader ends

	mu      sync.Mutex // guards next, pending, pages and readErr
	next    int
	pending map[int]chan reply
	pages   map[string]*Page
	readErr error
}

type reply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type message struct {
	ID        int             `json:"id"`
	Method    string          `json:"method"`
	Params    json.RawMessage `json:"params"`
	SessionID string          `json:"sessionId"`
	reply
}

// Start starts Chromium at path with a fresh profile and no way out to the
// network: every host name resolves to nothing and every connection goes to
// a proxy on a closed loopback port. Close stops it.
func Start(path string) (*Browser, error) {
	dir, err := os.MkdirTemp("", "loadgen-chromium-")
	if err != nil {
		return nil, fmt.Errorf("headless: %w", err)
	}
	toChrome, fromUs, err := os.Pipe() // Chromium reads commands on fd 3
	if err != nil {
		return nil, fmt.Errorf("headless: %w", err)
	}
	fromChrome, toUs, err := os.Pipe() // and writes replies and events on fd 4
	if err != nil {
		return nil, fmt.Errorf("headless: %w", err)
	}
	cmd := exec.Command(path,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
		"--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
		"--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
		"--user-data-dir="+dir, "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, toUs}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("headless: start %s: %w", path, err)
	}
	toChrome.Close()
	toUs.Close()
	b := &Browser{cmd: cmd, dir: dir, w: fromUs, done: make(chan struct{}),
		pending: map[int]chan reply{}, pages: map[string]*Page{}}
	go b.read(fromChrome, &stderr)
	return b, nil
}

// read dispatches replies to their callers and events to their pages.
func (b *Browser) read(r io.ReadCloser, stderr *bytes.Buffer) {
	defer close(b.done)
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.readErr = fmt.Errorf("headless: chromium ended: %v", err)
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var m message
		if err := json.Unmarshal(line[:len(line)-1], &m); err != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				ch <- m.reply
				delete(b.pending, m.ID)
			}
		} else if p := b.pages[m.SessionID]; p != nil {
			p.event(m.Method, m.Params)
		}
		b.mu.Unlock()
	}
}

// call sends a command (to a page's session when session is not "") and
// decodes its result into out (when not nil).
func (b *Browser) call(ctx context.Context, session, method string, params, out any) error {
	b.mu.Lock()
	if b.readErr != nil {
		b.mu.Unlock()
		return b.readErr
	}
	b.next++
	id := b.next
	ch := make(chan reply, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if params == nil {
		msg["params"] = struct{}{}
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := b.w.Write(append(data, 0)); err != nil {
		return fmt.Errorf("headless: %s: %w", method, err)
	}
	select {
	case r, ok := <-ch:
		if !ok {
			return fmt.Errorf("headless: %s: chromium ended", method)
		}
		if r.Error != nil {
			return fmt.Errorf("headless: %s: %s (%d)", method, r.Error.Message, r.Error.Code)
		}
		if out != nil {
			return json.Unmarshal(r.Result, out)
		}
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
		return fmt.Errorf("headless: %s: %w", method, ctx.Err())
	}
}

// Close stops Chromium and removes its profile.
func (b *Browser) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.call(ctx, "", "Browser.close", nil, nil)
	b.w.Close()
	select {
	case <-b.done:
	case <-time.After(5 * time.Second):
		b.cmd.Process.Kill()
	}
	b.cmd.Wait()
	return os.RemoveAll(b.dir)
}

// Page is a browser tab. Its methods are safe for concurrent use.
type Page struct {
	b       *Browser
	session string

	loaded chan struct{} // receives one value per load event

	mu       sync.Mutex // guards the lists below
	requests []string
	errs     []string
}

// NewPage opens a blank tab and starts recording its requests and errors.
func (b *Browser) NewPage(ctx context.Context) (*Page, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		return nil, err
	}
	p := &Page{b: b, session: att.SessionID, loaded: make(chan struct{}, 8)}
	b.mu.Lock()
	b.pages[p.session] = p
	b.mu.Unlock()
	for _, domain := range []string{"Page.enable", "Network.enable", "Runtime.enable", "Log.enable"} {
		if err := b.call(ctx, p.session, domain, nil, nil); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// event records what the page does; called with b.mu held.
func (p *Page) event(method string, params json.RawMessage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch method {
	case "Page.loadEventFired":
		select {
		case p.loaded <- struct{}{}:
		default:
		}
	case "Network.requestWillBeSent":
		var e struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		if json.Unmarshal(params, &e) == nil {
			p.requests = append(p.requests, e.Request.URL)
		}
	case "Runtime.exceptionThrown":
		var e struct {
			Details struct {
				Text      string `json:"text"`
				Exception struct {
					Description string `json:"description"`
				} `json:"exception"`
			} `json:"exceptionDetails"`
		}
		if json.Unmarshal(params, &e) == nil {
			p.errs = append(p.errs, e.Details.Text+" "+e.Details.Exception.Description)
		}
	case "Runtime.consoleAPICalled":
		var e struct {
			Type string `json:"type"`
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
		}
		if json.Unmarshal(params, &e) == nil && (e.Type == "error" || e.Type == "assert") {
			p.errs = append(p.errs, fmt.Sprintf("console.%s %v", e.Type, e.Args))
		}
	case "Log.entryAdded":
		var e struct {
			Entry struct {
				Level string `json:"level"`
				Text  string `json:"text"`
				URL   string `json:"url"`
			} `json:"entry"`
		}
		if json.Unmarshal(params, &e) == nil && e.Entry.Level == "error" {
			p.errs = append(p.errs, e.Entry.Text+" "+e.Entry.URL)
		}
	}
}

// Navigate loads url and waits for its load event.
func (p *Page) Navigate(ctx context.Context, url string) error {
	for len(p.loaded) > 0 {
		<-p.loaded
	}
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := p.b.call(ctx, p.session, "Page.navigate", map[string]any{"url": url}, &nav); err != nil {
		return err
	}
	if nav.ErrorText != "" {
		return fmt.Errorf("headless: navigate %s: %s", url, nav.ErrorText)
	}
	select {
	case <-p.loaded:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("headless: navigate %s: no load event: %w", url, ctx.Err())
	}
}

// Requests returns the URLs the page has requested, the page itself first.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// Errors returns the script exceptions, console errors and log errors so far.
func (p *Page) Errors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errs...)
}

// Eval evaluates the JavaScript expression (awaiting a promise) and decodes
// its JSON value into out, when out is not nil.
func (p *Page) Eval(ctx context.Context, expr string, out any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.b.call(ctx, p.session, "Runtime.evaluate",
		map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if err != nil {
		return err
	}
	if r.Exception != nil {
		return fmt.Errorf("headless: eval %q: %s %s", expr, r.Exception.Text, r.Exception.Exception.Description)
	}
	if out == nil {
		return nil
	}
	if len(r.Result.Value) == 0 {
		return fmt.Errorf("headless: eval %q: no value", expr)
	}
	return json.Unmarshal(r.Result.Value, out)
}

// Mouse sends a mouse event of type typ (mouseMoved, mousePressed,
// mouseReleased) at the viewport point x, y with the left button.
func (p *Page) Mouse(ctx context.Context, typ string, x, y float64) error {
	params := map[string]any{"type": typ, "x": x, "y": y, "button": "none"}
	if typ != "mouseMoved" {
		params["button"], params["clickCount"] = "left", 1
	}
	return p.b.call(ctx, p.session, "Input.dispatchMouseEvent", params, nil)
}

// SetViewport sets the viewport's size in CSS pixels.
func (p *Page) SetViewport(ctx context.Context, width, height int) error {
	return p.b.call(ctx, p.session, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil)
}

// Screenshot returns a PNG of the whole page at the viewport's width.
func (p *Page) Screenshot(ctx context.Context) ([]byte, error) {
	var m struct {
		Content struct {
			Width  float64 `json:"width"`
			Height float64 `json:"height"`
		} `json:"cssContentSize"`
	}
	if err := p.b.call(ctx, p.session, "Page.getLayoutMetrics", nil, &m); err != nil {
		return nil, err
	}
	return p.ScreenshotArea(ctx, 0, 0, math.Ceil(m.Content.Width), math.Ceil(m.Content.Height))
}

// ScreenshotArea returns a PNG of a rectangle of the page, in CSS pixels
// from the page's top left corner.
func (p *Page) ScreenshotArea(ctx context.Context, x, y, width, height float64) ([]byte, error) {
	var shot struct {
		Data string `json:"data"`
	}
	clip := map[string]any{"x": x, "y": y, "width": width, "height": height, "scale": 1}
	if err := p.b.call(ctx, p.session, "Page.captureScreenshot",
		map[string]any{"format": "png", "captureBeyondViewport": true, "clip": clip}, &shot); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(shot.Data)
}

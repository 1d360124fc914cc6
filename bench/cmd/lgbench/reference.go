package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// refTTFT measures TTFT with a minimal client: n goroutines, each with its
// own session and conversation, stream POST /api/chat back to back (after
// the same staggered start as ttft.yaml) on a
// plain net/http client and stamp the first line that starts with `0:` —
// no parsing beyond that, no recording. It shows the error the mock and the
// machine put into TTFT, which loadgen's own figure can be held against.
func refTTFT(ctx context.Context, base string, n int, d time.Duration) ([]time.Duration, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxIdleConns: n, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu    sync.Mutex
		ttfts []time.Duration
		first error
		wg    sync.WaitGroup
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := refUser(ctx, hc, base, i)
			mu.Lock()
			defer mu.Unlock()
			ttfts = append(ttfts, got...)
			if err != nil && first == nil && ctx.Err() == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	slices.Sort(ttfts)
	return ttfts, first
}

func refUser(ctx context.Context, hc *http.Client, base string, i int) ([]time.Duration, error) {
	token, err := mintToken(base, fmt.Sprintf("ref-%d@example.com", i))
	if err != nil {
		return nil, err
	}
	post := func(path, body string) (*http.Response, time.Time, error) {
		req, err := http.NewRequestWithContext(ctx, "POST", base+path, strings.NewReader(body))
		if err != nil {
			return nil, time.Time{}, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		t := time.Now()
		resp, err := hc.Do(req)
		return resp, t, err
	}
	resp, _, err := post("/api/chat/conversation", `{"subject":"Timing"}`)
	if err != nil {
		return nil, err
	}
	var slug struct {
		Slug string `json:"conversationSlug"`
	}
	err = decodeJSON(resp.Body, &slug)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	// As ttft.yaml: the first message waits 0.5–1.5 s.
	if sleepCtx(ctx, 500*time.Millisecond+rand.N(time.Second)) != nil {
		return nil, nil
	}
	var out []time.Duration
	body := fmt.Sprintf(`{"conversationSlug":%q,"message":{"id":"m","role":"user","content":"Message"}}`, slug.Slug)
	for ctx.Err() == nil {
		resp, t, err := post("/api/chat", body)
		if err != nil {
			return out, nil // the run ended
		}
		br := bufio.NewReader(resp.Body)
		for {
			line, err := br.ReadSlice('\n')
			if bytes.HasPrefix(line, []byte(`0:`)) {
				out = append(out, time.Since(t))
				break
			}
			if err != nil {
				break
			}
		}
		io.Copy(io.Discard, br)
		resp.Body.Close()
	}
	return out, nil
}

// quantile returns the q quantile of sorted ds (nearest rank).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(q*float64(len(ds))+0.5) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

package main

import (
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	bodyMax    = 4 << 10
	retryPause = 200 * time.Millisecond
)

// HTTPResult is what `labprobe http` prints.
type HTTPResult struct {
	OK       bool              `json:"ok"`
	URL      string            `json:"url"`
	Status   int               `json:"status"`
	Headers  map[string]string `json:"headers"`
	Body     string            `json:"body"`
	Error    string            `json:"error"`
	Code     string            `json:"code"`
	Attempts int               `json:"attempts"`
	MS       int64             `json:"ms"`
}

func httpCmd(ctx context.Context, args []string) (any, bool, error) {
	fs := flag.NewFlagSet("http", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 2*time.Second, "timeout of each attempt")
	retries := fs.Int("retries", 0, "extra attempts after a failure to connect")
	method := fs.String("method", http.MethodGet, "HTTP method")
	data := fs.String("data", "", "request body (PUT /kv/k…)")
	var headers headerList
	fs.Var(&headers, "header", "K:V, repeatable")
	pos, err := flags(fs, args, 1)
	if err != nil {
		return nil, false, err
	}
	if err := positive("timeout", *timeout); err != nil {
		return nil, false, err
	}
	target := pos[0]
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		return nil, false, usageError{"http: URL must start with http:// or https://: " + target}
	}
	req, err := http.NewRequest(strings.ToUpper(*method), target, nil)
	if err != nil {
		return nil, false, usageError{"http: " + err.Error()}
	}
	for _, h := range headers {
		if strings.EqualFold(h[0], "Host") {
			req.Host = h[1]
			continue
		}
		req.Header.Add(h[0], h[1])
	}
	res := probeHTTP(ctx, req, *data, *timeout, max(*retries, 0))
	return res, res.OK, nil
}

// probeHTTP sends req, retrying only when no answer came: any HTTP status is an answer.
func probeHTTP(ctx context.Context, req *http.Request, body string, timeout time.Duration, retries int) HTTPResult {
	client := &http.Client{
		Timeout: timeout,
		// One fresh connection per attempt and no proxy: the probe measures this path only.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		// A redirect is an answer; following it would probe another target.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res := HTTPResult{URL: req.URL.String(), Headers: map[string]string{}}
	start := time.Now()
	var err error
	for attempt := 0; attempt <= retries; attempt++ {
		if attempt > 0 && !sleep(ctx, retryPause) {
			break
		}
		res.Attempts++
		var resp *http.Response
		attemptReq := req.Clone(ctx)
		if body != "" {
			attemptReq.Body, attemptReq.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
		}
		resp, err = client.Do(attemptReq)
		if err != nil {
			continue
		}
		got, rerr := io.ReadAll(io.LimitReader(resp.Body, bodyMax))
		resp.Body.Close()
		res.OK, res.Status = true, resp.StatusCode
		for k, v := range resp.Header {
			res.Headers[k] = strings.Join(v, ", ")
		}
		res.Body = strings.ToValidUTF8(string(got), string(utf8.RuneError))
		if rerr != nil {
			res.Error = "body: " + rerr.Error()
		}
		break
	}
	if !res.OK {
		res.Code, res.Error = describe(err)
	}
	res.MS = time.Since(start).Milliseconds()
	return res
}

// TCPResult is what `labprobe tcp` prints.
type TCPResult struct {
	OK       bool   `json:"ok"`
	Addr     string `json:"addr"`
	Local    string `json:"local,omitempty"`
	Error    string `json:"error"`
	Code     string `json:"code"`
	Attempts int    `json:"attempts"`
	MS       int64  `json:"ms"`
}

func tcpCmd(ctx context.Context, args []string) (any, bool, error) {
	fs := flag.NewFlagSet("tcp", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 2*time.Second, "timeout of each attempt")
	retries := fs.Int("retries", 0, "extra attempts after a failure")
	pos, err := flags(fs, args, 1)
	if err != nil {
		return nil, false, err
	}
	if err := positive("timeout", *timeout); err != nil {
		return nil, false, err
	}
	if _, _, err := net.SplitHostPort(pos[0]); err != nil {
		return nil, false, usageError{"tcp: want HOST:PORT: " + err.Error()}
	}
	res := probeTCP(ctx, pos[0], *timeout, max(*retries, 0))
	return res, res.OK, nil
}

func probeTCP(ctx context.Context, addr string, timeout time.Duration, retries int) TCPResult {
	res := TCPResult{Addr: addr}
	start := time.Now()
	var err error
	for attempt := 0; attempt <= retries; attempt++ {
		if attempt > 0 && !sleep(ctx, retryPause) {
			break
		}
		res.Attempts++
		var c net.Conn
		d := net.Dialer{Timeout: timeout}
		if c, err = d.DialContext(ctx, "tcp", addr); err == nil {
			res.OK, res.Local = true, c.LocalAddr().String()
			c.Close()
			break
		}
	}
	if !res.OK {
		res.Code, res.Error = describe(err)
	}
	res.MS = time.Since(start).Milliseconds()
	return res
}

// sleep waits d unless ctx ends first; false if it did.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

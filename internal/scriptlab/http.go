package scriptlab

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/probe"
)

// maxBody is how much of an answer the grader reads: the labs' apps answer in a few lines.
const maxBody = 64 << 10

// retryEvery is the pause between two tries while an app starts.
const retryEvery = 200 * time.Millisecond

// Reply is one HTTP exchange with a student's app through a published port.
type Reply struct {
	Status int
	Header http.Header
	Body   string // at most maxBody bytes, as sent
	Err    error  // no answer at all (refused, reset, timeout): an observation, not a grader error
}

// Answered reports whether the app answered, whatever the status.
func (r Reply) Answered() bool { return r.Err == nil }

// Client reaches a port published on the grader's loopback (probe.PublishedClient: no proxy,
// no kept connection, redirects not followed). Its zero value is not usable: see NewClient.
type Client struct {
	hc        *http.Client
	UserAgent string // sent with every request when set
}

// NewClient returns a client whose requests each last at most timeout.
func NewClient(timeout time.Duration) *Client {
	return &Client{hc: probe.PublishedClient(timeout)}
}

// Do sends one request. A request that gets no answer is a Reply with Err set.
func (c *Client) Do(ctx context.Context, method, url, body string, header map[string]string) Reply {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return Reply{Err: err}
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return Reply{Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Reply{Err: err}
	}
	return Reply{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// GetReady repeats GET url until done accepts the reply (nil: any answer, whatever its
// status), or wait has passed, or ctx ends: the app may still be starting, and docker-proxy
// accepts connections before the app listens. It returns the last reply.
func (c *Client) GetReady(ctx context.Context, url string, wait time.Duration, header map[string]string, done func(Reply) bool) Reply {
	if done == nil {
		done = Reply.Answered
	}
	deadline := time.Now().Add(wait)
	for {
		rep := c.Do(ctx, http.MethodGet, url, "", header)
		if done(rep) || ctx.Err() != nil || time.Now().After(deadline) {
			return rep
		}
		t := time.NewTimer(retryEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return rep
		case <-t.C:
		}
	}
}

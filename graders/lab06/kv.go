package lab06

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/probe"
)

// requestTimeout bounds one request to the app: it answers in milliseconds, and /tmpfill
// of 20 MiB in a fraction of a second.
const requestTimeout = 5 * time.Second

// kvClient talks to lab6-kv on the port it publishes on the host's loopback. The engine is
// local (engineSeesFolder), so Go dials it directly.
type kvClient struct {
	base string // "http://127.0.0.1:8086"
}

// reply is what the app answered.
type reply struct {
	Status int
	Body   string
}

// kvResult is the JSON the app gives for writes (/kv, /write, /tmpfill) and their errors.
type kvResult struct {
	OK    bool   `json:"ok"`
	Errno string `json:"errno"`
	Error string `json:"error"`
}

// result decodes a write's JSON answer; a body that is not that JSON reads as "not ok".
func (r reply) result() kvResult {
	var res kvResult
	if err := json.Unmarshal([]byte(r.Body), &res); err != nil {
		res.Error = "réponse illisible : " + oneLine(r.Body)
	}
	return res
}

// String shows the reply in an outcome.
func (r reply) String() string { return fmt.Sprintf("HTTP %d %s", r.Status, oneLine(r.Body)) }

// do sends one request. A connection that fails is an observation about the student's
// container (not published, stopped), returned as an error for the caller to word.
func (c kvClient) do(ctx context.Context, method, path, body string) (reply, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, strings.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	// No keep-alive: the container is removed and restarted between requests.
	hc := probe.PublishedClient(requestTimeout)
	resp, err := hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return reply{}, err
	}
	return reply{Status: resp.StatusCode, Body: string(b)}, nil
}

// waitHealthy polls GET /health until it answers 200 or wait runs out; it returns the last
// thing it saw when it gives up.
func (c kvClient) waitHealthy(ctx context.Context, wait time.Duration) (bool, string) {
	deadline := time.Now().Add(wait)
	last := "aucune réponse"
	for {
		r, err := c.do(ctx, http.MethodGet, "/health", "")
		switch {
		case err == nil && r.Status == http.StatusOK:
			return true, ""
		case err == nil:
			last = r.String()
		default:
			last = oneLine(err.Error())
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false, last
		}
		select {
		case <-ctx.Done():
			return false, last
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// oneLine keeps the start of s on one line, for messages.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

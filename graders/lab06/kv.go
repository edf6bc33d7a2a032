package lab06

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/scriptlab"
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
		res.Error = "réponse illisible : " + check.OneLine(r.Body, 200)
	}
	return res
}

// String shows the reply in an outcome.
func (r reply) String() string {
	return fmt.Sprintf("HTTP %d %s", r.Status, check.OneLine(r.Body, 200))
}

// do sends one request. A connection that fails is an observation about the student's
// container (not published, stopped), returned as an error for the caller to word. No
// keep-alive: the container is removed and restarted between requests.
func (c kvClient) do(ctx context.Context, method, path, body string) (reply, error) {
	r := scriptlab.NewClient(requestTimeout).Do(ctx, method, c.base+path, body, nil)
	return reply{Status: r.Status, Body: r.Body}, r.Err
}

// waitHealthy polls GET /health until it answers 200 or wait runs out; it returns the last
// thing it saw when it gives up.
func (c kvClient) waitHealthy(ctx context.Context, wait time.Duration) (bool, string) {
	r := scriptlab.NewClient(requestTimeout).GetReady(ctx, c.base+"/health", wait, nil,
		func(r scriptlab.Reply) bool { return r.Err == nil && r.Status == http.StatusOK })
	switch {
	case r.Err != nil:
		return false, check.OneLine(r.Err.Error(), 200)
	case r.Status != http.StatusOK:
		return false, reply{Status: r.Status, Body: r.Body}.String()
	}
	return true, ""
}

// Package probe looks at a running container from the inside of its network namespace, with
// a throw-away busybox container, so it works for targets built FROM scratch and on remote
// engines alike.
package probe

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
)

// Image is the image probes run in.
const Image = "ddlab/busybox:1"

// Response is what an HTTP probe saw.
type Response struct {
	OK   bool   // the request got a 2xx answer
	Body string // at most a few KiB
	Err  string // wget's own complaint when !OK
}

// HTTPGet fetches http://127.0.0.1:<port><path> inside target's network namespace, retrying
// for up to wait while the app starts. A probe that ran but got no answer is not an error.
// busybox 1.35's static wget crashes with -T, hence the timeout applet around it.
func HTTPGet(ctx context.Context, r *grader.Run, target string, port int, path string, wait time.Duration) (Response, error) {
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, path)
	// The retries are bounded by wall time, not by count, so a server that accepts and never
	// answers still ends the probe at wait (+ one 3 s attempt).
	secs := max(1, int(wait/time.Second))
	script := fmt.Sprintf(`end=$(( $(date +%%s) + %d )); while :; do `+
		`if timeout 3 wget -q -O /tmp/body %q 2>/tmp/err; then echo OK; head -c 4096 /tmp/body; exit 0; fi; `+
		`[ "$(date +%%s)" -ge "$end" ] && break; sleep 0.5; done; echo FAIL; head -c 512 /tmp/err; exit 1`, secs, url)
	labels := r.Labels()
	labels["ddlab.role"] = "probe"
	id, err := r.Engine.Run(ctx, engine.RunSpec{
		Name:        r.Name(fmt.Sprintf("probe-%d", time.Now().UnixNano()%1e9)),
		Image:       Image,
		Entrypoint:  []string{"/bin/sh", "-c", script},
		User:        "65534:65534",
		Labels:      labels,
		NetworkMode: "container:" + target,
		Limits:      engine.Limits{MemoryBytes: 32 << 20, Pids: 32},
	})
	if id != "" {
		// Removed at once: a run probes many times. The run's label sweep is the safety net.
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
			defer cancel()
			_ = r.Engine.Remove(cctx, engine.Ref{Kind: engine.KindContainer, ID: id})
		}()
	}
	if err != nil {
		return Response{}, fmt.Errorf("probe: %w", err)
	}
	if _, err := r.Engine.Wait(ctx, id); err != nil {
		return Response{}, fmt.Errorf("probe: %w", err)
	}
	out, err := r.Engine.Logs(ctx, id, 8<<10)
	if err != nil {
		return Response{}, fmt.Errorf("probe: %w", err)
	}
	status, body, _ := strings.Cut(out, "\n")
	switch status {
	case "OK":
		return Response{OK: true, Body: body}, nil
	case "FAIL":
		return Response{Err: strings.TrimSpace(body)}, nil
	}
	return Response{}, fmt.Errorf("probe: unexpected output %q", out)
}

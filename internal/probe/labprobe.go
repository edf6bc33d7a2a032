package probe

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
)

// labprobe is where ddlab/probe:1 keeps the probe (internal/images/probe.go).
const labprobe = "/usr/local/bin/labprobe"

// Result is one line of labprobe's output: the union of the fields its subcommands print
// (internal/images/assets/labprobe).
type Result struct {
	OK      bool              `json:"ok"`
	Code    string            `json:"code"` // refused, timeout, nxdomain, unreachable, other, usage
	Error   string            `json:"error"`
	MS      int64             `json:"ms"`
	Status  int               `json:"status"` // http
	Body    string            `json:"body"`
	Headers map[string]string `json:"headers"`
	Addrs   []string          `json:"addrs"` // dns
	Ifaces  []Iface           `json:"ifaces"`
	Routes  []Route           `json:"routes"`
	Default bool              `json:"default"` // routes: a default route exists
}

type Iface struct {
	Name  string   `json:"name"`
	Up    bool     `json:"up"`
	Addrs []string `json:"addrs"`
}

type Route struct {
	Iface   string `json:"iface"`
	Dest    string `json:"dest"`
	Gateway string `json:"gateway"`
	Mask    string `json:"mask"`
}

// Reason says in a few words why a probe failed, for messages, in both languages.
func (p Result) Reason() check.Text {
	switch p.Code {
	case "nxdomain":
		return check.Lit("nom inconnu", "unknown name")
	case "timeout":
		return check.T("délai dépassé (%d ms)", "timed out (%d ms)", p.MS)
	case "refused":
		return check.Lit("connexion refusée", "connection refused")
	case "unreachable":
		return check.Lit("pas de route", "no route")
	}
	if p.Error != "" {
		return check.Same(check.OneLine(p.Error, 200))
	}
	if p.Status != 0 {
		return check.Same(fmt.Sprintf("HTTP %d", p.Status))
	}
	return check.Lit("échec", "failure")
}

// maxProbeLine bounds one line of probe output; labprobe caps bodies at 4 KiB.
const maxProbeLine = 64 << 10

// parseLabprobe reads one JSON object per line, as many as commands were run. Anything
// else (a missing line, garbage) is an error: the probe is the grader's own tool.
func parseLabprobe(out string, want int) ([]Result, error) {
	var res []Result
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 4096), maxProbeLine)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var p Result
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			return nil, fmt.Errorf("probe output line %d is not JSON: %q", len(res)+1, check.Cut(line, 120))
		}
		res = append(res, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("probe output: %w", err)
	}
	if len(res) != want {
		return nil, fmt.Errorf("probe printed %d result(s), want %d: %q", len(res), want, check.Cut(out, 300))
	}
	return res, nil
}

// Lab runs labprobe commands one after the other in one ddlab/probe:1 container placed at
// place ("container:<id>" for a container's namespace, or a network's name) and returns one
// result per command. A probe that cannot run at all is an error, never a verdict. Each
// command's own timeout is timeout.
func Lab(ctx context.Context, r *grader.Run, image, place string, timeout time.Duration, cmds ...[]string) ([]Result, error) {
	var script []string
	budget := 10 * time.Second
	for _, c := range cmds {
		q := make([]string, len(c))
		for i, a := range c {
			q[i] = shellQuote(a)
		}
		// `|| true`: a failed probe prints its JSON and exits 1; the next one must still run.
		script = append(script, labprobe+" "+strings.Join(q, " ")+" || true")
		budget += 3 * timeout
	}
	logs, err := run(ctx, r, engine.RunSpec{
		Image:       image,
		Entrypoint:  []string{"sh", "-c", strings.Join(script, "; ")},
		NetworkMode: place,
	}, budget, "probe at "+place)
	if err != nil {
		return nil, err
	}
	res, err := parseLabprobe(logs.Stdout, len(cmds))
	if err != nil {
		return nil, fmt.Errorf("%w (stderr: %q)", err, check.Cut(logs.Stderr, 300))
	}
	return res, nil
}

// ReadVolume returns the last lines of the files of a volume, as a probe container that
// mounts it read-only reads them (image is the probe image, which has a shell): what a service
// really wrote there, to compare with what another one claims to have read.
func ReadVolume(ctx context.Context, r *grader.Run, image, volume string) (string, error) {
	logs, err := run(ctx, r, engine.RunSpec{
		Image: image,
		// -size counts 512-byte blocks (busybox find has no M suffix): files under 64 MiB.
		Entrypoint:  []string{"sh", "-c", "find /v -type f -size -131072 | head -n 20 | while read -r f; do tail -n 50 \"$f\"; done"},
		NetworkMode: "none",
		Mounts:      []engine.Mount{{Type: "volume", Source: volume, Destination: "/v", ReadOnly: true}},
		ReadOnly:    true,
	}, 30*time.Second, "reading volume "+volume)
	return logs.Stdout, err
}

// run runs one of the grader's own probe containers (labelled, bounded, removed at the end)
// until it exits within budget, and returns its logs.
func run(ctx context.Context, r *grader.Run, spec engine.RunSpec, budget time.Duration, what string) (engine.Logs, error) {
	spec.Name = r.Name(fmt.Sprintf("probe-%d", time.Now().UnixNano()%1e9))
	spec.Labels = r.Labels()
	spec.Labels["ddlab.role"] = "probe"
	spec.Limits = engine.Limits{MemoryBytes: 64 << 20, Pids: 64}
	id, err := r.Engine.Run(ctx, spec)
	if id != "" {
		defer remove(ctx, r, id)
	}
	if err != nil {
		if errors.Is(err, engine.ErrNotFound) && id == "" {
			return engine.Logs{}, fmt.Errorf("%s is missing: run `grade images` first: %w", spec.Image, err)
		}
		return engine.Logs{}, fmt.Errorf("%s: %w", what, err)
	}
	wctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	if _, err := r.Engine.Wait(wctx, id); err != nil {
		return engine.Logs{}, fmt.Errorf("%s did not finish: %w", what, err)
	}
	return r.Engine.ReadLogs(ctx, id, engine.LogOptions{MaxBytes: 256 << 10})
}

// remove deletes one of the grader's own containers now; the run's label sweep is the net.
func remove(ctx context.Context, r *grader.Run, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	_ = r.Engine.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id})
}

// DNS, TCP and HTTP are labprobe's commands.
func DNS(name string, timeout time.Duration) []string {
	return []string{"dns", "-timeout", timeout.String(), name}
}

func TCP(addr string, timeout time.Duration) []string {
	return []string{"tcp", "-timeout", timeout.String(), addr}
}

// HTTP retries a few times: a container just started may not listen yet.
func HTTP(url string, timeout time.Duration, retries int) []string {
	return []string{"http", "-timeout", timeout.String(), "-retries", fmt.Sprint(retries), url}
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// NetReason says why a connection from the grader failed, in the student's words: Go's
// "dial tcp 127.0.0.1:8081: connect: connection refused" means nothing listens there.
func NetReason(err error) check.Text {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case err == nil:
		return check.Text{}
	case errors.Is(err, syscall.ECONNREFUSED):
		return check.Lit("connexion refusée : rien n'écoute sur ce port", "connection refused: nothing listens on that port")
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return check.Lit("connexion fermée sans réponse", "connection closed without an answer")
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return check.Lit("pas de route", "no route")
	case errors.As(err, &dns):
		return check.Lit("nom inconnu", "unknown name")
	case errors.As(err, &ne) && ne.Timeout():
		return check.Lit("délai dépassé", "timed out")
	}
	return check.Same(check.OneLine(err.Error(), 200))
}

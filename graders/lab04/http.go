package lab04

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/scriptlab"
)

// stateFor starts lab 4's state for a run. The HTTP client reaches the published port
// directly: never through a proxy from the environment, never reusing a connection to a
// process that may have just died.
func stateFor(r *grader.Run) *state {
	return &state{run: r, kit: scriptlab.New(r), http: scriptlab.NewClient(10 * time.Second)}
}

// baseURL is where the grader reaches lab4-app's port 8080 from this machine (see reach).
func (s *state) baseURL(ctx context.Context, c engine.Container) (string, *check.Outcome, error) {
	info, err := s.kit.EngineInfo(ctx)
	if err != nil {
		return "", nil, err
	}
	url, o := reach(info.Remote, s.run.Engine.Host(), c.Ports, s.param("host-ip"), s.param("host-port"))
	return url, o, nil
}

// reach is where the grader reaches port 8080 from this machine: through the binding the
// student made, whatever it is, so that a wrong port costs lab4.port only. The verdict says
// why it cannot: the engine runs on another machine (127.0.0.1 there is not 127.0.0.1 here),
// or nothing is published.
func reach(remote bool, host string, ports []engine.PortBinding, ip, port string) (string, *check.Outcome) {
	if remote {
		o := check.RemoteSkip(host, "le correcteur ne peut pas joindre le port publié sur 127.0.0.1.",
			"the grader cannot reach the port published on 127.0.0.1.")
		return "", &o
	}
	var best *engine.PortBinding
	for i, b := range ports {
		if b.ContainerPort != "8080/tcp" || b.HostPort == "" {
			continue
		}
		if best == nil || b.HostIP == ip && b.HostPort == port {
			best = &ports[i]
		}
	}
	if best == nil {
		o := check.Failf("Le port 8080 de lab4-app n'est publié nulle part : le correcteur ne peut pas le joindre.",
			"lab4-app's port 8080 is not published: the grader cannot reach it.").
			WithT(check.Same(fmt.Sprintf("-p %s:%s:8080", ip, port)), bindings(ports))
		return "", &o
	}
	h := best.HostIP
	if a := net.ParseIP(h); h == "" || a == nil || a.IsUnspecified() {
		h = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(h, best.HostPort), nil
}

// reply is one HTTP exchange with the app.
type reply struct {
	Status int
	Body   string
	Err    error // no answer at all
}

// do sends one request; a reply without an answer is not an error of the grader.
func (s *state) do(ctx context.Context, method, url string, header map[string]string) reply {
	return replyOf(s.http.Do(ctx, method, url, "", header))
}

// getReady repeats GET url until it gets an answer or wait passes: the app may be starting.
func (s *state) getReady(ctx context.Context, url string, wait time.Duration, header map[string]string) reply {
	return replyOf(s.http.GetReady(ctx, url, wait, header, nil))
}

// replyOf keeps what lab 4's checks read of an exchange: the body trimmed.
func replyOf(r scriptlab.Reply) reply {
	return reply{Status: r.Status, Body: strings.TrimSpace(r.Body), Err: r.Err}
}

// text is the exchange as a report shows it: the status and body, or why nothing answered.
func (r reply) text() check.Text {
	if r.Err != nil {
		return check.T("pas de réponse : %s", "no answer: %s", check.Cut(r.Err.Error(), 200))
	}
	return check.Same(fmt.Sprintf("HTTP %d %s", r.Status, check.Cut(r.Body, 200)))
}

// bindings lists the published ports, or says there are none.
func bindings(ports []engine.PortBinding) check.Text {
	if len(ports) == 0 {
		return check.Lit("aucun port publié", "no published port")
	}
	var out []string
	for _, p := range ports {
		out = append(out, fmt.Sprintf("%s → %s", net.JoinHostPort(p.HostIP, p.HostPort), p.ContainerPort))
	}
	return check.Same(strings.Join(out, ", "))
}

package lab03

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/probe"
)

// checkHTTP runs the image with its own CMD and asks for / and /health from inside its
// network namespace. The container is removed at the end: pull-digest then removes the image.
func (s *state) checkHTTP(ctx context.Context) (check.Outcome, error) {
	r := s.run
	ps := grader.ReadValues(r.Spec)
	port, wait := ps.Int("port"), ps.Duration("startup-wait")
	if ps.Err != nil {
		return check.Outcome{}, ps.Err
	}
	r.Progress(check.Lit("démarrage du conteneur…", "starting the container…"))
	id, err := r.Engine.Run(ctx, engine.RunSpec{Name: r.Name("site"), Image: s.imageID, Labels: r.Labels()})
	if id != "" {
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
			defer cancel()
			_ = r.Engine.Remove(cctx, engine.Ref{Kind: engine.KindContainer, ID: id})
		}()
	}
	o := httpObs{Port: port, Cmd: cmdOf(s.image), IndexText: r.Spec.Params["index-text"], HealthText: r.Spec.Params["health-text"]}
	if err != nil {
		if id == "" {
			return check.Outcome{}, err
		}
		o.StartErr = err.Error()
	}
	for _, p := range []string{"/", "/health"} {
		if out, done := judgeHTTP(o); done {
			return out, nil
		}
		pg, err := s.get(ctx, id, port, p, wait)
		if err != nil {
			return check.Outcome{}, err
		}
		o.Pages = append(o.Pages, pg)
	}
	out, _ := judgeHTTP(o)
	return out, nil
}

// httpObs is what lab3.http sees, one page after the other: / then /health.
type httpObs struct {
	Port                  int
	Cmd                   string // the image's ENTRYPOINT and CMD, for messages
	IndexText, HealthText string
	StartErr              string // why the container did not start ("" when it did)
	Pages                 []page
}

// page is one probe of the site. Exit is set when the container had stopped by then.
type page struct {
	Path string
	Resp probe.Response
	Exit *stopped
}

// stopped is a container that ended on its own: its exit code and last logs.
type stopped struct {
	Code int
	Logs string
}

// judgeHTTP: the container starts, GET / serves the site's home page and GET /health answers
// health-text. decided is false while the next page has not been asked yet.
func judgeHTTP(o httpObs) (out check.Outcome, decided bool) {
	if o.StartErr != "" {
		return check.Failf("Le conteneur ne démarre pas : %s", "The container does not start: %s", check.Clip(o.StartErr, 200)).
			With("CMD [\"httpd\",\"-f\",\"-p\",\"8080\",\"-h\",\"/www\"]", o.Cmd), true
	}
	for _, p := range o.Pages {
		switch {
		case p.Exit != nil:
			logs := check.Same(check.Tail(strings.TrimSpace(p.Exit.Logs), 10))
			if logs.FR == "" {
				logs = check.Lit("(aucun journal)", "(no logs)")
			}
			return check.Failf("Le conteneur s'arrête aussitôt (code de sortie %d) : le serveur doit rester au premier plan (httpd -f).",
				"The container stops at once (exit code %d): the server must stay in the foreground (httpd -f).", p.Exit.Code).
				WithT(check.T("un conteneur qui reste démarré ; CMD : %s", "a container that keeps running; CMD: %s", o.Cmd), logs), true
		case !p.Resp.OK:
			return check.Failf("GET %s sur le port %d ne répond pas (ou pas 200) depuis le conteneur.", "GET %s on port %d gets no 200 answer inside the container.", p.Path, o.Port).
				WithT(check.Lit("une réponse HTTP 200", "an HTTP 200 answer"), check.Same(p.Resp.Err)), true
		case p.Path == "/" && !strings.Contains(p.Resp.Body, o.IndexText):
			return check.Failf("GET / répond, mais sans %s : le dossier servi n'est pas celui du site ?", "GET / answers, but without %s: is the served folder not the site's?", o.IndexText).
				With(o.IndexText, check.Clip(p.Resp.Body, 200)), true
		case p.Path == "/health" && strings.TrimSpace(p.Resp.Body) != o.HealthText:
			return check.Failf("GET /health répond %q au lieu de %q.", "GET /health answers %q instead of %q.", check.Clip(p.Resp.Body, 200), o.HealthText).
				With(o.HealthText, check.Clip(p.Resp.Body, 200)), true
		}
	}
	if len(o.Pages) < 2 {
		return check.Outcome{}, false
	}
	return check.Passf("GET / sert la page d'accueil et GET /health répond ok (port %d).", "GET / serves the home page and GET /health answers ok (port %d).", o.Port), true
}

// get probes path. A probe that cannot join the container is the image's doing when the
// container died meanwhile.
func (s *state) get(ctx context.Context, id string, port int, path string, wait time.Duration) (page, error) {
	resp, err := probe.HTTPGet(ctx, s.run, id, port, path, wait)
	pg := page{Path: path, Resp: resp}
	if err != nil || !resp.OK {
		pg.Exit = s.died(ctx, id)
	}
	if err != nil && pg.Exit == nil {
		return page{}, err
	}
	return pg, nil
}

// died is the container when it stopped on its own, nil while it runs.
func (s *state) died(ctx context.Context, id string) *stopped {
	c, err := s.run.Engine.InspectContainer(ctx, id)
	if err != nil || c.Running {
		return nil
	}
	logs, _ := s.run.Engine.Logs(ctx, id, 4<<10)
	return &stopped{Code: c.ExitCode, Logs: logs}
}

func cmdOf(img engine.Image) string {
	return fmt.Sprintf("ENTRYPOINT %q CMD %q", img.Entrypoint, img.Cmd)
}

func (s *state) checkLabels(context.Context) (check.Outcome, error) {
	return judgeLabels(s.image.Labels, s.run.Spec.Params["version"]), nil
}

// judgeLabels: ddlab.lab=lab3 and the OCI title, version and source labels, non-empty.
func judgeLabels(labels map[string]string, version string) check.Outcome {
	want := []struct{ key, value string }{
		{"ddlab.lab", "lab3"},
		{"org.opencontainers.image.title", ""},
		{"org.opencontainers.image.version", version},
		{"org.opencontainers.image.source", ""},
	}
	var fr, en, got []string
	for _, w := range want {
		v, ok := labels[w.key]
		switch {
		case !ok || strings.TrimSpace(v) == "":
			fr, en = append(fr, w.key+" (absent)"), append(en, w.key+" (missing)")
		case w.value != "" && v != w.value:
			fr = append(fr, fmt.Sprintf("%s=%q (attendu %q)", w.key, v, w.value))
			en = append(en, fmt.Sprintf("%s=%q (expected %q)", w.key, v, w.value))
		}
		if ok {
			got = append(got, fmt.Sprintf("%s=%q", w.key, v)) // a value is the student's words
		}
	}
	if len(fr) > 0 {
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: fmt.Sprintf("Labels manquants ou faux : %s.", strings.Join(fr, ", ")),
			EN: fmt.Sprintf("Missing or wrong labels: %s.", strings.Join(en, ", ")),
		}}.With("ddlab.lab=lab3, org.opencontainers.image.title, .version="+version+", .source", strings.Join(got, "\n"))
	}
	return check.Passf("Labels présents : %s.", "Labels present: %s.", strings.Join(got, ", "))
}

package lab03

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// checkHTTP runs the image with its own CMD and asks for / and /health from inside its
// network namespace. The container is removed at the end: pull-digest then removes the image.
func (s *state) checkHTTP(ctx context.Context) (check.Outcome, error) {
	r := s.run
	port, err := strconv.Atoi(r.Spec.Params["port"])
	if err != nil {
		return check.Outcome{}, fmt.Errorf("params.port: %w", err)
	}
	wait, err := time.ParseDuration(r.Spec.Params["startup-wait"])
	if err != nil {
		return check.Outcome{}, fmt.Errorf("params.startup-wait: %w", err)
	}
	r.Progress("démarrage du conteneur…")
	id, err := r.Engine.Run(ctx, engine.RunSpec{Name: r.Name("site"), Image: s.imageID, Labels: r.Labels()})
	if id != "" {
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
			defer cancel()
			_ = r.Engine.Remove(cctx, engine.Ref{Kind: engine.KindContainer, ID: id})
		}()
	}
	if err != nil {
		if id == "" {
			return check.Outcome{}, err
		}
		return check.Failf("Le conteneur ne démarre pas : %s", "The container does not start: %s", check.Clip(err.Error(), 200)).
			With("CMD [\"httpd\",\"-f\",\"-p\",\"8080\",\"-h\",\"/www\"]", cmdOf(s.image)), nil
	}
	index, o, err := s.get(ctx, id, port, "/", wait)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	if want := r.Spec.Params["index-text"]; !strings.Contains(index, want) {
		return check.Failf("GET / répond, mais sans %s : le dossier servi n'est pas celui du site ?", "GET / answers, but without %s: is the served folder not the site's?", want).
			With(want, check.Clip(index, 200)), nil
	}
	health, o, err := s.get(ctx, id, port, "/health", wait)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	if want := r.Spec.Params["health-text"]; strings.TrimSpace(health) != want {
		return check.Failf("GET /health répond %q au lieu de %q.", "GET /health answers %q instead of %q.", check.Clip(health, 200), want).
			With(want, check.Clip(health, 200)), nil
	}
	return check.Passf("GET / sert la page d'accueil et GET /health répond ok (port %d).", "GET / serves the home page and GET /health answers ok (port %d).", port), nil
}

// get probes path; o is the verdict when the site does not answer.
func (s *state) get(ctx context.Context, id string, port int, path string, wait time.Duration) (string, *check.Outcome, error) {
	resp, err := probe.HTTPGet(ctx, s.run, id, port, path, wait)
	if err != nil {
		// A probe cannot join a container that died meanwhile: that is the image's doing.
		if o, dead := s.died(ctx, id); dead {
			return "", &o, nil
		}
		return "", nil, err
	}
	if !resp.OK {
		if o, dead := s.died(ctx, id); dead {
			return "", &o, nil
		}
		o := check.Failf("GET %s sur le port %d ne répond pas (ou pas 200) depuis le conteneur.", "GET %s on port %d gets no 200 answer inside the container.", path, port).
			With("une réponse HTTP 200", resp.Err)
		return "", &o, nil
	}
	return resp.Body, nil, nil
}

// died reports, as a verdict, a container that stopped on its own.
func (s *state) died(ctx context.Context, id string) (check.Outcome, bool) {
	c, err := s.run.Engine.InspectContainer(ctx, id)
	if err != nil || c.Running {
		return check.Outcome{}, false
	}
	logs, _ := s.run.Engine.Logs(ctx, id, 4<<10)
	if logs = strings.TrimSpace(logs); logs == "" {
		logs = "(aucun journal)"
	}
	return check.Failf("Le conteneur s'arrête aussitôt (code de sortie %d) : le serveur doit rester au premier plan (httpd -f).",
		"The container stops at once (exit code %d): the server must stay in the foreground (httpd -f).", c.ExitCode).
		With("un conteneur qui reste démarré ; CMD : "+cmdOf(s.image), check.Tail(logs, 10)), true
}

func cmdOf(img engine.Image) string {
	return fmt.Sprintf("ENTRYPOINT %q CMD %q", img.Entrypoint, img.Cmd)
}

func (s *state) checkLabels(context.Context) (check.Outcome, error) {
	version := s.run.Spec.Params["version"]
	want := []struct{ key, value string }{
		{"ddlab.lab", "lab3"},
		{"org.opencontainers.image.title", ""},
		{"org.opencontainers.image.version", version},
		{"org.opencontainers.image.source", ""},
	}
	var missing, got []string
	for _, w := range want {
		v, ok := s.image.Labels[w.key]
		switch {
		case !ok || strings.TrimSpace(v) == "":
			missing = append(missing, w.key+" (absent)")
		case w.value != "" && v != w.value:
			missing = append(missing, fmt.Sprintf("%s=%q (attendu %q)", w.key, v, w.value))
		}
		if ok {
			got = append(got, fmt.Sprintf("%s=%s", w.key, v))
		}
	}
	if len(missing) > 0 {
		return check.Failf("Labels manquants ou faux : %s.", "Missing or wrong labels: %s.", strings.Join(missing, ", ")).
			With("ddlab.lab=lab3, org.opencontainers.image.title, .version="+version+", .source", strings.Join(got, "\n")), nil
	}
	return check.Passf("Labels présents : %s.", "Labels present: %s.", strings.Join(got, ", ")), nil
}

package lab05

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// container starts the built image once, with the run's limits, and returns its ID. When the
// container cannot start or dies at once, fail is the verdict every container check gives.
func (s *state) container(ctx context.Context) (id string, fail *check.Outcome, err error) {
	if s.ctr != "" || s.ctrFail != nil {
		return s.ctr, s.ctrFail, nil
	}
	r := s.run
	r.Progress("démarrage du conteneur…")
	id, err = r.Engine.Run(ctx, engine.RunSpec{
		Name:   r.Name("app"),
		Image:  s.imageRef,
		Labels: r.Labels(),
	})
	if id != "" {
		r.Cleanup.Add("container "+id[:12], func(ctx context.Context) error {
			return r.Engine.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id})
		})
	}
	if err != nil {
		if id == "" {
			return "", nil, err
		}
		// Created but not started: the image's entrypoint cannot run (no shell in scratch…).
		o := check.Failf("Le conteneur ne démarre pas : %s", "The container does not start: %s", check.Clip(err.Error(), 300))
		s.ctrFail = &o
		return "", s.ctrFail, nil
	}
	// Give the app a moment, then make sure it is still there.
	select {
	case <-ctx.Done():
		return "", nil, ctx.Err()
	case <-time.After(300 * time.Millisecond):
	}
	c, err := r.Engine.InspectContainer(ctx, id)
	if err != nil {
		return "", nil, err
	}
	if !c.Running {
		logs, _ := r.Engine.Logs(ctx, id, 4<<10)
		o := check.Failf("Le conteneur s'arrête aussitôt (code de sortie %d).", "The container stops at once (exit code %d).", c.ExitCode).
			With("un conteneur qui reste démarré", check.Tail(logs, 10))
		s.ctrFail = &o
		return "", s.ctrFail, nil
	}
	s.ctr = id
	return id, nil, nil
}

func (s *state) get(ctx context.Context, path string) (probe.Response, *check.Outcome, error) {
	id, fail, err := s.container(ctx)
	if fail != nil || err != nil {
		return probe.Response{}, fail, err
	}
	port, err := strconv.Atoi(s.run.Spec.Params["port"])
	if err != nil {
		return probe.Response{}, nil, fmt.Errorf("params.port: %w", err)
	}
	wait, err := time.ParseDuration(s.run.Spec.Params["startup-wait"])
	if err != nil {
		return probe.Response{}, nil, fmt.Errorf("params.startup-wait: %w", err)
	}
	resp, err := probe.HTTPGet(ctx, s.run, id, port, path, wait)
	if err != nil {
		// A probe cannot join a container that died meanwhile: that is the app's doing.
		if o, dead := s.died(ctx, id); dead {
			return resp, &o, nil
		}
		return resp, nil, err
	}
	if !resp.OK {
		o := check.Failf("GET %s sur le port %d ne répond pas depuis le conteneur.", "GET %s on port %d gets no answer inside the container.", path, port).
			With("une réponse HTTP 200", resp.Err)
		return resp, &o, nil
	}
	return resp, nil, nil
}

func (s *state) checkNonRoot(ctx context.Context) (check.Outcome, error) {
	user := s.image.User
	uid, _, _ := strings.Cut(user, ":")
	n, err := strconv.Atoi(uid)
	switch {
	case user == "":
		return check.Failf("L'image ne déclare pas d'utilisateur : le conteneur tourne en root.", "The image sets no user: the container runs as root.").
			With("USER 65532", "(root)"), nil
	case err != nil:
		return check.Failf("USER %s est un nom : utilisez un UID numérique (l'image finale n'a pas forcément de /etc/passwd).",
			"USER %s is a name: use a numeric UID (the final image may have no /etc/passwd).", user).
			With("un UID numérique ≠ 0", user), nil
	case n == 0:
		return check.Failf("USER 0 : le conteneur tourne en root.", "USER 0: the container runs as root.").With("un UID ≠ 0", user), nil
	}
	resp, fail, err := s.get(ctx, "/whoami")
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	var who struct {
		UID int `json:"uid"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &who); err != nil {
		return check.Failf("GET /whoami ne renvoie pas le JSON attendu.", "GET /whoami does not return the expected JSON.").
			With(`{"uid": …}`, check.Clip(resp.Body, 300)), nil
	}
	if who.UID == 0 {
		return check.Failf("L'application se voit en root (uid 0) malgré USER %s.", "The app sees itself as root (uid 0) despite USER %s.", user).
			With("uid ≠ 0", "uid 0"), nil
	}
	return check.Passf("USER %s ; /whoami répond uid %d.", "USER %s; /whoami answers uid %d.", user, who.UID), nil
}

func (s *state) checkHealthcheck(ctx context.Context) (check.Outcome, error) {
	hc := s.image.Healthcheck
	switch {
	case len(hc) == 0 || hc[0] == "NONE":
		return check.Failf("L'image n'a pas de HEALTHCHECK.", "The image has no HEALTHCHECK.").
			With(`HEALTHCHECK CMD ["/app/server","healthcheck"]`, "aucun"), nil
	case hc[0] != "CMD":
		return check.Failf("Le HEALTHCHECK est en forme shell (%s) : sans shell dans l'image il ne peut pas s'exécuter.",
			"The HEALTHCHECK uses the shell form (%s): with no shell in the image it cannot run.", hc[0]).
			With("CMD [\"…\"] (forme exec)", strings.Join(hc, " ")), nil
	}
	id, fail, err := s.container(ctx)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	wait, err := time.ParseDuration(s.run.Spec.Params["health-wait"])
	if err != nil {
		return check.Outcome{}, fmt.Errorf("params.health-wait: %w", err)
	}
	s.run.Progress("attente de l'état healthy…")
	deadline := time.Now().Add(wait)
	for {
		c, err := s.run.Engine.InspectContainer(ctx, id)
		if err != nil {
			return check.Outcome{}, err
		}
		switch {
		case c.Health == "healthy":
			return check.Passf("Conteneur healthy (HEALTHCHECK %s).", "Container healthy (HEALTHCHECK %s).", strings.Join(hc[1:], " ")), nil
		case c.Health == "unhealthy" || !c.Running:
			return check.Failf("Le conteneur est %s.", "The container is %s.", orState(c)).
				With("healthy", lastLines(c.HealthLog, 3)), nil
		case time.Now().After(deadline):
			return check.Failf("Le conteneur n'est pas healthy après %s (état : %s) : intervalle trop long ?",
				"The container is not healthy after %s (state: %s): interval too long?", wait, c.Health).
				With("healthy en moins de "+wait.String(), c.Health), nil
		}
		select {
		case <-ctx.Done():
			return check.Outcome{}, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (s *state) checkVersion(ctx context.Context) (check.Outcome, error) {
	want := s.run.Spec.Params["version"]
	const label = "org.opencontainers.image.version"
	switch got, ok := s.image.Labels[label]; {
	case !ok:
		return check.Failf("L'image n'a pas le label %s.", "The image has no %s label.", label).With(label+"="+want, "absent"), nil
	case got != want:
		return check.Failf("Le label %s vaut %q.", "Label %s is %q.", label, got).With(label+"="+want, label+"="+got), nil
	}
	resp, fail, err := s.get(ctx, "/version")
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	if got := strings.TrimSpace(resp.Body); got != want {
		return check.Failf("GET /version renvoie %q : VERSION n'atteint pas la compilation.", "GET /version returns %q: VERSION does not reach the compile step.", got).
			With(want, got), nil
	}
	return check.Passf("GET /version renvoie %s et le label est posé.", "GET /version returns %s and the label is set.", want), nil
}

func (s *state) checkSignals(ctx context.Context) (check.Outcome, error) {
	id, fail, err := s.container(ctx)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	timeout, err := time.ParseDuration(s.run.Spec.Params["stop-timeout"])
	if err != nil {
		return check.Outcome{}, fmt.Errorf("params.stop-timeout: %w", err)
	}
	limit, err := time.ParseDuration(s.run.Spec.Params["stop-max"])
	if err != nil {
		return check.Outcome{}, fmt.Errorf("params.stop-max: %w", err)
	}
	if o, dead := s.died(ctx, id); dead {
		return o, nil
	}
	s.run.Progress("docker stop…")
	start := time.Now()
	if err := s.run.Engine.Stop(ctx, id, timeout); err != nil {
		return check.Outcome{}, err
	}
	took := time.Since(start)
	c, err := s.run.Engine.InspectContainer(ctx, id)
	if err != nil {
		return check.Outcome{}, err
	}
	got := fmt.Sprintf("arrêt en %s, code %d", took.Round(10*time.Millisecond), c.ExitCode)
	switch {
	case took >= limit:
		return check.Failf("docker stop a pris %s : SIGTERM n'atteint pas l'application (PID 1 est un shell ?), elle a été tuée.",
			"docker stop took %s: SIGTERM does not reach the app (is PID 1 a shell?), it was killed.", took.Round(10*time.Millisecond)).
			With(fmt.Sprintf("arrêt en moins de %s, code 0", limit), got), nil
	case c.ExitCode != 0:
		return check.Failf("L'application s'arrête vite mais avec le code %d.", "The app stops quickly but with exit code %d.", c.ExitCode).
			With("code 0", got), nil
	}
	return check.Passf("docker stop : %s.", "docker stop: %s.", got), nil
}

// died reports, as a verdict, a container that stopped on its own since it was started.
func (s *state) died(ctx context.Context, id string) (check.Outcome, bool) {
	c, err := s.run.Engine.InspectContainer(ctx, id)
	if err != nil || c.Running {
		return check.Outcome{}, false
	}
	logs, _ := s.run.Engine.Logs(ctx, id, 4<<10)
	return check.Failf("Le conteneur s'est arrêté tout seul pendant la correction (code de sortie %d).",
		"The container stopped by itself during grading (exit code %d).", c.ExitCode).
		With("un conteneur qui reste démarré", check.Tail(logs, 10)), true
}

func orState(c engine.Container) string {
	if c.Health != "" && c.Running {
		return c.Health
	}
	return fmt.Sprintf("%s (code %d)", c.Status, c.ExitCode)
}

func lastLines(lines []string, n int) string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
